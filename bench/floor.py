"""The bare floor: the least work any generator of these reports has to do.

``python bench/floor.py --project DIR --out DIR [--jobs N]`` reads every report, splits off
the front matter and parses it with PyYAML's C loader, renders the markdown with
markdown-it-py (CommonMark and tables), puts it in a trivial Jinja template and writes one
page per report. No section model, no claims, no indexes, no listings, no feeds. With
``--jobs N`` the reports are shared out to N ``multiprocessing`` workers; with 1 (the default)
everything runs in this process.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from collections.abc import Sequence
from pathlib import Path

import jinja2
import yaml
from markdown_it import MarkdownIt

sys.path.insert(0, str(Path(__file__).resolve().parent))

from convert import report_paths, split  # the same files, split the same way

TEMPLATE = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ meta.title }}</title></head>
<body><main>
<h1>{{ meta.title }}</h1>
<p>{{ meta.date }}</p>
{{ body | safe }}
</main></body>
</html>
"""


class Renderer:
    """A markdown parser and a compiled template, made once per process."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.markdown = MarkdownIt("commonmark").enable("table")
        self.template = jinja2.Environment(autoescape=True).from_string(TEMPLATE)

    def render(self, path: Path) -> int:
        """Render one report to ``OUT/reports/<slug>/index.html``; returns bytes written."""
        front, body = split(path.read_text("utf-8"))
        meta = yaml.load(front, Loader=yaml.CSafeLoader)
        html = self.template.render(meta=meta, body=self.markdown.render(body))
        target = self.out / "reports" / path.stem / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        return target.write_bytes(html.encode("utf-8"))


_worker: Renderer | None = None


def _init(out: Path) -> None:
    global _worker
    _worker = Renderer(out)


def _render_chunk(paths: list[Path]) -> int:
    assert _worker is not None
    return sum(_worker.render(path) for path in paths)


def build(project: Path, out: Path, jobs: int = 1) -> int:
    """Render every report of ``project`` into ``out``; returns the number of pages."""
    paths = report_paths(project / "content")
    if jobs <= 1:
        renderer = Renderer(out)
        for path in paths:
            renderer.render(path)
        return len(paths)
    chunks = [paths[i::jobs] for i in range(jobs)]
    with multiprocessing.Pool(jobs, initializer=_init, initargs=(out,)) as pool:
        pool.map(_render_chunk, chunks)
    return len(paths)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True, help="project folder")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default: 1)")
    args = parser.parse_args(argv)
    pages = build(args.project, args.out, args.jobs)
    print(f"floor: {pages} pages with {max(1, args.jobs)} process(es)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
