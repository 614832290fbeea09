"""Export: the section model as JSON-ready data.

One mapping from the model to plain dicts, used by the JSON API and by the tests that
compare parsed reports with expected models, and its inverse, :func:`from_data`, which
rebuilds the frozen dataclasses from that data by their type hints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from collections.abc import Hashable
from enum import Enum
from typing import Any, TypeVar, cast

from osce_digest.model import Block, Claim, Item, Report, Section

T = TypeVar("T")


_PLAIN = (str, int, float, bool)


def to_data(value: Any) -> Any:
    """Dataclasses, enums, dates, tuples and dicts as JSON-ready data."""
    if value is None or type(value) in _PLAIN:  # most values: settle them first
        return value
    if isinstance(value, list | tuple):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, Enum | dt.date) or _field_names(cast(Hashable, type(value))):
        return to_data(one_level(value))
    return value


def one_level(value: Any) -> Any:
    """What :func:`to_data` makes of a dataclass, enum or date, one level deep, for
    ``json.dumps(default=...)``: the C encoder converts lists, tuples, dicts and strings
    itself and calls back only for these, where ``to_data`` makes a call for every value.
    """
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    names = _field_names(cast(Hashable, type(value)))
    if names is None:
        raise TypeError(f"{type(value).__name__} is not part of the model")
    return {name: getattr(value, name) for name in names}


@functools.cache
def _field_names(cls: Hashable) -> tuple[str, ...] | None:
    """The field names of a dataclass, None for another type (pure, so memoised)."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(f.name for f in dataclasses.fields(cls))


def from_data(cls: type[T], data: Any) -> T:
    """Rebuild a model dataclass from :func:`to_data` output; raises ValueError on a mismatch."""
    return typing.cast(T, _value(cls, data, cls.__name__))


def _value(hint: Any, data: Any, where: str) -> Any:
    """Convert ``data`` to the type ``hint`` describes; ``where`` names it in errors."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any:
        return data
    if origin in (types.UnionType, typing.Union):
        return _union(args, data, where)
    if origin is tuple:
        items = _expect(data, list, where)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_value(args[0], v, f"{where}[{i}]") for i, v in enumerate(items))
        if len(items) != len(args):
            raise ValueError(f"{where}: expected {len(args)} items, got {len(items)}")
        return tuple(
            _value(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, items, strict=True))
        )
    if origin is dict:
        mapping = _expect(data, dict, where)
        return {
            _value(args[0], k, f"{where} key"): _value(args[1], v, f"{where}[{k!r}]")
            for k, v in mapping.items()
        }
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass(hint, data, where)
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(data)
        except ValueError:
            raise ValueError(f"{where}: {data!r} is not a valid {hint.__name__}") from None
    if hint is dt.date:
        try:
            return dt.date.fromisoformat(_expect(data, str, where))
        except ValueError:
            raise ValueError(f"{where}: {data!r} is not a date (YYYY-MM-DD)") from None
    return _scalar(hint, data, where)


def _union(args: tuple[Any, ...], data: Any, where: str) -> Any:
    if data is None and type(None) in args:
        return None
    problems = []
    for arg in (a for a in args if a is not type(None)):
        try:
            return _value(arg, data, where)
        except ValueError as problem:
            problems.append(str(problem))
    raise ValueError("; ".join(problems) or f"{where}: {data!r} is not None")


def _dataclass(cls: type[Any], data: Any, where: str) -> Any:
    mapping = _expect(data, dict, where)
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(mapping) - names)
    if unknown:
        raise ValueError(f"{where}: unknown keys {', '.join(map(repr, unknown))}")
    values = {k: _value(hints[k], v, f"{where}.{k}") for k, v in mapping.items()}
    try:
        return cls(**values)
    except TypeError as problem:  # a required field is missing
        raise ValueError(f"{where}: {problem}") from None


def _scalar(hint: Any, data: Any, where: str) -> Any:
    if hint is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if hint is int and isinstance(data, bool):
        raise ValueError(f"{where}: expected int, got bool")
    if isinstance(hint, type) and isinstance(data, hint):
        return data
    raise ValueError(f"{where}: expected {getattr(hint, '__name__', hint)}, got {data!r}")


def _expect(data: Any, kind: type[T], where: str) -> T:
    if not isinstance(data, kind):
        raise ValueError(f"{where}: expected {kind.__name__}, got {type(data).__name__}")
    return data


def claim_data(claim: Claim) -> dict[str, Any]:
    """A claim without its HTML."""
    data: dict[str, Any] = {
        "text": claim.text,
        "line": claim.line,
        "evidence": claim.evidence.value,
    }
    if claim.topics:
        data["topics"] = list(claim.topics)
    if claim.sources:
        data["sources"] = list(claim.sources)
    if claim.term is not None:
        data["term"] = claim.term.term
        data["band"] = claim.term.band
        data["probability"] = [claim.term.low, claim.term.high]
    if claim.hedges:
        data["hedges"] = list(claim.hedges)
    if claim.attribution:
        data["attribution"] = claim.attribution
    if claim.confidence:
        data["confidence"] = claim.confidence
    return data


def block_data(block: Block) -> dict[str, Any]:
    """A block's claims (and party, for a position)."""
    data: dict[str, Any] = {"line": block.line, "claims": [claim_data(c) for c in block.claims]}
    if block.party is not None:
        data["party"] = block.party
        data["party_key"] = block.party_key
    return data


def item_data(item: Item) -> dict[str, Any]:
    """An item of a section."""
    data: dict[str, Any] = {
        "title": item.title,
        "anchor": item.anchor,
        "line": item.line,
        "topics": list(item.topics),
        "evidence": item.evidence.value if item.evidence else None,
        "blocks": [block_data(b) for b in item.blocks],
    }
    if item.sources:
        data["sources"] = list(item.sources)
    return data


def section_data(section: Section) -> dict[str, Any]:
    """A section with its items."""
    return {
        "kind": section.kind,
        "title": section.title,
        "anchor": section.anchor,
        "line": section.line,
        "blocks": [block_data(b) for b in section.blocks],
        "items": [item_data(i) for i in section.items],
    }


def report_data(report: Report) -> dict[str, Any]:
    """The whole report: front matter, lede, sections, sources."""
    return {
        "slug": report.slug,
        "meta": to_data(report.meta),
        "lede": [block_data(b) for b in report.lede],
        "sections": [section_data(s) for s in report.sections],
        "sources": [to_data(s) for s in report.sources],
        "cited": list(report.cited),
    }
