"""Bad input gets a clear error, and a failed build loses nothing (DESIGN.md sections 6, 7).

One tiny site per invalid input, after Zola's ``components/site/tests/invalid.rs``. Each folder
``tests/sites_invalid/<case>/`` is a complete project (``content/site.yaml``, ``topics.yaml``,
``actors.yaml``, ``venues.yaml``, ``reports/*.md``) that is valid except for the one mistake
its name describes (``several-problems`` has three). Its ``expected.txt`` says what digest must
print, for example::

    content/reports/council.md:12:33: error: unknown actor 'boris-smaple' [unknown-actor]
    hint: did you mean 'boris-sample'?; actors are defined in content/actors.yaml

- A line ``path:line:col: severity: message [rule]`` is one diagnostic exactly as ``digest
  check`` prints it, without the leading ``  N. `` number; a problem with the whole file has no
  ``:line:col``. The lines are in the order digest prints them (by file, then position), and
  digest must print these diagnostics and no others.
- A line starting with ``hint: `` is the hint of the diagnostic above it (printed under it as
  ``= hint: ...``). A diagnostic with no hint line may have any hint or none.
- Blank lines are ignored.

Positions are in the file's own numbering (a YAML error on line 16 of a report is line 16, not
line 15 of the front matter) and point at the mistake itself.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import MakeProject
from osce_digest.cli import main
from osce_digest.write import MARKER, MARKER_TEXT

CASES = Path(__file__).parent / "sites_invalid"
CASE_NAMES = sorted(path.name for path in CASES.iterdir() if path.is_dir())

PREVIOUS_INDEX = b"<!doctype html><title>The previous site</title><p>Still here.\n"
"""The home page of the site a failed build must leave alone."""

_NUMBERED = re.compile(r"^ +\d+\. (?P<line>.+)$")
_HINT = re.compile(r"^ += hint: (?P<hint>.*)$")


@dataclass(frozen=True)
class Expected:
    """One diagnostic as digest prints it, with its hint when expected.txt gives one."""

    line: str
    """``path:line:col: severity: message [rule]``."""
    hint: str | None = None
    """The hint, or None when it is not checked."""


def read_expected(case: str) -> list[Expected]:
    """The diagnostics expected.txt lists for a case."""
    expected: list[Expected] = []
    for number, text in enumerate((CASES / case / "expected.txt").read_text("utf-8").split("\n")):
        if not text.strip():
            continue
        if text.startswith("hint: "):
            assert expected, f"{case}/expected.txt:{number + 1}: a hint needs a diagnostic above it"
            expected[-1] = Expected(expected[-1].line, text.removeprefix("hint: "))
        else:
            expected.append(Expected(text))
    assert expected, f"{case}/expected.txt lists no diagnostic"
    return expected


def printed_diagnostics(output: str) -> list[Expected]:
    """The numbered errors in ``console.format_text`` output, with their hints.

    Editorial warnings (missing sections, unsourced claims, ...) are left out: these cases
    are about input the loader refuses; the editorial rules have tests of their own.
    """
    printed: list[Expected] = []
    keep = False
    for text in output.split("\n"):
        if numbered := _NUMBERED.match(text):
            keep = ": error: " in numbered["line"]
            if keep:
                printed.append(Expected(numbered["line"]))
        elif (hint := _HINT.match(text)) and printed and keep:
            printed[-1] = Expected(printed[-1].line, hint["hint"])
    return printed


def assert_reports_exactly(output: str, case: str) -> None:
    """The output holds the expected diagnostics, in order, with their hints, and no others."""
    assert "Traceback" not in output
    expected = read_expected(case)
    printed = printed_diagnostics(output)
    assert [d.line for d in printed] == [d.line for d in expected], output
    for want, got in zip(expected, printed, strict=True):
        if want.hint is not None:
            assert got.hint == want.hint, f"hint of {want.line}"


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under ``folder``, by relative path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() if path.is_file() else None
        for path in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize("case", CASE_NAMES)
def test_check_reports_exactly_the_expected_diagnostics(
    case: str, make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(CASES / case)

    code = main(["check", "--root", str(project)])

    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert_reports_exactly(out, case)
    assert code == 1


@pytest.mark.parametrize("case", CASE_NAMES)
def test_failed_build_reports_the_same_and_leaves_the_previous_site_untouched(
    case: str, make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(CASES / case)
    site = project / "site"
    site.mkdir()
    (site / MARKER).write_bytes(MARKER_TEXT)
    (site / "index.html").write_bytes(PREVIOUS_INDEX)
    (site / "reports" / "old").mkdir(parents=True)
    (site / "reports" / "old" / "index.html").write_bytes(b"<p>An older report.\n")
    site_before = tree(site)
    project_before = sorted(path.name for path in project.iterdir())

    code = main(["build", "--root", str(project)])

    out, err = capsys.readouterr()
    assert tree(site) == site_before
    # The parse cache may appear; a staging folder must not.
    after = sorted(p.name for p in project.iterdir() if p.name != ".osce-digest-cache")
    assert after == project_before, "staging left over"
    assert "Traceback" not in out
    assert_reports_exactly(err, case)
    assert code == 1


def test_an_alias_bomb_is_refused_quickly(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(CASES / "yaml-alias-bomb")

    started = time.perf_counter()
    code = main(["check", "--root", str(project)])
    seconds = time.perf_counter() - started

    assert code == 1
    assert "[yaml-too-large]" in capsys.readouterr().out
    assert seconds < 2, f"took {seconds:.1f} s: the aliases were expanded"
