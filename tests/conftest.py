"""Shared fixtures: paths, a project copier and the --update-golden flag."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files from the current output (review the diff!)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether golden files are rewritten instead of compared."""
    return bool(request.config.getoption("--update-golden"))


MakeProject = Callable[[Path], Path]
"""The type of the ``make_project`` fixture."""


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """Copy a project's content/ and templates/ into tmp_path/project, and nothing else
    (the repository itself is a project).

    Without its own templates/, the project gets the repository's templates.
    """

    def copy(source: Path) -> Path:
        target = tmp_path / "project"
        shutil.copytree(source / "content", target / "content")
        templates = source / "templates"
        shutil.copytree(
            templates if templates.is_dir() else REPO / "templates", target / "templates"
        )
        return target

    return copy
