"""The sentence splitter: where one claim ends and the next begins (DESIGN.md 3.2).

``split_sentences`` works on plain text; markup never reaches it. A sentence ends at a full
stop, question mark, exclamation mark or ellipsis followed by white space and a capital, a
digit or an opening quote; abbreviations, initials, numbers and quotations do not end one.
"""

from __future__ import annotations

import pytest

from osce_digest.sentences import sentence_starts, split_sentences


def test_a_full_stop_before_a_capital_ends_a_sentence() -> None:
    assert split_sentences("The talks ended. Both sides left.") == [
        "The talks ended.",
        "Both sides left.",
    ]


def test_question_and_exclamation_marks_end_sentences() -> None:
    assert split_sentences("Is it over? No. It is not!") == ["Is it over?", "No.", "It is not!"]


def test_a_full_stop_before_a_lower_case_word_does_not_end_a_sentence() -> None:
    assert split_sentences("He met the amb. at noon.") == ["He met the amb. at noon."]


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. delegation arrived.",
        "The U.K. and the U.N. agreed.",
        "Mr. Lavrov spoke first.",
        "Mrs. Abela and Dr. Borg listened.",
        "Sen. Smith and Gov. Jones left.",
        "Amb. Carpenter and Prof. Kent wrote it.",
        "St. Petersburg hosted the talks.",
        "Forums, e.g. The Council, met.",
        "Washington, D.C. is far away.",
        "The case Ukraine vs. Russia is pending.",
    ],
)
def test_an_abbreviation_does_not_end_a_sentence(text: str) -> None:
    assert split_sentences(text) == [text]


def test_abbreviations_inside_a_paragraph_keep_sentences_whole() -> None:
    text = "The U.S. delegation arrived first. Mr. Lavrov spoke. The U.K. followed."
    assert split_sentences(text) == [
        "The U.S. delegation arrived first.",
        "Mr. Lavrov spoke.",
        "The U.K. followed.",
    ]


def test_initials_do_not_end_a_sentence() -> None:
    assert split_sentences("J. Smith and A. B. Jones met. They talked.") == [
        "J. Smith and A. B. Jones met.",
        "They talked.",
    ]


def test_decimal_numbers_do_not_end_a_sentence() -> None:
    assert split_sentences("Spending rose 2.5 percent. Talks began at 9.30 sharp.") == [
        "Spending rose 2.5 percent.",
        "Talks began at 9.30 sharp.",
    ]


def test_a_number_after_no_does_not_end_a_sentence() -> None:
    assert split_sentences("Resolution No. 5 passed. Then No. 6 failed.") == [
        "Resolution No. 5 passed.",
        "Then No. 6 failed.",
    ]


@pytest.mark.parametrize(
    "text",
    ["Signed on Dec. 6 in Valletta.", "See Art. 7 of the Charter.", "As Fig. 2 shows, it rose."],
)
def test_an_abbreviation_before_a_number_does_not_end_a_sentence(text: str) -> None:
    assert split_sentences(text) == [text]


def test_no_before_a_word_is_the_answer_and_ends_a_sentence() -> None:
    assert split_sentences("He said no. Then he left.") == ["He said no.", "Then he left."]


def test_a_sentence_may_start_with_a_number() -> None:
    assert split_sentences("He won. 2024 was a good year.") == ["He won.", "2024 was a good year."]


@pytest.mark.parametrize(
    ("opening", "closing"),
    [('"', '"'), ("\u201c", "\u201d"), ("'", "'"), ("\u2018", "\u2019")],
)
def test_a_quotation_that_closes_a_sentence_ends_it(opening: str, closing: str) -> None:
    quoted = f"He said {opening}we will not yield.{closing}"
    assert split_sentences(f"{quoted} Then he left.") == [quoted, "Then he left."]


def test_a_full_stop_inside_a_quotation_does_not_end_the_sentence() -> None:
    assert split_sentences('He said "No. Never." Then he left.') == [
        'He said "No. Never."',
        "Then he left.",
    ]
    assert split_sentences("He said \u201cNo. Never.\u201d Then he left.") == [
        "He said \u201cNo. Never.\u201d",
        "Then he left.",
    ]


def test_a_question_in_a_quotation_ends_the_sentence_with_the_quotation() -> None:
    assert split_sentences('He asked: "Why?" Nobody answered.') == [
        'He asked: "Why?"',
        "Nobody answered.",
    ]


def test_a_closing_bracket_after_the_full_stop_stays_with_the_sentence() -> None:
    assert split_sentences("(This is an aside.) Then more.") == [
        "(This is an aside.)",
        "Then more.",
    ]


@pytest.mark.parametrize("ellipsis", ["...", "\u2026"])
def test_an_ellipsis_before_a_capital_ends_a_sentence(ellipsis: str) -> None:
    assert split_sentences(f"He paused{ellipsis} Then he spoke.") == [
        f"He paused{ellipsis}",
        "Then he spoke.",
    ]


def test_an_ellipsis_before_a_lower_case_word_does_not_end_a_sentence() -> None:
    assert split_sentences("The meeting... was brief.") == ["The meeting... was brief."]


def test_a_line_break_is_white_space_between_sentences() -> None:
    assert split_sentences("He left.\nThen\nhe came back.") == ["He left.", "Then\nhe came back."]


def test_sentences_are_stripped_of_surrounding_white_space() -> None:
    assert split_sentences("  One.   Two.  ") == ["One.", "Two."]


@pytest.mark.parametrize("text", ["", " ", "\n\n", " \t\n "])
def test_empty_or_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []
    assert sentence_starts(text) == []


def test_sentence_starts_are_offsets_into_the_text() -> None:
    text = "  First one. Second one? Third."
    assert sentence_starts(text) == [2, 13, 25]
    assert [text[i:] for i in sentence_starts(text)][1] == "Second one? Third."
