"""Start ``digest serve`` on a copy of the real project, for the serve tests."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent


class Served(NamedTuple):
    project: Path
    port: int
    process: subprocess.Popen[str]
    started: str
    """What the server printed up to and including its "serving ... at" line."""


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_or_explain(process: subprocess.Popen[str], timeout: float = 10) -> int:
    """Send Ctrl-C and return the exit code; if the server does not stop in time, fail
    with what it printed and the stack of each of its threads."""
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        output, _ = process.communicate(timeout=30)
        raise AssertionError(
            f"digest serve did not stop within {timeout} s of Ctrl-C:\n{output[-8000:]}"
        ) from None


@contextmanager
def serving(
    tmp_path: Path,
    prepare: Callable[[Path], None] | None = None,
    port: int | None = None,
    host: str = "127.0.0.1",
) -> Iterator[Served]:
    """A running ``digest serve`` on a copy of the project, changed first by ``prepare``
    if given (on ``port``, else a free one)."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    shutil.copytree(REPO / "templates", project / "templates")
    if prepare is not None:
        prepare(project)
    port = port or free_port()
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "PYTHONFAULTHANDLER": "1",  # SIGABRT prints every thread's stack, for stop_or_explain
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "osce_digest.cli",
            "serve",
            "--root",
            str(project),
            "--host",
            host,
            "--port",
            str(port),
            "--jobs",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    lines = [""]
    while time.monotonic() < deadline and "serving" not in lines[-1]:
        lines.append(process.stdout.readline())
    name = f"[{host}]" if ":" in host and not host.startswith("[") else host
    assert f"http://{name}:{port}/" in lines[-1], "".join(lines)
    try:
        yield Served(project, port, process, "".join(lines))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
