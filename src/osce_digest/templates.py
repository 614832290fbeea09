"""Templates: compile the site's Jinja templates and render pages.

The only module that imports Jinja. Autoescape is on, undefined names are errors, and
every template is compiled before the first page renders, so a typo in any template fails
the build with its file and line instead of rendering blank.
"""

from __future__ import annotations

import datetime as dt
import json
import linecache
import re
import traceback
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from osce_digest.cache import Cache, digest_of, generator_fingerprint
from osce_digest.diagnostics import Diagnostic, close_guess, error
from osce_digest.discover import files_under, not_utf8
from osce_digest.pages import Page


class TemplateFailure(Exception):
    """A template could not be compiled or rendered; carries the diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic)  # the only argument, so it survives pickling from a worker
        self.diagnostic = diagnostic


class _Undefined(jinja2.StrictUndefined):
    """Strict undefined values whose error names the object's type briefly and, for a
    missing attribute or key, the closest one it has (``title`` for ``titel``)."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        owner, name = self._undefined_obj, self._undefined_name
        if self._undefined_hint or owner is jinja2.utils.missing:
            return str(super()._undefined_message)
        # Any mapping is a dict to a template (the directory's tables are read-only ones).
        shown = "dict" if isinstance(owner, Mapping) else type(owner).__name__
        if not isinstance(name, str):
            return f"{shown} has no element {name!r}"
        kind = "key" if isinstance(owner, Mapping) else "attribute"
        message = f"{shown} has no {kind} {name!r}"
        guess = close_guess(name, _names(owner))
        return f"{message}; {guess}" if guess else message


def _names(owner: object) -> list[str]:
    """The names a template can look up on ``owner``: a mapping's string keys, else its
    public attributes."""
    if isinstance(owner, Mapping):
        return [key for key in owner if isinstance(key, str)]
    return [name for name in dir(owner) if not name.startswith("_")]


class TemplateEnvironment(jinja2.Environment):
    """Jinja's environment for one folder of templates, knowing how the diagnostics name
    that folder (see ``shown_folder``)."""

    def __init__(self, folder: Path, label: str, **options: Any) -> None:
        super().__init__(loader=jinja2.FileSystemLoader(folder), **options)
        self.folder = folder
        self.label = label


def shown_folder(folder: Path, root: Path) -> str:
    """How diagnostics name a templates folder: by its path in the project (``templates``),
    or by its absolute path when it is elsewhere (``--templates``)."""
    resolved = folder.resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


class _CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates kept in the signed cache: compiling them is a good part
    of a small rebuild. Jinja checks each entry against the template's source and its own
    version; entries are named by the generator's fingerprint too (the environment's options
    are part of the code), and the cache's signature covers the rest."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.generator = generator_fingerprint()
        self.used: set[str] = set()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        name = self._name(bucket)
        self.used.add(name)
        code = self.cache.get("templates", name)
        if isinstance(code, bytes):
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.cache.put("templates", self._name(bucket), bucket.bytecode_to_string())

    def _name(self, bucket: jinja2.bccache.Bucket) -> str:
        return digest_of(self.generator, bucket.key)


def make_environment(
    folder: Path,
    cache: Cache | None = None,
    *,
    prune: bool = True,
    static: AbstractSet[str] | None = None,
    label: str = "templates",
) -> tuple[TemplateEnvironment | None, list[Diagnostic]]:
    """A strict environment with every template in ``folder`` compiled (with ``cache``,
    compiled once per version of each template, and with ``prune``, the compiled templates
    of other versions removed from it). With ``static``, the names the site will have under
    static/, a template's link to any other is a problem too (see ``missing_static``).
    ``label`` is the folder's name in diagnostics."""
    compiled = _CompiledTemplates(cache) if cache is not None else None
    env = TemplateEnvironment(
        folder,
        label,
        bytecode_cache=compiled,
        autoescape=True,
        undefined=_Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Read once per build: a build checks its templates' digest when it starts, and one
        # environment serves one build. Jinja's default looked at every template's file
        # again on each lookup (28,000 stat calls for 1,000 reports: each include is one).
        auto_reload=False,
    )
    env.globals["range"] = bounded_range
    env.filters["long_date"] = long_date
    env.filters["date_range"] = date_range
    env.filters["json_script"] = json_script
    problems = []
    # Every template, linked folders included (Jinja's own listing leaves those out).
    names = (path.relative_to(folder).as_posix() for path in files_under(folder))
    for name in (n for n in names if n.endswith(".html")):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(
                error(
                    f"{label}/{name}",
                    exc.lineno or 0,
                    syntax_column(env, exc),
                    "template-syntax",
                    "template syntax error: " + _AT.sub(r"\1", exc.message or ""),
                )
            )
        except UnicodeDecodeError as exc:
            data = (folder / name).read_bytes()  # what Jinja decoded (exc.start is into it)
            problems.append(not_utf8(f"{label}/{name}", data, exc))
        except OSError as exc:
            why = f"cannot read the template: {exc.strerror}"
            problems.append(error(f"{label}/{name}", 0, 0, "unreadable", why))
    if static is not None:
        problems += missing_static(folder, static, label)
    if cache is not None and compiled is not None and prune:
        cache.prune("templates", compiled.used)
    return (env if not problems else None), problems


_STATIC_REFERENCE = re.compile(r"\{\{-?\s*root\s*-?\}\}static/([^\"'\s?#{}<>]+)")
"""A template's link to a file of the site's static/ folder: ``{{ root }}static/x.css``."""


def missing_static(
    folder: Path, present: AbstractSet[str], label: str = "templates"
) -> list[Diagnostic]:
    """The templates' links to static files (``{{ root }}static/...``) that the site will
    not have: ``present`` holds the names under static/ it will. Every page would link to
    nothing (a missing style sheet leaves every page unstyled)."""
    problems = []
    for path in files_under(folder):
        if path.suffix != ".html":
            continue
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):  # make_environment says so
            continue
        for match in _STATIC_REFERENCE.finditer(text):
            name = match.group(1)
            if name in present:
                continue
            line = text.count("\n", 0, match.start(1)) + 1
            col = match.start(1) - text.rfind("\n", 0, match.start(1)) - len("static/")
            problems.append(
                error(
                    f"{label}/{path.relative_to(folder).as_posix()}",
                    line,
                    col,
                    "missing-static",
                    f"the template links to static/{name}, and there is no {label}/static/{name}",
                    "restore the file, or remove the link",
                )
            )
    return problems


def render_page(
    env: TemplateEnvironment, page: Page, extra: Mapping[str, Any] | None = None
) -> bytes:
    """Render one page (``extra``: what its context gets only now, see ``Page.report``);
    a template error becomes a :class:`TemplateFailure`.

    So does any other exception the rendering raises: a template can divide by zero, add
    a number to a string or include a file that is not UTF-8, and each is the template's
    to fix (the message names the exception)."""
    context = {**page.context, **extra} if extra else page.context
    try:
        html = env.get_template(page.template).render(context)
    except jinja2.TemplateError as exc:
        why = str(exc)
        if (name := _UNDEFINED.fullmatch(why)) and (
            guess := close_guess(name[1], [*context, *env.globals])
        ):
            why += f"; {guess}"
        raise TemplateFailure(_locate(exc, page, why, env)) from exc
    except Exception as exc:
        why = f"{type(exc).__name__}: {exc}"
        raise TemplateFailure(_locate(exc, page, why, env)) from exc
    return html.encode("utf-8")


MAX_RANGE = 100_000
"""The most items a template's ``range()`` gives (as in Jinja's sandbox): a typo such as
``range(10**9)`` is an error at once, not a build that never ends."""


def bounded_range(*args: int) -> range:
    """``range`` for templates, refusing more than ``MAX_RANGE`` items."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise OverflowError(f"range() of {len(numbers):,} items; at most {MAX_RANGE:,}")
    return numbers


def long_date(value: dt.date) -> str:
    """5 December 2024."""
    return f"{value.day} {value:%B %Y}"


def date_range(start: dt.date, end: dt.date | None) -> str:
    """5–6 December 2024, 30 November – 1 December 2023, or one day."""
    if end is None or end == start:
        return long_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}\u2013{long_date(end)}"
    if start.year == end.year:
        return f"{start.day} {start:%B} \u2013 {long_date(end)}"
    return f"{long_date(start)} \u2013 {long_date(end)}"


def json_script(value: Any) -> Markup:
    """JSON safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _locate(exc: Exception, page: Page, why: str, env: TemplateEnvironment) -> Diagnostic:
    """The template, line and column a render error comes from (Jinja's traceback names
    the template file and line; the column is found from the name the error is about)."""
    name, line, col = page.template, 0, 1
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and frame.filename.endswith(".html"):
            path = Path(frame.filename)
            name = (
                path.relative_to(env.folder).as_posix()
                if path.is_relative_to(env.folder)
                else path.name
            )
            line = frame.lineno or 0
            col = _column(linecache.getline(frame.filename, line), why)
            break
    message = f"rendering {page.output} failed: {why}"
    return error(f"{env.label}/{name}", line, col, "template-error", message)


def syntax_column(env: jinja2.Environment, exc: jinja2.TemplateSyntaxError) -> int:
    """The column of a syntax error on its line (Jinja gives only the line).

    The lexer's errors give the offset into the template. For the parser's, each tag
    (``{{ }}``, ``{% %}``) opened on the line is parsed alone: the first one that fails
    with the same complaint holds the mistake, and the token the message names is looked
    for in it (``unexpected '}'``, ``got 'b'``, ``unknown tag 'endfi'``). A mistake found
    no closer is put at the first tag of the line, or at column 1."""
    source, message = exc.source or "", exc.message or ""
    if (at := _AT.search(message)) and int(at[2]) <= len(source):
        offset = int(at[2])
        return offset - source.rfind("\n", 0, offset)
    lines = source.split("\n")
    line = lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else ""
    if message.startswith("Unexpected end of template"):
        return len(line) + 1 if line.strip() else 1
    complaint = _complaint(message)
    opened = [m.start() for m in _OPENING.finditer(line)]
    for start in opened:
        close = line.find("}}" if line[start + 1] == "{" else "%}", start + 2)
        snippet = line[start : close + 2 if close >= 0 else len(line)]
        try:
            env.parse(snippet)
        except jinja2.TemplateSyntaxError as alone:
            if _complaint(alone.message or "") == complaint:
                return start + _token_offset(snippet, message) + 1
    return opened[0] + 1 if opened else 1


_AT = re.compile(r"^(unexpected char .*) at (\d+)$")
"""A lexer's error, which ends with the offset into the template: the column replaces it."""
_OPENING = re.compile(r"\{[{%]")
_NAMED = re.compile(r"(?:got|unexpected|unknown tag) '([^']+)'")
_DESCRIBED = {"end of print statement": "}}", "end of statement block": "%}"}


def _complaint(message: str) -> str:
    """A syntax error's first sentence: what a tag parsed alone is asked to fail with too
    (Jinja adds which block is still open only when it knows)."""
    return message.split(". ")[0].rstrip(".")


def _token_offset(snippet: str, message: str) -> int:
    """Where in a tag the token a syntax error names is (its start when none is found)."""
    named = _NAMED.findall(message)
    if not named:
        return 0
    token = _DESCRIBED.get(named[-1], named[-1])
    if token.isidentifier():
        found = re.search(rf"\b{re.escape(token)}\b", snippet[2:])
        return found.start() + 2 if found else 0
    where = snippet.find(token, 2)
    return where if where >= 0 else 0


_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_UNDEFINED = re.compile(r"'([A-Za-z_]\w*)' is undefined")
_NO_ATTRIBUTE = re.compile(r"has no (?:attribute|key) '([A-Za-z_]\w*)'")


def _column(line: str, why: str) -> int:
    """Where on its line a render error's undefined name or missing attribute is written,
    inside ``{{ }}`` or ``{% %}``; 1 when the error names none or it is not found there."""
    if found := _UNDEFINED.search(why):
        use = re.compile(rf"(?<![\w.])({found[1]})\b")
    elif found := _NO_ATTRIBUTE.search(why):
        use = re.compile(rf"\.({found[1]})\b|\[\s*['\"]({found[1]})['\"]")
    else:
        return 1
    for tag in _TAG.finditer(line):
        if place := use.search(line, tag.start(), tag.end()):
            return place.start(place.lastindex or 0) + 1
    return 1
