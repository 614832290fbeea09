"""A site of many reports (the benchmark's generator): what stays bounded as the site grows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from osce_digest.cli import main
from osce_digest.listings import HEATMAP_ENCOUNTERS
from osce_digest.pages import HOME_REPORTS


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("large")
    generate = [sys.executable, str(REPO / "bench" / "generate.py"), "--reports", "80"]
    subprocess.run([*generate, "--seed", "5", "--out", str(root / "p")], check=True)
    args = ["--root", str(root / "p"), "--templates", str(REPO / "templates")]
    assert main(["build", *args, "--out", str(root / "site"), "--quiet"]) == 0
    return root / "site"


def test_the_home_page_shows_the_newest_reports_and_points_to_the_rest(site: Path) -> None:
    home = (site / "index.html").read_text("utf-8")
    cards = re.findall(r'<li class="card">\s*<h3><a href="reports/([^/]+)/', home)
    assert len(cards) == HOME_REPORTS
    published = sorted(p.parent.name for p in (site / "reports").glob("*/index.html"))
    assert len(published) > HOME_REPORTS
    assert f"The {HOME_REPORTS} newest of {len(published)} reports." in home
    dates = [
        re.search(r'published <time datetime="([\d-]+)"', part)
        for part in home.split('<li class="card">')[1:]
    ]
    iso = [m.group(1) for m in dates if m]
    assert iso == sorted(iso, reverse=True), "the newest first"
    assert 'href="timeline/index.html">the timeline</a>' in home


def test_the_heatmap_covers_the_latest_encounters_only(site: Path) -> None:
    home = (site / "index.html").read_text("utf-8")
    heatmap = home[home.index('<svg class="heatmap"') : home.index("</svg>")]
    columns = heatmap.count('class="col-label"')
    assert columns == HEATMAP_ENCOUNTERS
    rows = heatmap.count('class="row-label"')
    assert heatmap.count("<rect ") == rows * columns
    assert f"one of the {HEATMAP_ENCOUNTERS} latest of " in home
