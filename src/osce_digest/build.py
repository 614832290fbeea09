"""Build: the second phase. Render every page of a loaded site and publish it.

Runs only after a load without errors; a template error stops it before anything is
written, so the previous output stays as it was.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from osce_digest import parallel
from osce_digest.cache import digest_of, open_cache
from osce_digest.diagnostics import Diagnostic, error, has_errors
from osce_digest.incremental import (
    html_unchanged,
    keep_unchanged,
    plan_reuse,
    record,
    record_files,
    save,
    templates_fingerprint,
)
from osce_digest.indexes import Indexes
from osce_digest.load import load_site
from osce_digest.markdown import pygments_css
from osce_digest.model import ReportMeta, Site
from osce_digest.outputs.api import index_file, report_file, report_path
from osce_digest.outputs.feeds import atom_feed
from osce_digest.outputs.sitemap import sitemap
from osce_digest.pages import Asset, Page, check_collisions, plan_pages
from osce_digest.schema import json_schema
from osce_digest.search import SearchIndexFailed, index_site
from osce_digest.templates import TemplateFailure, make_environment, page_renderer, render_nth
from osce_digest.write import check_output, publish


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build did."""

    diagnostics: tuple[Diagnostic, ...]
    """Everything the load and build found."""
    reports: int
    """Reports published."""
    pages: int
    """Files written (pages and assets)."""
    seconds: float
    """Wall time."""
    unchanged: int = 0
    """Files kept from the last build as they were."""

    @property
    def ok(self) -> bool:
        """Whether the site was published."""
        return not has_errors(self.diagnostics)


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
    """
    started = time.perf_counter()
    templates = templates if templates is not None else root / "templates"
    check_output(out, root)
    step = progress or (lambda _: None)
    step("loading and checking the content")
    cache = open_cache(root) if use_cache else None
    loaded = load_site(root, drafts=drafts, jobs=jobs, cache=cache)
    diagnostics = list(loaded.diagnostics)
    site = loaded.site
    if site is None or has_errors(diagnostics) or (strict and diagnostics):
        return BuildResult(tuple(diagnostics), 0, 0, time.perf_counter() - started)
    if base_url is not None:
        site = dataclasses.replace(site, meta=dataclasses.replace(site.meta, base_url=base_url))
    if not templates.is_dir():
        missing = error(
            str(templates),
            0,
            0,
            "missing-templates",
            f"no templates folder at {templates}",
            "run digest in the project folder, or pass --templates DIR",
        )
        return BuildResult((*diagnostics, missing), 0, 0, time.perf_counter() - started)
    env, problems = make_environment(templates)
    assert loaded.indexes is not None  # a loaded site always has its indexes
    pages = plan_pages(site, loaded.indexes)
    assets = static_assets(templates / "static") + generated_assets(site, loaded.indexes, pages)
    problems += check_collisions(pages, assets)
    if env is None or problems:
        return BuildResult(tuple(diagnostics + problems), 0, 0, time.perf_counter() - started)
    files: dict[str, bytes] = {a.output: a.data for a in assets}
    shared = {"site": pages[0].context["site"], "d": pages[0].context["d"]}
    reuse = plan_reuse(pages, out, templates_fingerprint(templates), cache, shared)
    # One API file per report: made again only when the report changed.
    wanted = {report_path(r): digest_of("api", r.digest) for r in site.reports}
    stale = keep_unchanged(reuse, out, wanted)
    api = {a.output: a.data for a in map(report_file, site.reports) if a.output in stale}
    record_files(reuse, api)
    files.update(api)
    try:
        step(f"rendering {len(reuse.render)} of {len(pages)} pages")
        rendered = parallel.run(page_renderer, (templates, pages), render_nth, reuse.render, jobs)
    except TemplateFailure as failure:
        diagnostics.append(failure.diagnostic)
        return BuildResult(tuple(diagnostics), 0, 0, time.perf_counter() - started)
    fresh = {pages[i].output: data for i, data in zip(reuse.render, rendered, strict=True)}
    record(reuse, pages, fresh)
    files.update(fresh)
    keep = dict(reuse.keep)
    finish: Callable[[Path], None] | None = partial(index_site, language=site.meta.language)
    if html_unchanged(reuse, cache, out) and (out / "pagefind").is_dir():
        finish = None  # no page changed: the search index in the output still holds
        bundle = out / "pagefind"
        keep.update({p.relative_to(out).as_posix(): p for p in bundle.rglob("*") if p.is_file()})
    try:
        step("writing" + (" and indexing for search" if finish else ""))
        publish(out, files, finish=finish, keep=keep)
        save(cache, out, reuse.manifest)
    except SearchIndexFailed as failed:
        problem = error(
            "search",
            0,
            0,
            "search-index",
            str(failed),
            "reinstall with pip install -e . (it brings pagefind[bin])",
        )
        return BuildResult((*diagnostics, problem), 0, 0, time.perf_counter() - started)
    return BuildResult(
        tuple(diagnostics),
        len(site.reports),
        len(files),
        time.perf_counter() - started,
        unchanged=len(keep),
    )


def static_assets(folder: Path) -> list[Asset]:
    """templates/static/** copied to static/, the code-highlighting CSS, the front-matter schema."""
    schema = json_schema(ReportMeta, "osce-digest report front matter")
    assets = [
        Asset("static/pygments.css", pygments_css().encode("utf-8"), "pygments"),
        Asset("api/schema.json", _json(schema), "the report front-matter schema"),
    ]
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                rel = path.relative_to(folder).as_posix()
                assets.append(Asset(f"static/{rel}", path.read_bytes(), f"templates/static/{rel}"))
    return assets


def generated_assets(site: Site, indexes: Indexes, pages: list[Page]) -> list[Asset]:
    """Feeds (the site's and one per topic), the JSON API, the sitemap and robots.txt."""
    assets = [
        atom_feed(
            site,
            site.reports,
            path="feed.xml",
            title=site.meta.title,
            subtitle=site.meta.description,
        )
    ]
    for key, topic in site.topics.items():
        reports = [r for r in site.reports if key in indexes.report_topics[r.slug]]
        assets.append(
            atom_feed(
                site,
                reports,
                path=f"topics/{key}/feed.xml",
                title=f"{site.meta.title}: {topic.label}",
                subtitle=topic.description or topic.label,
            )
        )
    assets.append(index_file(site))
    dates = {f"reports/{r.slug}/": r.meta.updated or r.meta.date for r in site.reports}
    urls = [(p.url, dates.get(p.url)) for p in pages if p.template != "404.html"]
    return assets + sitemap(site, urls)


def _json(data: object) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
