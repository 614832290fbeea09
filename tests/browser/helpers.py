"""What the browser tests share: a built site and its server, and a recorder of page traffic."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves one built site under a URL prefix, the way a static host does.

    Files go out with the types a static host gives them (the search index is JSON).
    A missing file gets the site's 404.html with status 404.
    """

    extensions_map = {  # noqa: RUF012 (the base class declares it as a plain dict)
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".mjs": "text/javascript; charset=utf-8",
        ".json": "application/json",
        ".xml": "application/xml",
        ".svg": "image/svg+xml",
        ".txt": "text/plain; charset=utf-8",
    }
    prefix = "/"

    def translate_path(self, path: str) -> str:
        url_path = urlsplit(path).path
        if not url_path.startswith(self.prefix):
            return str(Path(self.directory) / "\0outside-the-prefix")
        return super().translate_path("/" + path[len(self.prefix) :])

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path, prefix: str = "/") -> Iterator[str]:
    """Serve ``folder`` at ``http://127.0.0.1:<free port><prefix>``; yield that URL.

    The folder need not exist yet: files are looked up on each request.
    """
    handler = type("Handler", (SiteHandler,), {"prefix": prefix})

    def make(*args: Any) -> SiteHandler:
        return handler(*args, directory=str(folder))

    server = ThreadingHTTPServer(("127.0.0.1", 0), make)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass(frozen=True)
class Site:
    """A built site: its folder on disk and the URL the test server gives it."""

    name: str
    folder: Path
    url: str

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def http(self, rel: str = "") -> str:
        return urljoin(self.url, rel)

    def file(self, rel: str = "index.html") -> str:
        return (self.folder / rel).as_uri()


@dataclass
class Traffic:
    """Everything a browser context did that a clean page must not do."""

    allowed_origin: str
    allow_files: bool = False
    expected_status: dict[str, int] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bad_status: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    pending: set[Request] = field(default_factory=set)

    def attach(self, context: BrowserContext) -> Traffic:
        context.on("request", self._request)
        context.on("requestfailed", self._failed)
        context.on("requestfinished", lambda request: self.pending.discard(request))
        context.on("response", self._response)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.page_errors.append(str(error.error)))
        return self

    def _request(self, request: Request) -> None:
        url = request.url
        self.requests.append(url)
        self.pending.add(request)
        scheme = urlsplit(url).scheme
        if scheme in ("data", "blob", "about"):
            return
        if scheme == "file" and self.allow_files:
            return
        if not url.startswith(self.allowed_origin + "/"):
            self.foreign.append(url)

    def _failed(self, request: Request) -> None:
        self.pending.discard(request)
        self.failed.append(f"{request.url}: {request.failure}")

    def _response(self, response: Response) -> None:
        expected = self.expected_status.get(response.url, 200)
        if response.status >= 400 and response.status != expected:
            self.bad_status.append(f"{response.status} {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        where = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and where in self.expected_status:
            return  # the browser's own note on an error status the test asked for
        if message.type == "error":
            self.console_errors.append(f"{message.text} (at {where})")

    def settle(self, page: Page, timeout_ms: int = 5000) -> None:
        """Wait until nothing is in flight, the page's icon included (it is fetched after `load`).

        Leaving a page earlier would abort its late requests and report them as failed.
        """
        icons = page.eval_on_selector_all("link[rel~=icon]", "links => links.map(l => l.href)")
        for _ in range(timeout_ms // 10):
            started = all(icon in self.requests for icon in icons)
            if started and not self.pending:
                return
            page.wait_for_timeout(10)
        raise AssertionError(f"still waiting for {[r.url for r in self.pending] or icons}")

    def problems(self) -> list[str]:
        return (
            [f"request to another host: {u}" for u in self.foreign]
            + [f"failed request: {f}" for f in self.failed]
            + [f"error status: {s}" for s in self.bad_status]
            + [f"console error: {c}" for c in self.console_errors]
            + [f"script error: {e}" for e in self.page_errors]
        )

    def clear(self) -> None:
        for name in (
            "requests",
            "foreign",
            "failed",
            "bad_status",
            "console_errors",
            "page_errors",
        ):
            getattr(self, name).clear()


def computed(page_or_locator: Any, prop: str) -> str:
    """The computed value of a CSS property of a locator's element."""
    return str(page_or_locator.evaluate(f"el => getComputedStyle(el).getPropertyValue('{prop}')"))
