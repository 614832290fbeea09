"""Incremental and parallel builds write exactly what a clean, serial build writes."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, TESTS
from osce_digest import cache as cache_module
from osce_digest import discover, incremental, load, parallel, report_jobs
from osce_digest import templates as templates_module
from osce_digest.cache import FOLDER, open_cache
from osce_digest.cli import main
from osce_digest.incremental import last_snapshot, output_files
from osce_digest.lookups import EntryDigests, Recorder
from osce_digest.model import Site
from osce_digest.pages import Directory
from osce_digest.report_jobs import _report_job
from osce_digest.write import MARKER

MULTI = TESTS / "sites" / "multi"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build(project: Path, out: Path, *extra: str, exit_code: int = 0) -> None:
    args = [
        "build",
        "--root",
        str(project),
        "--out",
        str(out),
        "--templates",
        str(project / "templates"),
        *extra,
    ]
    assert main(args) == exit_code


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "project"
    shutil.copytree(MULTI / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def _recording_report_job(state: Any, job: Any) -> Any:
    """``report_jobs._report_job``, noting the process that ran it."""
    with open(os.environ["REPORT_JOB_PIDS"], "a", encoding="utf-8") as pids:
        pids.write(f"{os.getpid()}\n")
    return _report_job(state, job)


@pytest.mark.parametrize("processes", ["default", "helpers"])
def test_a_sequence_of_edits_builds_incrementally_to_the_same_bytes_as_clean_builds(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: str
) -> None:
    out, clean = project / "site", tmp_path / "clean"
    reports = project / "content" / "reports"
    rng = random.Random(20241206)
    jobs = ["--jobs", "2"] if processes == "helpers" else []
    if processes == "helpers":  # the few reports of the fixture go to a helper too
        monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 1)
        monkeypatch.setattr(report_jobs, "_report_job", _recording_report_job)
        monkeypatch.setenv("REPORT_JOB_PIDS", str(tmp_path / "pids"))
    build(project, out, *jobs)

    def edit() -> None:
        path = rng.choice(sorted(reports.glob("*.md")))
        path.write_text(path.read_text("utf-8") + "\nThe talks resumed on Monday.\n", "utf-8")

    def reword() -> None:
        # A party's position or an item's title: what actor, country and digest pages show.
        path = rng.choice(sorted(reports.glob("*.md")))
        lines = path.read_text("utf-8").split("\n")
        n = rng.choice([n for n, line in enumerate(lines) if line.startswith(("**", "### "))])
        if lines[n].startswith("### "):
            lines[n] = "### Again, " + lines[n][4:]
        else:
            lines[n] = lines[n].replace(":** ", ":** Once more, ", 1)
        path.write_text("\n".join(lines), "utf-8")

    def add() -> None:
        source = rng.choice(sorted(reports.glob("*.md")))
        shutil.copy(source, reports / f"added-{rng.randrange(10**6)}.md")

    def delete() -> None:
        rng.choice(sorted(reports.glob("*.md"))).unlink()

    def rename() -> None:
        path = rng.choice(sorted(reports.glob("*.md")))
        path.rename(reports / f"renamed-{rng.randrange(10**6)}.md")

    def retitle_topic() -> None:
        topics = project / "content" / "topics.yaml"
        text = topics.read_text("utf-8")
        topics.write_text(text.replace("label: ", "label: Re ", 1), "utf-8")

    def rename_actor() -> None:
        # Actor pages, and every report page and entry that names the actor.
        actors = project / "content" / "actors.yaml"
        text = actors.read_text("utf-8")
        actors.write_text(text.replace("name: ", "name: Re ", 1), "utf-8")

    def break_then_fix() -> None:
        # A failed build between two good ones: the output stays whole, the cache usable.
        path = rng.choice(sorted(reports.glob("*.md")))
        text = path.read_text("utf-8")
        path.write_text(text.replace("\ntitle: ", "\ntitle: [unclosed ", 1), "utf-8")
        before = tree(out)
        build(project, out, *jobs, exit_code=1)
        assert tree(out) == before
        path.write_text(text + "\nThe talks resumed on Tuesday.\n", "utf-8")

    def retitle_report() -> None:
        # Its title shows on other pages through the directory (d.reports), read by key.
        path = rng.choice(sorted(reports.glob("*.md")))
        text = path.read_text("utf-8")
        path.write_text(text.replace('\ntitle: "', '\ntitle: "New: ', 1), "utf-8")

    def redate_report() -> None:
        path = rng.choice(sorted(reports.glob("*.md")))
        text = path.read_text("utf-8")
        path.write_text(re.sub(r"\ndate: \d{4}-", "\ndate: 2023-", text, count=1), "utf-8")

    def touch_template() -> None:
        base = project / "templates" / "base.html"
        base.write_text(base.read_text("utf-8").replace("</footer>", "</footer>\n", 1), "utf-8")

    steps = [edit, reword, add, edit, reword, delete, rename, retitle_topic, touch_template]
    steps += [reword, rename_actor, break_then_fix, edit, add, reword, delete, break_then_fix]
    steps += [retitle_report, add, retitle_report, redate_report, rename, retitle_report]
    for step in steps:
        step()
        build(project, out, *jobs)
        shutil.rmtree(clean, ignore_errors=True)
        build(project, clean, "--no-cache", "--jobs", "1")
        assert tree(out) == tree(clean), f"after {step.__name__}"
    if processes == "helpers":
        pids = set((tmp_path / "pids").read_text("utf-8").split())
        assert str(os.getpid()) in pids, "this process took report jobs"
        assert len(pids) > 1, "and so did the helpers (a new one for each build)"


def test_a_no_op_rebuild_renders_nothing_and_keeps_every_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build(project, project / "site")
    capsys.readouterr()
    build(project, project / "site")
    summary = capsys.readouterr().out
    assert " 0 unchanged" not in summary
    written = int(summary.split(": ")[1].split(" files written")[0])
    pages = sum(1 for p in (project / "site").rglob("index.html"))
    assert written < pages  # the pages were kept, only generated data files rewritten


def test_the_snapshot_of_a_build_lists_every_file_it_left_with_its_stats(
    project: Path,
) -> None:
    out = project / "site"
    report = sorted((project / "content" / "reports").glob("*.md"))[0]
    for text in ("", "The talks resumed."):  # a clean build, then one that kept most files
        if text:
            append(report, text)
        build(project, out)
        snapshot = last_snapshot(open_cache(project), out)
        assert snapshot is not None
        assert snapshot.files == output_files(out)  # what a no-op build compares
        assert MARKER in snapshot.files


def test_unchanged_reports_are_known_by_their_stamp_and_a_change_is_always_read(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discover, "SETTLED_NS", 0)  # every file settled once written
    out = project / "site"
    reports = sorted((project / "content" / "reports").glob("*.md"))
    build(project, out)  # stamps every report
    reads: list[str] = []
    real = discover.read_source

    def counted(path: Path, root: Path) -> tuple[discover.SourceFile | None, list[Any]]:
        if path.suffix == ".md":  # the vocabularies are read every time
            reads.append(path.name)
        return real(path, root)

    monkeypatch.setattr(discover, "read_source", counted)
    append(reports[0], "The talks resumed.")
    build(project, out)
    assert reads == [reports[0].name], "only the edited report is read"
    # The same size and the old modification time put back, as a copy that keeps times
    # would: the change time still differs, and the report is read.
    reads.clear()
    before = reports[1].stat()
    text = reports[1].read_text("utf-8")
    changed = text.replace("the", "THE", 1)
    assert changed != text
    assert len(changed.encode()) == len(text.encode())
    reports[1].write_text(changed, "utf-8")
    os.utime(reports[1], ns=(before.st_atime_ns, before.st_mtime_ns))
    build(project, out)
    assert reports[1].name in reads
    build(project, tmp_path / "clean", "--no-cache")
    assert tree(out) == tree(tmp_path / "clean")


def test_a_report_changed_in_the_last_moments_is_not_stamped(project: Path) -> None:
    content, _ = discover.discover(project, report_texts=False)
    assert content.reports
    assert content.stamps == {}, "files written just now are read again next time"
    settled = discover.SETTLED_NS
    for report in content.reports:
        old = report.path.stat().st_mtime_ns - 10 * settled
        os.utime(report.path, ns=(old, old))  # sets the change time to now
    assert discover.discover(project, report_texts=False)[0].stamps == {}


def append(report: Path, text: str) -> None:
    report.write_text(report.read_text("utf-8") + f"\n{text}\n", "utf-8")


def spare_of(project: Path) -> Path:
    (spare,) = (project / FOLDER / "spare").iterdir()
    return spare


def test_the_output_a_build_replaced_becomes_the_next_builds_stage(
    project: Path, tmp_path: Path
) -> None:
    out = project / "site"
    report = sorted((project / "content" / "reports").glob("*.md"))[0]
    build(project, out)
    first = {p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    append(report, "The talks resumed.")
    build(project, out)
    spare = spare_of(project)
    assert {p.stat().st_ino for p in spare.rglob("*") if p.is_file()} == first
    assert not (project / FOLDER / "trash").exists() or not any(
        (project / FOLDER / "trash").iterdir()
    )
    assert not [p for p in project.iterdir() if p.name.startswith(".site.")]  # no stage left
    second = inodes(out)
    assert first & {ino for ino, _ in second.values()}  # unchanged pages linked, not rewritten
    append(report, "The talks resumed again.")
    build(project, out)
    third = inodes(out)
    build(project, tmp_path / "clean", "--no-cache")
    assert tree(out) == tree(tmp_path / "clean")
    same = [rel for rel in third if rel in second and third[rel] == second[rel]]
    assert len(same) > len(third) // 2, "the files no build changed are the same files"
    assert spare_of(project).is_dir()  # and the second output is the spare now


def test_whatever_the_spare_holds_the_next_build_writes_what_a_clean_build_writes(
    project: Path, tmp_path: Path
) -> None:
    out = project / "site"
    report = sorted((project / "content" / "reports").glob("*.md"))[0]
    build(project, out)
    append(report, "The talks resumed.")
    build(project, out)
    spare = spare_of(project)
    for file in [p for p in spare.rglob("*") if p.is_file()]:
        file.unlink()  # each file a file of its own now, no longer a link to the output's
        file.write_bytes(b"tampered")
    outside = tmp_path / "outside.html"
    outside.write_bytes(b"not the generator's")
    (spare / "extra.html").write_bytes(b"stray")
    (spare / "junk" / "deep").mkdir(parents=True)
    (spare / "junk" / "deep" / "x.html").write_bytes(b"stray")
    index = spare / "index.html"
    index.unlink()
    index.write_bytes(b"a different index")  # a file of its own, not the output's
    feed = spare / "feed.xml"
    feed.unlink()
    feed.symlink_to(outside)
    page = next(p for p in (spare / "reports").iterdir() if p.is_dir())
    shutil.rmtree(page)
    page.write_bytes(b"a file where a page folder was")
    append(report, "The talks resumed again.")
    build(project, out)
    build(project, tmp_path / "clean", "--no-cache")
    assert tree(out) == tree(tmp_path / "clean")
    assert not [p for p in out.rglob("*") if p.is_symlink()]
    assert outside.read_bytes() == b"not the generator's"


def test_a_vocabulary_edit_is_read_and_its_errors_are_reported_on_every_build(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, topics = project / "site", project / "content" / "topics.yaml"
    text = topics.read_text("utf-8")
    build(project, out)
    topics.write_text(text.replace("label: Grain corridor", "label: Grain passage"), "utf-8")
    build(project, out)
    assert "Grain passage" in (out / "topics" / "grain-corridor" / "index.html").read_text()
    topics.write_text(text.replace("label: Grain corridor", "lable: Grain corridor"), "utf-8")
    args = ["build", "--root", str(project), "--out", str(out)]
    for _ in range(2):  # the second time, the checked vocabulary comes from the cache
        capsys.readouterr()
        assert main([*args, "--templates", str(project / "templates")]) == 1
        assert "content/topics.yaml:7:3: error:" in capsys.readouterr().err
    assert "Grain passage" in (out / "topics" / "grain-corridor" / "index.html").read_text()
    topics.write_text(text, "utf-8")
    build(project, out)
    assert "Grain corridor" in (out / "topics" / "grain-corridor" / "index.html").read_text()
    assert len(list((project / FOLDER / "vocabularies").iterdir())) == 4  # old ones pruned


def test_a_corrupt_or_foreign_cache_is_ignored_never_trusted(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project, project / "site")
    entries = sorted((project / FOLDER).rglob("*.pickle"))
    assert entries
    for entry in entries[::2]:
        entry.write_bytes(b"\0" * 40 + b"not a pickle")  # corrupt
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))  # foreign key
    shutil.rmtree(tmp_path / "clean", ignore_errors=True)
    build(project, project / "site")
    build(project, tmp_path / "clean", "--no-cache")
    assert tree(project / "site") == tree(tmp_path / "clean")


def test_a_parallel_build_writes_the_same_bytes_as_a_serial_one(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 1)  # fork even for a small site
    build(project, tmp_path / "one", "--jobs", "1", "--no-cache")
    build(project, tmp_path / "two", "--jobs", "2", "--no-cache")
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def inodes(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_a_build_with_nothing_changed_leaves_the_output_untouched_and_repeats_the_warnings(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = project / "site"
    build(project, out)
    first = capsys.readouterr()
    before = inodes(out)
    build(project, out)
    again = capsys.readouterr()
    assert inodes(out) == before, "a file was rewritten, replaced or moved"
    assert " 0 files written, " in again.out
    assert again.err == first.err, "the warnings of the last build are reported again"
    assert "warning" in first.err


@pytest.mark.parametrize("change", ["add", "folder", "remove", "rewrite", "touch"])
def test_an_output_changed_by_hand_is_rebuilt_to_what_a_clean_build_writes(
    project: Path, tmp_path: Path, change: str
) -> None:
    out = project / "site"
    build(project, out)
    page = out / "reports" / "varga-reyes-karsk-bilateral" / "index.html"
    if change == "add":
        (out / "reports" / "stray.html").write_text("stray", "utf-8")
    elif change == "folder":  # an empty one: no file tells
        (out / "reports" / "stray").mkdir()
    elif change == "remove":
        page.unlink()
    elif change == "rewrite":  # same size, so only the time can tell
        data = page.read_bytes()
        page.write_bytes(data.replace(b"Karsk", b"KARSK", 1))
    else:
        page.touch()
    build(project, out)
    build(project, tmp_path / "clean", "--no-cache")
    assert tree(out) == tree(tmp_path / "clean")
    assert folders(out) == folders(tmp_path / "clean")
    append(project / "content" / "reports" / "varga-reyes-karsk-bilateral.md", "Again.")
    build(project, out)  # the next build, from the output this one replaced
    build(project, tmp_path / "clean-2", "--no-cache")
    assert tree(out) == tree(tmp_path / "clean-2")
    assert folders(out) == folders(tmp_path / "clean-2")


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def test_a_changed_option_template_or_date_is_not_taken_for_no_change(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = project / "site"
    build(project, out)
    capsys.readouterr()
    # Another base URL: every page's canonical link changes.
    build(project, out, "--base-url", "https://elsewhere.example/")
    assert "https://elsewhere.example/" in (out / "index.html").read_text("utf-8")
    # A template edit.
    base = project / "templates" / "base.html"
    base.write_text(base.read_text("utf-8").replace("</body>", "<!-- v2 --></body>"), "utf-8")
    build(project, out, "--base-url", "https://elsewhere.example/")
    assert "<!-- v2 -->" in (out / "index.html").read_text("utf-8")
    # Another day: checks that compare dates with today must run again.
    capsys.readouterr()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")  # 2001: every report is "future"
    build(project, out, "--base-url", "https://elsewhere.example/")
    assert " 0 files written, " not in capsys.readouterr().out


def test_a_new_generator_makes_every_page_it_renders_differently_again(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An upgrade that changes only the generator's code (here its date filter), not the
    # content or the templates: actor, country, venue, timeline and digest pages, which
    # hold no report's summary, once kept the old dates.
    out, clean = project / "site", tmp_path / "clean"
    build(project, out)
    new = "new generator"
    for module in (cache_module, incremental, load, templates_module):
        monkeypatch.setattr(module, "generator_fingerprint", lambda: new)
    monkeypatch.setattr(templates_module, "long_date", lambda value: f"{value:%Y-%m-%d}")
    build(project, out)
    build(project, clean, "--no-cache")
    assert "2025-02-13" in (clean / "actors" / "ilse-brandt" / "index.html").read_text("utf-8")
    assert tree(out) == tree(clean)


def test_a_cached_report_comes_back_equal_in_every_field() -> None:
    import pickle

    from osce_digest.load import load_site

    loaded = load_site(MULTI)
    assert loaded.site is not None
    for report in loaded.reports():
        again = pickle.loads(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == report
        assert again.digest == report.digest  # not compared by ==
        assert type(again.sections[0]) is type(report.sections[0])
        assert again.words == report.words
    for summary in loaded.site.reports:
        again = pickle.loads(pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == summary
        assert type(again.positions[0]) is type(summary.positions[0])


# --- Reports held as summaries; full reports read back when a page needs one ------------


def test_a_cached_build_holds_summaries_and_reads_each_full_report_back_from_the_cache(
    project: Path,
) -> None:
    from osce_digest.cache import open_cache
    from osce_digest.load import load_site
    from osce_digest.model import Report, ReportSummary

    cache = open_cache(project)
    assert cache is not None
    first = load_site(project, cache=cache)
    assert first.site is not None
    assert all(type(r) is ReportSummary for r in first.site.reports)
    assert first.bodies.kept == {}  # every full report went to the cache, none stays
    again = load_site(project, cache=cache).reports()
    fresh = load_site(project).reports()  # no cache: parsed and kept in memory
    assert again == fresh
    assert all(type(r) is Report for r in again)
    summary = first.site.reports[0]
    assert first.bodies.get(summary).digest == summary.digest


def test_a_build_without_the_cache_neither_reads_nor_writes_it_nor_holds_every_report(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from osce_digest import load

    build(project, tmp_path / "cached")
    entries = {p: p.read_bytes() for p in sorted((project / FOLDER).rglob("*")) if p.is_file()}
    made: list[load.Bodies] = []

    class Recorded(load.Bodies):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            made.append(self)

    monkeypatch.setattr(load, "Bodies", Recorded)
    for jobs in ("1", "2"):
        out = tmp_path / f"uncached-{jobs}"
        build(project, out, "--no-cache", "--jobs", jobs)
        assert tree(out) == tree(tmp_path / "cached")
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    after = {p: p.read_bytes() for p in sorted((project / FOLDER).rglob("*")) if p.is_file()}
    assert after == entries, "the project's cache is left as it was"
    # Full reports went to a scratch cache between parsing and rendering, not into memory.
    assert [b.kept for b in made] == [{}, {}]
    assert all(b.cache is not None and FOLDER not in str(b.cache.folder) for b in made)


def test_a_scratch_cache_a_killed_build_left_is_removed_by_the_next_build(
    project: Path, tmp_path: Path
) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    scratch = tmp_path / f".out.scratch-{dead.pid}"
    (scratch / "reports").mkdir(parents=True)
    (scratch / "reports" / "entry.pickle").write_bytes(b"left by a killed build")
    build(project, tmp_path / "out", "--no-cache")
    assert not scratch.exists()


def test_a_full_report_missing_from_the_cache_is_parsed_again_unless_its_file_changed(
    project: Path,
) -> None:
    from osce_digest.cache import open_cache
    from osce_digest.load import BodyUnavailable, load_site

    cache = open_cache(project)
    assert cache is not None
    loaded = load_site(project, cache=cache)
    assert loaded.site is not None
    summary = loaded.site.reports[0]
    expected = load_site(project).reports()[0]
    shutil.rmtree(cache.folder / "reports")
    assert loaded.bodies.get(summary) == expected
    path = project / summary.path
    path.write_text(path.read_text("utf-8") + "\nEdited while building.\n", "utf-8")
    with pytest.raises(BodyUnavailable) as raised:
        loaded.bodies.get(summary)
    assert raised.value.diagnostic.file == summary.path
    assert raised.value.diagnostic.rule == "changed-during-build"


def test_compiled_templates_are_cached_and_a_template_edit_is_rendered(
    project: Path, tmp_path: Path
) -> None:
    out = project / "site"
    build(project, out)
    compiled = project / FOLDER / "templates"
    before = tree(compiled)
    assert len(before) == len(list((project / "templates").rglob("*.html")))
    base = project / "templates" / "base.html"
    base.write_text(base.read_text("utf-8").replace("</body>", "<!--x--></body>"), "utf-8")
    build(project, out)
    assert "<!--x-->" in (out / "index.html").read_text("utf-8")
    after = tree(compiled)
    assert after.keys() == before.keys()  # one entry per template, rewritten in place
    assert len([name for name in after if after[name] != before[name]]) == 1
    build(project, tmp_path / "clean", "--no-cache")
    assert tree(out) == tree(tmp_path / "clean")


def test_templates_and_static_files_in_a_linked_folder_are_seen_and_their_edits_built(
    project: Path, tmp_path: Path
) -> None:
    shared = project / "theme"
    (shared / "static").mkdir(parents=True)
    (shared / "note.html").write_text("<p>theme note 1</p>\n", "utf-8")
    (shared / "static" / "theme.css").write_text("p { color: teal }\n", "utf-8")
    (project / "templates" / "shared").symlink_to(shared, target_is_directory=True)
    (project / "templates" / "static" / "theme").symlink_to(shared / "static")
    (shared / "static" / "loop").symlink_to(shared)  # a link back up is followed once
    base = project / "templates" / "base.html"
    include = '{% include "shared/note.html" %}\n</footer>'
    base.write_text(base.read_text("utf-8").replace("</footer>", include, 1), "utf-8")
    out = project / "site"
    build(project, out)
    assert "theme note 1" in (out / "index.html").read_text("utf-8")
    assert (out / "static" / "theme" / "theme.css").read_text("utf-8") == "p { color: teal }\n"
    (shared / "note.html").write_text("<p>theme note 2</p>\n", "utf-8")
    (shared / "static" / "theme.css").write_text("p { color: navy }\n", "utf-8")
    build(project, out)
    assert "theme note 2" in (out / "index.html").read_text("utf-8")
    build(project, tmp_path / "clean", "--no-cache", "--jobs", "1")
    assert tree(out) == tree(tmp_path / "clean")


def test_a_build_reads_its_templates_once_not_again_while_it_renders(tmp_path: Path) -> None:
    from osce_digest.templates import make_environment

    folder = tmp_path / "templates"
    (folder / "partials").mkdir(parents=True)
    (folder / "page.html").write_text('{% include "partials/part.html" %}', "utf-8")
    part = folder / "partials" / "part.html"
    part.write_text("as the build began", "utf-8")
    env, problems = make_environment(folder)
    assert env is not None
    assert not problems
    part.write_text("edited while it renders", "utf-8")
    later = part.stat().st_mtime + 10
    os.utime(part, (later, later))
    # The build's digest of the templates is the one it began with: so is every page.
    assert env.get_template("page.html").render() == "as the build began"


def test_a_report_changed_between_reading_and_parsing_is_an_error_not_a_mixed_build(
    project: Path,
) -> None:
    from osce_digest.discover import discover
    from osce_digest.load import load_site

    released, found = discover(project, report_texts=False)
    assert all(f.text is None and f.digest for f in released.reports)
    changed = released.reports[0]
    changed.path.write_text(changed.path.read_text("utf-8") + "\nLater.\n", "utf-8")
    result = load_site(project, discovered=(released, found))
    errors = [(d.file, d.rule) for d in result.diagnostics if d.severity == "error"]
    assert errors == [(changed.rel, "changed-during-build")]
    # The other reports were read again and parsed as they would have been.
    assert result.site is not None
    fresh = load_site(project)
    assert fresh.site is not None
    assert [r for r in fresh.site.reports if r.path != changed.rel] == list(result.site.reports)


def test_related_reports_are_kept_across_prose_edits_and_ranked_again_after_others(
    project: Path,
) -> None:
    from osce_digest.cache import open_cache
    from osce_digest.indexes import related_reports, relatedness
    from osce_digest.load import load_site

    def site_now() -> Site:
        site = load_site(project).site
        assert site is not None
        return site

    before = site_now()
    path = project / before.reports[0].path
    text = path.read_text("utf-8")
    path.write_text(text + "\nThe talks resumed on Monday.\n", "utf-8")
    assert relatedness(site_now()) == relatedness(before)
    participants = before.reports[0].meta.encounter.participants
    path.write_text(text.replace(f", {participants[-1]}]", "]", 1), "utf-8")
    after = site_now()
    assert after.reports[0].meta.encounter.participants == participants[:-1]
    assert relatedness(after) != relatedness(before)
    # The second load takes them from the cache: the same as ranking again.
    cache = open_cache(project)
    load_site(project, cache=cache)
    again = load_site(project, cache=cache).indexes
    assert again is not None
    assert again.related == related_reports(after)


def test_a_broken_site_yaml_still_reports_the_reports_errors_and_keeps_the_cache(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, site_yaml = project / "site", project / "content" / "site.yaml"
    report = next((project / "content" / "reports").glob("*.md"))
    rel = report.relative_to(project).as_posix()
    good, text = site_yaml.read_text("utf-8"), report.read_text("utf-8")
    build(project, out)
    site_yaml.write_text(good.replace("title:", "title: [broken]\nold_title:", 1), "utf-8")
    report.write_text(text + "\nSee [nothing](#nowhere-at-all). Talks may resume.\n", "utf-8")
    capsys.readouterr()
    build(project, out, exit_code=1)
    err = capsys.readouterr().err
    assert f"{rel}:" in err
    assert "#nowhere-at-all" in err
    assert "content/site.yaml:" in err
    # Its warning (a hedge) is not reported: warnings depend on site.yaml's settings.
    assert "warning:" not in err
    assert main(["check", "--root", str(project)]) == 1
    assert "3 errors, 0 warnings in 2 files" in capsys.readouterr().out
    # site.yaml back as it was: only the report that changed is parsed again.
    report.write_text(text + "\nTalks will resume.\n", "utf-8")
    site_yaml.write_text(good, "utf-8")
    parsed: list[str] = []
    real = load.load_report
    monkeypatch.setattr(load, "load_report", lambda f, *a: parsed.append(f.rel) or real(f, *a))
    build(project, out, "--jobs", "1")
    assert parsed == [rel]


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: a file kept by a build keeps both."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*.html")
    }


def test_a_page_is_made_again_when_a_directory_entry_it_read_changes_and_not_otherwise(
    project: Path, tmp_path: Path
) -> None:
    # The methodology page reads a whole table (every report's key); the "not found" page
    # one entry that is not there; report pages the reports they show, by key.
    for name, reading in [
        ("methodology.html", "<p>{{ d.reports | join(' ') }}</p>"),
        ("404.html", "{% set later = d.reports.get('later-report') %}{{ later.title if later }}"),
    ]:
        page = project / "templates" / name
        text = page.read_text("utf-8")
        page.write_text(text.replace("{% block main %}", "{% block main %}" + reading, 1), "utf-8")
    out, clean = project / "site", tmp_path / "clean"
    reports = project / "content" / "reports"

    def rebuild() -> set[str]:
        before = _stamps(out)
        build(project, out)
        shutil.rmtree(clean, ignore_errors=True)
        build(project, clean, "--no-cache", "--jobs", "1")
        assert tree(out) == tree(clean)
        after = _stamps(out)
        return {name for name, stamp in after.items() if before.get(name) != stamp}

    build(project, out)
    report_pages = {n for n in _stamps(out) if n.startswith("reports/")}
    pull_aside = reports / "brandt-lind-pull-aside.md"
    text = pull_aside.read_text("utf-8")
    pull_aside.write_text(text.replace('\ntitle: "', '\ntitle: "Retitled: ', 1), "utf-8")
    made = rebuild()
    assert {"reports/brandt-lind-pull-aside/index.html", "methodology/index.html"} <= made
    assert "404.html" not in made, "the page read no entry of that report"
    assert len(made & report_pages) < len(report_pages) / 2, sorted(made)

    shutil.copy(pull_aside, reports / "later-report.md")  # the key the page asked for
    made = rebuild()
    assert {"404.html", "methodology/index.html"} <= made
    assert "Retitled: " in (out / "404.html").read_text("utf-8")
    assert "later-report" in (out / "methodology" / "index.html").read_text("utf-8")


def test_a_topic_page_is_made_again_when_a_reports_mentions_of_it_change_and_not_otherwise(
    project: Path, tmp_path: Path
) -> None:
    # A topic's page lists the reports' mentions of the topic; the rest of their bodies
    # is not its input, and an edit there leaves it as it was.
    out, clean = project / "site", tmp_path / "clean"
    grain, sanctions = "topics/grain-corridor/index.html", "topics/sanctions/index.html"

    def rebuild() -> set[str]:
        before = _stamps(out)
        build(project, out)
        shutil.rmtree(clean, ignore_errors=True)
        build(project, clean, "--no-cache", "--jobs", "1")
        assert tree(out) == tree(clean)
        return {name for name, stamp in _stamps(out).items() if before.get(name) != stamp}

    build(project, out)
    report = project / "content" / "reports" / "varga-reyes-december-call.md"
    page = "reports/varga-reyes-december-call/index.html"
    assert "varga-reyes-december-call" in (out / grain).read_text("utf-8")
    append(report, "The ministers spoke for an hour.")
    made = rebuild()
    assert page in made
    assert grain not in made, "no mention of the topic changed"

    append(report, "Both sides discussed the grain corridor again.")
    made = rebuild()
    assert {page, grain} <= made
    assert sanctions not in made
    assert "discussed the grain corridor again" in (out / grain).read_text("utf-8")

    # A mention that moves (its line is part of it) is a changed mention.
    text = report.read_text("utf-8")
    body_start = text.index("\n---\n", 4) + 5
    report.write_text(text[:body_start] + "\n" + text[body_start:], "utf-8")
    assert grain in rebuild()


def _recording_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the report files ``load_report`` parses from now on, as it parses them."""
    parsed: list[str] = []
    real = load.load_report
    monkeypatch.setattr(
        load, "load_report", lambda f, *a: parsed.append(f.path.name) or real(f, *a)
    )
    return parsed


def _rebuilt(
    project: Path, out: Path, clean: Path, parsed: list[str]
) -> tuple[list[str], set[str]]:
    """Build incrementally and check the output against a clean build: the reports the
    incremental build parsed, and the pages it made."""
    before = _stamps(out)
    parsed.clear()
    build(project, out, "--jobs", "1")
    incremental = sorted(parsed)
    shutil.rmtree(clean, ignore_errors=True)
    build(project, clean, "--no-cache", "--jobs", "1")
    assert tree(out) == tree(clean)
    made = {name for name, stamp in _stamps(out).items() if before.get(name) != stamp}
    return incremental, made


@pytest.mark.parametrize(
    ("vocabulary", "unread", "read", "made_too", "kept"),
    [
        # A parse matches sentences against the topics' labels and aliases; their
        # descriptions are for pages. Pages that look the topic up are made again (its
        # entry changed); the others are not.
        (
            "topics.yaml",
            ("description: Passage of grain ships", "description: The passage of grain ships"),
            ("aliases: [grain corridor,", "aliases: [grain deal, grain corridor,"),
            {"topics/grain-corridor/index.html"},
            {"reports/brandt-lind-pull-aside/index.html", "topics/sanctions/index.html"},
        ),
        # A parse reads the authors' keys, the section aliases, the scale, the checks: not
        # the site's title, which every page shows.
        (
            "site.yaml",
            ("title: Fixture Digest", "title: The Fixture Digest"),
            ("section_aliases:\n", "section_aliases:\n  the talks: agenda\n"),
            {"index.html", "reports/brandt-lind-pull-aside/index.html"},
            set(),
        ),
    ],
)
def test_a_configuration_edit_no_parse_reads_parses_no_report_and_one_it_reads_all(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    vocabulary: str,
    unread: tuple[str, str],
    read: tuple[str, str],
    made_too: set[str],
    kept: set[str],
) -> None:
    out, clean = project / "site", tmp_path / "clean"
    reports = project / "content" / "reports"
    parsed = _recording_parses(monkeypatch)
    build(project, out, "--jobs", "1")
    path = project / "content" / vocabulary
    text = path.read_text("utf-8")
    assert unread[0] in text
    path.write_text(text.replace(*unread), "utf-8")
    again, made = _rebuilt(project, out, clean, parsed)
    assert again == [], f"no report reads what changed in {vocabulary}"
    assert made_too <= made
    assert not kept & made
    shown = sorted(made_too)[0]
    assert unread[1].split(": ", 1)[1] in (out / shown).read_text("utf-8")
    path.write_text(text.replace(*read), "utf-8")
    again, _ = _rebuilt(project, out, clean, parsed)
    assert again == sorted(p.name for p in reports.glob("*.md"))


def test_an_actor_edit_parses_again_only_the_reports_that_read_that_actor(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A report's parse reads the actors it names (its participants, its positions' parties,
    # by name); a new actor is read by none, and a report whose parse came out the same
    # keeps its page and API file.
    out, clean = project / "site", tmp_path / "clean"
    reports = project / "content" / "reports"
    parsed = _recording_parses(monkeypatch)

    def rebuild() -> tuple[list[str], set[str]]:
        return _rebuilt(project, out, clean, parsed)

    build(project, out, "--jobs", "1")
    api = {p.name: p.stat().st_ino for p in (out / "api" / "reports").iterdir()}
    actors = project / "content" / "actors.yaml"
    newcomer = "\n- key: ilka-newcomb\n  name: Ilka Newcomb\n  kind: person\n"
    actors.write_text(actors.read_text("utf-8") + newcomer, "utf-8")
    again, made = rebuild()
    assert again == [], "no report reads an actor that did not exist"
    assert {"actors/ilka-newcomb/index.html", "actors/index.html"} <= made
    assert not {name for name in made if name.startswith("reports/")}, sorted(made)
    assert api == {p.name: p.stat().st_ino for p in (out / "api" / "reports").iterdir()}
    # A participant renamed: the reports that name her are parsed, and their pages made,
    # again; the others are not.
    text = actors.read_text("utf-8")
    actors.write_text(text.replace("name: Ilse Brandt\n", "name: Ilse Brandt-Lind\n"), "utf-8")
    again, made = rebuild()
    naming = sorted(p.name for p in reports.glob("*.md") if "ilse-brandt" in p.read_text("utf-8"))
    assert again == naming
    assert len(naming) < len(list(reports.glob("*.md")))
    assert "reports/brandt-lind-pull-aside/index.html" in made
    page = (out / "reports" / "brandt-lind-pull-aside" / "index.html").read_text("utf-8")
    assert "Ilse Brandt-Lind" in page
    # A name a position's party goes by, taken by an actor listed before the one that had
    # it (the first actor with a name keeps it): the report with that party, and only it,
    # is parsed again.
    envoy = (
        "- key: westmark-envoy\n  name: Westmark Envoy\n  kind: person\n  aliases: [Westmark]\n\n"
    )
    text = actors.read_text("utf-8")
    actors.write_text(text.replace("# --- People", envoy + "# --- People", 1), "utf-8")
    again, _ = rebuild()
    westmark = sorted(p.name for p in reports.glob("*.md") if "**Westmark:**" in p.read_text())
    assert westmark
    assert again == westmark


def test_a_shared_source_or_venue_edit_parses_again_only_the_reports_that_read_it(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, clean = project / "site", tmp_path / "clean"
    content = project / "content"
    parsed = _recording_parses(monkeypatch)

    def rebuild() -> list[str]:
        return _rebuilt(project, out, clean, parsed)[0]

    build(project, out, "--jobs", "1")
    sources, venues = content / "sources.yaml", content / "venues.yaml"
    added = "\n- id: new-wire-story\n  title: A story\n  publisher: Northwire\n  kind: wire\n"
    sources.write_text(sources.read_text("utf-8") + added, "utf-8")
    assert rebuild() == []
    venues.write_text(
        venues.read_text("utf-8") + "\n- key: new-forum\n  name: New Forum\n", "utf-8"
    )
    assert rebuild() == []
    text = sources.read_text("utf-8")
    sources.write_text(
        text.replace("Explainer: what is at stake", "Explainer: the stakes"), "utf-8"
    )
    citing = sorted(
        p.name
        for p in (content / "reports").glob("*.md")
        if "northwire-corridor-explainer" in p.read_text("utf-8")
    )
    assert citing
    assert rebuild() == citing
    assert "Explainer: the stakes" in (out / "reports" / citing[0][:-3] / "index.html").read_text()


def test_a_recorded_directory_notes_each_key_read_and_each_table_read_whole() -> None:
    tables = ("topics", "actors", "venues", "reports", "encounters", "countries")
    d = Directory(
        **{name: {"a": f"{name} a", "b": f"{name} b"} for name in tables}, section_names={}
    )
    recorder = Recorder()
    seen = recorder.directory(d)
    assert seen.topics["a"] == "topics a"
    with pytest.raises(KeyError):
        seen.topics["missing"]
    assert "b" in seen.venues
    assert seen.reports.get("c") is None
    assert sorted(seen.actors) == ["a", "b"]
    assert len(seen.countries) == 2
    assert recorder.uses() == (
        ("actors", None),
        ("countries", None),
        ("reports", ("c",)),
        ("topics", ("a", "missing")),
        ("venues", ("b",)),
    )
    digests = EntryDigests(d)
    read = digests.of(recorder.uses())
    assert read is not None
    unread = replace(d, topics={"a": "topics a", "b": "changed"}, encounters={})
    assert EntryDigests(unread).of(recorder.uses()) == read
    for changed in (
        replace(d, topics={"a": "changed"}),
        replace(d, reports={**d.reports, "c": "made"}),
        replace(d, actors={"a": "actors a"}),
    ):
        assert EntryDigests(changed).of(recorder.uses()) != read
    assert digests.of((("no-such-table", None),)) is None
    assert digests.of(((1, 2, 3),)) is None  # type: ignore[arg-type]  # not one we made
