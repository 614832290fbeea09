"""Crashes: a build killed, refused a folder, or out of disk space leaves the previous site
exactly as it was, says what happened without a traceback, and leaves nothing behind
(DESIGN.md sections 4 and 7, README "The build is all or nothing").
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, TESTS
from hardening_support import copy_project, digest_env, leftovers, run_digest, tree, tree_diff
from osce_digest.cli import main

BASIC = TESTS / "sites" / "basic"
MULTI = TESTS / "sites" / "multi"
COPIES = 38
"""Copies of each of multi's 8 reports: 304 report files."""
KILLS = 10
SEED = 20241206


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the cache's signing key out of the real home folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def many_reports(target: Path) -> Path:
    """tests/sites/multi with every report copied under COPIES new names."""
    root = copy_project(MULTI, target, REPO / "templates")
    reports = root / "content" / "reports"
    for report in sorted(reports.glob("*.md")):
        text = report.read_text("utf-8")
        for n in range(1, COPIES):
            (reports / f"{report.stem}-copy-{n}.md").write_text(text, "utf-8")
    return root


def edit(root: Path, n: int) -> None:
    """Change one report, so that a build renders pages and indexes the site again."""
    report = root / "content" / "reports" / "brandt-lind-pull-aside.md"
    report.write_text(report.read_text("utf-8") + f"\nRevision {n} of this note.\n", "utf-8")


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the build and every process it started (its workers); wait for all."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)


def start_build(root: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "osce_digest.cli", "build", "--root", str(root), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )


def kill_after(
    root: Path, env: dict[str, str], delay: float, *, from_writing: bool
) -> tuple[str, bool]:
    """Start a build and SIGKILL it ``delay`` s after it starts (or starts writing).

    Returns the phase it was in ("loading", "writing" or "finished") and whether it was
    killed. The build writes into ``.site.staging-<its pid>``; that folder's appearance is
    the start of writing.
    """
    proc = start_build(root, env)
    stage = root / f".site.staging-{proc.pid}"
    clock = time.perf_counter()
    writing = False
    while proc.poll() is None:
        if not writing and stage.exists():
            writing = True
            if from_writing:
                clock = time.perf_counter()
        if (writing or not from_writing) and time.perf_counter() - clock >= delay:
            break
        time.sleep(0.002)
    if proc.poll() is not None:
        return "finished", False
    writing = writing or stage.exists()
    stop_group(proc)
    return ("writing" if writing else "loading"), True


def test_a_build_killed_at_random_points_leaves_the_previous_site_whole_and_is_cleaned_up(
    tmp_path: Path,
) -> None:
    root = many_reports(tmp_path / "project")
    env = digest_env(tmp_path)
    first = run_digest(["build", "--root", str(root), "--quiet"], timeout=180, env=env)
    assert first.code == 0, first.describe()
    site = root / "site"
    before = tree(site)
    rng = random.Random(SEED)
    log: list[str] = []

    def attempt(n: int, delay: float, *, from_writing: bool) -> str:
        nonlocal before
        edit(root, n)
        phase, killed = kill_after(root, env, delay, from_writing=from_writing)
        log.append(f"{n}: {delay:.2f} s -> {phase}")
        after = tree(site)
        if after != before and killed:
            # Killed after the swap: then the site must be the complete new one.
            done = run_digest(["build", "--root", str(root), "--quiet"], timeout=180, env=env)
            assert done.code == 0, done.describe()
            complete = tree(site)
            assert after == complete, f"kill {log[-1]} left a partial site: " + tree_diff(
                complete, after
            )
        elif killed:
            assert after == before, f"kill {log[-1]} changed the site: " + tree_diff(before, after)
        before = tree(site)
        return phase

    phases = [attempt(n, rng.uniform(0.05, 3.0), from_writing=False) for n in range(KILLS)]
    # One kill the moment the build starts writing, before its staging folder is complete;
    # and, on a machine so slow that the delays above all land while loading, a few more.
    phases.append(attempt(KILLS, 0.0, from_writing=True))
    while phases.count("writing") < 2 and len(phases) < KILLS + 3:
        phases.append(attempt(len(phases), rng.uniform(0.0, 1.0), from_writing=True))

    last = run_digest(["build", "--root", str(root), "--quiet"], timeout=180, env=env)
    assert last.code == 0, last.describe()
    assert (site / ".osce-digest").is_file()
    page = (site / "reports" / "brandt-lind-pull-aside" / "index.html").read_text()
    assert f"Revision {len(phases) - 1} of this note." in page
    assert phases.count("writing") >= 1, f"no kill landed while the build was writing: {log}"
    assert leftovers(root) == [], f"after kills {log}"


def test_a_staging_folder_a_killed_build_left_half_written_is_removed_by_the_next_build(
    tmp_path: Path,
) -> None:
    # What SIGKILL leaves while files are being written: the first files of the new site in
    # .site.staging-<pid of the dead build>, and no marker yet (it is written last).
    root = basic(tmp_path)
    assert main(["build", "--root", str(root)]) == 0
    dead = subprocess.Popen(["true"])
    dead.wait()
    stage = root / f".site.staging-{dead.pid}"
    for rel in [r for r in sorted(tree(root / "site")) if r != ".osce-digest"][:5]:
        source = root / "site" / rel
        target = stage / rel
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    assert not (stage / ".osce-digest").exists()

    assert main(["build", "--root", str(root)]) == 0

    assert leftovers(root) == [], "a killed build's staging folder is never removed"


# --- a folder where the output must go ----------------------------------------------------


def basic(tmp_path: Path) -> Path:
    return copy_project(BASIC, tmp_path / "project", REPO / "templates")


def test_an_output_whose_parent_is_a_file_fails_with_a_clear_message_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = basic(tmp_path)
    assert main(["build", "--root", str(root)]) == 0
    site_before = tree(root / "site")
    blocker = tmp_path / "deploy"
    blocker.write_text("a file where a folder must go")
    capsys.readouterr()

    code = main(["build", "--root", str(root), "--out", str(blocker / "site")])

    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err
    assert "internal error" not in err
    assert str(blocker) in err, err
    assert blocker.read_text() == "a file where a folder must go"
    assert tree(root / "site") == site_before
    assert leftovers(tmp_path) == []


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A small RAM file system at ``folder`` (needs root); skips the test where impossible."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def test_a_read_only_file_system_fails_the_build_with_a_clear_message_and_the_site_intact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Root ignores permission bits; a read-only mount refuses root too (EROFS).
    root = basic(tmp_path)
    with tmpfs(tmp_path / "mnt", "16m") as mnt:
        site = mnt / "site"
        assert main(["build", "--root", str(root), "--out", str(site)]) == 0
        before = tree(mnt)
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        try:
            (root / "content" / "reports" / "council-2024.md").write_text(
                (root / "content" / "reports" / "council-2024.md").read_text() + "\nMore.\n"
            )
            capsys.readouterr()
            code = main(["build", "--root", str(root), "--out", str(site)])
            err = capsys.readouterr().err
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
        assert code != 0
        assert "Traceback" not in err
        assert "internal error" not in err
        assert "Read-only file system" in err, err
        after = tree(mnt)
        assert after == before, tree_diff(before, after)


# --- disk full ------------------------------------------------------------------------------


def test_a_full_disk_fails_the_build_with_a_clear_message_and_the_site_byte_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = basic(tmp_path)
    with tmpfs(tmp_path / "mnt", "8m") as mnt:
        site = mnt / "site"
        assert main(["build", "--root", str(root), "--out", str(site)]) == 0
        # Fill the disk but for a few blocks.
        stats = os.statvfs(mnt)
        filler = mnt / "filler"
        filler.write_bytes(b"\0" * max(0, stats.f_bavail * stats.f_frsize - 8192))
        before = tree(site)
        report = root / "content" / "reports" / "council-2024.md"
        report.write_text(report.read_text() + "\nA new paragraph changes every page.\n")
        capsys.readouterr()

        code = main(["build", "--root", str(root), "--out", str(site)])

        err = capsys.readouterr().err
        assert code != 0
        assert "Traceback" not in err
        assert "internal error" not in err
        assert "No space left on device" in err, err
        after = tree(site)
        assert after == before, tree_diff(before, after)
        assert leftovers(mnt) == []
        filler.unlink()
        assert main(["build", "--root", str(root), "--out", str(site)]) == 0


def test_running_out_of_space_while_writing_fails_cleanly_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same as above without a tmpfs: writes into the staging folder fail after a few.
    root = basic(tmp_path)
    site = root / "site"
    assert main(["build", "--root", str(root)]) == 0
    before = tree(site)
    report = root / "content" / "reports" / "council-2024.md"
    report.write_text(report.read_text() + "\nA new paragraph changes every page.\n")
    real_write = Path.write_bytes
    writes = {"n": 0}

    def write_bytes(self: Path, data: bytes) -> int:
        if any(part.startswith(".site.staging-") for part in self.parts):
            writes["n"] += 1
            if writes["n"] > 5:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    capsys.readouterr()

    code = main(["build", "--root", str(root)])

    err = capsys.readouterr().err
    monkeypatch.undo()
    assert writes["n"] > 5, "the build never wrote into a staging folder"
    assert code != 0
    assert "Traceback" not in err
    assert "internal error" not in err
    assert "No space left on device" in err, err
    after = tree(site)
    assert after == before, tree_diff(before, after)
    assert leftovers(root) == []
