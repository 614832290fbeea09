"""Schema: check YAML data against the ``*Meta`` dataclasses and build them.

The dataclasses in ``model.py`` are the schema. This module walks their type hints to
validate editor input (unknown keys with "did you mean", wrong types, missing fields,
dates that are not dates) and to generate the JSON Schema editors point their YAML
extension at, so the two can never disagree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from typing import Any, TypeVar

from osce_digest.diagnostics import Diagnostic, did_you_mean, error
from osce_digest.frontmatter import Path_, YamlDoc

T = TypeVar("T")

_NAMES = {str: "text", int: "a whole number", bool: "true or false", dt.date: "a date (YYYY-MM-DD)"}
_OPEN_KEYS = ("extra",)
"""Fields that hold free-form editor data and are not checked."""


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _path_text(path: Path_, names: dict[Path_, str]) -> str:
    """How a path reads in a message: "encounter.place", "roles[0] of the entry 'x'"."""
    cut = next((n for n in range(len(path), -1, -1) if path[:n] in names), 0)
    named, rest = names.get(path[:cut], ""), path[cut:]
    dotted = ""
    for part in rest:
        dotted += f"[{part}]" if isinstance(part, int) else (f".{part}" if dotted else str(part))
    if not dotted:
        return named or "the document"
    return f"{dotted} of {named}" if named and cut else dotted


def _hints(cls: Any) -> dict[str, Any]:
    """The resolved field types of a contract class."""
    return _resolved_hints(cls)


# Resolving type hints is slow and pure, and every report asks for the same few classes.
_resolved_hints = functools.cache(typing.get_type_hints)


class Checker:
    """Validates one YAML document; collects diagnostics."""

    def __init__(self, doc: YamlDoc, file: str, names: dict[Path_, str] | None = None) -> None:
        self.doc = doc
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        self.names: dict[Path_, str] = dict(names or {})
        """Display names of paths, e.g. {(): "the front matter"}."""

    def where(self, path: Path_) -> str:
        """The path as a message names it."""
        return _path_text(path, self.names)

    def fail(
        self, path: Path_, rule: str, message: str, hint: str = "", *, key: bool = False
    ) -> None:
        line, col = self.doc.where(path, key=key)
        self.diagnostics.append(error(self.file, line, col, rule, message, hint))

    def build(self, cls: type[T], data: Any, path: Path_) -> T | None:
        """Validate ``data`` as ``cls``; None when it cannot be built."""
        if not isinstance(data, dict):
            self.fail(
                path,
                "wrong-type",
                f"{self.where(path)} must be a mapping of keys to values, not {_describe(data)}",
            )
            return None
        hints = _hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        ok = True
        for key in data:
            if key not in fields:
                self.fail(
                    (*path, key),
                    "unknown-key",
                    f"unknown key '{key}' in {self.where(path)}",
                    f"{did_you_mean(key, fields)}; custom data goes under 'extra:'"
                    if "extra" in fields
                    else did_you_mean(key, fields),
                    key=True,
                )
        values: dict[str, Any] = {}
        for name, spec in fields.items():
            required = (
                spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
            )
            if name not in data:
                if required:
                    self.fail(
                        path,
                        "missing-key",
                        f"{self.where(path)} has no '{name}'",
                        f"add '{name}:' ({self.expected(hints[name])})",
                    )
                    ok = False
                continue
            good, value = self.value(hints[name], data[name], (*path, name))
            ok = ok and good
            values[name] = value
        return cls(**values) if ok else None

    def expected(self, hint: Any) -> str:
        """Words for what a type hint accepts."""
        origin = typing.get_origin(hint)
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if origin in (types.UnionType, typing.Union):
            return " or ".join(self.expected(a) for a in args)
        if origin is tuple:
            return f"a list of {self.expected(args[0])}"
        if origin is dict:
            return "a mapping"
        if dataclasses.is_dataclass(hint):
            return "a mapping"
        return _NAMES.get(hint, getattr(hint, "__name__", str(hint)))

    def value(self, hint: Any, data: Any, path: Path_) -> tuple[bool, Any]:
        """Validate one value; returns (ok, converted)."""
        if path in self.doc.invalid:
            return False, None  # the YAML reader has already said what is wrong
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (types.UnionType, typing.Union):
            if data is None and type(None) in args:
                return True, None
            (inner,) = [a for a in args if a is not type(None)]
            return self.value(inner, data, path)
        if origin is tuple:
            if not isinstance(data, list):
                self.fail(
                    path,
                    "wrong-type",
                    f"{self.where(path)} must be {self.expected(hint)}, not {_describe(data)}",
                    "write a list as [a, b] or one '- item' per line",
                )
                return False, None
            results = [self.value(args[0], v, (*path, i)) for i, v in enumerate(data)]
            return all(ok for ok, _ in results), tuple(v for _, v in results)
        if origin is dict:
            return self.mapping(args[1], data, path)
        if dataclasses.is_dataclass(hint):
            built = self.build(typing.cast(type[Any], hint), data, path)
            return built is not None, built
        return self.scalar(hint, data, path)

    def mapping(self, value_hint: Any, data: Any, path: Path_) -> tuple[bool, Any]:
        if not isinstance(data, dict):
            self.fail(
                path, "wrong-type", f"{self.where(path)} must be a mapping, not {_describe(data)}"
            )
            return False, None
        if value_hint is Any or path[-1:] == _OPEN_KEYS:
            return True, data
        results = {k: self.value(value_hint, v, (*path, k)) for k, v in data.items()}
        return all(ok for ok, _ in results.values()), {k: v for k, (_, v) in results.items()}

    def scalar(self, hint: Any, data: Any, path: Path_) -> tuple[bool, Any]:
        if hint is dt.date:
            if isinstance(data, dt.datetime):
                return True, data.date()
            if isinstance(data, dt.date):
                return True, data
            if isinstance(data, str):
                try:
                    return True, dt.date.fromisoformat(data)
                except ValueError:
                    pass
            if data is None:
                self.fail(path, "wrong-type", f"{self.where(path)} needs a date (YYYY-MM-DD)")
            else:
                self.fail(
                    path,
                    "invalid-date",
                    f"{self.where(path)} is not a date: {data!r}",
                    "write YYYY-MM-DD",
                )
            return False, None
        if hint is bool and isinstance(data, bool):
            return True, data
        if hint is int and isinstance(data, int) and not isinstance(data, bool):
            return True, data
        if hint is str and isinstance(data, str):
            return True, data
        if hint is str and isinstance(data, int | float | dt.date) and not isinstance(data, bool):
            hint_text = f'put it in quotes: "{data}"'
        elif hint is str and isinstance(data, bool):  # country: NO is Norway, to an editor
            hint_text = (
                "YAML reads a bare yes, no, on, off, true or false as true/false: put the "
                'value in quotes, e.g. "NO"'
            )
        else:
            hint_text = ""
        self.fail(
            path,
            "wrong-type",
            f"{self.where(path)} must be {self.expected(hint)}, not {_describe(data)}",
            hint_text,
        )
        return False, None


def json_schema(cls: type[Any], title: str = "") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a ``*Meta`` dataclass."""
    schema = _schema_of(cls)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    if title:
        schema["title"] = title
    return schema


def _schema_of(hint: Any) -> dict[str, Any]:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        options = [_schema_of(a) for a in args if a is not type(None)]
        base = options[0] if len(options) == 1 else {"anyOf": options}
        return {"anyOf": [base, {"type": "null"}]} if type(None) in args else base
    if origin is tuple:
        return {"type": "array", "items": _schema_of(args[0])}
    if origin is dict:
        if args[1] is Any:
            return {"type": "object"}
        return {"type": "object", "additionalProperties": _schema_of(args[1])}
    if dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        props: dict[str, Any] = {}
        required = []
        for f in dataclasses.fields(hint):
            props[f.name] = _schema_of(hints[f.name])
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                required.append(f.name)
        out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
        if hint.__doc__:
            out["description"] = hint.__doc__.strip()
        if required:
            out["required"] = required
        return out
    simple = {
        str: {"type": "string"},
        int: {"type": "integer"},
        bool: {"type": "boolean"},
        dt.date: {"type": "string", "format": "date"},
    }
    return dict(simple.get(hint, {}))
