"""Reproducibility: the same input gives the same bytes, wherever, whenever and however it is
built; "today" comes from SOURCE_DATE_EPOCH when it is set (DESIGN.md section 7).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path

import pytest

from conftest import REPO
from hardening_support import copy_project, digest_env, run_digest, tree, tree_diff
from osce_digest.cli import main
from tiny_project import write_project

MALTA = "content/reports/lavrov-blinken-osce-malta-2024.md"


def test_builds_of_the_real_content_in_different_folders_times_seeds_and_zones_are_identical(
    tmp_path: Path,
) -> None:
    first = copy_project(REPO, tmp_path / "a", REPO / "templates")
    second = copy_project(
        REPO, tmp_path / "somewhere" / "much" / "deeper" / "b", REPO / "templates"
    )
    builds = [
        (first, {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C.UTF-8"}),
        (second, {"PYTHONHASHSEED": "31337", "TZ": "Pacific/Kiritimati", "LC_ALL": "C"}),
    ]
    for n, (root, extra) in enumerate(builds):
        if n:
            time.sleep(1.1)  # a second apart: any wall-clock time in the output would show
        run = run_digest(
            ["build", "--root", str(root), "--quiet"],
            timeout=120,
            env=digest_env(tmp_path / f"env{n}", **extra),
        )
        assert run.code == 0, run.describe()
    a, b = tree(first / "site"), tree(second / "site")
    assert any(rel.startswith("search/data/") for rel in a), "the search index is compared too"
    assert a == b, tree_diff(a, b)

    # A rebuild of the first, with every input file touched but unchanged, from its cache.
    time.sleep(1.1)
    for path in (first / "content").rglob("*"):
        if path.is_file():
            path.write_bytes(path.read_bytes())
    run = run_digest(
        ["build", "--root", str(first), "--quiet"],
        timeout=120,
        env=digest_env(tmp_path / "env0", PYTHONHASHSEED="2", TZ="America/Adak"),
    )
    assert run.code == 0, run.describe()
    again = tree(first / "site")
    assert again == b, tree_diff(b, again)


def date_line(text: str) -> tuple[int, dt.date]:
    """The file line and value of a report's ``date:``."""
    for number, line in enumerate(text.split("\n"), start=1):
        if found := re.fullmatch(r"date: (\d{4}-\d{2}-\d{2})\s*", line):
            return number, dt.date.fromisoformat(found.group(1))
    raise AssertionError("no date: line")


def date_order(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    assert main(["check", "--root", str(REPO), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    return [d for d in report["diagnostics"] if d["rule"] == "date-order"]


def test_source_date_epoch_before_a_reports_date_makes_check_call_it_dated_in_the_future(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    line, date = date_line((REPO / MALTA).read_text("utf-8"))
    # Noon UTC two days before: the day before in every time zone.
    before = dt.datetime.combine(date - dt.timedelta(days=2), dt.time(12), dt.UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(before.timestamp())))

    found = date_order(capsys)

    future = [
        d
        for d in found
        if d["file"] == MALTA and d["line"] == line and "future" in str(d["message"])
    ]
    assert len(future) == 1, found
    assert future[0]["severity"] == "warning"
    assert str(date) in str(future[0]["message"])


def test_without_source_date_epoch_check_does_not_call_the_report_dated_in_the_future(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)

    assert date_order(capsys) == []


@pytest.mark.parametrize("epoch", ["99999999999999", "yesterday", "-5", "1.5e9", "9" * 5000])
def test_a_source_date_epoch_that_is_not_a_usable_time_is_a_usage_error(
    epoch: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_project(tmp_path / "project", "The ministers met.\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert main(["check", "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert "digest: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01" in err
    assert "internal error" not in err
