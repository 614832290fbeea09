"""The Malta report keeps the publisher's article word for word.

Content test: it reads ``content/reports/lavrov-blinken-osce-malta-2024.md`` and the seed
article copied byte for byte to ``tests/data/seed-article.txt``, with no project imports, so the
article's text is guarded independently of the generator. The report may add structure
(front matter, ``#`` headings with ``{...}`` attribute lists, blank lines) and one heading of
its own, "Background"; it may not add, drop, reorder or change a word of the article.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parent.parent
REPORT = ROOT / "content/reports/lavrov-blinken-osce-malta-2024.md"
SEED = Path(__file__).parent / "data/seed-article.txt"

ADDED_HEADINGS = ["Background"]
"""Headings the report adds where the article has none (its context section)."""

HEADING_RE = re.compile(r"^#{1,6}[ \t]+(?P<text>.*?)(?:[ \t]+\{[^{}]*\})?[ \t]*$")
"""A markdown ATX heading, capturing its text without a trailing attribute list."""

LABEL_RE = re.compile(r"^(?P<label>[^:?!]{1,60}?): (?P<rest>.+[.!?])$")
"""An article paragraph that opens with a "Label:" the report turns into a heading."""

SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")
"""A candidate sentence boundary: end punctuation followed by white space."""

ABBREVIATION_RE = re.compile(r"(?:\b(?:[A-Z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|St|Prof|Gen|Sen|Rep)\.)$")
"""Text ending in an abbreviation ("U.S.", "Mr."), where a boundary is not a sentence end."""


def split_sentences(text: str) -> list[str]:
    """Split a paragraph at sentence ends, but not after abbreviations such as "U.S."."""
    sentences: list[str] = []
    start = 0
    for boundary in SENTENCE_END_RE.finditer(text):
        candidate = text[start : boundary.start()]
        if ABBREVIATION_RE.search(candidate):
            continue
        sentences.append(candidate)
        start = boundary.end()
    if text[start:]:
        sentences.append(text[start:])
    return sentences


def seed_lines() -> list[str]:
    """The seed article's lines: title, dek, then one paragraph or heading per line."""
    return SEED.read_text(encoding="utf-8").split("\n")


def seed_units() -> list[str]:
    """The article body (after title and dek) as headings, labels and sentences, in order.

    A paragraph that opens with "Label: " yields the label on its own, because the report
    carries it as a heading; a line that is only a title ("Conclusion: Navigating a Complex
    World") has no sentence end and is kept whole.
    """
    units: list[str] = []
    for line in seed_lines()[2:]:
        if not line.strip():
            continue
        label = LABEL_RE.match(line)
        if label and ". " not in label["label"]:
            units.append(label["label"])
            line = label["rest"]
        units.extend(split_sentences(line))
    return units


def read_report() -> tuple[dict[str, Any], str]:
    """The report's front matter (parsed) and its body (raw markdown)."""
    lines = REPORT.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "---", f"{REPORT} does not start with a front matter '---' line"
    end = lines.index("---", 1)
    meta = yaml.safe_load("\n".join(lines[1:end]))
    return meta, "\n".join(lines[end + 1 :])


def report_text() -> str:
    """The report body with markdown structure removed: heading marks and attribute lists."""
    _, body = read_report()
    plain = []
    for line in body.split("\n"):
        heading = HEADING_RE.match(line)
        plain.append(heading["text"] if heading else line)
    return "\n".join(plain)


def find_in_order(units: list[str], text: str) -> tuple[list[tuple[int, int]], list[str]]:
    """Locate each unit in text after the previous one, as a whole run of words.

    Returns the spans found and the units that could not be found where they should be.
    """
    spans: list[tuple[int, int]] = []
    missing: list[str] = []
    position = 0
    for unit in units:
        pattern = re.compile(r"(?<!\S)" + re.escape(unit) + r"(?!\S)")
        found = pattern.search(text, position)
        if found is None:
            missing.append(unit)
            continue
        spans.append(found.span())
        position = found.end()
    return spans, missing


def test_sentences_are_split_at_sentence_ends_but_not_inside_u_s() -> None:
    units = seed_units()
    assert len(units) == 92  # 76 sentences, 16 headings or paragraph labels
    assert units[0].startswith("The recent meeting between Russian Foreign Minister Sergey Lavrov")
    assert "U.S. Secretary of State Antony Blinken at the OSCE" in units[0]
    assert "What Was on the Agenda?" in units
    assert "Impact on U.S.-Russia Relations" in units
    assert "Conclusion: Navigating a Complex World" in units
    assert units[-1] == (
        "The Lavrov-Blinken meeting in Malta represents a small but significant step in that "
        "direction."
    )
    assert not any(unit.endswith("U.S.") for unit in units)


def test_every_sentence_of_the_article_appears_in_order() -> None:
    _, missing = find_in_order(seed_units(), report_text())
    assert not missing, (
        f"{len(missing)} sentence(s) of the article are missing, changed or out of order in "
        f"{REPORT.name}; first: {missing[0]!r}"
    )


def test_the_report_adds_no_words_but_the_background_heading() -> None:
    text = report_text()
    spans, missing = find_in_order(seed_units(), text)
    assert not missing
    leftover = []
    position = 0
    for start, end in spans:
        leftover.append(text[position:start])
        position = end
    leftover.append(text[position:])
    added = [line.strip() for line in "".join(leftover).split("\n") if line.strip()]
    assert added == ADDED_HEADINGS


def test_the_curly_apostrophe_and_the_capitalisation_are_kept() -> None:
    text = report_text()
    # U+2019 RIGHT SINGLE QUOTATION MARK, as the publisher typed it in this one sentence.
    assert "Let\u2019s break down what made this meeting particularly noteworthy." in text
    assert "Let's break down" not in text
    assert "Let's dive deep into what this meeting signifies" in text


def test_dek_and_title_are_the_seed_headlines() -> None:
    meta, _ = read_report()
    title, dek = seed_lines()[:2]
    assert meta["title"] == title
    assert meta["dek"] == dek


def test_the_lede_is_the_article_s_opening_paragraph() -> None:
    _, body = read_report()
    before_first_section = body.split("\n## ", 1)[0]
    paragraphs = [p.strip() for p in before_first_section.split("\n\n") if p.strip()]
    assert paragraphs == [seed_lines()[2]]
