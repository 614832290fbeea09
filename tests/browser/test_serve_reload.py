"""digest serve in a real browser: an edit reloads the page, broken content shows an overlay."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.conftest import REPO

REPORT = "content/reports/lavrov-blinken-osce-malta-2024.md"
URL_PATH = "reports/lavrov-blinken-osce-malta-2024/"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    shutil.copytree(REPO / "templates", project / "templates")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "osce_digest.cli",
            "serve",
            "--root",
            str(project),
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
    while time.monotonic() < deadline and "serving" not in process.stdout.readline():
        pass
    yield project, f"http://127.0.0.1:{port}/"
    process.terminate()
    process.wait(timeout=10)


def test_editing_reloads_the_page_and_broken_yaml_shows_an_overlay_until_fixed(
    server: tuple[Path, str], page: Page
) -> None:
    project, base = server
    page.goto(base + URL_PATH)
    dek = page.locator(".report-header .dek")
    expect(dek).to_have_text("High-Stakes Diplomacy: Lavrov and Blinken Face Off in Malta")
    report = project / REPORT
    text = report.read_text("utf-8")

    report.write_text(text.replace("High-Stakes Diplomacy", "Edited in the editor"), "utf-8")
    expect(dek).to_contain_text("Edited in the editor", timeout=20_000)

    report.write_text(text.replace("date: 2024-12-06", "date: [2024-12-06"), "utf-8")
    overlay = page.locator("#digest-overlay")
    expect(overlay).to_be_visible(timeout=20_000)
    expect(overlay).to_contain_text("lavrov-blinken-osce-malta-2024.md:")
    expect(overlay).to_contain_text("yaml-syntax")

    report.write_text(text, "utf-8")
    expect(overlay).to_have_count(0, timeout=20_000)
    expect(dek).to_have_text("High-Stakes Diplomacy: Lavrov and Blinken Face Off in Malta")
