"""Paths: nothing an editor writes can reach outside content/ or the output, and the output
can never be a folder the generator did not make (DESIGN.md section 7).

A report file cannot be called ``../evil.md``; what can exist is tested instead: bad slugs,
symlinks out of content/, vocabulary keys that would become paths, and output folders that
must be refused with nothing deleted.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, TESTS
from hardening_support import copy_project, leftovers, tree, tree_diff
from osce_digest.cli import main
from osce_digest.discover import discover
from osce_digest.write import MARKER, OutputRefused, Stage, check_output, write_file
from tiny_project import (
    ACTORS_YAML,
    FRONT_MATTER,
    REPORT,
    TOPICS_YAML,
    VENUES_YAML,
    write_project,
)

BASIC = TESTS / "sites" / "basic"
SECRET = "SECRET-7f3a-never-publish"
"""Text in files outside content/ that must never reach the site or the terminal."""


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the cache's signing key out of the real home folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def tiny(tmp_path: Path) -> Path:
    root = write_project(tmp_path / "project", "The ministers met.\n")
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def outside_report(folder: Path) -> Path:
    """A valid report outside the project, carrying SECRET."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret.md"
    path.write_text(FRONT_MATTER + f"The {SECRET} was agreed.\n", encoding="utf-8")
    return path


def published(site: Path) -> str:
    """Every text file of a built site, for searching."""
    if not site.exists():
        return ""
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in site.rglob("*") if p.is_file()
    )


# --- report files -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["My Report.md", "UPPER.md", "with space.md", "under_score.md"])
def test_a_report_file_name_that_is_not_a_slug_is_refused_with_a_diagnostic(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tiny(tmp_path)
    shutil.copy(root / REPORT, root / "content" / "reports" / name)

    code = main(["build", "--root", str(root)])

    err = capsys.readouterr().err
    assert code == 1
    assert (
        f"content/reports/{name}:1:1: error: the file name '{name}' is not a valid slug "
        "[invalid-slug]"
    ) in err
    assert not (root / "site").exists()


@pytest.mark.parametrize("target", ["tmp-file", "/etc/hostname"])
def test_a_report_symlinked_to_a_file_outside_content_is_refused_and_not_read(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tiny(tmp_path)
    real = outside_report(tmp_path / "outside") if target == "tmp-file" else Path(target)
    if not real.is_file():
        pytest.skip(f"{real} does not exist here")
    (root / "content" / "reports" / "linked.md").symlink_to(real)

    code = main(["build", "--root", str(root)])

    out, err = capsys.readouterr()
    assert code == 1
    assert (
        f"content/reports/linked.md: error: this file links to {real.resolve()}, "
        "outside content/ [outside-content]"
    ) in err
    assert SECRET not in out + err
    assert not (root / "site").exists()


def test_a_symlinked_folder_in_reports_pointing_outside_is_refused_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tiny(tmp_path)
    outside_report(tmp_path / "outside" / "more")
    (root / "content" / "reports" / "linked-folder").symlink_to(tmp_path / "outside" / "more")

    code = main(["build", "--root", str(root)])

    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert SECRET not in published(root / "site")
    # Silently leaving the folder out loses the editor's reports without a word.
    assert re.search(
        r"content/reports/linked-folder(/secret\.md)?: error: .*outside content/ "
        r"\[outside-content\]",
        err,
    ), f"exit {code}; no diagnostic names the linked folder:\n{err[-1500:]}"
    assert code == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda at: at.symlink_to("/nonexistent/gone.md"),
            "this file links to /nonexistent/gone.md, which does not exist",
        ),
        (lambda at: at.symlink_to(at.name), "this file links to odd.md, which loops back"),
        (os.mkfifo, "this is not a regular file (a pipe, socket or device), so it is not read"),
    ],
    ids=["dangling-link", "link-loop", "pipe"],
)
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_report_name_that_is_not_a_readable_file_is_an_error_and_never_blocks(
    tmp_path: Path, make: Callable[[Path], None], message: str, command: str
) -> None:
    root = tiny(tmp_path)
    make(root / "content" / "reports" / "odd.md")

    # In a process of its own: reading a pipe would wait forever for a writer.
    done = subprocess.run(
        [sys.executable, "-m", "osce_digest.cli", command, "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg-cache")},
    )

    said = done.stdout + done.stderr  # check reports on stdout, build on stderr
    assert done.returncode == 1, said
    assert f"content/reports/odd.md: error: {message}" in said
    assert "[not-a-file]" in said
    assert "Traceback" not in said
    assert not (root / "site").exists()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda at: at.symlink_to("/nonexistent/topics.yaml"),
            "this file links to /nonexistent/topics.yaml, which does not exist",
        ),
        (os.mkfifo, "this is not a regular file (a pipe, socket or device), so it is not read"),
        (Path.mkdir, "this is a folder, not a file, so it is not read"),
    ],
    ids=["dangling-link", "pipe", "folder"],
)
def test_a_vocabulary_that_is_not_a_readable_file_is_an_error_not_an_empty_vocabulary(
    tmp_path: Path, make: Callable[[Path], None], message: str
) -> None:
    root = tiny(tmp_path)
    topics = root / "content" / "topics.yaml"
    topics.unlink(missing_ok=True)
    make(topics)

    done = subprocess.run(
        [sys.executable, "-m", "osce_digest.cli", "build", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg-cache")},
    )

    # Read as absent, the site would build with every topic of every report unknown.
    assert done.returncode == 1, done.stderr
    assert f"content/topics.yaml: error: {message}" in done.stderr
    assert "[not-a-file]" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (root / "site").exists()


# --- keys that become URLs ------------------------------------------------------------------


KEYED_FILES = {
    "topics.yaml": (TOPICS_YAML, "- key: {key}\n  label: Evil\n"),
    "actors.yaml": (ACTORS_YAML, "- key: {key}\n  name: Evil\n  kind: person\n"),
    "venues.yaml": (VENUES_YAML, "- key: {key}\n  name: Evil\n"),
    "sources.yaml": ("", "- id: {key}\n  title: Evil\n"),
}


@pytest.mark.parametrize("key", ["../evil", "a/b", "../../../../tmp/x"])
@pytest.mark.parametrize("file", sorted(KEYED_FILES))
def test_a_vocabulary_key_that_is_a_path_is_refused_with_a_diagnostic(
    tmp_path: Path, file: str, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tiny(tmp_path)
    existing, entry = KEYED_FILES[file]
    (root / "content" / file).write_text(existing + entry.format(key=key), encoding="utf-8")

    code = main(["check", "--root", str(root)])

    out = capsys.readouterr().out
    assert code == 1
    line = existing.count("\n") + 1
    assert re.search(
        rf"content/{file}:{line}:\d+: error: '{re.escape(key)}' is not a valid (key|id) "
        r"\[invalid-key\]",
        out,
    ), out


@pytest.mark.parametrize("key", ["../evil", "a/b"])
def test_a_report_source_id_that_is_a_path_is_refused_with_a_diagnostic(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tiny(tmp_path)
    report = root / REPORT
    report.write_text(report.read_text().replace("{id: wire-1,", f'{{id: "{key}",'))

    code = main(["check", "--root", str(root)])

    out = capsys.readouterr().out
    assert code == 1
    assert re.search(
        rf"{REPORT}:12:\d+: error: source id '{re.escape(key)}' is not a valid id \[invalid-key\]",
        out,
    ), out


def with_russia_country(country: str) -> str:
    """actors.yaml of the tiny project with Russia's country code replaced."""
    old = "country: RU\n  aliases: [Russian"
    assert old in ACTORS_YAML
    return ACTORS_YAML.replace(old, f'country: "{country}"\n  aliases: [Russian')


@pytest.mark.parametrize("country", ["../../../pwned", "ru/../../x", "Russia"])
def test_an_actor_country_that_is_not_an_iso_code_is_refused_by_check(
    tmp_path: Path, country: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The country becomes a URL: countries/<country>/.
    root = tiny(tmp_path)
    actors = with_russia_country(country)
    (root / "content" / "actors.yaml").write_text(actors, encoding="utf-8")

    code = main(["check", "--root", str(root)])

    out = capsys.readouterr().out
    summary = out.strip().splitlines()[-1]
    assert re.search(r"content/actors\.yaml:\d+:\d+: error: .*country", out), (
        f"exit {code}; actors.yaml country {country!r} passed the check: {summary}"
    )
    assert code == 1


def test_an_actor_country_that_is_a_path_fails_the_build_with_a_diagnostic_not_an_internal_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tiny(tmp_path)
    actors = with_russia_country("../../../pwned")
    (root / "content" / "actors.yaml").write_text(actors, encoding="utf-8")
    (tmp_path / "xdg-cache").mkdir(exist_ok=True)
    around = sorted(p.name for p in tmp_path.iterdir())

    code = main(["build", "--root", str(root)])

    err = capsys.readouterr().err
    assert "internal error" not in err, f"exit {code}: {err.strip()[-500:]}"
    assert code == 1
    assert re.search(r"content/actors\.yaml:\d+:\d+: error: ", err), err[-1500:]
    assert sorted(p.name for p in tmp_path.iterdir()) == around
    assert not (root / "site").exists()


# --- output folders that must be refused --------------------------------------------------


def basic_project(tmp_path: Path) -> Path:
    return copy_project(BASIC, tmp_path / "project", REPO / "templates")


@pytest.mark.parametrize(
    "target", ["", "content", "templates", "content/reports", "templates/static"]
)
def test_a_project_folder_as_output_is_refused_and_nothing_is_deleted(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = basic_project(tmp_path)
    before = tree(tmp_path)

    code = main(["build", "--root", str(root), "--out", str(root / target)])

    err = capsys.readouterr().err
    assert code == 2
    assert "digest: refusing to write the site" in err
    after = tree(tmp_path)
    assert after == before, tree_diff(before, after)


@pytest.mark.parametrize("which", ["root", "home"])
def test_the_file_system_root_or_the_home_folder_as_output_is_refused_and_nothing_is_deleted(
    tmp_path: Path, which: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = basic_project(tmp_path)
    target = Path("/") if which == "root" else Path.home()
    # Checked first, so that a generator that would accept the folder never gets to write.
    with pytest.raises(OutputRefused):
        check_output(target, root)
    before = set(os.listdir(target))

    code = main(["build", "--root", str(root), "--out", str(target)])

    err = capsys.readouterr().err
    assert code == 2
    assert "digest: refusing" in err
    after = set(os.listdir(target))
    assert before <= after, f"deleted from {target}: {sorted(before - after)}"
    assert not [n for n in after - before if "staging" in n or ".old-" in n]


def test_a_non_empty_folder_without_the_marker_is_refused_and_left_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = basic_project(tmp_path)
    mine = tmp_path / "www"
    (mine / "sub").mkdir(parents=True)
    (mine / "index.html").write_text("my own page")
    (mine / "sub" / "notes.txt").write_text("keep me")
    (mine / ".osce-digest-not").write_text("a near miss is not the marker")
    before = tree(tmp_path)

    code = main(["build", "--root", str(root), "--out", str(mine)])

    err = capsys.readouterr().err
    assert code == 2
    assert f"not made by osce-digest (no {MARKER} file)" in err
    after = tree(tmp_path)
    assert after == before, tree_diff(before, after)


def test_an_output_that_is_a_file_is_refused_and_left_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = basic_project(tmp_path)
    target = tmp_path / "site.txt"
    target.write_text("not a folder")
    before = tree(tmp_path)

    code = main(["build", "--root", str(root), "--out", str(target)])

    err = capsys.readouterr().err
    assert code == 2
    assert "it is a file, not a folder" in err
    assert tree(tmp_path) == before


def test_an_output_that_is_a_symlink_to_a_generated_site_is_updated_through_it_or_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A common deploy layout: site -> /var/www/digest.
    root = basic_project(tmp_path)
    www = tmp_path / "www"
    assert main(["build", "--root", str(root), "--out", str(www)]) == 0
    (root / "site").symlink_to(www)
    (www / "stale.html").write_text("left by the previous build")
    capsys.readouterr()

    code = main(["build", "--root", str(root)])

    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert (root / "site").is_symlink(), "the link was replaced by a folder"
    assert leftovers(root) == [], f"exit {code}: {err.strip()}"
    if code == 2:  # refused: nothing changed
        assert "refusing" in err
        assert (www / "stale.html").is_file()
    else:  # built through the link
        assert code == 0, err
        assert not (www / "stale.html").exists()
        assert (www / MARKER).is_file()


@pytest.mark.parametrize("slug", ["../../evil", "../evil", "sub/evil", "/tmp/evil"])
def test_digest_new_refuses_a_slug_that_is_a_path_and_writes_nothing(
    tmp_path: Path, slug: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tiny(tmp_path)
    before = tree(tmp_path)

    code = main(
        ["new", "A title", "--encounter", "fixture-2024", "--slug", slug, "--root", str(root)]
    )

    err = capsys.readouterr().err
    assert code != 0
    assert f"'{slug}' is not a valid slug" in err
    after = tree(tmp_path)
    assert after == before, tree_diff(before, after)


@pytest.mark.parametrize(
    "rel", ["../escape.html", "a/../../escape.html", "/etc/passwd", "", ".", "./", "a/\x00b"]
)
def test_an_output_path_that_would_leave_the_output_is_refused_by_the_writer(
    tmp_path: Path, rel: str
) -> None:
    root = tmp_path / "out"
    root.mkdir()
    with pytest.raises(ValueError, match="unsafe output path"):
        write_file(root, rel, b"x")
    stage = Stage(tmp_path / "site")
    source = tmp_path / "source.html"
    source.write_bytes(b"kept")
    with pytest.raises(ValueError, match="unsafe output path"):
        stage.link(rel, source)
    stage.abandon()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "source.html"]
    assert list(root.iterdir()) == []


def test_the_writer_normalises_output_paths_and_makes_their_folders(tmp_path: Path) -> None:
    stage = Stage(tmp_path / "site")
    source = tmp_path / "source.html"
    source.write_bytes(b"kept")
    stage.write("a//b/./new.html", b"new")
    stage.link("a/b/c/kept.html", source)
    stage.link("a/b/c/again.html", source)
    stage.commit()
    site = tmp_path / "site"
    assert (site / "a" / "b" / "new.html").read_bytes() == b"new"
    assert (site / "a" / "b" / "c" / "kept.html").read_bytes() == b"kept"
    assert (site / "a" / "b" / "c" / "again.html").stat().st_ino == source.stat().st_ino


def test_reports_are_found_in_subfolders_in_path_order_leaving_hidden_ones_out(
    tmp_path: Path,
) -> None:
    reports = tmp_path / "content" / "reports"
    for rel in ["b.md", "a/x.md", "a-b/y.md", "a/deeper/z.md", ".hidden.md", ".drafts/w.md"]:
        (reports / rel).parent.mkdir(parents=True, exist_ok=True)
        (reports / rel).write_text(f"{rel}\n", "utf-8")
    (reports / "notes.txt").write_text("not a report\n", "utf-8")
    (reports / "folder.md").mkdir()
    (reports / "again.md").symlink_to(reports / "b.md")  # a link inside content/ is read
    (reports / "gone.md").symlink_to(tmp_path / "nowhere.md")  # no report, but said
    content, problems = discover(tmp_path)
    assert [(p.file, p.rule) for p in problems] == [("content/reports/gone.md", "not-a-file")]
    # Path order, segment by segment: "a/" before "a-b/", though "-" sorts before "/".
    assert [f.rel for f in content.reports] == [
        "content/reports/a/deeper/z.md",
        "content/reports/a/x.md",
        "content/reports/a-b/y.md",
        "content/reports/again.md",
        "content/reports/b.md",
    ]
    assert [f.text for f in content.reports][3:] == ["b.md\n", "b.md\n"]


def test_a_reports_folder_that_cannot_be_read_is_an_error_not_a_site_without_its_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tiny(tmp_path)
    sub = root / "content" / "reports" / "2024"
    sub.mkdir()
    shutil.copy(root / REPORT, sub / "later.md")
    assert main(["build", "--root", str(root), "--quiet"]) == 0
    before = tree(root / "site")
    real_scandir = os.scandir

    def scandir(path: str) -> object:  # what a folder without read permission does
        if Path(path) == sub:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr("osce_digest.discover.os.scandir", scandir)
    code = main(["build", "--root", str(root)])

    err = capsys.readouterr().err
    assert code == 1
    assert (
        "content/reports/2024: error: cannot read the folder: Permission denied [unreadable]" in err
    )
    assert "Traceback" not in err
    assert tree(root / "site") == before
