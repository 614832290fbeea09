"""Property-based tests of the parsers: any text in, a model or a diagnostic out, never a crash.

Three entry points are fed generated text: the sentence splitter, the front matter splitter
with the YAML parser, and the whole report loader of a tiny project (``tests/tiny_project.py``)
with markdown-ish bodies built from the characters and constructs report bodies use.
Inputs that once crashed a parser are pinned with ``@example``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from osce_digest.frontmatter import parse_yaml, split_front_matter
from osce_digest.load import load_site
from osce_digest.sentences import split_sentences
from tiny_project import BODY_FIRST_LINE, REPORT, write_project, write_report

FILE = "content/reports/x.md"


def squeezed(text: str) -> str:
    """``text`` without any white space."""
    return "".join(text.split())


# --- sentences --------------------------------------------------------------------------

SENTENCE_PIECES = st.sampled_from(
    [
        *". ... \u2026 ? ! \" ' \u201c \u201d \u2018 \u2019 ( ) [ ]".split(),
        *"U.S. Mr. No. J. e.g. 2.5 A The he x 1".split(),
        *["No. 5", "Dec. 6", " ", "  ", "\n", "\t", "\u00a0", "\u2028"],
    ]
)
SENTENCE_TEXT = st.one_of(st.text(), st.lists(SENTENCE_PIECES, max_size=40).map("".join))


@settings(max_examples=200, deadline=None)
@given(SENTENCE_TEXT)
@example("")
@example(" \n\t")
@example('He said "No. Never." Then he left.')
def test_splitting_sentences_never_raises_and_loses_no_text(text: str) -> None:
    sentences = split_sentences(text)
    assert squeezed("".join(sentences)) == squeezed(text)
    assert all(s and s == s.strip() for s in sentences)


# --- front matter and YAML --------------------------------------------------------------

YAML_PIECES = st.sampled_from(
    [
        *"a title : - [ ] { } , &x *x ' \" # ? | > << ~ 1 - --- ... yes maybe".split(),
        *"!!bool !!int !!float !!timestamp !!str !!python/name:os.system".split(),
        *"2024-02-30 2024-12-06".split(),
        *[": ", "- ", " ", "  ", "\n", "\t", "\r\n", "\ufeff"],
    ]
)
YAML_TEXT = st.lists(YAML_PIECES, max_size=40).map("".join)
FRONT_MATTER_TEXT = st.one_of(
    st.text(),
    st.tuples(YAML_TEXT, st.text(max_size=20)).map(lambda p: f"---\n{p[0]}\n---\n{p[1]}"),
)


@settings(max_examples=200, deadline=None)
@given(FRONT_MATTER_TEXT)
@example("---\ndraft: !!bool maybe\n---\n")
@example("---\ndate: !!timestamp soon\n---\n")
@example("---\na: !!int ''\n---\n")
@example("---\n" + "[" * 200 + "]" * 200 + "\n---\n")
def test_front_matter_gives_data_or_diagnostics_never_an_exception(text: str) -> None:
    split, problems = split_front_matter(text, FILE)
    if split is None:
        assert problems
        return
    assert problems == []
    doc, problems = parse_yaml(split.yaml_text, FILE, split.yaml_line)
    if doc is None:
        assert problems
    assert all(d.line >= split.yaml_line and d.file == FILE for d in problems)


# --- whole reports ----------------------------------------------------------------------

BODY_PIECES = st.sampled_from(
    [
        *"# ## ### #### ** * _ ` [^x] [^wire-1] [^transcript-1] {#agenda}".split(),
        *'{topics="ukraine"} " \u201c \u201d . ... : U.S. Mr. May may likely said'.split(),
        *"Russia Kyiv | [ ] ( ) <b> \\".split(),
        *["{#a b=c}", "# ", "## ", "### ", "- ", "> ", "United States", "\n", "\n\n", " "],
    ]
)
BODY_TEXT = st.lists(
    st.one_of(BODY_PIECES, st.text(alphabet="abcXYZ ", min_size=1, max_size=6)), max_size=60
).map("".join)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("properties"), "")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BODY_TEXT)
@example("# A heading that cites [^wire-1]\n")
@example("## Areas of disagreement\n\n### Ukraine\n\n**Russia:** No.[^x]\n")
@example("Lavrov left.[^wire-1] **Blinken stayed.**\n")
def test_any_report_body_loads_into_a_model_or_diagnostics(project: Path, body: str) -> None:
    write_report(project, body)
    result = load_site(project)
    assert result.site is not None, result.diagnostics
    if not result.site.reports:
        assert any(d.file == REPORT for d in result.diagnostics)
        return
    (report,) = result.reports()
    last_line = BODY_FIRST_LINE + body.count("\n")
    for claim in report.claims:
        assert claim.text
        assert claim.text == claim.text.strip()
        assert BODY_FIRST_LINE <= claim.line <= last_line, claim
    for section in report.sections:
        assert BODY_FIRST_LINE <= section.line <= last_line
        assert all(BODY_FIRST_LINE <= item.line <= last_line for item in section.items)
    anchors = [s.anchor for s in report.sections] + [
        i.anchor for s in report.sections for i in s.items
    ]
    if not any(d.rule == "duplicate-anchor" for d in result.diagnostics):
        assert len(anchors) == len(set(anchors)), anchors
