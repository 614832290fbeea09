"""Diagnostics as a load holds them: each report's own packed, the rest as they are; in
order, counted without unpacking, the same whichever way they were stored."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from conftest import REPO
from osce_digest import console
from osce_digest.build import build_site
from osce_digest.diagnostics import Diagnostic, Diagnostics, Severity, error, pack, warning
from osce_digest.load import load_site
from tiny_project import FRONT_MATTER, REPORT, write_project

TEMPLATES = REPO / "templates"
UNSOURCED = "Russia rejected the plan.\n\n## Agenda {#agenda}\n\nThe sides discussed Ukraine.\n"


def sample(seed: int) -> list[Diagnostic]:
    """Diagnostics about three files, several at the same places."""
    rng = random.Random(seed)
    found = []
    for _ in range(60):
        file = rng.choice(["content/reports/a.md", "content/reports/b.md", "content/topics.yaml"])
        make = rng.choice([error, warning])
        line, col = rng.randint(0, 5), rng.randint(0, 3)
        rule = rng.choice(["unsourced-claim", "broken-link"])
        found.append(make(file, line, col, rule, f"“message” {rng.random()}", "a hint"))
    return found


@pytest.mark.parametrize("seed", range(5))
def test_packed_and_loose_diagnostics_iterate_as_one_stably_sorted_list(seed: int) -> None:
    every = sample(seed)
    # The loader finds a report's own first, then the loose ones (link checks, duplicates).
    own = [d for d in every if d.file.startswith("content/reports/") and d.rule != "broken-link"]
    loose = [d for d in every if d not in own]
    packs = [pack(f, [d for d in own if d.file == f]) for f in sorted({d.file for d in own})]
    held = Diagnostics(loose, packs)
    expected = sorted(own + loose, key=Diagnostic.sort_key)
    assert list(held) == expected
    assert held == expected
    assert len(held) == len(expected)
    assert held.errors == sum(d.severity is Severity.ERROR for d in expected)
    assert held.warnings == sum(d.severity is Severity.WARNING for d in expected)
    assert held.only_errors() == [d for d in expected if d.severity is Severity.ERROR]
    assert held.warning_files() == len({d.file for d in expected if d.severity == "warning"})
    assert Diagnostics(*held.parts()) == held


def test_a_pack_holds_one_file_and_a_site_one_pack_per_file() -> None:
    a = warning("content/reports/a.md", 3, 1, "unsourced-claim", "m")
    b = warning("content/reports/b.md", 3, 1, "unsourced-claim", "m")
    with pytest.raises(ValueError, match=r"a\.md"):
        pack("content/reports/a.md", [a, b])
    with pytest.raises(ValueError, match="one file"):
        Diagnostics((), [pack(a.file, [a]), pack(a.file, [a])])


def test_adding_keeps_the_order_and_the_counts() -> None:
    a = warning("content/reports/a.md", 3, 1, "unsourced-claim", "m")
    held = Diagnostics((), [pack(a.file, [a])])
    more = held.adding(error("templates", 0, 0, "missing-templates", "no templates"))
    assert (held.errors, held.warnings, more.errors, more.warnings) == (0, 1, 1, 1)
    assert [d.file for d in more] == ["content/reports/a.md", "templates"]
    assert not Diagnostics()
    assert Diagnostics() == ()


def test_a_loaded_site_counts_its_reports_warnings_without_unpacking_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, UNSOURCED)
    result = load_site(tmp_path)
    assert result.diagnostics.warnings >= 1
    assert {d.file for d in result.diagnostics} == {REPORT}

    def refuse(self: object) -> list[Diagnostic]:
        raise AssertionError("unpacked")

    monkeypatch.setattr("osce_digest.diagnostics.Packed.unpack", refuse)
    assert result.diagnostics.only_errors() == []
    assert result.diagnostics.warning_files() == 1


def test_a_drafts_own_checks_apply_in_a_build_that_leaves_drafts_out(tmp_path: Path) -> None:
    write_project(tmp_path, UNSOURCED)
    assert any(d.rule == "unsourced-claim" for d in load_site(tmp_path).diagnostics)
    draft = FRONT_MATTER.replace("---\n", "---\ndraft: true\nchecks: {unsourced-claim: off}\n", 1)
    (tmp_path / REPORT).write_text(draft + UNSOURCED, encoding="utf-8")
    result = build_site(tmp_path, tmp_path / "site", templates=TEMPLATES)
    assert result.ok, list(result.diagnostics)
    assert not [d for d in result.diagnostics if d.rule == "unsourced-claim"]


def test_a_no_op_build_reports_what_the_last_build_reported(tmp_path: Path) -> None:
    write_project(tmp_path, UNSOURCED)
    first = build_site(tmp_path, tmp_path / "site", templates=TEMPLATES)
    again = build_site(tmp_path, tmp_path / "site", templates=TEMPLATES)
    assert again.pages == 0, "the second build had something to do"
    assert first.diagnostics.warnings >= 1
    assert again.diagnostics == first.diagnostics
    assert again.diagnostics.parts() == first.diagnostics.parts()


def test_the_excerpt_is_the_line_the_build_counted_and_the_caret_sits_under_the_column(
    tmp_path: Path,
) -> None:
    # Only line feeds end a line: a form feed or U+2028 inside one does not shift the rest.
    (tmp_path / "x.md").write_text("one\u2028still one\x0c\nthe\tsecond line\n", "utf-8")
    found = error("x.md", 2, 5, "rule", "here")  # "s" of "second", after a tab
    lines = console.format_text([found], tmp_path).split("\n")
    assert "     | the second line" in lines  # the tab shown as one column to the next four
    assert lines[lines.index("     | the second line") + 1] == "     |     ^"


def test_many_diagnostics_on_one_huge_line_are_formatted_quickly(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text("x\t" * 500_000 + "\n", "utf-8")
    found = [error("x.md", 1, col, "rule", "here") for col in range(1, 200_000, 20)]
    started = time.perf_counter()
    text = console.format_text(found, tmp_path)
    assert time.perf_counter() - started < 5  # it took 60 s expanding the line each time
    assert text.count("^") == len(found)
