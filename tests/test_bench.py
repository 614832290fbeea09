"""The benchmark's own scripts: they must take any valid project, not only a generated one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, TESTS
from osce_digest.cli import main

sys.path.insert(0, str(REPO / "bench"))

import convert
import edits
import floor
import generate
import run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The basic test site (no sources.yaml), with one report moved to a subfolder and
    given a byte-order mark and Windows line ends: all things ``digest`` accepts."""
    root = tmp_path / "project"
    shutil.copytree(TESTS / "sites" / "basic" / "content", root / "content")
    reports = root / "content" / "reports"
    (reports / "2024").mkdir()
    moved = reports / "2024" / "council-2024.md"
    (reports / "council-2024.md").rename(moved)
    moved.write_bytes(b"\xef\xbb\xbf" + moved.read_bytes().replace(b"\n", b"\r\n"))
    (reports / ".hidden.md").write_text("not a report", "utf-8")
    assert main(["check", "--root", str(root)]) == 0
    return root


def test_a_project_is_read_as_digest_reads_it(project: Path) -> None:
    loaded = convert.load_project(project)
    assert [r.slug for r in loaded.reports] == ["council-2024", "draft-report"]
    council = loaded.reports[0]
    assert council.path == project / "content" / "reports" / "2024" / "council-2024.md"
    assert council.meta["encounter"]["id"]
    assert "\r" not in council.body
    assert not council.body.startswith("\n")
    assert loaded.sources == {}  # no sources.yaml


def test_every_tool_gets_every_report_with_its_citations_as_footnotes(
    project: Path, tmp_path: Path
) -> None:
    folders = convert.convert(project, tmp_path / "tools")
    hugo = sorted(p.name for p in (folders["hugo"] / "content" / "reports").iterdir())
    assert hugo == ["_index.md", "council-2024.md", "draft-report.md"]  # Hugo skips drafts
    assert [p.name for p in (folders["pelican"] / "content").iterdir()] == ["council-2024.md"]
    page = (folders["mkdocs"] / "docs" / "reports" / "council-2024.md").read_text("utf-8")
    cited = set(convert.CITATION.findall(convert.load_project(project).reports[0].body))
    assert cited, "the fixture cites its sources"
    for source in cited:
        assert f"\n[^{source}]: " in page


def test_a_file_without_front_matter_is_named_in_the_error(project: Path) -> None:
    broken = project / "content" / "reports" / "broken.md"
    broken.write_text("# no front matter\n", "utf-8")
    with pytest.raises(ValueError, match=r"broken\.md: no front matter"):
        convert.load_project(project)


def test_the_floor_renders_every_report_of_any_project(project: Path, tmp_path: Path) -> None:
    assert floor.build(project, tmp_path / "out") == 2
    page = (tmp_path / "out" / "reports" / "council-2024" / "index.html").read_text("utf-8")
    assert "<h1>" in page
    assert "\r" not in page


def test_outputs_are_moved_aside_not_deleted_before_a_timed_command(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "reports").mkdir(parents=True)
    (site / "reports" / "index.html").write_text("old", "utf-8")
    trash = run.Trash(tmp_path / "trash")
    trash(site, tmp_path / "absent")
    assert not site.exists()
    assert (tmp_path / "trash" / "1" / "reports" / "index.html").read_text("utf-8") == "old"


def test_the_benchmark_runs_on_a_given_project(project: Path, tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    script = [sys.executable, str(REPO / "bench" / "run.py"), "--project", str(project)]
    done = subprocess.run(
        [*script, "--repeat", "1", "--json", str(results)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    (size,) = json.loads(results.read_text("utf-8"))["runs"]
    assert size["reports"] == 2
    assert size["project"] == str(project)
    rows = {row["command"]: row for row in size["rows"]}
    edits = ("1 report edited", "1 report retitled", "1 report added", "base.html edited")
    for name in ("digest build (cold)", *(f"digest build ({e})" for e in edits)):
        assert rows[name]["median_s"] > 0, name
    assert "floor (2 processes)" in rows
    pages = rows["digest build (cold)"]["html_pages"]
    assert pages > 2
    assert rows["digest build (1 report retitled)"]["html_pages"] == pages
    assert rows["digest build (1 report added)"]["html_pages"] == pages + 1  # its page
    assert (project / "content" / "reports" / "2024" / "council-2024.md").is_file()  # a copy
    assert not (project / "site").exists()


def test_the_warm_up_leaves_the_bytecode_of_what_digest_imports_for_the_timed_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under PYTHONPYCACHEPREFIX, Python reads bytecode only from the prefix: the first
    # timed command would compile Jinja, markdown-it-py and the rest without the warm-up.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    digest = run.find_tool("digest")
    assert digest is not None
    env = run.command_environment(tmp_path / "pycache")
    run.warm_up(tmp_path / "warm-up", 1, {}, (digest, run.digest_flags(digest)), env)
    compiled = {
        f"{p.parent.name}/{p.stem.split('.')[0]}" for p in (tmp_path / "pycache").rglob("*.pyc")
    }
    modules = ("osce_digest/build", "jinja2/environment", "markdown_it/parser_block")
    for module in (*modules, "footnote/index", "yaml/constructor", "concurrent/__init__"):
        assert module in compiled, module
    assert (tmp_path / "warm-up" / "project" / "site" / "index.html").is_file()


def test_a_missing_tool_is_skipped_with_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(run, "find_tool", lambda name: None)
    monkeypatch.setattr(run, "hugo_binary", lambda: None)
    commands, notes = run.other_tools(None)
    assert commands == {}
    assert notes["pelican"] == (
        "skipped: not installed (a venv of its own, then --pelican; see bench/README.md)"
    )
    assert notes["mkdocs"] == "skipped: not installed (pip install -e '.[bench]')"
    with pytest.raises(SystemExit, match=r"--pelican .*nowhere/pelican: no such command"):
        run.other_tools(str(tmp_path / "nowhere" / "pelican"))


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small generated corpus with the repository's templates."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "edited" / "project"
    generate.generate(root, 12, 4)
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def test_random_edits_build_incrementally_to_what_a_clean_build_writes(corpus: Path) -> None:
    digest = edits.find_digest()
    assert digest is not None
    lines: list[str] = []
    assert edits.check(corpus, 6, 4, digest, None, lines.append) == 0, "\n".join(lines)
    assert [line.split(":")[0] for line in lines[:-1]] == [f"step {n}" for n in range(1, 7)]
    assert lines[-1].startswith("6 steps, every incremental build the same as a clean build (")


def test_the_edit_check_catches_an_incremental_build_that_leaves_stale_pages(
    corpus: Path, tmp_path: Path
) -> None:
    digest = edits.find_digest()
    assert digest is not None
    # Builds as digest does, except that an incremental build into an existing output
    # changes nothing: every edit after the first build is missed.
    stale = tmp_path / "stale-digest"
    stale.write_text(
        "#!/bin/sh\n"
        f'case "$*" in *--no-cache*) exec "{digest}" "$@";; esac\n'
        '[ -d "$5" ] && exit 0\n'
        f'exec "{digest}" "$@"\n',
        "utf-8",
    )
    stale.chmod(0o755)
    lines: list[str] = []
    assert edits.check(corpus, 3, 4, str(stale), None, lines.append) == 1
    assert lines[0].startswith("step 1: ")
    assert lines[0].endswith(" FAILED")
    assert "  the diagnostics differ from a clean build's" in lines
    assert any(line.startswith("  differs: reports/") for line in lines), lines
