"""Report jobs: the build's last step with helpers. Each report's page and API file are
made by one job, mostly in helper processes; everything else in the build's own process.

A helper (``parallel.Helpers``) is forked before the site is loaded, so it shares almost
nothing with this process: a worker forked after the load shares the whole model, and
copies every page of it that either process writes while both run. A helper is sent, once,
the templates' folder, where the full reports are read from (``Bodies``), and the objects
report pages refer to (the site's view and the directory); then jobs. A job reads its full
report once for both its files. The other pages and generated files draw on the whole
model: this process makes them, keeping the helpers supplied in between, and then takes
report jobs as well. The bytes are the same as from ``--jobs 1``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from osce_digest import parallel
from osce_digest.cache import Cache
from osce_digest.diagnostics import Diagnostic
from osce_digest.incremental import Reuse, record, record_files
from osce_digest.load import Bodies
from osce_digest.lookups import Recorder, Uses
from osce_digest.model import Site
from osce_digest.outputs.api import report_file, report_path
from osce_digest.pages import Asset, Directory, LazyFile, Page, SiteView
from osce_digest.templates import (
    TemplateEnvironment,
    TemplateFailure,
    make_environment,
    render_page,
)
from osce_digest.write import Stage, write_file


@dataclass(frozen=True, slots=True)
class ReportJob:
    """What to make of one report: its page, its API file, or both."""

    digest: str
    """The full report's digest (see ``Bodies.full``)."""
    path: str
    """Its source file, relative to the project."""
    page: Page | None
    """Its page to render, without the summary (the job reads the full report)."""
    api: str | None
    """The output path of its API file to make."""


@dataclass(frozen=True, slots=True)
class Work:
    """What making the outputs of a loaded site needs."""

    env: TemplateEnvironment
    """The compiled templates."""
    pages: list[Page]
    """Every page of the site."""
    stage: Stage
    """Where the new output is written."""
    bodies: Bodies
    """Where full reports are read from."""
    site: Site
    """The loaded site."""
    templates: Path
    """The templates' folder (a helper compiles its own)."""
    cache: Cache
    """The build's cache."""


class RenderFailed(Exception):
    """Templates failed to render pages: the first failure of each template and place."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(diagnostics)
        self.diagnostics = diagnostics


def start_helpers(jobs: int, reports: int) -> parallel.Helpers:
    """``jobs - 1`` helpers, when there are reports enough to share; else none, and this
    process makes every file itself."""
    enough = reports >= 2 * parallel.MIN_ITEMS_PER_WORKER
    use = enough and parallel.can_fork()
    return parallel.Helpers(jobs - 1 if use else 0)


def produce(
    work: Work,
    helpers: parallel.Helpers,
    assets: list[Asset],
    lazy: list[LazyFile],
    stale: set[str],
    reuse: Reuse,
    step: Callable[[str], None],
) -> int:
    """Write the assets, the stale generated files and the pages to render into the stage,
    and record what was written in ``reuse``; returns how many files were written besides
    the pages."""
    step(f"rendering {len(reuse.render)} of {len(work.pages)} pages and making data files")
    for asset in assets:
        work.stage.write(asset.output, asset.data)
    made = [file for file in lazy if file.output in stale]
    jobs = _report_jobs(work, reuse, made)
    api = {job.api for job in jobs}
    page_shas: dict[str, str] = {}
    page_uses: dict[str, Uses] = {}
    file_shas: dict[str, str] = {}
    stage = work.stage.path
    failed: dict[str, Diagnostic] = {}  # by template: the first failure, its pages skipped
    own: list[Callable[[], None]] = [
        partial(_own_page, (page_shas, page_uses), failed, stage, page, work.env, work.bodies)
        for page in (work.pages[i] for i in reuse.render)
        if not page.report
    ]
    own += [
        partial(_own, file_shas, stage, file.output, file.make)
        for file in made
        if file.output not in api
    ]
    d: Directory = work.pages[0].context["d"]
    view: SiteView = work.pages[0].context["site"]
    shared: list[object] = [view, d, *d.topics.values(), *d.actors.values(), *d.venues.values()]
    shared += [*d.reports.values(), *d.encounters.values(), *work.site.meta.authors.values()]
    given = (work.templates, work.env.label, work.cache, work.stage.path, work.bodies)
    setup = (_setup, given, shared)
    state = (work.env, work.stage.path, work.bodies, failed)
    results = helpers.share(_report_job, jobs, state, own, setup=setup)
    failures = list(failed.values())
    for job, (page_sha, uses, api_sha, failure) in zip(jobs, results, strict=True):
        if job.page is not None and page_sha is not None:
            page_shas[job.page.output] = page_sha
            page_uses[job.page.output] = uses
        if job.api is not None and api_sha is not None:
            file_shas[job.api] = api_sha
        if failure is not None:
            failures.append(failure)
    if failures:
        # Each process stops rendering a template at its first failure; several can meet
        # the same one. One per place is enough, whichever page met it.
        first = {(d.file, d.line, d.col): d for d in reversed(failures)}
        raise RenderFailed(sorted(first.values(), key=Diagnostic.sort_key))
    record(reuse, work.pages, page_shas, page_uses)
    record_files(reuse, file_shas)
    return len(assets) + len(made)


def _report_jobs(work: Work, reuse: Reuse, made: list[LazyFile]) -> list[ReportJob]:
    """The reports whose page is to be rendered or whose API file made, in site order."""
    pages = {
        page.report.digest: page
        for page in (work.pages[i] for i in reuse.render)
        if page.report is not None
    }
    wanted = {file.output for file in made}
    jobs = []
    for report in work.site.reports:
        page = pages.get(report.digest)
        api = report_path(report)
        if page is not None or api in wanted:
            bare = Page(page.url, page.template, page.context) if page is not None else None
            jobs.append(ReportJob(report.digest, report.path, bare, api if api in wanted else None))
    return jobs


JobState = tuple[TemplateEnvironment, Path, Bodies, dict[str, Diagnostic]]
"""What a process making report jobs holds: the compiled templates, the stage, the bodies,
and the first failure of each template in this process (see ``_report_job``)."""


def _setup(templates: Path, label: str, cache: Cache, stage: Path, bodies: Bodies) -> JobState:
    """A helper's state: its own compiled templates (from the cache: the build compiled and
    checked them), the stage and the bodies."""
    env, problems = make_environment(templates, cache, prune=False, label=label)
    if env is None:  # a template changed since the build compiled it
        raise TemplateFailure(problems[0])
    return env, stage, bodies, {}


def _report_job(
    state: JobState, job: ReportJob
) -> tuple[str | None, Uses, str | None, Diagnostic | None]:
    """Make a report's files into the stage; their SHA-256 digests, what its page read of
    the directory, and the template's failure if its page failed to render. After a failure
    the process renders no more pages of that template (the build will stop; its other
    templates are still tried)."""
    env, stage, bodies, failed = state
    if job.page is not None and job.page.template in failed:
        return None, (), None, None
    report = bodies.full(job.digest, job.path)
    page_sha = api_sha = None
    recorder = Recorder()
    if job.page is not None:
        d = recorder.directory(job.page.context["d"])
        try:
            data = render_page(env, job.page, {"report": report, "d": d})
        except TemplateFailure as failure:
            failed[job.page.template] = failure.diagnostic
            return None, (), None, failure.diagnostic
        write_file(stage, job.page.output, data)
        page_sha = hashlib.sha256(data).hexdigest()
    if job.api is not None:
        data = report_file(report).data
        write_file(stage, job.api, data)
        api_sha = hashlib.sha256(data).hexdigest()
    return page_sha, recorder.uses(), api_sha, None


def _own_page(
    noted: tuple[dict[str, str], dict[str, Uses]],
    failed: dict[str, Diagnostic],
    stage: Path,
    page: Page,
    env: TemplateEnvironment,
    bodies: Bodies,
) -> None:
    """Render a page into the stage in this process, noting its digest and what it read of
    the directory, or the failure of its template (whose other pages are then skipped)."""
    if page.template in failed:
        return
    shas, uses = noted
    recorder = Recorder()
    try:
        _own(shas, stage, page.output, partial(_render, env, page, bodies, recorder))
    except TemplateFailure as failure:
        failed[page.template] = failure.diagnostic
    else:
        uses[page.output] = recorder.uses()


def _own(shas: dict[str, str], stage: Path, output: str, make: Callable[[], bytes]) -> None:
    """Make one file into the stage in this process, noting its SHA-256 digest."""
    data = make()
    write_file(stage, output, data)
    shas[output] = hashlib.sha256(data).hexdigest()


def _render(env: TemplateEnvironment, page: Page, bodies: Bodies, recorder: Recorder) -> bytes:
    d = recorder.directory(page.context["d"])
    return render_page(env, page, {**read_now(page, bodies), "d": d})


def read_now(page: Page, bodies: Bodies) -> dict[str, Any]:
    """What a page's context gets only when it renders: its report in full, or a topic's
    mentions (see ``Page.report`` and ``Page.mentions_of``)."""
    if page.report is not None:
        return {"report": bodies.get(page.report)}
    if page.mentions_of is not None:
        topic = page.mentions_of
        by_slug = {r.slug: r for r in page.mentions_from}
        mentions = {
            stop.encounter: tuple(
                m for slug in stop.reports for m in bodies.mentions(by_slug[slug], topic)
            )
            for stop in page.context["stops"]
        }
        return {"mentions": mentions}
    return {}
