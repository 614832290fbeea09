"""A tiny project on disk, for tests that run one report body through the real loader.

``write_project(root, body)`` writes content/ with a site, a few topics, two states and two
people, one venue, and one report whose front matter is fixed (``FRONT_MATTER``) and whose
body is ``body``. The front matter takes the file's first ``FRONT_MATTER_LINES`` lines, so
line 1 of the body is line ``BODY_FIRST_LINE`` of the file.
"""

from __future__ import annotations

from pathlib import Path

SITE_YAML = """\
title: Fixture Digest
authors:
  desk: {name: Fixture desk}
"""

TOPICS_YAML = """\
- key: ukraine
  label: Ukraine
  aliases: [Ukrainian, Kyiv]
- key: arms-control
  label: Arms control
  aliases: [arms control, New START]
- key: osce
  label: OSCE
  aliases: [Organization for Security and Co-operation in Europe]
"""

ACTORS_YAML = """\
- key: united-states
  name: United States
  kind: state
  country: US
  aliases: [U.S., Washington]
- key: russia
  name: Russia
  kind: state
  country: RU
  aliases: [Russian Federation, Moscow]
- key: antony-blinken
  name: Antony Blinken
  kind: person
  country: US
  aliases: [Blinken]
- key: sergey-lavrov
  name: Sergey Lavrov
  kind: person
  country: RU
  aliases: [Lavrov]
"""

VENUES_YAML = """\
- key: fixture-council
  name: Fixture Council
  series: Fixture Council
"""

FRONT_MATTER = """\
---
title: Fixture report
date: 2024-12-06
encounter:
  id: fixture-2024
  name: Fixture Council 2024
  start: 2024-12-05
  venue: fixture-council
  participants: [antony-blinken, sergey-lavrov]
sources:
  - {id: transcript-1, title: Remarks at the Fixture Council}
  - {id: wire-1, title: Ministers trade barbs}
---
"""

FRONT_MATTER_LINES = FRONT_MATTER.count("\n")
"""Lines the front matter takes, closing fence included (13)."""

BODY_FIRST_LINE = FRONT_MATTER_LINES + 1
"""The file line of the body's first line (14)."""

REPORT = "content/reports/fixture.md"
"""Where the report is written, relative to the project root."""


def write_vocabularies(root: Path) -> None:
    """content/site.yaml, topics.yaml, actors.yaml and venues.yaml."""
    content = root / "content"
    (content / "reports").mkdir(parents=True, exist_ok=True)
    (content / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    (content / "topics.yaml").write_text(TOPICS_YAML, encoding="utf-8")
    (content / "actors.yaml").write_text(ACTORS_YAML, encoding="utf-8")
    (content / "venues.yaml").write_text(VENUES_YAML, encoding="utf-8")


def write_report(root: Path, body: str) -> Path:
    """The report file with the fixed front matter and ``body``; returns its path."""
    path = root / REPORT
    path.write_bytes((FRONT_MATTER + body).encode("utf-8"))
    return path


def write_project(root: Path, body: str) -> Path:
    """A whole tiny project at ``root`` whose one report has ``body``; returns ``root``."""
    write_vocabularies(root)
    write_report(root, body)
    return root
