"""The JSON Schema of front matter is generated from the model and agrees with the loader."""

from __future__ import annotations

import jsonschema
import yaml

from conftest import REPO
from osce_digest.export import to_data
from osce_digest.frontmatter import parse_yaml
from osce_digest.model import ActorMeta, ReportMeta
from osce_digest.schema import Checker, json_schema

MALTA = REPO / "content" / "reports" / "lavrov-blinken-osce-malta-2024.md"


def front_matter() -> dict[str, object]:
    text = MALTA.read_text("utf-8")
    data = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    assert isinstance(data, dict)
    return to_data(data)  # dates as ISO strings, as a YAML editor extension sees them


def test_the_published_front_matter_validates_against_the_schema() -> None:
    jsonschema.validate(front_matter(), json_schema(ReportMeta))


def test_the_schema_rejects_an_unknown_key_and_a_missing_required_one() -> None:
    schema = json_schema(ReportMeta)
    data = front_matter()
    data["sumary"] = "typo"
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert any("sumary" in e.message for e in errors)
    del data["sumary"]
    del data["encounter"]
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert any("'encounter' is a required property" in e.message for e in errors)


def test_required_fields_in_the_schema_are_the_ones_without_defaults() -> None:
    schema = json_schema(ReportMeta)
    assert schema["required"] == ["title", "date", "encounter"]
    assert schema["properties"]["encounter"]["required"] == ["id", "name", "start"]


def test_a_bare_no_where_text_belongs_says_to_quote_it() -> None:
    # YAML 1.1 reads NO (Norway) as false.
    text = "- key: norway\n  name: Norway\n  kind: state\n  country: NO\n"
    doc, problems = parse_yaml(text, "content/actors.yaml")
    assert doc is not None
    assert problems == []
    checker = Checker(doc, "content/actors.yaml")
    assert checker.build(ActorMeta, doc.data[0], (0,)) is None
    [found] = checker.diagnostics
    assert (found.line, found.col, found.rule) == (4, 12, "wrong-type")
    assert "put the value in quotes" in found.hint
