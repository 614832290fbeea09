"""Serve: build, serve the output on 127.0.0.1, rebuild on change, reload open pages.

The only module that imports watchfiles. HTML responses get one script, served by this
server itself, that listens to server-sent events: "reload" after a good rebuild, "errors"
with the diagnostics while the content does not build (the last good site stays served
and the page shows them as an overlay). Only files inside the output folder are served:
paths are decoded once, normalised, and resolved; anything that leads outside (``..``,
encoded traversal, absolute paths, symlinks) is a 404.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import mimetypes
import os
import posixpath
import secrets
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import watchfiles

from osce_digest.write import holds_build

RELOAD_PATH = "/__digest__/reload.js"
WORKER_PATH = "/__digest__/events-worker.js"
EVENTS_PATH = "/__digest__/events"

RELOAD_SCRIPT = """\
// digest serve: reload on rebuild; show the diagnostics while the content has errors.
(function () {
  "use strict";
  var overlay = null;
  function show(data) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "digest-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:99999;overflow:auto;" +
        "background:rgba(20,20,20,.95);color:#fff;padding:2rem;font:14px/1.5 monospace;" +
        "white-space:pre-wrap";
      document.body.appendChild(overlay);
    }
    overlay.textContent = (data.built
      ? "The content has errors; this page shows the last good build."
      : "The content has errors, and there is no good build to show yet; the site " +
        "appears once they are fixed.") + "\\n\\n" + data.text;
  }
  // The build this page was served from; the stream names the server's current one
  // first: a page opened before a restart (or a rebuild it missed) reloads.
  var build = document.currentScript && document.currentScript.getAttribute("data-build");
  var stop = function () {};
  function reload() {
    stop();
    window.location.reload();
  }
  function handle(kind, data) {
    if (kind === "reload") { reload(); }
    if (kind === "hello" && build && data.build !== build) { reload(); }
    if (kind === "errors") { show(data); }
  }
  // A browser opens at most six connections to one host, and a stream holds one for as
  // long as the page is open: the pages of a browser share one stream, held by a shared
  // worker, or a seventh tab would never load. Without shared workers, a page holds its
  // own and closes it before it reloads or goes.
  if (window.SharedWorker) {
    var port = new SharedWorker("/__digest__/events-worker.js").port;
    port.onmessage = function (event) { handle(event.data.kind, event.data.data); };
    stop = function () { port.postMessage("bye"); port.close(); };
    port.start();
  } else {
    var source = new EventSource("/__digest__/events");
    ["reload", "hello", "errors"].forEach(function (kind) {
      source.addEventListener(kind, function (event) { handle(kind, JSON.parse(event.data)); });
    });
    stop = function () { source.close(); };
  }
  window.addEventListener("pagehide", function () { stop(); });
})();
"""

WORKER_SCRIPT = """\
// digest serve: one event stream for every open page of the site (see reload.js).
"use strict";
var ports = [];
var hello = null;
var errors = null;
function tell(message) {
  ports.forEach(function (port) { port.postMessage(message); });
}
var source = new EventSource("/__digest__/events");
source.addEventListener("hello", function (event) {
  hello = {kind: "hello", data: JSON.parse(event.data)};
  errors = null;
  tell(hello);
});
source.addEventListener("errors", function (event) {
  var data = JSON.parse(event.data);
  hello = {kind: "hello", data: {build: data.build}};
  errors = {kind: "errors", data: data};
  tell(errors);
});
source.addEventListener("reload", function (event) {
  hello = {kind: "hello", data: JSON.parse(event.data)};
  errors = null;
  tell({kind: "reload", data: {}});
});
self.onconnect = function (event) {
  var port = event.ports[0];
  ports.push(port);
  port.onmessage = function (message) {
    if (message.data === "bye") { ports = ports.filter(function (p) { return p !== port; }); }
  };
  port.start();
  // A page that joins later hears where the stream is: its build, and any errors.
  if (hello) { port.postMessage(hello); }
  if (errors) { port.postMessage(errors); }
};
"""


@dataclass
class Status:
    """What the server tells open pages: a generation counter and the current errors."""

    generation: int = 0
    """Bumped after every rebuild."""
    session: str = field(default_factory=lambda: secrets.token_hex(4))
    """This server's run: a build is known by the two."""
    errors: str = ""
    """Diagnostics of the last rebuild, or "" when it succeeded."""
    built: bool = True
    """Whether the output holds a good build (false until the content first builds)."""
    changed: threading.Condition = field(default_factory=threading.Condition)
    """Notified after every rebuild."""
    stopping: bool = False
    """Set when the server shuts down, so event streams end."""

    def publish(self, errors: str, built: bool, changed: bool = True) -> None:
        """Record a rebuild's outcome and wake every event stream, unless it left the output
        as it was and there were no errors to clear (a file saved without a change)."""
        with self.changed:
            if not changed and not errors and not self.errors:
                return
            self.generation += 1
            self.errors = errors
            self.built = built
            self.changed.notify_all()

    def build(self) -> str:
        """Which build the output holds, as pages are told."""
        with self.changed:
            return self.build_of(self.generation)

    def build_of(self, generation: int) -> str:
        """The name of this server's build ``generation``."""
        return f"{self.session}-{generation}"

    def stop(self) -> None:
        """End every event stream."""
        with self.changed:
            self.stopping = True
            self.changed.notify_all()


def resolve(root: Path, raw_path: str) -> Path | None:
    """The file under ``root`` a request path names, or None if it is not one to serve."""
    path = unquote(urlsplit(raw_path).path, errors="strict")
    if "\x00" in path or "\\" in path:
        return None
    parts = [p for p in posixpath.normpath("/" + path).split("/") if p]
    if any(p in ("..", ".") for p in parts):
        return None
    target = root.joinpath(*parts)
    try:  # a name too long for the file system raises here
        if target.is_dir():
            target = target / "index.html"
        real = target.resolve(strict=True)
        if not real.is_relative_to(root.resolve()) or not real.is_file():
            return None
    except (OSError, RuntimeError):
        return None
    return real


class _Server(ThreadingHTTPServer):
    """The standard threading server, with a longer queue of connections waiting to be
    accepted (a burst of reconnecting pages) and quiet about clients that went away."""

    request_queue_size = 64
    daemon_threads = True
    stopping = False
    """Set on Ctrl-C: requests cut off as the server closes are not errors either."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        failure = sys.exc_info()[1]
        quiet = ConnectionError if not self.stopping else OSError
        if not isinstance(failure, quiet):
            super().handle_error(request, client_address)


class _Server6(_Server):
    """The same, on an IPv6 address (``--host ::1``)."""

    address_family = socket.AF_INET6


def make_handler(root: Path, status: Status) -> type[BaseHTTPRequestHandler]:
    """A request handler serving ``root`` and the live-reload endpoints."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "digest-serve"

        def do_GET(self) -> None:
            try:
                path = urlsplit(self.path).path
            except ValueError:
                path = ""
            if path == RELOAD_PATH:
                self._send(HTTPStatus.OK, RELOAD_SCRIPT.encode(), "text/javascript")
            elif path == WORKER_PATH:
                self._send(HTTPStatus.OK, WORKER_SCRIPT.encode(), "text/javascript")
            elif path == EVENTS_PATH:
                self._events()
            else:
                self._file()

        def do_HEAD(self) -> None:
            self.do_GET()

        def log_message(self, format: str, *args: object) -> None:
            return  # quiet: the console shows builds, not requests

        def _file(self) -> None:
            try:
                target = resolve(root, self.path)
            except UnicodeDecodeError:
                target = None
            if target is not None and target.name == "index.html" and self._folder_without_slash():
                return
            if target is None:
                missing = root / "404.html"
                body = missing.read_bytes() if missing.is_file() else b"Not found\n"
                self._send(
                    HTTPStatus.NOT_FOUND, _inject(body, status.build()), "text/html; charset=utf-8"
                )
                return
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if target.suffix == ".wasm":
                kind = "application/wasm"
            body = target.read_bytes()
            if kind == "text/html":
                body, kind = _inject(body, status.build()), "text/html; charset=utf-8"
            self._send(HTTPStatus.OK, body, kind)

        def _folder_without_slash(self) -> bool:
            """Redirect a folder's address without its closing slash to the one with it
            (the page's relative links are written for that), as web servers do."""
            address = urlsplit(self.path)
            if address.path.endswith("/") or address.path.endswith("/index.html"):
                return False
            location = address.path + "/" + (f"?{address.query}" if address.query else "")
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True

        def _send(self, code: HTTPStatus, body: bytes, kind: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command == "HEAD":
                return
            for event, data in _stream(status):
                try:
                    self.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
                    self.wfile.flush()
                except OSError:
                    return

    return Handler


def _stream(status: Status) -> Iterator[tuple[str, str]]:
    """Events for one open page: its current errors, then one event per rebuild."""
    with status.changed:
        seen = status.generation
        errors, built = status.errors, status.built
    yield "hello", json.dumps({"build": status.build_of(seen)})
    if errors:
        yield "errors", _errors(errors, built, status.build_of(seen))
    while True:
        with status.changed:
            status.changed.wait_for(partial(_moved_on, status, seen), timeout=15)
            if status.stopping:
                return
            if status.generation == seen:
                event: tuple[str, str] = ("ping", "{}")
            else:
                seen = status.generation
                # Each names the build it announces: a page joining later is told it.
                now = status.build_of(seen)
                event = (
                    ("errors", _errors(status.errors, status.built, now))
                    if status.errors
                    else ("reload", json.dumps({"build": now}))
                )
        yield event


def _errors(text: str, built: bool, build: str) -> str:
    """An "errors" event's data: the diagnostics, whether a good build is served, which build."""
    return json.dumps({"text": text, "built": built, "build": build})


def _moved_on(status: Status, seen: int) -> bool:
    return status.generation != seen or status.stopping


def _inject(body: bytes, build: str) -> bytes:
    tag = f'<script src="{RELOAD_PATH}" data-build="{build}"></script>'.encode()
    index = body.rfind(b"</body>")
    return body[:index] + tag + body[index:] if index >= 0 else body + tag


def host_and_port(host: str, port: int) -> str:
    """``host:port``, with an IPv6 address in brackets (``[::1]:8000``)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def serve(
    out: Path,
    watched: list[Path],
    host: str,
    port: int,
    rebuild: Callable[[], tuple[str, bool]],
    say: Callable[[str], None],
) -> None:
    """Serve ``out`` until interrupted, calling ``rebuild`` (which returns the errors, or "",
    and whether the output changed) whenever something under ``watched`` (content/, the
    templates) changes. Open pages reload when the output changed or errors were shown.

    The address is taken before the first build, so a port in use fails at once and leaves
    the output alone. A watched folder that is deleted and made again (a branch switch, a
    sync tool) is watched again when it reappears."""
    status = Status()
    kind = _Server6 if ":" in host else _Server
    server = kind((host, port), make_handler(out, status))  # OSError: cannot listen
    try:
        errors, _ = rebuild()
        status.publish(errors, holds_build(out))
        stop = threading.Event()
        ready = threading.Event()

        busy = threading.Event()  # a rebuild is running

        def outcome() -> tuple[str, bool, bool]:
            busy.set()
            try:
                errors, changed = rebuild()
                return errors, holds_build(out), changed
            finally:
                busy.clear()

        watcher = threading.Thread(
            target=_watch, args=(watched, stop, ready, outcome, status, say), daemon=True
        )
        watcher.start()
        ready.wait(timeout=10)  # changes made from now on are seen
        address = f"http://{host_and_port(host, server.server_address[1])}/"
        say(f"serving {out} at {address} (Ctrl-C to stop)")
        if host in ("0.0.0.0", "::", ""):
            say("note: every address of this machine serves the site, to anyone who can reach it")
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            say("stopping")
        finally:
            server.stopping = True
            stop.set()
            status.stop()
            if busy.is_set():
                # Ctrl-C stops a rebuild as it stops `digest build`: its staging folder is
                # removed and the site stays as it was (else it ran on, or was cut off at
                # exit with its folder left behind).
                _interrupt(watcher)
            watcher.join(timeout=10)
    finally:
        server.server_close()


def _interrupt(thread: threading.Thread) -> None:
    """Raise KeyboardInterrupt in ``thread`` at its next Python instruction (as Ctrl-C
    does in the main thread)."""
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(thread.ident), ctypes.py_object(KeyboardInterrupt)
        )


def _identity(path: Path) -> tuple[int, int] | None:
    """Which folder is at ``path`` now (None: none)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


def _watch(
    paths: list[Path],
    stop: threading.Event,
    ready: threading.Event,
    outcome: Callable[[], tuple[str, bool, bool]],
    status: Status,
    say: Callable[[str], None],
) -> None:
    with contextlib.suppress(KeyboardInterrupt):  # stopped by the server (_interrupt)
        _watch_until(paths, stop, ready, outcome, status, say)


def _watch_until(
    paths: list[Path],
    stop: threading.Event,
    ready: threading.Event,
    outcome: Callable[[], tuple[str, bool, bool]],
    status: Status,
    say: Callable[[str], None],
) -> None:
    while not stop.is_set():
        watching = {path: _identity(path) for path in paths}
        present = [path for path, seen in watching.items() if seen is not None]
        if not present:  # nothing to watch until one of them is made again
            ready.set()
            stop.wait(0.2)
            if any(_identity(path) is not None for path in paths):
                _rebuild(outcome, status, say, "reappeared: " + ", ".join(p.name for p in paths))
            continue
        # With yield_on_timeout the watcher yields an empty set once it is watching (and
        # then after every quiet rust_timeout): the first yield says it is ready, and each
        # one checks that the folders watched are still the ones at their paths.
        for changes in watchfiles.watch(
            *present,
            stop_event=stop,
            debounce=300,
            step=50,
            raise_interrupt=False,
            yield_on_timeout=True,
            rust_timeout=200,
        ):
            ready.set()
            moved = [p for p in paths if _identity(p) != watching[p]]
            if changes:
                names = _changed_names(changes)
                more = " ..." if len(names) > 5 else ""
                _rebuild(outcome, status, say, f"changed: {', '.join(names[:5])}{more}")
            elif moved:
                _rebuild(outcome, status, say, f"replaced: {', '.join(p.name for p in moved)}")
            if moved:
                break  # watch the folders now at those paths


def _changed_names(changes: set[tuple[watchfiles.Change, str]]) -> list[str]:
    """The names of the files changed, without those made and gone again in the same batch
    (the scratch file an editor or ``sed -i`` writes and renames over the real one)."""
    added = {path for change, path in changes if change == watchfiles.Change.added}
    passing = {path for path in added if not os.path.lexists(path)}
    names = sorted({Path(path).name for _, path in changes if path not in passing})
    return names or sorted({Path(path).name for _, path in changes})


def _rebuild(
    outcome: Callable[[], tuple[str, bool, bool]],
    status: Status,
    say: Callable[[str], None],
    why: str,
) -> None:
    say(why)
    try:
        status.publish(*outcome())
    except Exception as exc:  # the server goes on; the next change tries again
        say(f"the rebuild failed: {type(exc).__name__}: {exc}")
