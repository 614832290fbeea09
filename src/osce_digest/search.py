"""Search: index the rendered site with Pagefind, before it is swapped in.

Pagefind (PyPI ``pagefind[bin]``, which ships its binary) reads the built HTML and writes a
static, chunked index and its UI into ``pagefind/``; pages mark what is indexed with
``data-pagefind-body``. Nothing is fetched from another host, at build time or in the browser.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


class SearchIndexFailed(Exception):
    """Pagefind could not index the site."""


def index_site(folder: Path, language: str) -> None:
    """Write the search index of the HTML under ``folder`` into ``folder/pagefind``."""
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(folder),
        "--force-language",
        language.split("-")[0] or "en",
        "--silent",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexFailed(f"could not run Pagefind: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise SearchIndexFailed("Pagefind failed: " + (detail[-1] if detail else "no output"))
