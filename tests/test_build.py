"""Whole-site tests: golden output, determinism, atomic publishing, refused output folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, TESTS, MakeProject
from osce_digest import parallel
from osce_digest.cli import main
from osce_digest.write import MARKER

BASIC = TESTS / "sites" / "basic"
MULTI = TESTS / "sites" / "multi"


def tree(folder: Path, *, skip: str = "\0") -> dict[str, bytes]:
    """Every file under a folder by relative path (leaving out those under ``skip``)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.relative_to(folder).as_posix().startswith(skip)
    }


def build(root: Path, out: Path, *extra: str) -> int:
    """Build a project in the repository (its cache would go into the checkout: none)."""
    return main(["build", "--root", str(root), "--out", str(out), "--no-cache", *extra])


@pytest.mark.parametrize("name", ["basic", "multi"])
def test_fixture_site_matches_its_golden_tree(
    tmp_path: Path, update_golden: bool, name: str
) -> None:
    # The search index (search/data/: hundreds of small JSON files no one could review) is
    # checked by test_search_index.py; the highlighting CSS is Pygments' output, versioned
    # with it.
    out = tmp_path / "site"
    assert build(TESTS / "sites" / name, out, "--templates", str(REPO / "templates")) == 0
    built = {k: v for k, v in tree(out, skip="search/data/").items() if k != "static/pygments.css"}
    golden_dir = TESTS / "golden" / name
    if update_golden:
        shutil.rmtree(golden_dir, ignore_errors=True)
        for rel, data in built.items():
            (golden_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden_dir / rel).write_bytes(data)
    golden = tree(golden_dir)
    assert b".highlight" in (out / "static" / "pygments.css").read_bytes()
    assert sorted(built) == sorted(golden), "the set of output files changed"
    for rel, data in golden.items():
        assert built[rel] == data, (
            f"{rel} differs from the golden file (review, then --update-golden)"
        )


def test_drafts_are_left_out_unless_asked_for(tmp_path: Path) -> None:
    assert build(BASIC, tmp_path / "a", "--templates", str(REPO / "templates")) == 0
    assert not (tmp_path / "a" / "reports" / "draft-report").exists()
    assert build(BASIC, tmp_path / "b", "--templates", str(REPO / "templates"), "--drafts") == 0
    assert (tmp_path / "b" / "reports" / "draft-report" / "index.html").is_file()


def test_two_builds_in_different_folders_and_hash_seeds_are_byte_identical(tmp_path: Path) -> None:
    outputs = []
    for n, seed in enumerate(("1", "4242")):
        project = tmp_path / f"copy{n}"
        shutil.copytree(REPO / "content", project / "content")
        shutil.copytree(REPO / "templates", project / "templates")
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "osce_digest.cli", "build", "--root", str(project)],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.append(tree(project / "site"))
    assert outputs[0] == outputs[1]


def test_the_published_report_carries_every_sentence_and_the_no_contact_fact(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    assert build(REPO, out) == 0
    page = (out / "reports" / "lavrov-blinken-osce-malta-2024" / "index.html").read_text("utf-8")
    assert "No: no source reports a meeting" in page
    assert 'data-evidence="speculative"' in page
    assert "it is safe to assume that the conflict in Ukraine was a central topic." in page
    for title in ("What Was on the Agenda?", "Areas of Disagreement", "The Broader Implications"):
        assert title in page


def test_a_broken_report_leaves_the_previous_site_byte_identical(
    capsys: pytest.CaptureFixture[str], make_project: MakeProject
) -> None:
    project = make_project(REPO)
    assert main(["build", "--root", str(project)]) == 0
    before = tree(project / "site")
    report = project / "content" / "reports" / "lavrov-blinken-osce-malta-2024.md"
    lines = report.read_text("utf-8").split("\n")
    lines[3] = "date: [2024-12-06"  # an unclosed flow sequence on file line 4
    report.write_text("\n".join(lines), "utf-8")
    capsys.readouterr()
    assert main(["build", "--root", str(project)]) == 1
    err = capsys.readouterr().err
    # libyaml notices the missing "]" where the next key begins; the message names both lines.
    assert "content/reports/lavrov-blinken-osce-malta-2024.md:5:8: error: YAML syntax error" in err
    assert "(while parsing a flow sequence that starts on line 4)" in err
    assert "Traceback" not in err
    assert tree(project / "site") == before


def test_a_template_error_is_reported_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], make_project: MakeProject
) -> None:
    project = make_project(BASIC)
    home = project / "templates" / "home.html"
    home.write_text(home.read_text("utf-8").replace("{{ site.title }}", "{{ site.titel }}", 1))
    assert main(["build", "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert "templates/home.html:" in err
    assert "titel" in err
    assert not (project / "site").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_render_error_in_a_partial_of_templates_elsewhere_names_its_file_line_and_column(
    capsys: pytest.CaptureFixture[str], make_project: MakeProject, tmp_path: Path, jobs: str
) -> None:
    project = make_project(REPO)
    elsewhere = tmp_path / "design" / "theme"  # --templates: not the project's templates/
    shutil.move(project / "templates", elsewhere)
    legend = elsewhere / "partials" / "flow-legend.html"
    lines = [
        legend.read_text("utf-8").rstrip("\n"),
        "<i>{{ site.title }} {{ d.reports.nothing }}</i>",
        "<i>undefined_name: {{ undefined_name }}</i>",  # the name in the text is not it
    ]
    legend.write_text("\n".join(lines), "utf-8")
    capsys.readouterr()
    command = ["build", "--root", str(project), "--templates", str(elsewhere), "--jobs", jobs]
    assert main(command) == 1
    err = capsys.readouterr().err
    col = len(lines[1]) - len("nothing }}</i>") + 1
    assert f"{legend}:2:{col}: error: rendering index.html failed: " in err
    assert "dict has no key 'nothing' [template-error]" in err
    assert "templates/" not in err
    # Fixed there, the next mistake: its name's column, on its line.
    lines[1] = lines[1].replace(" {{ d.reports.nothing }}", "")
    legend.write_text("\n".join(lines), "utf-8")
    assert main(command) == 1
    col = len(lines[2]) - len("undefined_name }}</i>") + 1
    assert f"{legend}:3:{col}: error: rendering index.html failed: 'undefined_name' is " in (
        capsys.readouterr().err
    )


def test_a_static_file_the_build_also_makes_is_an_error_naming_both(
    capsys: pytest.CaptureFixture[str], make_project: MakeProject, tmp_path: Path
) -> None:
    project = make_project(REPO)
    elsewhere = tmp_path / "theme"
    shutil.move(project / "templates", elsewhere)
    (elsewhere / "static" / "Pygments.css").write_text("pre { color: red }", "utf-8")
    capsys.readouterr()
    assert main(["build", "--root", str(project), "--templates", str(elsewhere)]) == 1
    assert (
        f"{elsewhere}/static/Pygments.css and the code-highlighting style sheet the build "
        "makes would both write static/Pygments.css [output-collision]"
    ) in capsys.readouterr().err
    assert not (project / "site").exists()


@pytest.mark.parametrize(
    ("insert", "files", "expected"),
    [
        (
            "{{ 1 / 0 }}",
            {},
            "templates/home.html:2:1: error: rendering index.html failed: "
            "ZeroDivisionError: division by zero [template-error]",
        ),
        (
            "{% for _ in range(10**9) %}{% endfor %}",
            {},
            "templates/home.html:2:1: error: rendering index.html failed: OverflowError: "
            "range() of 1,000,000,000 items; at most 100,000 [template-error]",
        ),
        (
            "{{ site.title + 3 }}",
            {},
            "templates/home.html:2:1: error: rendering index.html "
            "failed: TypeError: can only concatenate str",
        ),
        (
            '{% include "partials/latin1.txt" %}',
            {"partials/latin1.txt": b"caf\xe9"},
            "templates/home.html:2:1: error: rendering index.html failed: UnicodeDecodeError:",
        ),
        (
            "",
            {"partials/unused.html": b"<p>\n  caf\xe9</p>\n"},
            "templates/partials/unused.html:2:6: error: the file is not UTF-8 (byte 0xe9 at "
            "offset 9) [not-utf8]",
        ),
        (
            "{{ site.titel }}",
            {},
            "templates/home.html:2:25: error: rendering index.html failed: SiteView has no "
            "attribute 'titel'; did you mean 'title'? [template-error]",
        ),
        (
            "{{ {'summary': 1}.sumary }}",
            {},
            "templates/home.html:2:35: error: rendering index.html failed: dict has no key "
            "'sumary'; did you mean 'summary'? [template-error]",
        ),
        (
            "{{ sitee.title }}",
            {},
            "templates/home.html:2:20: error: rendering index.html failed: 'sitee' is "
            "undefined; did you mean 'site'? [template-error]",
        ),
        (
            "{{ site[0] }}",
            {},
            "templates/home.html:2:1: error: rendering index.html failed: SiteView has no "
            "element 0 [template-error]",
        ),
    ],
    ids=[
        "division-by-zero",
        "endless-range",
        "str-plus-int",
        "includes-latin1",
        "latin1-template",
        "misspelt-attribute",
        "misspelt-key",
        "misspelt-name",
        "no-element",
    ],
)
def test_a_template_that_fails_in_any_way_is_an_error_at_its_line_and_the_last_site_stays(
    capsys: pytest.CaptureFixture[str],
    make_project: MakeProject,
    insert: str,
    files: dict[str, bytes],
    expected: str,
) -> None:
    project = make_project(BASIC)
    assert build(project, project / "site") == 0
    before = tree(project / "site")
    home = project / "templates" / "home.html"
    text = home.read_text("utf-8")
    assert text.split("\n")[1].startswith("{% block main %}")
    home.write_text(text.replace("{% block main %}", "{% block main %}" + insert, 1), "utf-8")
    for name, data in files.items():
        (project / "templates" / name).write_bytes(data)
    capsys.readouterr()
    assert build(project, project / "site") == 1
    err = capsys.readouterr().err
    assert expected in err
    assert "internal error" not in err
    assert "Traceback" not in err
    assert tree(project / "site") == before


def test_a_syntax_error_in_a_linked_template_folder_is_reported_before_anything_renders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_project: MakeProject
) -> None:
    project = make_project(BASIC)
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "unused.html").write_text("<p>\n{% if %}</p>\n", "utf-8")  # included nowhere
    (project / "templates" / "theme").symlink_to(theme, target_is_directory=True)
    assert main(["build", "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert "templates/theme/unused.html:2:7: error: template syntax error" in err
    assert "Traceback" not in err
    assert not (project / "site").exists()


@pytest.mark.parametrize(
    ("mistake", "col", "message"),
    [
        ("<h1>{{ site.title }</h1>", 19, "unexpected '}'"),
        ("<p>{% if a %}x{% endfi %}</p>", 18, "Encountered unknown tag 'endfi'"),
        ("<p>{{ a }} {{ f(1, }}</p>", 20, "unexpected '}', expected ')'"),
        ("<p>{{ a b }}</p>", 9, "expected token 'end of print statement', got 'b'"),
        ("<p>{% for %}</p>", 11, "Expected an expression, got 'end of statement block'"),
        ("<p>{{ a ! b }}</p>", 9, "unexpected char '!' [template-syntax]"),
    ],
)
def test_a_template_syntax_error_names_the_column_of_the_mistake(
    capsys: pytest.CaptureFixture[str],
    make_project: MakeProject,
    mistake: str,
    col: int,
    message: str,
) -> None:
    project = make_project(BASIC)
    page = project / "templates" / "methodology.html"
    lines = page.read_text("utf-8").split("\n")
    page.write_text("\n".join([*lines[:2], mistake, *lines[2:]]), "utf-8")
    assert main(["build", "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert f"templates/methodology.html:3:{col}: error: template syntax error: {message}" in err
    assert " at " not in err.split("error: ")[1], "the lexer's offset is given as the column"
    assert f"     | {mistake}\n     | {' ' * (col - 1)}^" in err


def test_a_template_error_in_a_helper_is_reported_and_the_last_site_stays(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    make_project: MakeProject,
) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 1)  # report pages go to a helper
    project = make_project(MULTI)
    assert main(["build", "--root", str(project), "--jobs", "2"]) == 0
    before = tree(project / "site")
    page = project / "templates" / "report.html"
    text = page.read_text("utf-8")
    page.write_text(text.replace("{{ meta.title }}", "{{ meta.titel }}", 1))
    assert "titel" in page.read_text("utf-8")
    capsys.readouterr()
    assert main(["build", "--root", str(project), "--jobs", "2"]) == 1
    err = capsys.readouterr().err
    assert "templates/report.html:" in err
    assert "titel" in err
    assert "Traceback" not in err
    assert tree(project / "site") == before
    assert not list(project.glob(".site.staging-*")), "the abandoned stage is gone"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_render_errors_in_several_templates_are_all_reported_once_each(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    make_project: MakeProject,
    jobs: str,
) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 1)  # report pages go to a helper
    project = make_project(MULTI)
    templates = project / "templates"
    mistakes = {"report.html": "meta.title", "topic.html": "topic.label", "home.html": "site.title"}
    for name, expression in mistakes.items():
        text = (templates / name).read_text("utf-8")
        assert "{{ " + expression + " }}" in text
        typo = expression.replace(".", ".x_", 1)
        (templates / name).write_text(text.replace(expression, typo, 1), "utf-8")
    capsys.readouterr()
    assert main(["build", "--root", str(project), "--jobs", jobs]) == 1
    err = capsys.readouterr().err
    failures = [line for line in err.split("\n") if ": error: rendering " in line]
    assert [line.split(":")[0].split(". ")[-1] for line in failures] == [
        "templates/home.html",
        "templates/report.html",
        "templates/topic.html",
    ], err
    assert "Traceback" not in err
    assert not (project / "site").exists()


@pytest.mark.parametrize("target", ["", "content", "templates", "content/reports"])
def test_project_folders_are_refused_as_output(
    target: str, capsys: pytest.CaptureFixture[str], make_project: MakeProject
) -> None:
    project = make_project(BASIC)
    before = tree(project)
    assert build(project, project / target) == 2
    assert "refusing" in capsys.readouterr().err
    assert tree(project) == before


def test_a_folder_the_generator_did_not_make_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "photos"
    mine.mkdir()
    (mine / "holiday.jpg").write_bytes(b"\xff\xd8")
    assert build(BASIC, mine, "--templates", str(REPO / "templates")) == 2
    assert "not made by osce-digest" in capsys.readouterr().err
    assert tree(mine) == {"holiday.jpg": b"\xff\xd8"}


def test_a_rebuild_replaces_the_old_output_and_leaves_no_staging_folders(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build(BASIC, out, "--templates", str(REPO / "templates")) == 0
    (out / "stale.html").write_text("from an older build")
    assert build(BASIC, out, "--templates", str(REPO / "templates")) == 0
    assert not (out / "stale.html").exists()
    assert (out / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_check_reports_no_problems_on_the_published_content(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--root", str(REPO)]) == 0
    assert ": error:" not in capsys.readouterr().out


def test_a_report_shows_images_from_templates_static_relative_to_its_page(
    capsys: pytest.CaptureFixture[str], make_project: MakeProject
) -> None:
    project = make_project(BASIC)
    (project / "templates" / "static" / "img").mkdir(parents=True)
    png = b"\x89PNG\r\n\x1a\n"
    (project / "templates" / "static" / "img" / "hall.png").write_bytes(png)
    report = project / "content" / "reports" / "council-2024.md"
    text = report.read_text("utf-8")
    figure = "\n![The hall in Valletta](/static/img/hall.png)\n"
    report.write_text(text + figure, "utf-8")
    assert build(project, project / "site") == 0
    page = (project / "site" / "reports" / "council-2024" / "index.html").read_text("utf-8")
    assert '<img src="../../static/img/hall.png" alt="The hall in Valletta" />' in page
    assert (project / "site" / "static" / "img" / "hall.png").read_bytes() == png

    # An image that is not there is an error for check and build alike.
    report.write_text(text + figure.replace("hall.png", "hal.png"), "utf-8")
    capsys.readouterr()
    line = text.count("\n") + 2
    message = f"council-2024.md:{line}:25: error: broken image /static/img/hal.png"
    assert main(["check", "--root", str(project)]) == 1
    assert message in capsys.readouterr().out
    assert build(project, project / "site") == 1
    assert message in capsys.readouterr().err


def test_a_static_file_the_templates_link_to_must_exist(
    capsys: pytest.CaptureFixture[str], make_project: MakeProject
) -> None:
    project = make_project(REPO)
    assert main(["build", "--root", str(project)]) == 0
    before = tree(project / "site")
    (project / "templates" / "static" / "style.css").unlink()
    capsys.readouterr()

    assert main(["build", "--root", str(project)]) == 1
    err = capsys.readouterr().err
    line = next(
        n
        for n, text in enumerate(
            (REPO / "templates" / "base.html").read_text("utf-8").split("\n"), 1
        )
        if "static/style.css" in text
    )
    assert (
        f"templates/base.html:{line}:40: error: the template links to static/style.css, "
        "and there is no templates/static/style.css [missing-static]"
    ) in err
    assert "pygments.css" not in err  # made by the build, not a file of templates/static/
    assert tree(project / "site") == before
    assert main(["check", "--root", str(project)]) == 1
    assert "[missing-static]" in capsys.readouterr().out


def test_template_mistakes_are_reported_with_the_content_errors(
    capsys: pytest.CaptureFixture[str], make_project: MakeProject
) -> None:
    project = make_project(REPO)
    topic = project / "templates" / "topic.html"
    topic.write_text(topic.read_text("utf-8") + "{% for %}\n", "utf-8")
    report = project / "content" / "reports" / "lavrov-blinken-osce-malta-2024.md"
    report.write_text(report.read_text("utf-8").replace("title:", "title: [", 1), "utf-8")

    assert main(["build", "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert "lavrov-blinken-osce-malta-2024.md:" in err
    assert "[yaml-syntax]" in err
    assert "templates/topic.html:" in err
    assert "[template-syntax]" in err
    assert main(["check", "--root", str(project)]) == 1
    out = capsys.readouterr().out
    assert "[yaml-syntax]" in out
    assert "[template-syntax]" in out
