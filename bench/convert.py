"""Convert a generated osce-digest project for Hugo, Pelican and MkDocs.

``python bench/convert.py --project DIR --out DIR [--tool hugo --tool pelican --tool mkdocs]``
writes ``OUT/hugo/``, ``OUT/pelican/`` and ``OUT/mkdocs/``: the same reports, with the
configuration and (for Hugo) the minimal layouts each tool needs to render every page type.

Our footnote citations (``[^source-id]`` without definitions) become real footnotes: each
cited source gets a definition at the end of the report, which all three tools render
(goldmark's footnotes, Python-Markdown's ``footnotes`` extension). Heading attribute lists
(``{#id topics="..."}``) are kept: goldmark and Python-Markdown's ``attr_list`` read them.
Drafts are left out of Pelican and MkDocs, which would publish them; Hugo skips them itself.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TOOLS = ("hugo", "pelican", "mkdocs")
CITATION = re.compile(r"\[\^([A-Za-z0-9_-]+)\]")
ITEM_TOPICS = re.compile(r'topics="([^"]*)"')


@dataclass(frozen=True)
class Report:
    slug: str
    meta: dict[str, Any]
    body: str
    path: Path


@dataclass(frozen=True)
class Project:
    title: str
    reports: list[Report]
    sources: dict[str, dict[str, Any]]
    """Shared sources by id (each report adds its own)."""


FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)


def split(text: str) -> tuple[str, str]:
    """Front matter and body of a ``---`` fenced report (the fences may carry trailing
    spaces; a byte-order mark and Windows line ends are dropped, as ``digest`` drops them)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    opening = FENCE.match(text)
    closing = FENCE.search(text, opening.end()) if opening else None
    if opening is None or closing is None:
        raise ValueError("no front matter between --- lines")
    return text[opening.end() : closing.start()], text[closing.end() :].lstrip("\n")


def read_yaml(path: Path) -> Any:
    """A YAML file's data; None when the file is absent (sources.yaml is optional)."""
    if not path.is_file():
        return None
    return yaml.load(path.read_text("utf-8-sig"), Loader=yaml.CSafeLoader)


def report_paths(content: Path) -> list[Path]:
    """Every report file, as ``digest`` finds them: ``*.md`` under ``content/reports/``,
    in subfolders too, hidden files and folders left out."""
    folder = content / "reports"
    paths = [p for p in folder.rglob("*.md") if p.is_file()]
    return sorted(p for p in paths if not any(x[0] == "." for x in p.relative_to(folder).parts))


def load_project(root: Path) -> Project:
    """Any project ``digest check`` accepts: not only a generated one."""
    content = root / "content"
    site = read_yaml(content / "site.yaml") or {}
    shared = read_yaml(content / "sources.yaml") or []
    reports = []
    for path in report_paths(content):
        try:
            front, body = split(path.read_text("utf-8"))
            meta = yaml.load(front, Loader=yaml.CSafeLoader)
        except (ValueError, yaml.YAMLError) as exc:
            raise ValueError(f"{path}: {exc}") from None
        if not isinstance(meta, dict) or not isinstance(meta.get("encounter"), dict):
            raise ValueError(f"{path}: front matter without an encounter")
        reports.append(Report(path.stem, meta, body, path))
    sources = {str(s["id"]): s for s in shared if isinstance(s, dict) and "id" in s}
    return Project(str(site.get("title") or "Reports"), reports, sources)


def footnotes(report: Report, shared: dict[str, dict[str, Any]]) -> str:
    """The body with a footnote definition for every cited source."""
    own = {s["id"]: s for s in report.meta.get("sources") or [] if isinstance(s, dict)}
    cited = dict.fromkeys(CITATION.findall(report.body))
    lines = []
    for sid in cited:
        source = own.get(sid) or shared.get(sid) or {"title": sid}
        parts = [source.get("title") or sid, source.get("publisher"), str(source.get("date") or "")]
        text = ". ".join(p for p in parts if p)
        url = f" <{source['url']}>" if source.get("url") else ""
        lines.append(f"[^{sid}]: {text}.{url}")
    return report.body.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"


def topics_of(report: Report) -> list[str]:
    """Topic keys named by the report's items, in order of first use."""
    keys = [k for attr in ITEM_TOPICS.findall(report.body) for k in attr.split()]
    return list(dict.fromkeys(keys))


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def published(project: Project) -> list[Report]:
    return [r for r in project.reports if not r.meta.get("draft")]


# --- Hugo ---------------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "https://bench.example/"
languageCode = "en"
title = {title}

[taxonomies]
  tag = "tags"
  topic = "topics"
  actor = "actors"
  venue = "venues"

[markup.goldmark.parser.attribute]
  title = true
"""

HUGO_LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="{{ site.Language.LanguageCode }}">
<head>
<meta charset="utf-8">
<title>{{ .Title }} | {{ site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" \
href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "home.html": """\
{{ define "main" }}<h1>{{ site.Title }}</h1>
<ul>{{ range first 20 (where site.RegularPages "Section" "reports") }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}
</ul>{{ end }}
""",
    "single.html": """\
{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p>{{ .Date.Format "2 January 2006" }}</p>
{{ .Content }}
{{ range $name, $_ := site.Taxonomies }}{{ with $.GetTerms $name }}
<p>{{ $name }}: {{ range . }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
{{ end }}{{ end }}
</article>{{ end }}
""",
    "list.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
</ul>{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}
</ul>{{ end }}
""",
    "term.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}
</ul>{{ end }}
""",
}


def hugo_front_matter(report: Report) -> str:
    meta, encounter = report.meta, report.meta["encounter"]
    data = {
        "title": meta["title"],
        "date": str(meta["date"]),
        "summary": meta.get("summary", ""),
        "draft": bool(meta.get("draft", False)),
        "tags": list(meta.get("tags", [])),
        "topics": topics_of(report),
        "actors": list(encounter.get("participants", [])),
        "venues": [encounter["venue"]] if encounter.get("venue") else [],
    }
    return "---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True) + "---\n"


def to_hugo(project: Project, out: Path) -> None:
    write(out / "hugo.toml", HUGO_CONFIG.format(title=json.dumps(project.title)))
    for name, text in HUGO_LAYOUTS.items():
        write(out / "layouts" / name, text)
    write(out / "content" / "reports" / "_index.md", "---\ntitle: Reports\n---\n")
    for report in project.reports:
        body = footnotes(report, project.sources)
        write(out / "content" / "reports" / f"{report.slug}.md", hugo_front_matter(report) + body)


# --- Pelican ------------------------------------------------------------------------------

PELICAN_CONFIG = """\
AUTHOR = "Benchmark desk"
SITENAME = {title}
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
RELATIVE_URLS = True
ARTICLE_URL = "reports/{{slug}}/"
ARTICLE_SAVE_AS = "reports/{{slug}}/index.html"
LOAD_CONTENT_CACHE = False
"""


def pelican_metadata(report: Report, authors: dict[str, str]) -> str:
    meta = report.meta
    tags = [*topics_of(report), *meta.get("tags", [])]
    names = [authors.get(a, a) for a in meta.get("authors", [])] or ["Benchmark desk"]
    lines = [
        f"Title: {meta['title']}",
        f"Date: {meta['date']}",
        *([f"Modified: {meta['updated']}"] if meta.get("updated") else []),
        f"Category: {meta['encounter'].get('kind', 'encounter')}",
        f"Tags: {', '.join(dict.fromkeys(tags))}",
        f"Authors: {', '.join(names)}",
        f"Slug: {report.slug}",
        f"Summary: {meta.get('summary', '')}",
    ]
    return "\n".join(lines) + "\n\n"


def to_pelican(project: Project, out: Path, authors: dict[str, str]) -> None:
    write(out / "pelicanconf.py", PELICAN_CONFIG.format(title=json.dumps(project.title)))
    for report in published(project):
        body = footnotes(report, project.sources)
        write(out / "content" / f"{report.slug}.md", pelican_metadata(report, authors) + body)


# --- MkDocs -------------------------------------------------------------------------------

MKDOCS_CONFIG = """\
site_name: {title}
site_url: https://bench.example/
docs_dir: docs
theme:
  name: mkdocs
markdown_extensions:
  - footnotes
  - attr_list
nav:
  - Home: index.md
"""


def to_mkdocs(project: Project, out: Path) -> None:
    """One page per report; the nav holds only the home page, which lists every report.

    With no ``nav:``, MkDocs would put all reports in the navigation of every page, which makes
    the output grow with the square of the number of reports.
    """
    write(out / "mkdocs.yml", MKDOCS_CONFIG.format(title=json.dumps(project.title)))
    reports = published(project)
    listing = [f"- [{r.meta['title']}](reports/{r.slug}.md)" for r in reports]
    write(out / "docs" / "index.md", f"# {project.title}\n\n" + "\n".join(listing) + "\n")
    for report in reports:
        front = yaml.safe_dump({"title": report.meta["title"], "date": str(report.meta["date"])})
        body = footnotes(report, project.sources)
        write(out / "docs" / "reports" / f"{report.slug}.md", f"---\n{front}---\n\n{body}")


# --- Driver -------------------------------------------------------------------------------


def site_authors(root: Path) -> dict[str, str]:
    site = read_yaml(root / "content" / "site.yaml") or {}
    authors = site.get("authors") or {}
    return {str(k): str((v or {}).get("name") or k) for k, v in authors.items()}


def convert(root: Path, out: Path, tools: Sequence[str] = TOOLS) -> dict[str, Path]:
    """Write one project per tool under ``out``; returns each tool's project folder."""
    project = load_project(root)
    folders = {tool: out / tool for tool in tools}
    for tool, folder in folders.items():
        if folder.exists():
            raise FileExistsError(f"{folder} already exists")
        if tool == "hugo":
            to_hugo(project, folder)
        elif tool == "pelican":
            to_pelican(project, folder, site_authors(root))
        elif tool == "mkdocs":
            to_mkdocs(project, folder)
    return folders


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True, help="generated project folder")
    parser.add_argument("--out", type=Path, required=True, help="folder for the tools' projects")
    parser.add_argument("--tool", action="append", choices=TOOLS, help="default: all three")
    args = parser.parse_args(argv)
    try:
        folders = convert(args.project, args.out, args.tool or TOOLS)
    except (FileExistsError, ValueError) as exc:
        print(f"convert.py: {exc}", file=sys.stderr)
        return 2
    for tool, folder in folders.items():
        print(f"{tool}: {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
