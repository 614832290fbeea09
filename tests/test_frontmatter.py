"""Front matter: splitting a report into YAML and body, and parsing YAML with positions.

``split_front_matter`` finds the ``---`` fences and says on which file line the YAML and the
body start; ``parse_yaml`` gives plain data with the (line, col) of every value and key in
the file's numbering, and turns every problem (syntax, duplicate keys, alias bombs, deep
nesting, bad values) into a diagnostic instead of an exception.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from osce_digest.diagnostics import Diagnostic
from osce_digest.discover import read_source
from osce_digest.frontmatter import MAX_DEPTH, parse_yaml, split_front_matter
from osce_digest.load import load_site
from tiny_project import BODY_FIRST_LINE, FRONT_MATTER, REPORT, write_project

FILE = "content/reports/x.md"


def rules(diagnostics: list[Diagnostic]) -> list[tuple[int, str]]:
    return [(d.line, d.rule) for d in diagnostics]


# --- splitting ------------------------------------------------------------------------------


def test_the_front_matter_is_the_yaml_between_two_fences() -> None:
    split, problems = split_front_matter("---\ntitle: A\ndate: 2024-12-06\n---\n\nBody.\n", FILE)
    assert problems == []
    assert split is not None
    assert split.yaml_text == "title: A\ndate: 2024-12-06"
    assert split.yaml_line == 2
    assert split.body == "\nBody.\n"
    assert split.body_line == 5


def test_the_front_matter_may_close_with_three_dots_and_fences_may_have_trailing_blanks() -> None:
    split, problems = split_front_matter("--- \ntitle: A\n...\t\nBody.", FILE)
    assert problems == []
    assert split is not None
    assert (split.yaml_text, split.body, split.body_line) == ("title: A", "Body.", 4)


def test_empty_front_matter_splits_into_empty_yaml() -> None:
    split, problems = split_front_matter("---\n---\nBody.\n", FILE)
    assert problems == []
    assert split is not None
    assert (split.yaml_text, split.body, split.body_line) == ("", "Body.\n", 3)


def test_a_file_that_ends_at_the_closing_fence_has_an_empty_body() -> None:
    split, _ = split_front_matter("---\ntitle: A\n---", FILE)
    assert split is not None
    assert (split.body, split.body_line) == ("", 4)


def test_a_file_without_a_fence_has_no_front_matter() -> None:
    split, problems = split_front_matter("title: A\n\nBody.\n", FILE)
    assert split is None
    assert rules(problems) == [(1, "missing-front-matter")]
    assert problems[0].file == FILE


def test_four_dashes_are_not_a_fence() -> None:
    split, problems = split_front_matter("----\ntitle: A\n---\n", FILE)
    assert split is None
    assert rules(problems) == [(1, "missing-front-matter")]


def test_front_matter_that_is_never_closed_is_an_error() -> None:
    split, problems = split_front_matter("---\ntitle: A\n\nBody.\n", FILE)
    assert split is None
    assert rules(problems) == [(1, "unclosed-front-matter")]


@pytest.mark.parametrize("text", ["", "\n", "  \n\t\n"])
def test_an_empty_file_is_an_error(text: str) -> None:
    split, problems = split_front_matter(text, FILE)
    assert split is None
    assert rules(problems) == [(1, "empty-file")]


def test_windows_line_endings_split_and_parse() -> None:
    split, problems = split_front_matter("---\r\ntitle: A\r\nn: 3\r\n---\r\nBody.\r\n", FILE)
    assert problems == []
    assert split is not None
    assert split.body_line == 5
    doc, problems = parse_yaml(split.yaml_text, FILE, split.yaml_line)
    assert problems == []
    assert doc is not None
    assert doc.data == {"title": "A", "n": 3}
    assert doc.values[("n",)] == (3, 4)


def test_a_byte_order_mark_and_windows_line_endings_are_removed_when_a_file_is_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "content" / "reports" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xef\xbb\xbf---\r\ntitle: A\r\n---\r\nBody.\r\n")
    file, problems = read_source(path, tmp_path)
    assert problems == []
    assert file is not None
    assert file.text == "---\ntitle: A\n---\nBody.\n"
    split, problems = split_front_matter(file.text, file.rel)
    assert problems == []
    assert split is not None


def test_a_report_with_a_byte_order_mark_and_crlf_keeps_its_line_numbers(tmp_path: Path) -> None:
    body = "\nLavrov left.\n\n## Background\n\nBlinken stayed.\n"
    root = write_project(tmp_path, body)
    (root / REPORT).write_bytes(
        b"\xef\xbb\xbf" + (FRONT_MATTER + body).replace("\n", "\r\n").encode()
    )
    result = load_site(root)
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    assert result.site is not None
    report = result.reports()[0]
    first = BODY_FIRST_LINE
    assert [(c.line, c.text) for c in report.claims] == [
        (first + 1, "Lavrov left."),
        (first + 5, "Blinken stayed."),
    ]
    assert report.sections[0].line == first + 3


# --- YAML with positions -------------------------------------------------------------------

YAML = """\
title: Lavrov and Blinken
encounter:
  id: osce-mc-2024-malta
  participants: [sergey-lavrov, antony-blinken]
tags:
  - osce
"""


def test_yaml_values_and_keys_carry_file_positions_shifted_by_the_first_line() -> None:
    doc, problems = parse_yaml(YAML, FILE, first_line=2)
    assert problems == []
    assert doc is not None
    assert doc.data == {
        "title": "Lavrov and Blinken",
        "encounter": {
            "id": "osce-mc-2024-malta",
            "participants": ["sergey-lavrov", "antony-blinken"],
        },
        "tags": ["osce"],
    }
    assert doc.keys[("title",)] == (2, 1)
    assert doc.values[("title",)] == (2, 8)
    assert doc.keys[("encounter", "id")] == (4, 3)
    assert doc.values[("encounter", "id")] == (4, 7)
    assert doc.values[("encounter", "participants", 1)] == (5, 33)
    assert doc.keys[("tags",)] == (6, 1)
    assert doc.values[("tags", 0)] == (7, 5)


def test_a_position_without_its_own_entry_falls_back_to_its_parent() -> None:
    doc, _ = parse_yaml(YAML, FILE, first_line=2)
    assert doc is not None
    assert doc.where(("encounter", "participants", 7)) == (5, 17)
    assert doc.where(("encounter", "id"), key=True) == (4, 3)
    assert doc.where(("nowhere",)) == (2, 1)


def test_without_a_first_line_positions_start_at_line_one() -> None:
    doc, _ = parse_yaml("a: 1\nb: 2\n", "content/site.yaml")
    assert doc is not None
    assert doc.values[("b",)] == (2, 4)


def test_empty_yaml_is_no_data_and_no_problem() -> None:
    doc, problems = parse_yaml("", FILE, 2)
    assert problems == []
    assert doc is not None
    assert doc.data is None


def test_a_yaml_syntax_error_is_reported_on_its_file_line() -> None:
    doc, problems = parse_yaml("title: A\n  bad: indent\n", FILE, first_line=2)
    assert doc is None
    assert [(d.line, d.col, d.rule) for d in problems] == [(3, 6, "yaml-syntax")]


def test_an_unclosed_flow_sequence_names_the_line_it_starts_on() -> None:
    doc, problems = parse_yaml("title: A\ndate: [2024-12-06\nx: 1\n", FILE, first_line=2)
    assert doc is None
    assert [d.rule for d in problems] == ["yaml-syntax"]
    assert problems[0].line == 4
    assert "starts on line 3" in problems[0].message


def test_a_duplicate_key_is_an_error_on_the_second_and_the_first_value_is_kept() -> None:
    doc, problems = parse_yaml("title: A\ndate: 2024-12-06\ntitle: B\n", FILE, first_line=2)
    assert doc is not None
    assert doc.data == {"title": "A", "date": dt.date(2024, 12, 6)}
    assert [(d.line, d.col, d.rule) for d in problems] == [(4, 1, "duplicate-key")]
    assert "first on line 2" in problems[0].message


def test_a_duplicate_key_in_a_nested_mapping_is_an_error() -> None:
    _, problems = parse_yaml("encounter:\n  id: a\n  id: b\n", FILE, first_line=2)
    assert [(d.line, d.col, d.rule) for d in problems] == [(4, 3, "duplicate-key")]


def test_an_impossible_date_is_an_invalid_date() -> None:
    doc, problems = parse_yaml("title: A\ndate: 2024-02-30\n", FILE, first_line=2)
    assert doc is not None
    assert [(d.line, d.col, d.rule) for d in problems] == [(3, 7, "invalid-date")]


def test_a_python_tag_is_refused_not_constructed() -> None:
    doc, problems = parse_yaml("a: !!python/name:os.system x\n", FILE)
    assert [(d.line, d.col, d.rule) for d in problems] == [(1, 4, "yaml-value")]
    assert doc is not None
    assert doc.data == {"a": None}


@pytest.mark.parametrize(
    ("value", "tag"), [("!foo bar", "!foo"), ("!!python/object:os.system ls", "!!python/object")]
)
def test_an_unknown_tag_is_named_in_the_file_s_words_without_pyyaml_s_positions(
    value: str, tag: str
) -> None:
    _, problems = parse_yaml(f"title: A\nsummary: {value}\n", FILE, first_line=2)
    assert [(d.line, d.col, d.rule) for d in problems] == [(3, 10, "yaml-value")]
    assert f"is tagged {tag}" in problems[0].message
    assert "\n" not in problems[0].message
    assert "line" not in problems[0].message  # PyYAML's numbering is not the file's


BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_an_alias_bomb_is_refused_quickly() -> None:
    started = time.perf_counter()
    _, problems = parse_yaml(BOMB, FILE, first_line=2)
    elapsed = time.perf_counter() - started
    assert [d.rule for d in problems] == ["yaml-too-large"]
    assert 2 <= problems[0].line <= 10
    assert elapsed < 2.0


def test_a_few_aliases_are_fine() -> None:
    doc, problems = parse_yaml("a: &x [1, 2]\nb: *x\n", FILE)
    assert problems == []
    assert doc is not None
    assert doc.data == {"a": [1, 2], "b": [1, 2]}


def test_a_value_given_by_an_alias_is_located_where_the_alias_is() -> None:
    doc, _ = parse_yaml("start: &s 2024-12-05\nplace:\n  end: *s\n", FILE, first_line=2)
    assert doc is not None
    assert doc.where(("start",)) == (2, 8)
    assert doc.where(("place", "end")) == (4, 3)  # at its key: the line that says *s


def test_nesting_too_deep_is_refused() -> None:
    deep = "[" * (MAX_DEPTH + 10) + "]" * (MAX_DEPTH + 10)
    _, problems = parse_yaml(f"a: {deep}\n", FILE, first_line=2)
    assert [(d.line, d.rule) for d in problems] == [(2, "yaml-too-deep")]


def test_nesting_within_the_limit_is_read() -> None:
    depth = MAX_DEPTH - 2
    doc, problems = parse_yaml("[" * depth + "1" + "]" * depth, FILE)
    assert problems == []
    assert doc is not None
    value = doc.data
    for _ in range(depth):
        assert isinstance(value, list)
        value = value[0]
    assert value == 1


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_absurd_nesting_is_a_diagnostic_not_a_crash(depth: int) -> None:
    _, problems = parse_yaml("a: " + "[" * depth + "]" * depth, FILE)
    assert problems
    assert problems[0].rule in ("yaml-too-deep", "yaml-syntax")


@pytest.mark.parametrize(
    "value",
    [
        "!!bool maybe",
        "!!bool",
        "!!timestamp soon",
        "!!int ''",
        "!!int +",
        "!!float",
        "!!int abc",
        "!!float abc",
    ],
)
def test_an_explicitly_tagged_value_that_is_not_valid_is_a_diagnostic(value: str) -> None:
    doc, problems = parse_yaml(f"title: A\ndraft: {value}\n", FILE, first_line=2)
    assert [(d.line, d.col) for d in problems] == [(3, 8)]
    assert problems[0].rule in ("yaml-value", "invalid-date")
    assert doc is not None
    assert doc.data["title"] == "A"


def test_a_report_with_an_invalid_tagged_value_loads_with_a_diagnostic(tmp_path: Path) -> None:
    root = write_project(tmp_path, "Body.\n")
    (root / REPORT).write_text(
        FRONT_MATTER.replace(
            "title: Fixture report\n", "title: Fixture report\ndraft: !!bool maybe\n"
        )
        + "Body.\n",
        encoding="utf-8",
    )
    result = load_site(root)
    assert [(d.file, d.line, d.col) for d in result.diagnostics][:1] == [(REPORT, 3, 8)]


@pytest.mark.parametrize("mark", ["\u2028", "\u2029", "\x85"])
def test_positions_count_line_feeds_only_when_yaml_breaks_lines_at_other_characters(
    mark: str,
) -> None:
    # Pasted from a web page: YAML ends a line at these too; the file's lines do not.
    text = f'summary: "A{mark}test."\nkind: x\nn: [1\nm: 2\n'
    doc, problems = parse_yaml(f'summary: "A{mark}test."\nkind: x\n', FILE, 2)
    assert problems == []
    assert doc is not None
    assert doc.values[("kind",)] == (3, 7)
    _, problems = parse_yaml(text, FILE, 2)
    _, plain = parse_yaml(text.replace(mark, " "), FILE, 2)  # the same, broken at line 5
    assert [(d.line, d.col, d.message) for d in problems] == [
        (d.line, d.col, d.message) for d in plain
    ]
    assert problems[0].line == 5
    assert "that starts on line 4" in problems[0].message


def test_a_report_source_that_differs_from_the_shared_one_of_its_id_is_a_warning(
    tmp_path: Path,
) -> None:
    root = write_project(tmp_path / "project", "Ministers met.[^wire-1]\n")
    shared = "- {id: wire-1, title: Another story, publisher: Wire}\n"
    (root / "content" / "sources.yaml").write_text(shared, "utf-8")
    found = [d for d in load_site(root).diagnostics if d.rule == "source-shadows-shared"]
    text = (root / REPORT).read_text("utf-8").split("\n")
    line = next(n for n, t in enumerate(text, 1) if "id: wire-1" in t)
    assert [(d.file, d.line, d.severity.value) for d in found] == [(REPORT, line, "warning")]
    same = (root / REPORT).read_text("utf-8").split("id: wire-1")[1].split("}")[0]
    (root / "content" / "sources.yaml").write_text("- {id: wire-1" + same + "}\n", "utf-8")
    assert not [d for d in load_site(root).diagnostics if d.rule == "source-shadows-shared"]
