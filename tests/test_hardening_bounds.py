"""Pathological input is bounded: each finishes in under 10 s and 500 MB, with a site or a
``file:line:col`` diagnostic and exit 1, never a traceback (DESIGN.md sections 6 and 7).

Each case is one report in the tiny project of ``tiny_project.py``, built by
``python -m osce_digest.cli build`` in a child process that is killed at the deadline.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from hardening_support import Run, digest_env, run_digest
from osce_digest import frontmatter, markdown
from osce_digest.cli import main
from tiny_project import FRONT_MATTER, REPORT, write_project

DEADLINE = 10.0
"""Seconds a build may take, however hostile its input."""
MEMORY_MB = 500.0
"""Peak resident memory a build may use."""

DIAGNOSTIC = re.compile(rf"{re.escape(REPORT)}:\d+:\d+: error: .+ \[[a-z-]+\]")

SECTIONS = """
## Agenda {#agenda}

The ministers discussed Ukraine, according to the transcript.[^transcript-1]

## Disagreements {#disagreements}

Russia rejected the proposal, the wire reported.[^wire-1]

## Cooperation {#cooperation}

None was reported.

## Implications {#implications}

Talks are likely to continue.
"""


def build(tmp_path: Path, body: str | None = None, *, report: str | None = None) -> Run:
    """Build the tiny project whose report has ``body`` (or is ``report``, whole)."""
    root = write_project(tmp_path / "project", body or "")
    if report is not None:
        (root / REPORT).write_text(report, encoding="utf-8")
    shutil.copytree(REPO / "templates", root / "templates")
    return run_digest(
        ["build", "--root", str(root)], timeout=DEADLINE, env=digest_env(tmp_path), cwd=root
    )


def assert_bounded(run: Run) -> None:
    """Within time and memory, and no traceback or internal error."""
    assert not run.timed_out, f"not finished within {DEADLINE:.0f} s: {run.describe()}"
    assert run.seconds < DEADLINE, run.describe()
    assert run.peak_mb is None or run.peak_mb < MEMORY_MB, run.describe()
    assert "Traceback" not in run.err + run.out, run.err[-2000:]
    assert "internal error" not in run.err, run.describe()


def assert_built_or_refused(run: Run, root: Path) -> None:
    """Either the report page was built, or the report was refused with its position."""
    assert_bounded(run)
    if run.code == 0:
        assert (root / "site" / "reports" / "fixture" / "index.html").is_file()
    else:
        assert run.code == 1, run.describe()
        assert DIAGNOSTIC.search(run.err), run.err[-2000:]
        assert not (root / "site").exists()


def assert_refused(run: Run, root: Path, rule: str) -> None:
    """Refused with exit 1 and a ``file:line:col`` diagnostic of ``rule``."""
    assert_bounded(run)
    assert run.code == 1, run.describe()
    found = [line for line in run.err.splitlines() if DIAGNOSTIC.search(line)]
    assert any(f"[{rule}]" in line for line in found), run.err[-2000:]
    assert not (root / "site").exists()


def test_five_thousand_nested_blockquotes_are_refused_within_bounds(tmp_path: Path) -> None:
    # markdown-it drops what is nested past its limit: built, the text would be lost.
    run = build(tmp_path, "> " * 5000 + "Deep in the archive.\n" + SECTIONS)
    assert_refused(run, tmp_path / "project", "nested-too-deep")


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (">" * 19 + " Deep in the archive.\n", True),
        (">" * 20 + " Deep in the archive.\n", False),
        (
            "".join("  " * i + "- Level.\n" for i in range(9))
            + "  " * 8
            + "  Deep in the archive.\n",
            True,
        ),
        (
            "".join("  " * i + "- Level.\n" for i in range(10))
            + "  " * 9
            + "  Deep in the archive.\n",
            False,
        ),
    ],
)
def test_a_block_is_flagged_exactly_when_markdown_it_would_drop_its_text(
    body: str, shown: bool
) -> None:
    parser = markdown.make_parser(allow_html=False)
    chunks = [c for c in markdown.parse(parser, body) if isinstance(c, markdown.Chunk)]
    html = markdown.render(parser, chunks, {}, {})
    assert ("Deep in the archive." in html) is shown
    assert all(c.too_deep is None for c in chunks) is shown


def test_twenty_thousand_unclosed_brackets_build_within_bounds(tmp_path: Path) -> None:
    run = build(tmp_path, "[" * 20_000 + "\n" + SECTIONS)
    assert_built_or_refused(run, tmp_path / "project")


def test_a_five_megabyte_report_of_many_paragraphs_builds_within_bounds(tmp_path: Path) -> None:
    paragraph = (
        "Paragraph {n}: the ministers spoke in the plenary hall about the corridor, "
        "according to the transcript.[^transcript-1]\n\n"
    )
    paragraphs = []
    size = 0
    while size < 5 * 1024 * 1024:
        paragraphs.append(paragraph.format(n=len(paragraphs)))
        size += len(paragraphs[-1])
    run = build(tmp_path, "".join(paragraphs) + SECTIONS)
    assert_built_or_refused(run, tmp_path / "project")


def test_a_run_of_fifty_thousand_asterisks_builds_within_bounds(tmp_path: Path) -> None:
    run = build(tmp_path, "*" * 50_000 + "\n" + SECTIONS)
    assert_built_or_refused(run, tmp_path / "project")


def test_fifty_thousand_emphasis_markers_in_one_paragraph_build_within_bounds(
    tmp_path: Path,
) -> None:
    # 25,000 emphasised words: 50,000 '*' that markdown pairs up, in one sentence.
    run = build(tmp_path, "*word* " * 25_000 + "\n" + SECTIONS)
    assert_built_or_refused(run, tmp_path / "project")


def test_one_paragraph_of_ten_thousand_short_sentences_builds_within_bounds(
    tmp_path: Path,
) -> None:
    # 200 KB without a blank line: a pasted transcript, say.
    run = build(tmp_path, "The minister spoke. " * 10_000 + "\n" + SECTIONS)
    assert_built_or_refused(run, tmp_path / "project")


def test_a_yaml_alias_bomb_in_front_matter_is_refused_within_bounds(tmp_path: Path) -> None:
    # Nine levels of nine aliases: 387 million values if expanded.
    lines = ["  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"  a{level}: &a{level} [{refs}]")
    report = FRONT_MATTER.replace("---\n", "", 1).rsplit("---\n", 1)[0]
    report = "---\n" + report + "extra:\n" + "\n".join(lines) + "\n---\n" + SECTIONS
    run = build(tmp_path, report=report)
    assert_refused(run, tmp_path / "project", "yaml-too-large")


def test_yaml_lists_nested_ten_thousand_deep_are_refused_within_bounds(tmp_path: Path) -> None:
    report = FRONT_MATTER.replace("---\n", "", 1).rsplit("---\n", 1)[0]
    deep = "[" * 10_000 + "]" * 10_000
    report = "---\n" + report + f"extra: {{deep: {deep}}}\n---\n" + SECTIONS
    run = build(tmp_path, report=report)
    assert_bounded(run)
    assert run.code == 1, run.describe()
    assert DIAGNOSTIC.search(run.err), run.err[-2000:]


def test_deep_yaml_is_refused_with_a_diagnostic_also_when_pyyaml_has_no_libyaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # PyYAML built from source has no C parser; frontmatter.py then uses the Python one,
    # which recurses once per nesting level while composing.
    monkeypatch.setattr(frontmatter, "_Loader", yaml.SafeLoader)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    report = FRONT_MATTER.replace("---\n", "", 1).rsplit("---\n", 1)[0]
    deep = "[" * 10_000 + "]" * 10_000
    root = write_project(tmp_path / "project", "")
    (root / REPORT).write_text("---\n" + report + f"extra: {{deep: {deep}}}\n---\n" + SECTIONS)

    started = time.perf_counter()
    code = main(["check", "--root", str(root)])
    seconds = time.perf_counter() - started

    out, err = capsys.readouterr()
    assert "internal error" not in err, f"exit {code}: {err.strip()}"
    assert code == 1
    assert DIAGNOSTIC.search(out), out[-2000:]
    assert seconds < DEADLINE
