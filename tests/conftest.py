"""Shared fixtures: paths, a project copier, the --update-golden flag, and a guard that the
tests leave the fixture projects as they found them."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
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


def _written_into_fixtures() -> set[Path]:
    """What builds write into a project, found in the fixture projects of tests/."""
    written = {".osce-digest-cache", "site"}
    return {path for path in TESTS.glob("sites*/*/*") if path.name in written}


@pytest.fixture(scope="session", autouse=True)
def fixtures_left_alone() -> Iterator[None]:
    """Fail the run if a test built into a fixture project (its cache or site): tests then
    depend on what earlier runs left there. Build a copy (``make_project``) or pass
    ``--no-cache`` and ``--out``."""
    before = _written_into_fixtures()
    yield
    new = sorted(str(p.relative_to(TESTS)) for p in _written_into_fixtures() - before)
    assert not new, f"tests wrote into the fixture projects: {new}"


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
