"""Random edit sequences: does an incremental build write what a clean build writes?

Generates a corpus (or copies a project), builds it once, then makes seeded random edits of
the kinds editors make, a step at a time: a sentence added, a position or an item reworded,
a report retitled, redated, added, deleted, renamed, moved into a folder, made a draft and
published again; a topic relabelled, an actor added (named in a report's text, or going
by the name a report gives a party) or renamed, a shared source retitled, a venue renamed,
the site's title changed; a template, a partial or a stylesheet edited; a report's YAML
broken and fixed; an earlier text of a report restored; several of these at once. After
each step it runs ``digest build`` on the project (incremental: its cache, its ``site/``)
and a clean build (``--no-cache``, into an empty folder), and compares the two outputs
byte for byte and their diagnostics line for line. A broken step must fail with exit
status 1 and leave ``site/`` as it was.

It stops at the first difference, naming the step, its edits and the files that differ
(exit status 1); otherwise it prints what it checked (exit status 0). Not a timed test:
each step costs a clean build, so a few hundred steps of a 200-report corpus take tens of
minutes on two cores.

    python bench/edits.py --reports 200 --steps 100 --seed 5
    python bench/edits.py --project path/to/a/project --steps 50
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import generate

REPO = Path(__file__).resolve().parent.parent

APPENDED = "\nThe delegations met again on {n} March, according to a readout.\n"


@dataclass
class Project:
    """The project under edit, with what the edits need to remember."""

    root: Path
    rng: random.Random
    history: dict[Path, list[str]] = field(default_factory=dict)
    """Earlier texts of each report, for restoring one."""
    counter: int = 0

    @property
    def reports(self) -> Path:
        return self.root / "content" / "reports"

    def published(self) -> list[Path]:
        """The reports not marked as drafts, by path."""
        paths = sorted(self.reports.rglob("*.md"))
        return [p for p in paths if "\ndraft: true" not in p.read_text("utf-8")]

    def pick(self) -> Path | None:
        found = self.published()
        return self.rng.choice(found) if found else None

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}-{self.counter}"

    def rewrite(self, path: Path, text: str) -> None:
        self.history.setdefault(path, []).append(path.read_text("utf-8"))
        path.write_text(text, "utf-8")


Edit = Callable[[Project], str | None]
"""Makes one edit and says what it did; None when it does not apply to this project."""


def append_sentence(p: Project) -> str | None:
    path = p.pick()
    if path is None:
        return None
    text = path.read_text("utf-8")
    p.rewrite(path, text.rstrip("\n") + "\n" + APPENDED.format(n=p.rng.randrange(1, 29)))
    return f"appended a sentence to {path.name}"


def reword(p: Project) -> str | None:
    """A position (``**Party:** ...``) or an item's title (``### ...``)."""
    path = p.pick()
    if path is None:
        return None
    lines = path.read_text("utf-8").split("\n")
    found = [n for n, line in enumerate(lines) if line.startswith(("**", "### "))]
    if not found:
        return None
    n = p.rng.choice(found)
    if lines[n].startswith("### "):
        lines[n] = "### Again, " + lines[n][4:]
    else:
        lines[n] = lines[n].replace(":** ", ":** Once more, ", 1)
    p.rewrite(path, "\n".join(lines))
    return f"reworded line {n + 1} of {path.name}"


def _front_line(p: Project, key: str, change: Callable[[str], str]) -> str | None:
    path = p.pick()
    if path is None:
        return None
    text = path.read_text("utf-8")
    match = re.search(rf"^{key}:[ \t]*(.*)$", text, flags=re.MULTILINE)
    if match is None:
        return None
    start, end = match.span(1)
    p.rewrite(path, text[:start] + change(match.group(1)) + text[end:])
    return f"changed the {key} of {path.name}"


def retitle(p: Project) -> str | None:
    def change(value: str) -> str:
        quote = value[:1] if value[:1] in "'\"" else ""
        return f"{quote}Retitled {value[len(quote) :]}"

    return _front_line(p, "title", change)


def redate(p: Project) -> str | None:
    year = p.rng.choice(["2019", "2021", "2023", "2025"])
    return _front_line(p, "date", lambda value: re.sub(r"^\d{4}", year, value))


def add_copy(p: Project) -> str | None:
    path = p.pick()
    if path is None:
        return None
    copy = path.with_name(p.fresh(path.stem) + ".md")
    shutil.copyfile(path, copy)
    return f"added {copy.name}, a copy of {path.name}"


def delete(p: Project) -> str | None:
    found = p.published()
    if len(found) < 3:
        return None
    path = p.rng.choice(found)
    path.unlink()
    return f"deleted {path.name}"


def rename(p: Project) -> str | None:
    path = p.pick()
    if path is None:
        return None
    target = path.with_name(p.fresh("renamed") + ".md")
    path.rename(target)
    return f"renamed {path.name} to {target.name}"


def move_into_folder(p: Project) -> str | None:
    path = p.pick()
    if path is None:
        return None
    folder = p.reports / p.rng.choice(["2024", "archive"])
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    if target.exists():
        return None
    path.rename(target)
    return f"moved {path.name} into {folder.name}/"


def draft_and_back(p: Project) -> str | None:
    """Make a report a draft; a later pick of the same edit publishes a draft again."""
    drafts = [q for q in sorted(p.reports.rglob("*.md")) if "\ndraft: true" in q.read_text("utf-8")]
    if drafts and p.rng.random() < 0.5:
        draft = p.rng.choice(drafts)
        p.rewrite(draft, draft.read_text("utf-8").replace("\ndraft: true", "\ndraft: false", 1))
        return f"published {draft.name} again"
    path = p.pick()
    if path is None:
        return None
    text = path.read_text("utf-8")
    if "\ndraft: false" in text:
        text = text.replace("\ndraft: false", "\ndraft: true", 1)
    else:
        text = text.replace("\n", "\ndraft: true\n", 1)  # after the opening ---
    p.rewrite(path, text)
    return f"made {path.name} a draft"


def restore_earlier(p: Project) -> str | None:
    """An undo: a report's text from before an earlier edit (its cache entry may remain)."""
    known = [(path, texts) for path, texts in p.history.items() if path.is_file() and texts]
    if not known:
        return None
    path, texts = p.rng.choice(known)
    path.write_text(texts.pop(p.rng.randrange(len(texts))), "utf-8")
    return f"restored an earlier text of {path.name}"


def _vocabulary(p: Project, name: str, change: Callable[[str], str | None]) -> str | None:
    path = p.root / "content" / name
    if not path.is_file():
        return None
    text = path.read_text("utf-8")
    changed = change(text)
    if changed is None or changed == text:
        return None
    path.write_text(changed, "utf-8")
    return f"edited {name}"


def relabel_topic(p: Project) -> str | None:
    return _prefix_field(p, "topics.yaml", "label")


def describe_topic(p: Project) -> str | None:
    return _prefix_field(p, "topics.yaml", "description")


def rename_actor(p: Project) -> str | None:
    return _prefix_field(p, "actors.yaml", "name")


def add_actor(p: Project) -> str | None:
    """A new person in a list-form actors.yaml, named in a report's text half the time."""
    name = f"Ilka Newcomb{p.fresh('')}".replace("-", "")
    key = name.lower().replace(" ", "-")
    entry = f'\n- key: {key}\n  name: "{name}"\n  kind: person\n  aliases: ["{name.split()[1]}"]\n'

    def change(text: str) -> str | None:
        return text.rstrip("\n") + "\n" + entry if text.lstrip().startswith(("-", "#")) else None

    done = _vocabulary(p, "actors.yaml", change)
    if done is None:
        return None
    path = p.pick()
    if path is not None and p.rng.random() < 0.5:
        text = path.read_text("utf-8").rstrip("\n")
        p.rewrite(path, text + f"\n\n{name} attended, according to a readout.\n")
        return f"added the actor {key}, named in {path.name}"
    return f"added the actor {key}"


def take_party_name(p: Project) -> str | None:
    """A new actor, first in actors.yaml, going by the name of a party some report's
    position gives (``**Name:**``): the first actor with a name keeps it, so the name now
    means the newcomer."""
    path = p.pick()
    if path is None:
        return None
    names = re.findall(r"^\*\*([^*:]{2,40}):\*\* ", path.read_text("utf-8"), flags=re.MULTILINE)
    if not names:
        return None
    name = p.rng.choice(names)
    key = p.fresh("envoy")
    entry = f'- key: {key}\n  name: "{name} Envoy"\n  kind: person\n  aliases: ["{name}"]\n\n'

    def change(text: str) -> str | None:
        first = re.search(r"^- ", text, flags=re.MULTILINE)
        return text[: first.start()] + entry + text[first.start() :] if first else None

    done = _vocabulary(p, "actors.yaml", change)
    return f"added the actor {key}, who goes by {name!r} (a party in {path.name})" if done else None


def _prefix_field(p: Project, name: str, field: str) -> str | None:
    """Prefix a random entry's ``field`` in the vocabulary ``name`` with "Re "."""

    def change(text: str) -> str | None:
        pattern = rf"^\s*{field}:[ \t]*['\"]?()"
        spots = [m.start(1) for m in re.finditer(pattern, text, re.MULTILINE)]
        if not spots:
            return None
        at = p.rng.choice(spots)
        return text[:at] + "Re " + text[at:]

    return _vocabulary(p, name, change)


def retitle_shared_source(p: Project) -> str | None:
    return _prefix_field(p, "sources.yaml", "title")


def rename_venue(p: Project) -> str | None:
    return _prefix_field(p, "venues.yaml", "name")


def retitle_site(p: Project) -> str | None:
    def change(text: str) -> str | None:
        return re.sub(r"^title:[ \t]*", "title: Re ", text, count=1, flags=re.MULTILINE)

    return _vocabulary(p, "site.yaml", change)


def edit_template(p: Project) -> str | None:
    templates = p.root / "templates"
    found = sorted(templates.rglob("*.html"))
    if not found:
        return None
    path = p.rng.choice(found)
    text = path.read_text("utf-8")
    mark = f"<!-- edit {p.fresh('t')} -->"
    # Inside the body where there is one, else at the end: visible in the output either way.
    if "</main>" in text:
        text = text.replace("</main>", mark + "</main>", 1)
    elif "{% endblock %}" in text:
        text = text.replace("{% endblock %}", mark + "{% endblock %}", 1)
    else:
        text = text.rstrip("\n") + mark + "\n"
    path.write_text(text, "utf-8")
    return f"edited the template {path.relative_to(templates)}"


def edit_stylesheet(p: Project) -> str | None:
    found = sorted((p.root / "templates" / "static").rglob("*.css"))
    if not found:
        return None
    path = p.rng.choice(found)
    path.write_text(path.read_text("utf-8") + f"\n/* edit {p.fresh('css')} */\n", "utf-8")
    return f"edited the stylesheet {path.name}"


EDITS: dict[str, Edit] = {
    "sentence": append_sentence,
    "reword": reword,
    "retitle": retitle,
    "redate": redate,
    "add": add_copy,
    "delete": delete,
    "rename": rename,
    "move": move_into_folder,
    "draft": draft_and_back,
    "undo": restore_earlier,
    "topic": relabel_topic,
    "topic-described": describe_topic,
    "actor-renamed": rename_actor,
    "actor-added": add_actor,
    "party-name": take_party_name,
    "source": retitle_shared_source,
    "venue": rename_venue,
    "site": retitle_site,
    "template": edit_template,
    "stylesheet": edit_stylesheet,
}
WEIGHTS = {"sentence": 4, "reword": 3, "retitle": 2, "add": 2, "undo": 2, "party-name": 2}
"""How much likelier than the others (1) an edit is picked: the everyday ones."""


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def differences(got: dict[str, bytes], want: dict[str, bytes]) -> list[str]:
    """What differs between two outputs, one line per file."""
    lines = [f"only in the incremental build: {rel}" for rel in sorted(got.keys() - want.keys())]
    lines += [f"only in the clean build: {rel}" for rel in sorted(want.keys() - got.keys())]
    lines += [
        f"differs: {rel}" for rel in sorted(got.keys() & want.keys()) if got[rel] != want[rel]
    ]
    return lines


@dataclass
class Builder:
    """Runs ``digest build`` on the project, incremental or clean."""

    digest: str
    root: Path
    jobs: str | None

    def __call__(self, out: Path, *extra: str) -> tuple[int, list[str]]:
        """Exit status and diagnostics (stderr without the summary and progress lines)."""
        command = [self.digest, "build", "--root", str(self.root), "--out", str(out), *extra]
        if self.jobs is not None:
            command += ["--jobs", self.jobs]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        lines = [line for line in done.stderr.splitlines() if not line.startswith("built ")]
        return done.returncode, lines


def break_yaml(p: Project, build: Builder, site: Path) -> list[str]:
    """Break a report's front matter; the build must fail and leave the output alone.
    The text is then fixed (restored), so the step's own build sees the good text."""
    path = p.pick()
    if path is None:
        return []
    text = path.read_text("utf-8")
    path.write_text(text.replace("\ntitle:", "\ntitle: [unclosed", 1), "utf-8")
    before = tree(site)
    status, _ = build(site)
    path.write_text(text, "utf-8")
    problems = []
    if status != 1:
        problems.append(f"a broken front matter in {path.name} gave exit status {status}, not 1")
    if tree(site) != before:
        problems.append("a failed build changed the output")
    return problems


def step(p: Project, rng: random.Random) -> list[str]:
    """One to three edits that apply; what they did."""
    kinds = list(EDITS)
    weights = [WEIGHTS.get(kind, 1) for kind in kinds]
    done: list[str] = []
    wanted = 1 if rng.random() < 0.7 else rng.randint(2, 3)
    for _ in range(20):
        if len(done) == wanted:
            break
        kind = rng.choices(kinds, weights)[0]
        what = EDITS[kind](p)
        if what is not None:
            done.append(f"{kind}: {what}")
    return done


def check(
    root: Path, steps: int, seed: int, digest: str, jobs: str | None, log: Callable[[str], None]
) -> int:
    """Edit and compare ``steps`` times; 0 when every step matched, else 1."""
    rng = random.Random(seed)
    p = Project(root, random.Random(seed + 1))
    build = Builder(digest, root, jobs)
    site, clean = root / "site", root.parent / "clean"
    status, _ = build(site)
    if status != 0:
        log(f"the project does not build to begin with (exit status {status})")
        return 1
    counts: Counter[str] = Counter()
    for number in range(1, steps + 1):
        problems: list[str] = []
        if rng.random() < 0.08:
            counts["broken"] += 1
            problems += break_yaml(p, build, site)
        edits = step(p, rng)
        counts.update(edit.split(":", 1)[0] for edit in edits)
        got_status, got_lines = build(site)
        shutil.rmtree(clean, ignore_errors=True)
        want_status, want_lines = build(clean, "--no-cache")
        if got_status != want_status:
            problems.append(f"exit status {got_status}, a clean build's {want_status}")
        if got_lines != want_lines:
            problems.append("the diagnostics differ from a clean build's")
        if want_status == 0:
            problems += differences(tree(site), tree(clean))
        log(f"step {number}: {'; '.join(edits) or 'no edit'}" + (" FAILED" if problems else ""))
        if problems:
            for line in problems[:40]:
                log(f"  {line}")
            return 1
    summary = ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items()))
    log(f"{steps} steps, every incremental build the same as a clean build ({summary})")
    return 0


def find_digest() -> str | None:
    """``digest`` beside this Python (a venv's bin/ need not be on PATH), else on PATH."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return shutil.which("digest", path=path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200, help="corpus size (default 200)")
    parser.add_argument("--steps", type=int, default=50, help="edit steps (default 50)")
    parser.add_argument("--seed", type=int, default=1, help="seed of corpus and edits (default 1)")
    parser.add_argument("--jobs", help="passed to digest build (default: its own)")
    parser.add_argument("--project", type=Path, help="edit a copy of this project instead")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if args.project is not None and not (args.project / "content" / "reports").is_dir():
        parser.error(f"{args.project} has no content/reports/ folder")
    digest = find_digest()
    if digest is None:
        parser.error("digest is not installed: pip install -e .")
    tmp = Path(tempfile.mkdtemp(prefix="osce-digest-edits-"))
    try:
        root = tmp / "project"
        if args.project is None:
            generate.generate(root, args.reports, args.seed)
        else:
            shutil.copytree(args.project / "content", root / "content", symlinks=True)
        own = args.project / "templates" if args.project is not None else None
        shutil.copytree(
            own if own is not None and own.is_dir() else REPO / "templates", root / "templates"
        )
        return check(
            root, args.steps, args.seed, digest, args.jobs, lambda line: print(line, flush=True)
        )
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
