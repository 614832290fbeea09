"""digest serve: only the output folder is served, changes rebuild, pages hear about it."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from osce_digest.cli import main
from osce_digest.serve import resolve
from serving import REPO, Served, serving, stop_or_explain

REPORT = "content/reports/lavrov-blinken-osce-malta-2024.md"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with serving(tmp_path) as running:
        yield running


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)  # send the path as it is
    connection.endheaders()
    response = connection.getresponse()
    return response.status, response.read()


def open_events(port: int) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/__digest__/events")
    return connection.getresponse()


def next_event_of(events: http.client.HTTPResponse) -> str:
    """The next event other than a ping."""
    deadline = time.monotonic() + 60  # pings every 15 s keep the socket from timing out
    while time.monotonic() < deadline:
        line = events.readline().decode()
        if line.startswith("event: ") and line.strip() not in ("event: ping", "event: hello"):
            return line.removeprefix("event: ").strip()
    raise AssertionError("no rebuild event within 60 s")


def test_paths_that_leave_the_output_resolve_to_nothing(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "reports").mkdir(parents=True)
    (root / "index.html").write_text("home")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
    assert resolve(root, "/") == (root / "index.html").resolve()
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/reports/../../secret.txt",
        "/leak.txt",
        "/%00",
        "/etc/passwd",
        "//etc/passwd",
        "/reports/..%5c..%5csecret.txt",
    ]:
        assert resolve(root, path) is None, path


def test_the_server_binds_loopback_serves_pages_and_refuses_traversal(
    served: Served,
) -> None:
    port = served.port
    status, body = get(port, "/reports/lavrov-blinken-osce-malta-2024/")
    assert status == 200
    assert b"/__digest__/reload.js" in body  # the page will hear about rebuilds
    for path in [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/static/../../content/site.yaml",
        "/%ff",
    ]:
        status, body = get(port, path)
        assert status == 404, path
        assert b"root:" not in body


def test_an_edit_reloads_a_broken_edit_reports_errors_and_ctrl_c_stops(
    served: Served,
) -> None:
    project, port, process, _ = served
    events = open_events(port)
    next_event = partial(next_event_of, events)

    report = project / REPORT
    text = report.read_text("utf-8")
    report.write_text(text.replace("High-Stakes Diplomacy", "Edited Dek"), "utf-8")
    assert next_event() == "reload"
    assert b"Edited Dek" in get(port, "/reports/lavrov-blinken-osce-malta-2024/")[1]
    report.write_text(text.replace("date: 2024-12-06", "date: [2024-12-06"), "utf-8")
    assert next_event() == "errors"
    data = json.loads(events.readline().decode().removeprefix("data: "))
    assert "yaml-syntax" in data["text"]
    assert data["built"] is True
    assert b"Edited Dek" in get(port, "/reports/lavrov-blinken-osce-malta-2024/")[1]  # last good
    report.write_text(text, "utf-8")
    assert next_event() == "reload"
    assert stop_or_explain(process) == 0


def test_content_broken_from_the_start_says_there_is_no_site_yet_until_it_is_fixed(
    tmp_path: Path,
) -> None:
    def break_yaml(project: Path) -> None:
        report = project / REPORT
        text = report.read_text("utf-8")
        report.write_text(text.replace("date: 2024-12-06", "date: [2024-12-06"), "utf-8")

    with serving(tmp_path, break_yaml) as (project, port, process, started):
        assert "yaml-syntax" in started
        assert "nothing to serve yet: the site appears once these are fixed" in started
        assert "still serving" not in started
        status, body = get(port, "/")
        assert status == 404
        assert b"/__digest__/reload.js" in body  # the overlay can still show the errors
        events = open_events(port)
        assert next_event_of(events) == "errors"
        data = json.loads(events.readline().decode().removeprefix("data: "))
        assert "lavrov-blinken-osce-malta-2024.md:" in data["text"]
        assert data["built"] is False
        (project / REPORT).write_text((REPO / REPORT).read_text("utf-8"), "utf-8")
        assert next_event_of(events) == "reload"
        status, body = get(port, "/")
        assert status == 200
        assert stop_or_explain(process) == 0


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["serve", "--port", "99999"], "expected a port from 1 to 65535, got '99999'"),
        (["serve", "--port", "0"], "expected a port from 1 to 65535, got '0'"),
        (["serve", "--port", "http"], "expected a port from 1 to 65535, got 'http'"),
        (["serve", "--host", "[]"], "expected an address such as 127.0.0.1, ::1 or [::1]"),
        (["serve", "--host", "[::1"], "got '[::1'"),
        (["build", "--jobs", "0"], "expected a whole number of at least 1, got '0'"),
        (["build", "--base-url", "digest.example.org"], "expected an http(s) address such as"),
        (["build", "--base-url", "javascript:alert(1)"], "got 'javascript:alert(1)'"),
    ],
)
def test_an_impossible_port_job_count_or_address_is_a_usage_error_before_anything_is_built(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], complaint: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([*args, "--root", str(tmp_path)])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert complaint in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def request(port: int, method: str, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path)
    return connection.getresponse()


def test_addresses_a_folder_without_its_slash_a_too_long_name_and_head_of_the_events(
    served: Served,
) -> None:
    port = served.port
    moved = request(port, "GET", "/reports/lavrov-blinken-osce-malta-2024?q=1")
    assert moved.status == 301  # the page's relative links are written for the slash
    assert moved.getheader("Location") == "/reports/lavrov-blinken-osce-malta-2024/?q=1"
    for path in ["/" + "x" * 300, "/a" * 3000]:
        status, _ = get(port, path)
        assert status == 404, path[:20]
    head = request(port, "HEAD", "/__digest__/events")  # answers, instead of streaming
    assert head.status == 200
    assert head.read() == b""
    assert get(port, "/__digest__/reload.js?v=2")[0] == 200
    process = served.process
    assert stop_or_explain(process) == 0
    output = process.stdout.read() if process.stdout else ""
    assert "Traceback" not in output


def test_a_port_in_use_fails_before_the_build_and_leaves_the_output_alone(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    project, port = served.project, served.port
    site = project / "site"
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*")}
    code = main(["serve", "--root", str(project), "--port", str(port), "--jobs", "1"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"digest serve: cannot listen on 127.0.0.1:{port}: Address already in use" in err
    with socket.socket(socket.AF_INET6) as taken:
        taken.bind(("::1", 0))
        taken.listen()
        six = str(taken.getsockname()[1])
        code = main(["serve", "--root", str(project), "--host", "[::1]", "--port", six])
    assert code == 2
    assert f"digest serve: cannot listen on [::1]:{six}: Address already in use" in (
        capsys.readouterr().err
    )
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*")} == before


def test_a_content_folder_deleted_and_made_again_is_watched_again(served: Served) -> None:
    project, port = served.project, served.port
    events = open_events(port)
    content = project / "content"
    saved = project.parent / "content-saved"
    shutil.copytree(content, saved)
    shutil.rmtree(content)
    assert next_event_of(events) == "errors"  # content/site.yaml is missing
    shutil.copytree(saved, content)
    assert next_event_of(events) == "reload"
    report = project / REPORT
    text = report.read_text("utf-8")
    report.write_text(text.replace("High-Stakes Diplomacy", "Seen after the copy"), "utf-8")
    assert next_event_of(events) == "reload"
    assert b"Seen after the copy" in get(port, "/reports/lavrov-blinken-osce-malta-2024/")[1]


def test_a_page_is_told_which_build_it_is_from_and_the_stream_names_the_current_one(
    served: Served,
) -> None:
    # A page opened before a restart, or one that missed a rebuild, sees the difference
    # when its stream reconnects, and reloads.
    port = served.port
    page = get(port, "/")[1].decode()
    served_build = re.search(r'data-build="([0-9a-f]+-[0-9]+)"', page)
    assert served_build is not None
    events = open_events(port)
    assert events.readline().decode().strip() == "event: hello"
    hello = json.loads(events.readline().decode().removeprefix("data: "))
    assert hello == {"build": served_build[1]}
    report = served.project / REPORT
    report.write_text(report.read_text("utf-8").replace("Malta", "Valletta", 1), "utf-8")
    assert next_event_of(events) == "reload"
    later = re.search(r'data-build="([0-9a-f]+-[0-9]+)"', get(port, "/")[1].decode())
    assert later is not None
    assert later[1] != served_build[1]


def test_a_save_without_a_change_reloads_no_page_but_a_fix_back_to_the_same_site_does(
    served: Served,
) -> None:
    project, port, process, _ = served
    events = open_events(port)
    assert events.readline().decode().strip() == "event: hello"
    report = project / REPORT
    scratch = report.with_name("sedX1b2c3")  # as an editor or `sed -i` saves: write, rename
    scratch.write_text(report.read_text("utf-8"), "utf-8")
    scratch.replace(report)
    assert process.stdout is not None
    said = process.stdout.readline() + process.stdout.readline()
    assert re.fullmatch(
        r"changed: lavrov-blinken-osce-malta-2024\.md\n"
        r"built 1 report in [0-9.]+ s \(0 files written, [0-9]+ unchanged\)\n",
        said,
    ), said
    time.sleep(1)  # time for an event to be sent, were one due
    text = report.read_text("utf-8")
    report.write_text(text.replace("date: 2024-12-06", "date: [2024-12-06"), "utf-8")
    assert next_event_of(events) == "errors"  # the first event since the save
    report.write_text(text, "utf-8")  # the output is as it was, but the overlay must go
    assert next_event_of(events) == "reload"


@pytest.mark.parametrize("host", ["::1", "[::1]"])
def test_an_ipv6_address_is_served_on_that_address(tmp_path: Path, host: str) -> None:
    with serving(tmp_path, host=host) as (_, port, process, started):
        assert f"serving {tmp_path / 'project' / 'site'} at http://[::1]:{port}/" in started
        connection = http.client.HTTPConnection("::1", port, timeout=10)
        connection.request("GET", "/reports/lavrov-blinken-osce-malta-2024/")
        response = connection.getresponse()
        assert response.status == 200
        assert b"/__digest__/reload.js" in response.read()
        assert stop_or_explain(process) == 0


def test_ctrl_c_during_a_rebuild_stops_it_and_leaves_the_site_as_it_was(tmp_path: Path) -> None:
    def many(project: Path) -> None:  # enough reports for a rebuild of several seconds
        text = (project / REPORT).read_text("utf-8")
        for n in range(400):
            (project / f"content/reports/copy-{n}.md").write_text(text, "utf-8")

    with serving(tmp_path, many) as (project, _, process, _):
        assert process.stdout is not None
        site = project / "site"
        before = (site / "index.html").read_bytes()
        meta = project / "content" / "site.yaml"  # every report is checked again
        meta.write_text(meta.read_text("utf-8").replace("title: ", "title: New ", 1), "utf-8")
        assert process.stdout.readline().startswith("changed: site.yaml")
        time.sleep(1)
        assert stop_or_explain(process, timeout=5) == 0
        rest = process.stdout.read()
    assert rest == "stopping\n"  # the rebuild did not finish, and nothing went wrong
    assert (site / "index.html").read_bytes() == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".site")] == []
