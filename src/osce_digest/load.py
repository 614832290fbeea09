"""Load: read and check every content file, collecting every diagnostic.

The first of the two phases (DESIGN.md section 4). It never writes anything; the build
phase runs only when this returns no errors.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import ChainMap
from collections.abc import Mapping, MutableMapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeGuard, TypeVar, cast
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt

from osce_digest import markdown as md_
from osce_digest import parallel
from osce_digest.cache import Cache, Pickled, digest_of, generator_fingerprint
from osce_digest.checks import apply_overrides, check_links, check_overrides, check_report
from osce_digest.config import (
    KEY_PATTERN,
    Vocabularies,
    field_problems,
    lexicon_scales,
    load_lexicon,
    load_list,
    load_site_meta,
    readable_checks,
)
from osce_digest.consistency import Located, Where, encounter_conflicts
from osce_digest.diagnostics import (
    Diagnostic,
    Diagnostics,
    Packed,
    Severity,
    did_you_mean,
    error,
    has_errors,
    pack,
    warning,
)
from osce_digest.discover import Content, SourceFile, discover, read_source, text_of
from osce_digest.evidence import Classifier
from osce_digest.frontmatter import Path_, YamlDoc, parse_yaml, split_front_matter
from osce_digest.indexes import Indexes, build_indexes, related_reports, relatedness
from osce_digest.lookups import EntryDigests, Recorder, Uses
from osce_digest.model import (
    ActorMeta,
    Lexicon,
    Mention,
    Report,
    ReportMeta,
    ReportSummary,
    Site,
    SiteMeta,
    SourceMeta,
    TopicMeta,
    VenueMeta,
)
from osce_digest.schema import Checker
from osce_digest.search import report_words
from osce_digest.sections import (
    DEFAULT_SECTION_ALIASES,
    BodyContext,
    build_sections,
    party_names,
)
from osce_digest.summary import mention_blobs, mentions_by_topic, mentions_from, summarize

T = TypeVar("T")

_COUNTRY = re.compile(r"[A-Z]{2}")


class BodyUnavailable(Exception):
    """A report's full section model could not be had again; carries the diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic)  # the only argument, so it survives pickling from a worker
        self.diagnostic = diagnostic


class Bodies:
    """The full reports of a loaded site, read when a page needs one.

    The site holds a :class:`ReportSummary` per report. The whole :class:`Report` is kept
    in memory only without a cache (or when the cache could not store it); otherwise it is
    read back from the cache by the process that renders its page, and if the entry has
    vanished meanwhile, parsed again from its file, provided the file is still the one
    loaded.
    """

    def __init__(
        self,
        cache: Cache | None = None,
        kept: dict[str, Report] | None = None,
        files: dict[str, tuple[Path, Path]] | None = None,
        context: tuple[SiteMeta, Vocabularies, dt.date, str] | None = None,
    ) -> None:
        self.cache = cache
        self.kept = kept or {}
        """Reports held in memory, by digest."""
        self.files = files or {}
        """Digest to (file, project root), to parse a report again."""
        self.context = context
        """What parsing needs (see ``report_context``)."""

    def get(self, report: ReportSummary) -> Report:
        """The full report a summary was made from."""
        return self.full(report.digest, report.path)

    def full(self, digest: str, path: str) -> Report:
        """The full report with this digest, parsed from ``path`` (relative to the project)."""
        kept = self.kept.get(digest)
        if kept is not None:
            return kept
        if self.cache is not None:
            entry = self.cache.get_part("reports", digest, BODY)
            if isinstance(entry, Report) and not entry.digest:  # stored without it
                return replace(entry, digest=digest)
        return self._parse_again(digest, path)

    def mentions(self, report: ReportSummary, topic: str) -> tuple[Mention, ...]:
        """A report's mentions of a topic, in document order."""
        if self.cache is not None and report.digest not in self.kept:
            blobs = self.cache.get_part("reports", report.digest, MENTIONS)
            if isinstance(blobs, dict):
                return mentions_from(blobs, topic)
        return tuple(mentions_by_topic(self.get(report)).get(topic, ()))

    def _parse_again(self, digest: str, rel: str) -> Report:
        path, root = self.files.get(digest, (Path(rel), Path(".")))
        file, _ = read_source(path, root)
        namespace = self.context[3] if self.context is not None else ""
        if file is not None and report_digest(namespace, file) == digest:
            assert self.context is not None  # a digest that matches had a namespace
            parsed, _ = load_report(file, report_context(*self.context), digest)
            if parsed is not None:
                return parsed
        raise BodyUnavailable(changed_during_build(rel))


def changed_during_build(file: str) -> Diagnostic:
    """The error for a file that is no longer what the build read."""
    return error(
        file,
        0,
        0,
        "changed-during-build",
        "the file changed while the site was being built",
        "build again",
    )


@dataclass(frozen=True, slots=True)
class LoadResult:
    """The outcome of the load phase."""

    site: Site | None
    """The site, when nothing blocks the build."""
    diagnostics: Diagnostics
    """Every problem found, in order of file and position."""
    indexes: Indexes | None = None
    """The cross-report views of the site."""
    bodies: Bodies = field(default_factory=Bodies)
    """The full section model of each report, read on demand."""

    def reports(self) -> list[Report]:
        """Every published report in full, newest first (for tools and tests; a build
        reads them one at a time)."""
        return [self.bodies.get(r) for r in self.site.reports] if self.site else []


_LINKED = {"topics": ("topics",), "actors": ("actors", "countries"), "venues": ("venues",)}
"""The pages made from each vocabulary, that reports link to (``/countries/<iso>/``: from
the actors' countries)."""


def load_site(
    root: Path,
    *,
    drafts: bool = False,
    jobs: int = 1,
    cache: Cache | None = None,
    discovered: tuple[Content, list[Diagnostic]] | None = None,
    static: AbstractSet[str] | None = None,
) -> LoadResult:
    """Read and check the project at ``root`` (``discovered``: its files, already read;
    ``static``: the files of templates/static/ by relative path, that reports may link to
    as /static/..., or None to leave such links unchecked)."""
    content, found = discovered if discovered is not None else discover(root)
    generator = generator_fingerprint()
    diagnostics = list(found)
    meta, problems = load_site_meta(content.vocabularies.get("site.yaml"))
    diagnostics += problems
    lists: dict[str, dict[str, Any]] = {}
    # Without site.yaml the reports are still checked for errors, with its defaults and
    # without its authors: one mistake there must not hide the others.
    broken: set[str] = set() if meta is not None else {"site"}
    names: list[str] = []
    for name, cls, key in (
        ("topics", TopicMeta, "key"),
        ("actors", ActorMeta, "key"),
        ("venues", VenueMeta, "key"),
        ("sources", SourceMeta, "id"),
    ):
        file = content.vocabularies.get(f"{name}.yaml")
        entries, problems = _vocabulary(cache, generator, file, cls, key, names)
        diagnostics += problems
        if entries is None or has_errors(problems):
            # An entry it could not read would make every reference to it an error too.
            broken.add(name)
        lists[name] = entries or {}
    if cache is not None:
        cache.prune("vocabularies", names)
    topics, actors = lists["topics"], lists["actors"]
    venues, shared = lists["venues"], lists["sources"]
    vocab = Vocabularies(topics, actors, venues, shared, frozenset(broken))
    if "actors" not in broken:
        diagnostics += _unknown_organizations(content.vocabularies.get("venues.yaml"), vocab)
    settled = meta is not None
    if meta is None:
        meta = SiteMeta(title="", checks=readable_checks(content.vocabularies.get("site.yaml")))
    lexicon = load_lexicon(meta.scale)
    day = today(meta.timezone)
    # Not the vocabularies a report's parse reads entry by entry: the entries read are
    # noted with the parse and compared one by one (see ``_load_reports``), so a new actor,
    # venue or source parses no report again. Whether each could be read is in it. Of
    # topics.yaml and site.yaml, only what a parse reads (see ``_as_parsed``): a topic's
    # description, the site's title, a comment or a layout change parses no report again.
    read_whole = set(content.vocabularies) - {f"{n}.yaml" for n in (*NOTED, "topics", "site")}
    namespace = digest_of(
        generator,
        day.isoformat(),
        *(content.vocabularies[name].digest for name in sorted(read_whole)),
        *(f"{name} readable: {name not in broken}" for name in (*NOTED, "topics", "site")),
        _as_parsed(meta, topics),
    )
    context = (meta, vocab, day, namespace)
    # A stand-in's results are cached (the same mistake again is quick), but the entries of
    # the last good site.yaml are kept for when its text comes back (an undo).
    loaded, kept = _load_reports(content.reports, context, jobs, cache, prune=settled)
    reports: list[ReportSummary] = []
    slugs: dict[str, str] = {}
    packs: list[Packed] = []
    unreadable: set[str] = set()  # reports whose own errors stopped them being read
    for file, (report, own) in zip(content.reports, loaded, strict=True):
        packs.append(own)
        if report is None:
            unreadable.add(file.path.stem)
            continue
        if report.slug in slugs:
            diagnostics.append(
                error(
                    file.rel,
                    1,
                    1,
                    "duplicate-slug",
                    f"the slug '{report.slug}' is already used by {slugs[report.slug]}",
                    "rename one of the two files; the file name is the report's URL",
                )
            )
            continue
        slugs[report.slug] = file.rel
        if drafts or not report.meta.draft:
            reports.append(report)
    reports.sort(key=lambda r: r.slug)
    reports.sort(key=lambda r: r.meta.date, reverse=True)
    site = Site(meta, tuple(reports), topics, actors, venues, shared, lexicon)
    pages: dict[str, AbstractSet[str]] = {
        # A link to a report that could not be read is checked once it can be (its own
        # error says what is wrong; "there is no report" would not be true).
        "reports": {r.slug for r in reports} | unreadable,
        "topics": topics.keys(),
        "actors": actors.keys(),
        "venues": venues.keys(),
        "countries": {(a.country or "").lower() for a in actors.values()},
        **{f"#{r.slug}": frozenset(r.anchors) for r in reports},
        **({"static": static} if static is not None else {}),
    }
    # Links into a vocabulary that could not be read are left unchecked, as references are.
    for name in broken & _LINKED.keys():
        for kind in _LINKED[name]:
            del pages[kind]
    for report in reports:
        diagnostics += check_links(report, pages)
    diagnostics += encounter_conflicts(reports, _locator(content.reports))
    # A report's own diagnostics had the checks applied where it was parsed (_load_one).
    overrides = {r.path: r.meta.checks for r in reports}
    every = Diagnostics(apply_overrides(diagnostics, meta.checks, overrides), packs)
    if not settled:  # the reports' warnings depend on settings site.yaml did not give
        rels = {f.rel for f in content.reports}
        shown = (d for d in every if d.severity is Severity.ERROR or d.file not in rels)
        return LoadResult(None, Diagnostics(shown))
    files = {r.digest: (root / r.path, root) for r in reports}
    bodies = Bodies(cache, kept, files, context)
    return LoadResult(site, every, build_indexes(site, _related(site, cache)), bodies)


def _locator(files: tuple[SourceFile, ...]) -> Where:
    """Where front-matter paths are in reports' files and whether the files give them (see
    ``consistency.Where``): each file's front matter read again for the positions, once,
    and only on a mistake; the first line when the file changed since."""
    by_path = {f.rel: f for f in files}
    docs: dict[str, YamlDoc | None] = {}

    def where(report: ReportSummary, path: Path_) -> Located:
        if report.path not in docs:
            file = by_path.get(report.path)
            text = text_of(file) if file is not None else None
            split = split_front_matter(text, report.path)[0] if text is not None else None
            parsed = parse_yaml(split.yaml_text, report.path, split.yaml_line) if split else None
            docs[report.path] = parsed[0] if parsed is not None else None
        doc = docs[report.path]
        if doc is None:
            return 1, 1, True
        if path in doc.values:
            return (*doc.values[path], True)
        return (*doc.where(path[:-1], key=True), False)

    return where


def _unknown_organizations(file: SourceFile | None, vocab: Vocabularies) -> list[Diagnostic]:
    """A venue's organization must be a key of actors.yaml (its page links to it)."""
    unknown = {k for k, v in vocab.venues.items() if v.organization not in (None, *vocab.actors)}
    if file is None or file.text is None or not unknown:
        return []
    doc, _ = parse_yaml(file.text, file.rel)  # again, for the positions: only on a mistake
    entries = doc.data if doc is not None and isinstance(doc.data, list) else []
    found = []
    for index, data in enumerate(entries):
        key = data.get("key") if isinstance(data, dict) else None
        if key in unknown and doc is not None:
            unknown.discard(key)
            organization = vocab.venues[key].organization or ""
            line, col = doc.where((index, "organization"))
            found.append(
                error(
                    file.rel,
                    line,
                    col,
                    "unknown-actor",
                    f"unknown organization '{organization}' for the venue '{key}'",
                    f"{did_you_mean(organization, vocab.actors)}; actors are defined in "
                    "content/actors.yaml",
                )
            )
    return found


def _vocabulary(
    cache: Cache | None,
    generator: str,
    file: SourceFile | None,
    cls: type[T],
    key: str,
    names: list[str],
) -> tuple[dict[str, T] | None, list[Diagnostic]]:
    """``load_list``, from the cache when the file is unchanged (validating a few hundred
    entries against their schema took a twentieth of a one-report rebuild); the cache
    entry's name is added to ``names``."""
    if cache is None or file is None:
        return load_list(file, cls, key)
    name = digest_of(generator, file.rel, file.digest, cls.__name__, key)
    names.append(name)
    stored = cache.get("vocabularies", name)
    if isinstance(stored, tuple) and len(stored) == 2:
        entries: dict[str, T] | None = stored[0]
        problems: list[Diagnostic] = stored[1]
        return entries, problems
    loaded = load_list(file, cls, key)
    cache.put("vocabularies", name, loaded)
    return loaded


def _related(site: Site, cache: Cache | None) -> dict[str, tuple[str, ...]] | None:
    """The related reports, from the cache when nothing they depend on changed."""
    if cache is None:
        return None
    key = relatedness(site)
    related = cache.get("related", key)
    if isinstance(related, dict):
        return related
    related = related_reports(site)
    cache.put("related", key, related)
    cache.prune("related", [key])
    return related


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What loading one report needs from the site."""

    site: SiteMeta
    """site.yaml."""
    vocab: Vocabularies
    """Topics, actors, venues, shared sources."""
    parser: MarkdownIt
    """The markdown parser."""
    classifier: Classifier
    """The evidence classifier."""
    aliases: dict[str, str]
    """Heading words to section kinds."""
    lexicon: Lexicon
    """The site's estimative scale."""
    other_scales: tuple[Lexicon, ...]
    """The other scales, for scale-mixing."""
    today: dt.date
    """Today in the site's time zone (SOURCE_DATE_EPOCH when set)."""
    namespace: str
    """Fingerprint of the generator, of what a parse reads of the configuration (see
    ``_as_parsed``) and of the day: what a parse depends on but the vocabularies of
    ``NOTED`` (whose entries a parse reads are noted: ``ParseReads``)."""
    parties: Mapping[str, str]
    """Lower-cased actor names and aliases to actor keys."""
    generator: str
    """The generator's fingerprint (see ``ReportSummary.content``)."""
    tables: dict[str, Mapping[Any, Any]]
    """What ``parse_tables`` gives for these vocabularies."""
    digests: EntryDigests
    """Digests of their entries, each made once in this process."""


def report_context(
    site: SiteMeta, vocab: Vocabularies, day: dt.date, namespace: str
) -> ReportContext:
    """Everything loading a report needs; built once per worker process."""
    lexicon = load_lexicon(site.scale)
    tables = parse_tables(vocab)
    return ReportContext(
        site=site,
        vocab=vocab,
        parser=md_.make_parser(allow_html=site.allow_html),
        classifier=Classifier(lexicon, vocab.topics.values()),
        aliases={**DEFAULT_SECTION_ALIASES, **site.section_aliases},
        lexicon=lexicon,
        other_scales=tuple(load_lexicon(s) for s in lexicon_scales() if s != site.scale),
        today=day,
        namespace=namespace,
        parties=tables["parties"],
        generator=generator_fingerprint(),
        tables=tables,
        digests=EntryDigests(tables),
    )


def _load_setup(
    cache: Cache | None, site: SiteMeta, vocab: Vocabularies, day: dt.date, namespace: str
) -> tuple[ReportContext, Cache | None]:
    return report_context(site, vocab, day, namespace), cache


Loaded = tuple[ReportSummary | None, Packed]
"""A report file's summary (None when it cannot be published) and its diagnostics, with
the checks of site.yaml and of the report applied."""

LOADED, BODY, MENTIONS = range(3)
"""The values of a report's cache entry (under "reports", by its digest): what ``Loaded``
holds with the report's ``ParseReads``, then, for a report that can be published, the full
report and its mentions (``mention_blobs``). Every build reads the first; only rendering
reads the others."""

NOTED = ("actors", "venues", "sources")
"""The vocabularies whose entries a report's parse reads one by one, noted as it reads."""

ParseReads = tuple[Uses, str]
"""The entries of the tables of ``parse_tables`` a report's parse read, and a digest of
them as they were: the cache entry holds while that digest does."""


def parse_tables(vocab: Vocabularies) -> dict[str, Mapping[Any, Any]]:
    """The tables a report's parse reads entry by entry: the vocabularies of ``NOTED``, and
    the actors' names and aliases (lower-cased, to keys: positions' parties)."""
    tables: dict[str, Mapping[Any, Any]] = {name: getattr(vocab, name) for name in NOTED}
    tables["parties"] = party_names(vocab.actors)
    return tables


def _load_one(
    state: tuple[ReportContext, Cache | None], job: tuple[SourceFile, str]
) -> tuple[ReportSummary | None, Packed, Report | None]:
    """Parse one file; store its summary and full report in the cache, and return the full
    report only when the cache could not take it."""
    # The worker stores what it parsed: the parent would otherwise pickle every report a
    # second time, one after the other.
    ctx, cache = state
    file, digest = job
    recorder = Recorder()
    noted = {name: recorder.table(name, table) for name, table in ctx.tables.items()}
    vocab = replace(
        ctx.vocab, actors=noted["actors"], venues=noted["venues"], sources=noted["sources"]
    )
    seen = replace(ctx, vocab=vocab, parties=noted["parties"])
    report, found = load_report(file, seen, digest)
    uses = recorder.uses()
    read = ctx.digests.of(uses)
    assert read is not None  # of these tables
    own = {file.rel: report.meta.checks} if report is not None else {}
    diagnostics = pack(file.rel, apply_overrides(found, ctx.site.checks, own))
    mentions = mentions_by_topic(report) if report is not None else {}
    summary = None
    parts: list[object] = []
    if report is not None:
        # Stored without its digest, which names what parsing read: the bytes (and
        # the summary's content digest made of them) change only where the parse did.
        by_topic = mention_blobs(mentions)
        body, blobs = Pickled(replace(report, digest="")), Pickled(by_topic)
        made_of = (ctx.generator.encode(), body.data, blobs.data)
        summary = summarize(report, ctx.vocab.topics, mentions, made_of, by_topic)
        parts = [body, blobs]
    values: list[object] = [(summary, diagnostics, (uses, read)), *parts]
    stored = cache is not None and cache.put_parts("reports", digest, values)
    return summary, diagnostics, (None if stored else report)


def _as_parsed(site: SiteMeta, topics: Mapping[str, TopicMeta]) -> str:
    """What a report's parse reads of site.yaml and topics.yaml: the authors' keys, the
    section aliases, the scale, whether HTML is allowed, the checks and the time zone; the
    topics' keys in order, with the labels and aliases sentences are matched against. (The
    site's title, description, address, language and extra, the authors' details and the
    topics' descriptions are for pages.)"""
    own = (sorted(site.authors), site.section_aliases, site.scale, site.allow_html)
    return repr(
        (*own, site.checks, site.timezone, [(t.key, t.label, t.aliases) for t in topics.values()])
    )


def report_digest(namespace: str, file: SourceFile) -> str:
    """The fingerprint a parsed report is cached under."""
    return digest_of(namespace, file.rel, file.digest)


def _load_reports(
    files: tuple[SourceFile, ...],
    context: tuple[SiteMeta, Vocabularies, dt.date, str],
    jobs: int,
    cache: Cache | None,
    *,
    prune: bool = True,
) -> tuple[list[Loaded], dict[str, Report]]:
    """Parse every report, taking unchanged ones from the cache; results in file order, and
    the full reports the cache does not hold, by digest. With ``prune``, the cache keeps
    the entries of these reports only."""
    digests = [report_digest(context[3], f) for f in files]
    found: dict[int, Loaded] = {}
    if cache is not None:
        now = EntryDigests(parse_tables(context[1]))
        for index, digest in enumerate(digests):
            entry = cache.get_part("reports", digest, LOADED)
            if _is_stored(entry) and now.of(entry[2][0]) == entry[2][1]:
                found[index] = (entry[0], entry[1])
    missing = [i for i in range(len(files)) if i not in found]
    todo = [(files[i], digests[i]) for i in missing]
    parsed = parallel.run(_load_setup, (cache, *context), _load_one, todo, jobs)
    kept: dict[str, Report] = {}
    for index, (summary, diagnostics, report) in zip(missing, parsed, strict=True):
        found[index] = (summary, diagnostics)
        if report is not None:
            kept[report.digest] = report
    if cache is not None and prune:
        cache.prune("reports", digests)
    return [found[i] for i in range(len(files))], kept


def _is_stored(entry: object) -> TypeGuard[tuple[ReportSummary | None, Packed, ParseReads]]:
    return (
        isinstance(entry, tuple)
        and len(entry) == 3
        and (entry[0] is None or isinstance(entry[0], ReportSummary))
        and isinstance(entry[1], Packed)
        and isinstance(entry[2], tuple)
        and len(entry[2]) == 2
        and isinstance(entry[2][1], str)
    )


LAST_EPOCH = 253_402_214_399
"""The last SOURCE_DATE_EPOCH that is a date in every time zone: 9999-12-30T23:59:59Z."""


def epoch_problem() -> str | None:
    """What is wrong with SOURCE_DATE_EPOCH, if it is set and not a time a build can use."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch or (epoch.isdigit() and len(epoch) < 13 and int(epoch) <= LAST_EPOCH):
        return None
    return (
        "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, "
        f"at most {LAST_EPOCH} (the year 9999); it is {epoch!r}"
    )


def today(timezone: str) -> dt.date:
    """Today's date in the site's time zone; SOURCE_DATE_EPOCH, when set, fixes "now"."""
    zone = ZoneInfo(timezone)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch_problem() is None and epoch and epoch.strip():
        return dt.datetime.fromtimestamp(int(epoch), zone).date()
    return dt.datetime.now(zone).date()


def load_report(
    file: SourceFile, ctx: ReportContext, digest: str
) -> tuple[Report | None, list[Diagnostic]]:
    """Parse and check one report file (``digest``: its ``report_digest``)."""
    site, vocab = ctx.site, ctx.vocab
    slug = file.path.stem
    diagnostics: list[Diagnostic] = []
    if not KEY_PATTERN.fullmatch(slug):
        diagnostics.append(
            error(
                file.rel,
                1,
                1,
                "invalid-slug",
                f"the file name '{file.path.name}' is not a valid slug",
                "name report files with lower-case letters, digits and hyphens, e.g. "
                "'lavrov-blinken-malta-2024.md'",
            )
        )
    text = text_of(file)
    if text is None:
        return None, [changed_during_build(file.rel)]
    split, problems = split_front_matter(text, file.rel)
    if split is None:
        return None, diagnostics + problems
    doc, problems = parse_yaml(split.yaml_text, file.rel, split.yaml_line)
    diagnostics += problems
    if doc is None:
        return None, diagnostics + _body_problems(split.body, split.body_line, file.rel, ctx)
    checker = Checker(doc, file.rel, {(): "the front matter"})
    meta = checker.build(ReportMeta, doc.data if doc.data is not None else {}, ())
    diagnostics += checker.diagnostics
    if meta is None:
        return None, diagnostics + _body_problems(split.body, split.body_line, file.rel, ctx)
    diagnostics += check_overrides(meta.checks, doc, file.rel)
    sources = _report_sources(meta, vocab, doc, file.rel, diagnostics)
    for index, source_id in enumerate(meta.encounter.sources):
        if source_id not in sources and "sources" not in vocab.broken:
            line, col = doc.where(("encounter", "sources", index))
            diagnostics.append(
                error(
                    file.rel,
                    line,
                    col,
                    "unknown-source",
                    f"encounter.sources names no source '{source_id}'",
                    did_you_mean(source_id, sources),
                )
            )
    diagnostics += _check_references(meta, site, vocab, doc, file.rel)
    body = _body_context(split.body, split.body_line, file.rel, ctx, sources)
    lede, sections = build_sections(md_.parse(ctx.parser, split.body), body)
    diagnostics += body.diagnostics
    cited = tuple(body.citations)
    listed = [s for s in meta.sources if s.id not in body.citations]
    ordered = tuple(sources[i] for i in cited) + tuple(listed)
    report = Report(
        slug,
        file.rel,
        meta,
        lede,
        sections,
        ordered,
        cited,
        links=tuple(body.links),
        anchors=tuple(sorted(body.anchors)),
        body_line=split.body_line,
        words=report_words(meta, lede, sections),
        digest=digest,
    )
    diagnostics += check_report(report, doc, ctx.lexicon, ctx.other_scales, ctx.today)
    return (report if slug and KEY_PATTERN.fullmatch(slug) else None), diagnostics


def _body_context(
    body: str,
    body_line: int,
    file: str,
    ctx: ReportContext,
    sources: Mapping[str, SourceMeta] | None = None,
) -> BodyContext:
    """What building a body's section model needs; without ``sources`` (the front matter
    could not be read), citations are not checked."""
    return BodyContext(
        file=file,
        line_offset=body_line - 1,
        parser=ctx.parser,
        classifier=ctx.classifier,
        topics=ctx.vocab.topics,
        actors=ctx.vocab.actors,
        sources=sources if sources is not None else {},
        aliases=ctx.aliases,
        lines=body.split("\n"),
        unchecked=ctx.vocab.broken | ({"sources"} if sources is None else set()),
        parties=ctx.parties,
    )


def _body_problems(body: str, body_line: int, file: str, ctx: ReportContext) -> list[Diagnostic]:
    """The body's own problems, when the front matter cannot be read: reported with its
    errors, all at once. Without the front matter the report's sources are unknown, so
    citations are not checked (nor, later, links: they need the whole site)."""
    context = _body_context(body, body_line, file, ctx)
    build_sections(md_.parse(ctx.parser, body), context)
    return context.diagnostics


def _report_sources(
    meta: ReportMeta, vocab: Vocabularies, doc: YamlDoc, file: str, diagnostics: list[Diagnostic]
) -> Mapping[str, SourceMeta]:
    """The sources a report may cite: its own, then the shared ones (looked up one by one,
    so that a parse notes only the shared sources it read)."""
    listed: dict[str, SourceMeta] = {}
    # Only the first map is ever written to.
    sources = ChainMap(listed, cast("MutableMapping[str, SourceMeta]", vocab.sources))
    own: set[str] = set()
    for index, source in enumerate(meta.sources):
        line, col = doc.where(("sources", index, "id"))
        if not KEY_PATTERN.fullmatch(source.id):
            diagnostics.append(
                error(
                    file,
                    line,
                    col,
                    "invalid-key",
                    f"source id '{source.id}' is not a valid id",
                    "use lower-case letters, digits and hyphens",
                )
            )
        if source.id in own:
            diagnostics.append(
                error(
                    file,
                    line,
                    col,
                    "duplicate-key",
                    f"source id '{source.id}' is listed twice",
                    "keep one entry",
                )
            )
        shared = vocab.sources.get(source.id)
        if shared is not None and shared != source:
            diagnostics.append(
                warning(
                    file,
                    line,
                    col,
                    "source-shadows-shared",
                    f"source id '{source.id}' is also in content/sources.yaml, with other "
                    "details; this report uses its own entry",
                    "cite the shared source without listing it here, or give this entry "
                    "an id of its own",
                )
            )
        own.add(source.id)
        listed[source.id] = source
        diagnostics += field_problems(source, ("sources", index), doc, file)
    return sources


def _check_references(
    meta: ReportMeta, site: SiteMeta, vocab: Vocabularies, doc: YamlDoc, file: str
) -> list[Diagnostic]:
    """Keys in front matter that must exist in the vocabularies."""
    found: list[Diagnostic] = []

    def unknown(
        path: tuple[str | int, ...],
        rule: str,
        what: str,
        key: str,
        known: dict[str, object],
        where: str,
    ) -> None:
        line, col = doc.where(path)
        found.append(
            error(
                file,
                line,
                col,
                rule,
                f"unknown {what} '{key}'",
                f"{did_you_mean(key, known)}; {what}s are defined in {where}",
            )
        )

    encounter = meta.encounter
    if "venues" not in vocab.broken and encounter.venue and encounter.venue not in vocab.venues:
        unknown(
            ("encounter", "venue"),
            "unknown-venue",
            "venue",
            encounter.venue,
            dict(vocab.venues),
            "content/venues.yaml",
        )
    for index, key in enumerate(encounter.participants):
        if "actors" not in vocab.broken and key not in vocab.actors:
            unknown(
                ("encounter", "participants", index),
                "unknown-actor",
                "actor",
                key,
                dict(vocab.actors),
                "content/actors.yaml",
            )
        elif key in encounter.participants[:index]:
            line, col = doc.where(("encounter", "participants", index))
            found.append(
                error(
                    file,
                    line,
                    col,
                    "duplicate-participant",
                    f"'{key}' is listed twice among the participants",
                    "keep one of them",
                )
            )
    for index, key in enumerate(meta.authors):
        if "site" not in vocab.broken and key not in site.authors:
            unknown(
                ("authors", index),
                "unknown-author",
                "author",
                key,
                dict(site.authors),
                "content/site.yaml under 'authors:'",
            )
    country = encounter.place.country if encounter.place else None
    if country is not None and not _COUNTRY.fullmatch(country):
        line, col = doc.where(("encounter", "place", "country"))
        found.append(
            error(
                file,
                line,
                col,
                "invalid-country",
                f"'{country}' is not an ISO 3166-1 alpha-2 country code",
                "use two capital letters, e.g. MT for Malta",
            )
        )
    if encounter.end is not None and encounter.end < encounter.start:
        line, col = doc.where(("encounter", "end"))
        found.append(
            error(
                file,
                line,
                col,
                "date-order",
                f"the encounter ends ({encounter.end}) before it starts ({encounter.start})",
                "swap start and end",
            )
        )
    return found
