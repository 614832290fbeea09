"""Build: the second phase. Render every page of a loaded site and publish it.

Runs only after a load without errors; a template error stops it before anything is
written, so the previous output stays as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from osce_digest import parallel, report_jobs
from osce_digest.cache import Cache, digest_of, open_cache, scratch_cache
from osce_digest.diagnostics import Diagnostic, Diagnostics, error
from osce_digest.discover import Content, discover, static_files
from osce_digest.incremental import (
    Snapshot,
    as_left,
    inputs_fingerprint,
    keep_unchanged,
    last_diagnostics,
    last_snapshot,
    plan_reuse,
    save,
    save_snapshot,
    templates_fingerprint,
)
from osce_digest.indexes import Indexes
from osce_digest.load import Bodies, BodyUnavailable, load_site
from osce_digest.markdown import pygments_css
from osce_digest.model import ReportMeta, ReportSummary, Site
from osce_digest.outputs.api import index_bytes, report_file, report_path
from osce_digest.outputs.feeds import atom_feed
from osce_digest.outputs.sitemap import sitemap
from osce_digest.pages import Asset, LazyFile, Page, check_collisions, plan_pages
from osce_digest.schema import json_schema
from osce_digest.search import SearchIndex, updated_files
from osce_digest.templates import (
    TemplateFailure,
    make_environment,
    shown_folder,
)
from osce_digest.write import (
    MARKER,
    Stage,
    check_output,
    empty_trash,
    remove_leftovers,
    scratch_folder,
)


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build did."""

    diagnostics: Diagnostics
    """Everything the load and build found."""
    reports: int
    """Reports published."""
    pages: int
    """Files written (pages and assets)."""
    seconds: float
    """Wall time of the whole build (``build_site`` sets it; the steps inside give 0)."""
    unchanged: int = 0
    """Files kept from the last build as they were."""

    @property
    def ok(self) -> bool:
        """Whether the site was published."""
        return not self.diagnostics.errors


def build_site(
    root: Path,
    out: Path,
    *,
    drafts: bool = False,
    base_url: str | None = None,
    strict: bool = False,
    templates: Path | None = None,
    jobs: int = 1,
    use_cache: bool = True,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Load, check, render and publish the project at ``root`` into ``out``.

    With ``use_cache``, unchanged reports are not parsed again and unchanged pages are not
    rendered again (see ``cache.py`` and ``incremental.py``); the output is the same.
    Without it (or without a signing key for the project's cache), the build starts from
    an empty cache of its own, deleted at the end.
    """
    started = time.perf_counter()
    templates = templates if templates is not None else root / "templates"
    check_output(out, root)
    step = progress or (lambda _: None)
    step("loading and checking the content")
    with contextlib.ExitStack() as stack:
        cache = open_cache(root) if use_cache else None
        if cache is None:
            cache = stack.enter_context(scratch_cache(scratch_folder(out)))
        trash = cache.folder / "trash"
        try:
            with parallel.collector_paused():
                asked = (drafts, base_url, strict, jobs, step)
                result = _build(_Options(root, out, templates, cache, trash, *asked))
        finally:
            # The replaced output is deleted once the new one is in place, not while the
            # build links files into it: both at once made each several times slower.
            empty_trash(trash)
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


@dataclass(frozen=True, slots=True)
class _Options:
    """What ``build_site`` was asked to do, with where it keeps things."""

    root: Path
    out: Path
    templates: Path
    cache: Cache
    trash: Path
    drafts: bool
    base_url: str | None
    strict: bool
    jobs: int
    step: Callable[[str], None]


def _build(o: _Options) -> BuildResult:
    root, out, templates, cache = o.root, o.out, o.templates, o.cache
    drafts, base_url, strict = o.drafts, o.base_url, o.strict
    stamps = cache.get("stamps", "reports")
    known = stamps if isinstance(stamps, dict) else {}
    # Report texts are read again only by the reports parsed; unchanged ones not at all.
    discovered = discover(root, report_texts=False, stamps=known)
    if discovered[0].stamps != known:
        cache.put("stamps", "reports", discovered[0].stamps)
    templates_digest = templates_fingerprint(templates) if templates.is_dir() else ""
    options = [f"{drafts=}", f"{base_url=}", f"{strict=}", f"{templates.resolve()}"]
    inputs = inputs_fingerprint(*discovered, templates_digest, options)
    snapshot = last_snapshot(cache, out)
    if snapshot is not None and as_left(snapshot, out, inputs):
        reported = last_diagnostics(cache, out, inputs)
        if reported is not None:
            # Nothing to do: the output is what this build would write.
            remove_leftovers(out)
            return BuildResult(
                reported,
                snapshot.reports,
                0,
                0.0,
                unchanged=len(snapshot.files) - 1,  # not counting the marker
            )
    # Forked now, while this process holds little: see report_jobs.
    helpers = report_jobs.start_helpers(o.jobs, len(discovered[0].reports))
    try:
        return _load_and_publish(o, helpers, discovered, (templates_digest, inputs, snapshot))
    finally:
        helpers.close()


def _load_and_publish(
    o: _Options,
    helpers: parallel.Helpers,
    discovered: tuple[Content, list[Diagnostic]],
    known: tuple[str, str, Snapshot | None],
) -> BuildResult:
    out, templates, cache = o.out, o.templates, o.cache
    templates_digest, inputs, snapshot = known
    static = {rel for rel, _ in static_files(templates / "static")}
    loaded = load_site(
        o.root, drafts=o.drafts, jobs=o.jobs, cache=cache, discovered=discovered, static=static
    )
    diagnostics = loaded.diagnostics
    site = loaded.site
    if site is None or diagnostics.errors or (o.strict and diagnostics):
        if templates.is_dir():  # the templates' own mistakes too, all at once
            _, problems = make_environment(
                templates,
                cache,
                prune=False,
                static=static | GENERATED_STATIC,
                label=shown_folder(templates, o.root),
            )
            diagnostics = diagnostics.adding(*problems)
        return BuildResult(diagnostics, 0, 0, 0.0)
    if o.base_url is not None:
        site = dataclasses.replace(site, meta=dataclasses.replace(site.meta, base_url=o.base_url))
    if not templates.is_dir():
        missing = error(
            str(templates),
            0,
            0,
            "missing-templates",
            f"no templates folder at {templates}",
            "run digest in the project folder, or pass --templates DIR",
        )
        return BuildResult(diagnostics.adding(missing), 0, 0, 0.0)
    label = shown_folder(templates, o.root)
    env, problems = make_environment(
        templates, cache, static=static | GENERATED_STATIC, label=label
    )
    assert loaded.indexes is not None  # a loaded site always has its indexes
    pages = plan_pages(site, loaded.indexes)
    assets = static_assets(templates / "static", f"{label}/static")
    assets += generated_assets(site, loaded.indexes, pages)
    bodies = loaded.bodies
    lazy = lazy_files(site, loaded.indexes, bodies, cache)
    lazy += search_files(site, loaded.indexes, cache, out)
    placeholders = [Asset(f.output, b"", f.origin) for f in lazy]
    problems += check_collisions(pages, assets + placeholders)
    if env is None or problems:
        return BuildResult(diagnostics.adding(*problems), 0, 0, 0.0)
    shared = {"site": pages[0].context["site"], "d": pages[0].context["d"]}
    stats = snapshot.files if snapshot is not None else {}
    indexes = loaded.indexes
    entries = [*indexes.actors.values(), *indexes.countries.values()]
    reuse = plan_reuse(pages, out, templates_digest, cache, shared, stats, site.reports, entries)
    stale = keep_unchanged(reuse, out, {f.output: f.fingerprint for f in lazy})
    stage = Stage(out, o.trash, _spare(cache, out))
    try:
        stage.adopt(reuse.keep)
        work = report_jobs.Work(env, pages, stage, bodies, site, templates, cache)
        written = report_jobs.produce(work, helpers, assets, lazy, stale, reuse, o.step)
        o.step("writing")
        stage.commit()
    except (TemplateFailure, BodyUnavailable) as failure:
        stage.abandon()
        failed = diagnostics.adding(failure.diagnostic)
        return BuildResult(failed, 0, 0, 0.0)
    except report_jobs.RenderFailed as failure:
        stage.abandon()
        return BuildResult(diagnostics.adding(*failure.diagnostics), 0, 0, 0.0)
    except BaseException:
        stage.abandon()
        raise
    save(cache, out, reuse)
    rendered = (pages[i].output for i in reuse.render)
    left = {MARKER, *reuse.keep, *rendered, *(a.output for a in assets), *stale}
    save_snapshot(cache, out, inputs, diagnostics, len(site.reports), left)
    return BuildResult(
        diagnostics,
        len(site.reports),
        written + len(reuse.render),
        0.0,
        unchanged=len(reuse.keep),
    )


def _spare(cache: Cache, out: Path) -> Path:
    """Where the output this build replaces is kept, to be the next build's stage."""
    return cache.folder / "spare" / digest_of("spare", str(out.absolute()))


PYGMENTS_CSS = "pygments.css"
"""The code-highlighting style sheet, made by the build under static/."""
GENERATED_STATIC = frozenset({PYGMENTS_CSS})
"""The files under static/ the build makes itself, besides templates/static/."""


def static_assets(folder: Path, label: str = "templates/static") -> list[Asset]:
    """templates/static/** copied to static/, the code-highlighting CSS, the front-matter
    schema (``label``: the folder's name in messages)."""
    schema = json_schema(ReportMeta, "osce-digest report front matter")
    assets = [
        Asset(
            f"static/{PYGMENTS_CSS}",
            pygments_css().encode("utf-8"),
            "the code-highlighting style sheet the build makes",
        ),
        Asset("api/schema.json", _json(schema), "the report front-matter schema"),
    ]
    for rel, path in static_files(folder):
        assets.append(Asset(f"static/{rel}", path.read_bytes(), f"{label}/{rel}"))
    return assets


def lazy_files(site: Site, indexes: Indexes, bodies: Bodies, cache: Cache) -> list[LazyFile]:
    """Feeds (the site's and one per topic), the API index, one API file per report."""
    base = site.meta.base_url
    specs = [("feed.xml", site.meta.title, site.meta.description, list(site.reports))]
    for key, topic in site.topics.items():
        reports = [r for r in site.reports if key in r.topics]
        specs.append(
            (
                f"topics/{key}/feed.xml",
                f"{site.meta.title}: {topic.label}",
                topic.description or topic.label,
                reports,
            )
        )
    files = [
        LazyFile(
            path,
            digest_of("feed", path, title, subtitle, base, *_reports_digests(reports)),
            partial(_feed_bytes, site, reports, path, title, subtitle),
            "feeds",
        )
        for path, title, subtitle, reports in specs
    ]
    files += [
        LazyFile(
            report_path(r), digest_of("api", r.content), partial(_api_bytes, bodies, r), r.path
        )
        for r in site.reports
    ]
    files.append(
        LazyFile(
            "api/reports.json",
            digest_of("api-index", base, site.meta.title, *_reports_digests(site.reports)),
            partial(_api_index_bytes, site, cache),
            "the report index API",
        )
    )
    return files


def _reports_digests(reports: Iterable[ReportSummary]) -> Iterator[str]:
    """Both digests of each report: of what its parse read, but the entries it noted
    (``digest``), and of what it gave (``content``). Feeds and the API index read
    vocabularies besides."""
    for report in reports:
        yield report.digest
        yield report.content


def search_files(site: Site, indexes: Indexes, cache: Cache, out: Path) -> list[LazyFile]:
    """The search index's files. Their names and digests are remembered per fingerprint of
    the index's inputs, so a build that changed none of them does not build the index; one
    that changed a few documents (or went back to an earlier index, as an undo does)
    patches the files the last build into ``out`` wrote."""
    index = SearchIndex(site, indexes)
    listing = cache.get("search", index.fingerprint)
    remember = not isinstance(listing, dict)
    state = digest_of("search-state", str(out.resolve()))
    last = cache.get("search-state", state)
    if not (isinstance(last, tuple) and len(last) == 2 and last[0] == index.fingerprint):
        patched = _patched_listing(index, cache, out, last)
        listing = patched if patched is not None else listing
        remember = True
    if not isinstance(listing, dict):
        listing = {path: _sha(data) for path, data in index.files().items()}
    if remember:
        cache.put("search", index.fingerprint, listing)
        # What the next build patches: these documents' files.
        cache.put("search-state", state, (index.fingerprint, tuple(index.documents)))
    return [
        LazyFile(path, sha, partial(index.file, path), "the search index")
        for path, sha in listing.items()
    ]


def _patched_listing(
    index: SearchIndex, cache: Cache, out: Path, last: object
) -> dict[str, str] | None:
    """The index's listing made by patching the files of the documents ``last`` remembered
    (see ``updated_files``), or None. The patched files' bytes are kept in ``index`` for
    writing. Those documents need not be the last build's: every file read back from
    ``out`` must hash to what their listing says, and the files not read keep their listed
    digests, which hold for the documents that did not change."""
    if not (isinstance(last, tuple) and len(last) == 2):
        return None
    fingerprint, before = last
    listing = cache.get("search", fingerprint)
    if not isinstance(listing, dict):
        return None

    def read(path: str) -> bytes | None:  # the file, if it is what that listing says
        try:
            data = (out / path).read_bytes()
        except OSError:
            return None
        return data if path in listing and _sha(data) == listing[path] else None

    patched = updated_files(before, read, index.documents)
    if patched is None:
        return None
    changed, gone = patched
    index.keep(changed)
    new = {p: sha for p, sha in listing.items() if p not in gone}
    new.update({path: _sha(data) for path, data in changed.items()})
    return dict(sorted(new.items()))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def generated_assets(site: Site, indexes: Indexes, pages: list[Page]) -> list[Asset]:
    """The sitemap and robots.txt: small, made every time."""
    dates = {f"reports/{r.slug}/": r.meta.updated or r.meta.date for r in site.reports}
    urls = [(p.url, dates.get(p.url)) for p in pages if p.template != "404.html"]
    return sitemap(site, urls)


def _feed_bytes(
    site: Site, reports: list[ReportSummary], path: str, title: str, subtitle: str
) -> bytes:
    return atom_feed(site, reports, path=path, title=title, subtitle=subtitle).data


def _api_index_bytes(site: Site, cache: Cache) -> bytes:
    """The report index, reusing the entries the last one encoded (see ``index_bytes``)."""
    known = cache.get("api-index", "entries")
    data, entries = index_bytes(site, known if isinstance(known, dict) else {})
    if entries != known:
        cache.put("api-index", "entries", entries)
    return data


def _api_bytes(bodies: Bodies, report: ReportSummary) -> bytes:
    return report_file(bodies.get(report)).data


def _json(data: object) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
