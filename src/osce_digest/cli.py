"""Command line: ``digest build`` and ``digest check``.

Parses arguments, runs a stage, prints through ``console.py`` and maps outcomes to exit
codes: 0 ok, 1 content errors, 2 usage errors. No traceback for anything an editor did;
``--debug`` shows one for anything else.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from osce_digest import console
from osce_digest.build import GENERATED_STATIC, build_site
from osce_digest.config import is_site_address
from osce_digest.diagnostics import Severity, has_errors
from osce_digest.discover import static_files
from osce_digest.load import epoch_problem, load_site, today
from osce_digest.parallel import collector_paused, default_jobs
from osce_digest.scaffold import ScaffoldRefused, new_report
from osce_digest.templates import make_environment
from osce_digest.write import OutputRefused, check_output, holds_build

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``digest`` command."""
    parser = _parser()
    args = parser.parse_args(argv)
    root = Path(args.root)
    if not (root / "content").is_dir():
        console.say(
            f"digest: no content/ folder in {root.resolve()}; run digest in the "
            "project folder or pass --root",
            sys.stderr,
        )
        return EXIT_USAGE
    problem = epoch_problem()
    if problem is not None:
        console.say(f"digest: {problem}", sys.stderr)
        return EXIT_USAGE
    try:
        if args.command == "build":
            return _build(args, root)
        if args.command == "new":
            return _new(args, root)
        if args.command == "serve":
            return _serve(args, root)
        return _check(args, root)
    except OutputRefused as refused:
        console.say(f"digest: {refused}", sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        console.say("digest: interrupted; the previous site is unchanged", sys.stderr)
        return 130
    except OSError as exc:
        if args.debug:
            raise
        console.say(
            f"digest: {exc.strerror or exc}: {exc.filename or ''} (the previous site is unchanged)",
            sys.stderr,
        )
        return EXIT_CONTENT
    except Exception:
        if args.debug:
            raise
        console.say(
            "digest: internal error; run again with --debug and report the traceback", sys.stderr
        )
        return 3


def _build(args: argparse.Namespace, root: Path) -> int:
    out = Path(args.out) if args.out else root / "site"
    templates = Path(args.templates) if args.templates else None
    progress = None if args.quiet else console.Progress(sys.stderr)
    result = build_site(
        root,
        out,
        drafts=args.drafts,
        base_url=args.base_url,
        strict=args.strict,
        templates=templates,
        jobs=args.jobs,
        use_cache=not args.no_cache,
        progress=progress,
    )
    if progress is not None:
        progress.done()
    # A build lists what stops it; warnings alone get one line (digest check lists them).
    shown = list(result.diagnostics) if args.strict else result.diagnostics.only_errors()
    if shown:
        console.say(console.format_text(shown, root), sys.stderr)
    warnings = result.diagnostics.warnings
    if warnings and not args.strict and not args.quiet:
        files = result.diagnostics.warning_files()
        console.say(
            ("also " if shown else "")
            + f"{warnings} warning{'s' * (warnings != 1)} in {files} "
            + f"file{'s' * (files != 1)}{', not listed here' if shown else ''}: "
            + "run digest check to see them",
            sys.stderr,
        )
    if not result.ok or (args.strict and result.diagnostics):
        console.say("digest: nothing was written; the previous site is unchanged", sys.stderr)
        return EXIT_CONTENT
    if args.quiet:
        return EXIT_OK
    console.say(
        f"built {result.reports} report{'s' * (result.reports != 1)}: "
        f"{result.pages} files written, {result.unchanged} unchanged, "
        f"in {result.seconds:.2f} s -> {out}",
        sys.stdout,
    )
    return EXIT_OK


def _serve(args: argparse.Namespace, root: Path) -> int:
    out = Path(args.out) if args.out else root / "site"
    templates = Path(args.templates) if args.templates else None

    files = -1  # in the output after the last good build

    def rebuild() -> tuple[str, bool]:
        """The errors as text ("" if none), and whether the output changed."""
        nonlocal files
        for _ in range(5):  # a file saved again while it was read: build again, quietly
            result = build_site(
                root,
                out,
                drafts=args.drafts,
                templates=templates,
                jobs=args.jobs,
                strict=args.strict,
            )
            errors = result.diagnostics.only_errors()
            if not errors or any(e.rule != "changed-during-build" for e in errors):
                break
        if errors:
            text = console.format_text(errors, root)
            served = (
                "still serving the last good build"
                if holds_build(out)
                else "nothing to serve yet: the site appears once these are fixed"
            )
            console.say(f"{text}\n{served}", sys.stderr)
            return text, False
        console.say(
            f"built {result.reports} report{'s' * (result.reports != 1)} in {result.seconds:.2f} s "
            f"({result.pages} files written, {result.unchanged} unchanged)",
            sys.stdout,
        )
        before, files = files, result.pages + result.unchanged
        return "", result.pages > 0 or files != before  # written, or a stale file removed

    # Imported here: the server and the file watcher are not needed by any other command,
    # and every build would pay for importing them.
    from osce_digest.serve import host_and_port, serve

    check_output(out, root)
    watched = [root / "content", templates or root / "templates"]
    try:
        serve(
            out, watched, args.host, args.port, rebuild, lambda text: console.say(text, sys.stdout)
        )
    except OSError as exc:
        console.say(
            f"digest serve: cannot listen on {host_and_port(args.host, args.port)}: "
            f"{exc.strerror or exc}",
            sys.stderr,
        )
        return EXIT_USAGE
    return EXIT_OK


def _new(args: argparse.Namespace, root: Path) -> int:
    loaded = load_site(root, drafts=True)
    site = loaded.site
    if args.date:
        try:
            day = dt.date.fromisoformat(args.date)
        except ValueError:
            console.say(f"digest new: --date {args.date} is not a date (YYYY-MM-DD)", sys.stderr)
            return EXIT_USAGE
    else:
        day = today(site.meta.timezone if site else "UTC")
    try:
        path = new_report(root, site, args.title, args.encounter, day, args.slug)
    except ScaffoldRefused as refused:
        console.say(f"digest new: {refused}", sys.stderr)
        return EXIT_CONTENT
    console.say(
        f"created {path.relative_to(root)} (a draft: set draft: false to publish)", sys.stdout
    )
    return EXIT_OK


def _check(args: argparse.Namespace, root: Path) -> int:
    templates = root / "templates"
    with collector_paused():
        static = {rel for rel, _ in static_files(templates / "static")}
        loaded = load_site(root, drafts=True, jobs=default_jobs(), static=static)
    diagnostics = list(loaded.diagnostics)
    if templates.is_dir():  # what a build would refuse in the templates, without rendering
        diagnostics += make_environment(templates, prune=False, static=static | GENERATED_STATIC)[1]
    if args.format == "json":
        console.say(console.format_json(diagnostics), sys.stdout)
    elif args.format == "github":
        console.say(console.format_github(diagnostics), sys.stdout)
    else:
        console.say(console.format_text(diagnostics, root), sys.stdout)
    failed = has_errors(diagnostics) or (
        args.strict and any(d.severity is Severity.WARNING for d in diagnostics)
    )
    return EXIT_CONTENT if failed else EXIT_OK


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return number


def _site_address(text: str) -> str:
    if not is_site_address(text):
        raise argparse.ArgumentTypeError(
            f"expected an http(s) address such as https://digest.example.org/, got {text!r}"
        )
    return text


def _port(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, got {text!r}")
    return number


def _host(text: str) -> str:
    """An address as given, an IPv6 one also in brackets as in a URL (``[::1]``)."""
    inner = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    if "[" in inner or "]" in inner or (inner != text and not inner):
        raise argparse.ArgumentTypeError(
            f"expected an address such as 127.0.0.1, ::1 or [::1], got {text!r}"
        )
    return inner


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest", description="Build and check a site of diplomatic encounter reports."
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", default=".", help="project folder (default: current folder)")
    common.add_argument("--strict", action="store_true", help="treat warnings as errors")
    common.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser("build", parents=[common], help="check, render and publish site/")
    build.add_argument("--drafts", action="store_true", help="include reports with draft: true")
    build.add_argument(
        "--jobs",
        type=_positive,
        default=default_jobs(),
        metavar="N",
        help=f"worker processes (default: the usable cores, here {default_jobs()})",
    )
    build.add_argument("--out", help="output folder (default: site/ in the project)")
    build.add_argument(
        "--base-url", type=_site_address, help="absolute URL the site is published at"
    )
    build.add_argument("--quiet", action="store_true", help="print errors only")
    build.add_argument(
        "--no-cache",
        action="store_true",
        help="parse and render everything anew, without reading or writing the project's cache "
        "(.osce-digest-cache/)",
    )
    build.add_argument("--templates", help="templates folder (default: templates/ in the project)")
    new = commands.add_parser("new", parents=[common], help="start a report with every section")
    new.add_argument("title", help="the report's headline")
    new.add_argument("--encounter", required=True, help="encounter id (reuse one to share facts)")
    new.add_argument("--date", help="publication date, YYYY-MM-DD (default: today)")
    new.add_argument("--slug", help="file name without .md (default: from the title)")
    serve_cmd = commands.add_parser(
        "serve", parents=[common], help="build, serve, rebuild on change, reload the browser"
    )
    serve_cmd.add_argument(
        "--host", type=_host, default="127.0.0.1", help="address (default: 127.0.0.1; ::1 for IPv6)"
    )
    serve_cmd.add_argument("--port", type=_port, default=8000, help="port (default: 8000)")
    serve_cmd.add_argument("--out", help="output folder (default: site/ in the project)")
    serve_cmd.add_argument("--templates", help="templates folder (default: templates/)")
    serve_cmd.add_argument("--drafts", action="store_true", help="include drafts")
    serve_cmd.add_argument(
        "--jobs", type=_positive, default=default_jobs(), metavar="N", help="worker processes"
    )
    check = commands.add_parser("check", parents=[common], help="report problems, write nothing")
    check.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text for people, json for tools, github for workflow annotations",
    )
    return parser


if __name__ == "__main__":
    sys.exit(main())
