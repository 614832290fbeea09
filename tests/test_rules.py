"""The editorial rules: each fires where it should, and not elsewhere, at the right line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO
from osce_digest.cli import main
from osce_digest.load import load_site
from osce_digest.rules import RULES
from tiny_project import write_vocabularies

FULL = """
## Agenda {#agenda}

## Disagreements {#disagreements}

### Ukraine {#ukraine}

**United States:** Washington backs Kyiv, according to the transcript.[^transcript-1]

**Russia:** Moscow said the war would go on.[^transcript-1]

## Cooperation {#cooperation}

## Implications {#implications}
"""
"""A body that satisfies every rule; cases add to it or replace it."""


def front(extra: str = "", encounter: str = "", sources: str | None = None) -> str:
    listed = (
        sources
        if sources is not None
        else (
            "  - {id: transcript-1, title: Remarks, publisher: State, url: https://example.org/t}\n"
        )
    )
    return (
        "---\n"
        "title: Rule case\n"
        "date: 2024-12-06\n"
        f"{extra}"
        "encounter:\n"
        "  id: case-2024\n"
        "  name: Case Council\n"
        "  start: 2024-12-05\n"
        "  participants: [antony-blinken, sergey-lavrov]\n"
        f"{encounter}"
        "sources:\n"
        f"{listed}"
        "---\n"
    )


def findings(tmp_path: Path, text: str, rule: str, site_extra: str = "") -> list[int]:
    """Lines where ``rule`` fires on a report with the given full text."""
    write_vocabularies(tmp_path)
    if site_extra:
        site = tmp_path / "content" / "site.yaml"
        site.write_text(site.read_text("utf-8") + site_extra, "utf-8")
    (tmp_path / "content" / "reports" / "case.md").write_text(text, "utf-8")
    result = load_site(tmp_path)
    assert not [d for d in result.diagnostics if d.severity == "error" and d.rule != rule], (
        result.diagnostics
    )
    return [d.line for d in result.diagnostics if d.rule == rule]


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_the_clean_case_triggers_no_rule(tmp_path: Path) -> None:
    write_vocabularies(tmp_path)
    (tmp_path / "content" / "reports" / "case.md").write_text(front() + FULL, "utf-8")
    assert load_site(tmp_path).diagnostics == ()


POSITIVE = {
    "unsourced-claim": (
        front(),
        FULL.replace("{#agenda}\n", "{#agenda}\n\nThey met at noon.\n"),
        "They met at noon.",
    ),
    "unlabelled-hedge": (front(), FULL + "\nThe talks may resume.\n", "The talks may resume."),
    "judgment-without-basis": (front(), FULL + "\nA deal is likely.\n", "A deal is likely."),
    "scale-mixing": (
        front(),
        FULL + "\nA deal is likely. A truce is probable.\n",
        "A deal is likely.",
    ),
    "one-sided-disagreement": (
        front(),
        FULL.replace("**Russia:** Moscow said the war would go on.[^transcript-1]\n", ""),
        "### Ukraine",
    ),
    "encounter-contradiction": (
        front(encounter="  direct_contact: false\n"),
        FULL + "\nThe meeting itself lasted only a few minutes.\n",
        "The meeting itself",
    ),
    "missing-section": (
        front(),
        FULL.replace("## Cooperation {#cooperation}\n", ""),
        "\n## Agenda",
    ),
    "unknown-section": (front(), FULL + "\n## Miscellany\n\nNothing.\n", "## Miscellany"),
    "source-unused": (
        front(
            sources="  - {id: transcript-1, title: R, publisher: S, url: 'https://e.org/t'}\n"
            "  - {id: spare, title: Spare, publisher: S, url: 'https://e.org/s'}\n"
        ),
        FULL,
        "{id: spare",
    ),
    "source-incomplete": (
        front(sources="  - {id: transcript-1, title: Remarks}\n"),
        FULL,
        "{id: transcript-1",
    ),
    "unknown-source-kind": (
        front(
            sources="  - {id: transcript-1, title: R, publisher: S, url: 'https://e.org/t',\n"
            "     kind: readou}\n"
        ),
        FULL,
        "kind: readou",
    ),
    "broken-link": (front(), FULL + "\nSee [the agenda](#agendaa).\n", "See [the agenda]"),
    "remote-image": (
        front(),
        FULL + "\nThe ministers met in Valletta.\n\n![A map](https://maps.example/malta.png)\n",
        "![A map]",
    ),
    "date-order": (
        front().replace("date: 2024-12-06", "date: 2024-12-01"),
        FULL,
        "date: 2024-12-01",
    ),
}


@pytest.mark.parametrize("rule", sorted(POSITIVE))
def test_each_rule_fires_at_the_line_of_the_problem(tmp_path: Path, rule: str) -> None:
    head, body, needle = POSITIVE[rule]
    text = head + body
    lines = findings(tmp_path, text, rule)
    expected = line_of(text, needle.lstrip("\n")) if not needle.startswith("\n") else None
    if rule == "missing-section":
        expected = head.count("\n") + 1  # the report's first body line
    assert lines == [expected]


def test_every_rule_has_a_positive_case() -> None:
    assert sorted(POSITIVE) == sorted(r.id for r in RULES)


NEGATIVE = {
    "unsourced-claim": FULL.replace(
        "{#agenda}\n", "{#agenda}\n\nThey met, the State Department said.\n"
    ),
    "unlabelled-hedge": FULL + "\nTalks may very likely resume because both asked.\n",
    "judgment-without-basis": FULL + "\nA deal is likely, given both sides' statements.\n",
    "scale-mixing": FULL + "\nA deal is likely. A truce is very likely.\n",
    "one-sided-disagreement": FULL.replace(
        "### Ukraine {#ukraine}", '### Ukraine {#ukraine no_public_statement="russia"}'
    ),
    "encounter-contradiction": FULL + "\nThe Ministerial Council meeting closed on Friday.\n",
    "broken-link": FULL + "\nSee [the agenda](#agenda) and [a topic](/topics/ukraine/).\n",
    "remote-image": FULL
    + "\n![A map](/static/malta.png) ![A dot](data:image/png;base64,iVBORw0KGgo=)\n"
    + "\nThe [full map](https://maps.example/malta.png) is larger.\n",
}


def test_images_and_static_links_must_name_a_file_of_templates_static(tmp_path: Path) -> None:
    write_vocabularies(tmp_path)
    body = (
        "\nThe map: ![Malta](/static/img/malta.png) and [the paper](/static/paper.pdf).\n"
        "\nNot there: ![Gozo](/static/img/gozo.png), [a note](/static/note.pdf).\n"
        "\nBeside the page: ![Comino](comino.png).\n"
    )
    text = front() + FULL + body
    (tmp_path / "content" / "reports" / "case.md").write_text(text, "utf-8")
    static = {"img/malta.png", "paper.pdf"}
    found = [
        (d.line, d.col, d.message)
        for d in load_site(tmp_path, static=static).diagnostics
        if d.rule == "broken-link"
    ]
    gone, relative = line_of(text, "Not there"), line_of(text, "Beside the page")
    assert found == [
        (
            gone,
            20,
            "broken image /static/img/gozo.png: there is no file templates/static/img/gozo.png",
        ),
        (gone, 52, "broken link /static/note.pdf: there is no file templates/static/note.pdf"),
        (
            relative,
            28,
            "broken image comino.png: an image address relative to the page finds nothing",
        ),
    ]
    # Without the list of static files (as in a load that knows no templates), only the
    # relative image is flagged.
    unknown = [d.line for d in load_site(tmp_path).diagnostics if d.rule == "broken-link"]
    assert unknown == [relative]


@pytest.mark.parametrize("rule", sorted(NEGATIVE))
def test_each_rule_stays_silent_where_the_text_is_sound(tmp_path: Path, rule: str) -> None:
    encounter = "  direct_contact: false\n" if rule == "encounter-contradiction" else ""
    assert findings(tmp_path, front(encounter=encounter) + NEGATIVE[rule], rule) == []


def test_a_rule_can_be_switched_off_for_the_site_and_for_one_report(tmp_path: Path) -> None:
    text = front() + FULL + "\nThe talks may resume.\n"
    assert findings(tmp_path, text, "unlabelled-hedge") != []
    assert findings(tmp_path, text, "unlabelled-hedge", "checks: {unlabelled-hedge: off}\n") == []
    off = front(extra="checks: {unlabelled-hedge: off}\n") + FULL + "\nThe talks may resume.\n"
    assert findings(tmp_path / "b", off, "unlabelled-hedge") == []


def test_a_rule_can_be_made_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_vocabularies(tmp_path)
    site = tmp_path / "content" / "site.yaml"
    site.write_text(site.read_text("utf-8") + "checks: {unlabelled-hedge: error}\n", "utf-8")
    (tmp_path / "content" / "reports" / "case.md").write_text(
        front() + FULL + "\nThe talks may resume.\n", "utf-8"
    )
    assert main(["check", "--root", str(tmp_path)]) == 1
    assert "error: “may” hedges" in capsys.readouterr().out


def test_an_unknown_rule_in_checks_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    write_vocabularies(tmp_path)
    site = tmp_path / "content" / "site.yaml"
    site.write_text(site.read_text("utf-8") + "checks: {unlabeled-hedge: off}\n", "utf-8")
    (tmp_path / "content" / "reports" / "case.md").write_text(front() + FULL, "utf-8")
    problems = [d for d in load_site(tmp_path).diagnostics if d.rule == "unknown-rule"]
    assert len(problems) == 1
    assert problems[0].hint == "did you mean 'unlabelled-hedge'?"


def test_strict_makes_warnings_fail_and_json_output_parses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_vocabularies(tmp_path)
    (tmp_path / "content" / "reports" / "case.md").write_text(
        front() + FULL + "\nThe talks may resume.\n", "utf-8"
    )
    assert main(["check", "--root", str(tmp_path)]) == 0
    assert main(["check", "--root", str(tmp_path), "--strict"]) == 1
    capsys.readouterr()
    assert main(["check", "--root", str(tmp_path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] == 0
    assert data["warnings"] == 1
    (finding,) = data["diagnostics"]
    assert finding["rule"] == "unlabelled-hedge"
    assert finding["file"] == "content/reports/case.md"
    assert set(finding) == {"file", "line", "col", "severity", "rule", "message", "hint"}


def test_github_format_writes_one_annotation_per_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_vocabularies(tmp_path)
    (tmp_path / "content" / "reports" / "case.md").write_text(
        front() + FULL + "\nThe talks may resume.\n", "utf-8"
    )
    assert main(["check", "--root", str(tmp_path), "--format", "github"]) == 0
    out = capsys.readouterr().out.splitlines()
    line = line_of(front() + FULL + "\nThe talks may resume.\n", "The talks may resume.")
    assert out[0].startswith(
        f"::warning file=content/reports/case.md,line={line},col=1,title=unlabelled-hedge::"
    )


def test_the_malta_report_shows_its_editor_where_it_runs_ahead_of_the_record() -> None:
    result = load_site(REPO)
    path = "content/reports/lavrov-blinken-osce-malta-2024.md"
    text = (REPO / path).read_text("utf-8").split("\n")
    found = {(d.rule, d.line, d.col) for d in result.diagnostics}
    assert not [d for d in result.diagnostics if d.severity == "error"]

    def at(fragment: str) -> tuple[int, int]:
        for number, line in enumerate(text, 1):
            if fragment in line:
                return number, line.index(fragment[:30]) + 1
        raise AssertionError(fragment)

    assert ("encounter-contradiction", *at("The meeting itself was relatively brief")) in found
    assert ("unlabelled-hedge", *at("While the exact details of the discussion")) in found
    assert ("judgment-without-basis", *at("Blinken likely reiterated")) in found
    assert ("unlabelled-hedge", *at("The meeting may also have touched upon")) in found
    # The sources back the encounter facts; none is reported unused or incomplete.
    assert not [d for d in result.diagnostics if d.rule.startswith("source-")]


def test_digest_new_writes_a_report_that_passes_check_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    shutil.copytree(REPO / "content", tmp_path / "content")
    args = ["new", "Blinken and Lavrov: a second look", "--root", str(tmp_path)]
    assert main([*args, "--encounter", "osce-mc-2024-malta", "--date", "2024-12-10"]) == 0
    path = tmp_path / "content" / "reports" / "blinken-and-lavrov-a-second-look.md"
    assert path.is_file()
    assert main(["new", "Brand new", "--encounter", "g20-2025", "--root", str(tmp_path)]) == 0
    result = load_site(tmp_path, drafts=True)
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    assert result.site is not None
    second = next(r for r in result.reports() if r.slug == "blinken-and-lavrov-a-second-look")
    assert second.meta.draft is True
    assert second.meta.encounter.direct_contact is False  # copied from the first report
    assert [s.kind for s in second.sections] == [
        "context",
        "agenda",
        "moments",
        "disagreements",
        "cooperation",
        "implications",
        "outlook",
    ]
    before = path.read_bytes()
    capsys.readouterr()
    assert main([*args, "--encounter", "osce-mc-2024-malta"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_a_site_yaml_with_a_mistake_elsewhere_still_grades_the_reports_as_it_says(
    tmp_path: Path,
) -> None:
    write_vocabularies(tmp_path)
    site = tmp_path / "content" / "site.yaml"
    good = site.read_text("utf-8")
    (tmp_path / "content" / "reports" / "case.md").write_text(
        front() + FULL + "\nSee [the agenda](#agnda). The talks may resume.\n", "utf-8"
    )

    def graded(site_text: str) -> dict[str, str]:
        site.write_text(site_text, "utf-8")
        found = load_site(tmp_path).diagnostics
        return {d.rule: str(d.severity) for d in found if d.file.endswith("case.md")}

    assert graded(good) == {"broken-link": "error", "unlabelled-hedge": "warning"}
    wrong = good.replace("title:", "title: [a list]\nx_title:", 1)
    # The site is not built while site.yaml has errors, and the reports' warnings wait for
    # its settings: their errors are shown as its checks grade them.
    assert graded(wrong) == {"broken-link": "error"}
    assert graded(wrong + "checks: {broken-link: off, unlabelled-hedge: error}\n") == {
        "unlabelled-hedge": "error"
    }
    # An entry it cannot read is left to the default; a file it cannot parse gives none.
    assert graded(wrong + "checks: {broken-link: of, unlabelled-hedge: error}\n") == {
        "broken-link": "error",
        "unlabelled-hedge": "error",
    }
    assert graded('title: "x\n' + "checks: {broken-link: off}\n") == {"broken-link": "error"}
