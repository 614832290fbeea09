"""The README is a contract: its commands are right and its example report builds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import REPO
from osce_digest.cli import main
from osce_digest.load import load_site

README = (REPO / "README.md").read_text("utf-8")

VOCABULARY_FOR_THE_EXAMPLE = {
    "actors.yaml": """
- key: wang-yi
  name: Wang Yi
  kind: person
  country: CN
  roles: [{title: Minister of Foreign Affairs, start: 2023-07-25}]
- key: china
  name: China
  kind: state
  country: CN
  aliases: [Beijing]
""",
    "venues.yaml": """
- key: apec-ministerial
  name: APEC Ministerial Meeting
  series: APEC
""",
    "topics.yaml": """
- key: counter-narcotics
  label: Counter-narcotics
  aliases: [fentanyl, precursor chemicals]
- key: taiwan
  label: Taiwan
  aliases: [Taiwan]
""",
}


def test_the_readme_opens_with_the_two_commands_a_newcomer_runs() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["pip install -e . && digest build", "pip install -e '.[test]' && pytest"]
    assert README.index("```sh") < README.index("## ")


def test_the_example_report_in_the_readme_builds_as_a_second_report(tmp_path: Path) -> None:
    section = README[README.index("## Writing a report") :]
    example = re.search(r"```markdown\n(.*?)```", section, re.S)
    assert example is not None
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    shutil.copytree(REPO / "templates", project / "templates")
    for name, entries in VOCABULARY_FOR_THE_EXAMPLE.items():
        with (project / "content" / name).open("a", encoding="utf-8") as vocabulary:
            vocabulary.write(entries)
    (project / "content" / "reports" / "blinken-wang-apec-2024.md").write_text(
        example.group(1), "utf-8"
    )
    loaded = load_site(project)
    assert [d for d in loaded.diagnostics if d.severity == "error"] == []
    assert loaded.site is not None
    report = next(r for r in loaded.reports() if r.slug == "blinken-wang-apec-2024")
    statuses = [c.evidence.value for c in report.claims]
    assert statuses == [
        "confirmed",
        "reported",
        "confirmed",
        "assessed",
        "speculative",
        "assessed",
    ]
    disagreement = next(s for s in report.sections if s.kind == "disagreements")
    parties = [p.party_key for p in disagreement.items[0].positions]
    assert parties == ["united-states", "china"]
    assert main(["build", "--root", str(project)]) == 0
    assert (project / "site" / "reports" / "blinken-wang-apec-2024" / "index.html").is_file()
