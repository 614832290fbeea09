"""Report bodies to the section model, as fixture files (DESIGN.md 3.2 and 3.3).

Each ``tests/fixtures/sections/*.md`` file holds several cases in the markdown-it-py
``tests/test_port/fixtures`` style. A case is five parts, each ``.`` alone on its line::

    Title of the case, a sentence
    .
    the report body: markdown, no front matter
    .
    the expected model, as YAML
    .

Anything between cases (blank lines, notes that are not followed by a ``.`` line) is
ignored. The body is written into a tiny project (``tests/tiny_project.py``) under a fixed
13-line front matter, so **body line 1 is file line 14**, and every ``line`` in the
expected model is a file line. The project has topics ``ukraine`` (aliases Ukrainian, Kyiv),
``arms-control`` (arms control, New START) and ``osce``; actors ``united-states`` (U.S.,
Washington), ``russia`` (Russian Federation, Moscow), ``antony-blinken`` (Blinken) and
``sergey-lavrov`` (Lavrov); and the report lists sources ``transcript-1`` and ``wire-1``.

The expected YAML is what ``osce_digest.export.report_data`` gives, trimmed to the keys
that matter, under these top-level keys:

- ``lede`` and ``sections``: compared as the export gives them;
- ``cited``: source ids in order of first citation (optional);
- ``diagnostics``: ``"line:col: rule"`` strings (or ``"line: rule"`` where the column does
  not matter); when absent, the case expects none.

Trimming: a mapping names only the keys it checks; a list must match in length and order.
The export leaves out empty ``topics``, ``sources`` and ``hedges`` and a block's ``party``,
so ``[]`` or ``null`` in the expected model also matches a key the export left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from osce_digest.export import report_data
from osce_digest.load import load_site
from osce_digest.rules import RULES_BY_ID
from tiny_project import write_project

FIXTURES = Path(__file__).parent / "fixtures" / "sections"
MISSING = "<missing from the export>"


@dataclass(frozen=True)
class FixtureCase:
    """One case of a fixture file."""

    file: Path
    """The fixture file."""
    line: int
    """1-based line of the case's title in the file."""
    title: str
    """What the case shows, as a sentence."""
    body: str
    """The report body."""
    expected: dict[str, Any]
    """The expected model, trimmed."""


def read_fixture_file(path: Path) -> list[FixtureCase]:
    """The cases of one fixture file, in order."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases: list[FixtureCase] = []
    index = 0
    while index < len(lines):
        title = lines[index]
        if not title.strip() or title == "." or index + 1 >= len(lines) or lines[index + 1] != ".":
            index += 1
            continue
        start = index + 1  # the title's 1-based line
        index += 2
        parts: list[list[str]] = []
        for _ in range(2):
            part: list[str] = []
            while index < len(lines) and lines[index] != ".":
                part.append(lines[index])
                index += 1
            if index >= len(lines):
                raise ValueError(f"{path.name}:{start}: case {title!r} is not closed by '.' lines")
            parts.append(part)
            index += 1
        try:
            expected = yaml.safe_load("\n".join(parts[1]))
        except yaml.YAMLError as exc:
            raise ValueError(f"{path.name}:{start}: case {title!r}: {exc}") from exc
        if not isinstance(expected, dict):
            raise ValueError(f"{path.name}:{start}: the expected model must be a YAML mapping")
        cases.append(FixtureCase(path, start, title, "\n".join(parts[0]) + "\n", expected))
    return cases


def all_cases() -> list[FixtureCase]:
    return [case for path in sorted(FIXTURES.glob("*.md")) for case in read_fixture_file(path)]


def trim(actual: Any, expected: Any) -> Any:
    """``actual`` cut down to the shape of ``expected``, so that a diff shows only what matters."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {
            key: trim(actual[key], value) if key in actual else _absent(value)
            for key, value in expected.items()
        }
    if isinstance(expected, list) and isinstance(actual, list):
        # Elements beyond the expected ones are kept whole, so the diff shows them.
        return [trim(a, e) for a, e in zip(actual, expected, strict=False)] + actual[
            len(expected) :
        ]
    return actual


def _absent(expected: Any) -> Any:
    """What a key the export left out stands for: nothing, if that is what is expected."""
    return expected if expected in ([], None) else MISSING


def parsed_model(root: Path, body: str) -> dict[str, Any]:
    """The body's section model and diagnostics, through the real loader."""
    result = load_site(write_project(root, body))
    # The editorial rules have tests of their own; these cases are about the parser.
    diagnostics = [(d.line, d.col, d.rule) for d in result.diagnostics if d.rule not in RULES_BY_ID]
    assert result.site is not None, diagnostics
    assert len(result.site.reports) == 1, diagnostics
    data = report_data(result.reports()[0])
    return {
        "lede": data["lede"],
        "sections": data["sections"],
        "cited": data["cited"],
        "diagnostics": diagnostics,
    }


def diagnostic_lines(found: list[tuple[int, int, str]], expected: list[str]) -> list[str]:
    """The diagnostics found, written the way the expected ones are (with or without columns)."""
    with_columns = all(re.fullmatch(r"\d+:\d+: \S+", e) for e in expected)
    if with_columns:
        return [f"{line}:{col}: {rule}" for line, col, rule in found]
    return [f"{line}: {rule}" for line, _, rule in found]


CASES = all_cases()


def test_every_fixture_file_has_cases_with_distinct_titles() -> None:
    files = sorted(FIXTURES.glob("*.md"))
    assert files, f"no fixture files in {FIXTURES}"
    for path in files:
        assert read_fixture_file(path), f"{path.name} has no cases"
    titles = [case.title for case in CASES]
    assert len(titles) == len(set(titles)), "two fixture cases share a title"


def test_the_fixture_reader_reads_title_body_and_expected_model(tmp_path: Path) -> None:
    fixture = tmp_path / "sample.md"
    fixture.write_text(
        "A note that is not a case.\n\nFirst case\n.\nSome text.\n\n## Heading\n.\n"
        "lede: []\n.\n\nSecond case\n.\nMore.\n.\ncited: []\n.\n",
        encoding="utf-8",
    )
    cases = read_fixture_file(fixture)
    assert [(c.title, c.line, c.body, c.expected) for c in cases] == [
        ("First case", 3, "Some text.\n\n## Heading\n", {"lede": []}),
        ("Second case", 12, "More.\n", {"cited": []}),
    ]


def test_an_unclosed_fixture_case_is_an_error(tmp_path: Path) -> None:
    fixture = tmp_path / "broken.md"
    fixture.write_text("Case\n.\nbody\n.\nlede: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not closed"):
        read_fixture_file(fixture)


def test_trimming_keeps_only_expected_keys_and_shows_extra_elements() -> None:
    actual = {"a": 1, "b": [{"x": 1, "y": 2}, {"x": 3, "y": 4}], "c": 5}
    assert trim(actual, {"b": [{"x": 1}]}) == {"b": [{"x": 1}, {"x": 3, "y": 4}]}
    assert trim(actual, {"topics": []}) == {"topics": []}
    assert trim(actual, {"party": None}) == {"party": None}
    assert trim(actual, {"party": "Russia"}) == {"party": MISSING}


@pytest.mark.parametrize("case", CASES, ids=[case.title for case in CASES])
def test_a_report_body_parses_into_the_expected_section_model(
    case: FixtureCase, tmp_path: Path
) -> None:
    model = parsed_model(tmp_path, case.body)
    expected = {"diagnostics": [], **case.expected}
    model["diagnostics"] = diagnostic_lines(model["diagnostics"], expected["diagnostics"])
    assert trim(model, expected) == expected, f"{case.file.name}:{case.line}: {case.title}"
