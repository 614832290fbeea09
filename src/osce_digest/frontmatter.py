"""Front matter and YAML: split a report into YAML and body, parse YAML keeping positions.

The only module (with ``config.py``) that imports PyYAML. YAML is composed into nodes
(with the C parser when PyYAML has it) and converted here, so that every value and every
key keeps its line and column in the *file's* numbering, duplicate keys are caught, and
an alias bomb is refused instead of expanded.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from osce_digest.diagnostics import Diagnostic, error

try:
    _Loader: type[Any] = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_NODES = 50_000
"""More YAML nodes than this (after alias expansion) is refused: no front matter needs it."""
MAX_DEPTH = 64
"""Deeper nesting than this is refused before it can exhaust the stack."""

_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
_FENCE = re.compile(r"---[ \t]*")
_CLOSE = re.compile(r"(---|\.\.\.)[ \t]*")

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """Parsed YAML with the position of every value and key."""

    data: Any
    """Plain Python data: dict, list, str, int, float, bool, None, date."""
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    """(line, col) of each value by its path, 1-based in the file's numbering."""
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    """(line, col) of each mapping key by the path of its value."""
    invalid: frozenset[Path_] = frozenset()
    """Paths of values that could not be read (already reported)."""

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """The position of a path, falling back to its nearest located parent."""
        table = self.keys if key else self.values
        probe = path
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))


@dataclass(frozen=True, slots=True)
class Split:
    """A report file split into front matter and body."""

    yaml_text: str
    """The YAML between the fences."""
    yaml_line: int
    """1-based file line of the first YAML line."""
    body: str
    """The markdown after the closing fence."""
    body_line: int
    """1-based file line of the first body line."""


def split_front_matter(text: str, file: str) -> tuple[Split | None, list[Diagnostic]]:
    """Split ``---`` fenced YAML from the markdown body."""
    if not text.strip():
        return None, [
            error(
                file,
                1,
                1,
                "empty-file",
                "the file is empty",
                "a report starts with '---', its front matter (title, date, encounter), "
                "'---', then the text; see README.md",
            )
        ]
    lines = text.split("\n")
    if not _FENCE.fullmatch(lines[0].rstrip("\r")):
        return None, [
            error(
                file,
                1,
                1,
                "missing-front-matter",
                "no front matter: the file does not start with a '---' line",
                "put '---' on the first line, then title, date and encounter, then '---'",
            )
        ]
    for index in range(1, len(lines)):
        if _CLOSE.fullmatch(lines[index].rstrip("\r")):
            return Split(
                yaml_text="\n".join(lines[1:index]),
                yaml_line=2,
                body="\n".join(lines[index + 1 :]),
                body_line=index + 2,
            ), []
    return None, [
        error(
            file,
            1,
            1,
            "unclosed-front-matter",
            "the front matter opened on line 1 is never closed",
            "end the front matter with a line holding only '---'",
        )
    ]


def parse_yaml(
    text: str, file: str, first_line: int = 1
) -> tuple[YamlDoc | None, list[Diagnostic]]:
    """Parse one YAML document; positions are shifted to start at ``first_line``."""
    offset = first_line - 1
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_error(exc, text, file, offset)]
    except yaml.YAMLError as exc:
        return None, [error(file, first_line, 1, "yaml-syntax", f"YAML error: {exc}")]
    except RecursionError:  # PyYAML's pure-Python parser on very deep nesting
        return None, [
            error(
                file,
                first_line,
                1,
                "yaml-too-deep",
                f"YAML nested more than {MAX_DEPTH} levels deep",
            )
        ]
    if root is None:
        return YamlDoc(data=None), []
    converter = _Converter(file, _Positions(text, offset))
    data = converter.convert(root, ())
    doc = YamlDoc(data, converter.values, converter.keys, frozenset(converter.invalid))
    return doc, converter.diagnostics


_OTHER_BREAKS = re.compile("[\x85\u2028\u2029]")
"""Characters YAML ends a line at and the build does not (it counts line feeds only)."""


class _Positions:
    """Line and column (1-based, in the file's numbering) of a YAML mark. PyYAML and
    libyaml also start a line at U+0085, U+2028 and U+2029, pasted in from a web page or
    a word processor; then the position is counted again from the mark's character index."""

    def __init__(self, text: str, offset: int) -> None:
        self.offset = offset
        self.starts: list[int] | None = None
        if _OTHER_BREAKS.search(text):
            self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def of(self, mark: Any) -> tuple[int, int]:
        if self.starts is None:
            return mark.line + 1 + self.offset, mark.column + 1
        line = bisect.bisect_right(self.starts, mark.index) - 1
        return line + 1 + self.offset, mark.index - self.starts[line] + 1


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, file: str, offset: int) -> Diagnostic:
    """A YAML syntax error in the file's numbering, in words an editor can act on."""
    positions = _Positions(text, offset)
    mark = exc.problem_mark or exc.context_mark
    line, col = positions.of(mark) if mark else (offset + 1, 1)
    problem = exc.problem or "invalid YAML"
    context = exc.context or ""
    start = exc.context_mark
    hint = "check indentation, colons and quotes; quote values that contain ': ' or '#'"
    if "quoted scalar" in context and "end of stream" in problem and start is not None:
        return error(
            file,
            *positions.of(start),
            "yaml-syntax",
            "YAML syntax error: the quoted value is never closed",
            "add the closing quote",
        )
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        return error(
            file,
            line,
            col,
            "yaml-syntax",
            "YAML syntax error: a tab character cannot indent YAML; use spaces",
            hint,
        )
    if context and start is not None and positions.of(start)[0] != line:
        context += f" that starts on line {positions.of(start)[0]}"
    context = f" ({context})" if context else ""
    return error(file, line, col, "yaml-syntax", f"YAML syntax error: {problem}{context}", hint)


class _Converter:
    """Turns composed YAML nodes into plain data, recording positions."""

    def __init__(self, file: str, positions: _Positions) -> None:
        self.file = file
        self.positions = positions
        self.values: dict[Path_, tuple[int, int]] = {}
        self.keys: dict[Path_, tuple[int, int]] = {}
        self.diagnostics: list[Diagnostic] = []
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()
        self.invalid: set[Path_] = set()
        self.stack: list[tuple[Path_, bool]] = []  # (path, first visit of its node)
        self.seen: set[int] = set()

    def _pos(self, node: yaml.Node) -> tuple[int, int]:
        return self.positions.of(node.start_mark)

    def convert(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            if self.count == MAX_NODES + 1:
                # Alias expansions point at where the anchor was written; blame the deepest
                # place on the current path that was written out, where the expansion began.
                first = [p for p, fresh in self.stack if fresh]
                line, col = (
                    self.values.get(first[-1], self._pos(node)) if first else self._pos(node)
                )
                self._fail(
                    line,
                    col,
                    "yaml-too-large",
                    f"more than {MAX_NODES} YAML values (an alias bomb?)",
                    "remove the repeated '*alias' references",
                )
            return None
        if len(path) > MAX_DEPTH:
            line, col = self._pos(node)
            self._fail(line, col, "yaml-too-deep", f"YAML nested more than {MAX_DEPTH} levels deep")
            self.count = MAX_NODES + 2  # stop converting the rest quietly
            return None
        fresh = id(node) not in self.seen
        self.seen.add(id(node))
        if fresh or path not in self.values:
            self.values[path] = self._pos(node)
        self.stack.append((path, fresh))
        try:
            if not isinstance(node, yaml.ScalarNode) and node.tag not in _COLLECTION_TAGS:
                line, col = self._pos(node)
                self.invalid.add(path)
                self._fail(
                    line,
                    col,
                    "yaml-tag",
                    f"the YAML tag {node.tag} is not allowed",
                    "remove the tag; front matter holds plain data",
                )
                return None
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                return [self.convert(child, (*path, i)) for i, child in enumerate(node.value)]
            return self._scalar(node, path)
        finally:
            self.stack.pop()

    def _fail(self, line: int, col: int, rule: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(error(self.file, line, col, rule, message, hint))

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line, col = self._pos(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.diagnostics.append(
                    error(self.file, line, col, "yaml-key", "a mapping key must be a plain word")
                )
                continue
            key = str(key_node.value)
            if key in result:
                first = self.keys[(*path, key)][0]
                self.diagnostics.append(
                    error(
                        self.file,
                        line,
                        col,
                        "duplicate-key",
                        f"'{key}' is given twice (first on line {first})",
                        "keep one of them",
                    )
                )
                continue
            self.keys[(*path, key)] = (line, col)
            alias = id(value_node) in self.seen
            result[key] = self.convert(value_node, (*path, key))
            if alias:  # "end: *start": the value is here, not where the anchor is
                self.values[(*path, key)] = (line, col)
        return result

    def _scalar(self, node: yaml.Node, path: Path_) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ValueError, KeyError, IndexError, AttributeError, yaml.YAMLError) as exc:
            # PyYAML's constructors raise all of these on odd explicit tags ("!!int ''").
            line, col = self._pos(node)
            self.invalid.add(path)
            looks_like_date = node.tag == "tag:yaml.org,2002:timestamp"
            rule = "invalid-date" if looks_like_date else "yaml-value"
            hint = "write dates as YYYY-MM-DD" if looks_like_date else ""
            if looks_like_date:
                what = "not a valid date"
            elif isinstance(exc, yaml.MarkedYAMLError):  # its own text names a position
                what = f"not a valid value: {exc.problem or exc.context or 'invalid YAML'}"
                if "constructor for the tag" in (exc.problem or ""):
                    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
                    what = f"tagged {tag}, which is not a tag of plain data"
                    hint = "remove the tag, or quote the value if the ! is part of it"
            else:
                what = f"not a valid value ({exc})"
            self.diagnostics.append(
                error(self.file, line, col, rule, f"'{node.value}' is {what}", hint)
            )
            return None
