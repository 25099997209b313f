"""`sos-reports host` from the command line: init run twice, a database that cannot be
reached, add-user, purge, and the service run as separate worker processes on one database,
any of which answers any session, one killed without losing what was saved."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPRedirectHandler, Request, build_opener

from click.testing import CliRunner

from sos_reports.cli import cli
from sos_reports.hosted.service import Hosted, Who
from sos_reports.hosted.settings import Settings
from tests.hosted.conftest import Mailbox

BASE = "http://reports.council.example"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sos_reports", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_init_makes_the_database_and_is_safe_to_run_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'service.db'}"
    first = CliRunner().invoke(cli, ["host", "init", "--database", url])
    assert first.exit_code == 0, first.output
    assert "Created the database" in first.output and "revision 0001" in first.output
    again = CliRunner().invoke(cli, ["host", "init", "--database", url])
    assert again.exit_code == 0 and "is up to date (revision 0001)" in again.output
    # The environment variable does as the option does.
    by_env = run("host", "init", env={"SOS_REPORTS_DATABASE": url})
    assert by_env.returncode == 0 and "is up to date" in by_env.stderr


def test_a_database_that_cannot_be_reached_is_a_clear_error_without_its_password() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = run(
        "host", "init", "--database", f"postgresql://reports:s3cret@127.0.0.1:{port}/reports"
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Error: cannot use the database postgresql://reports:***@")
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr


def test_a_command_on_a_database_not_made_says_to_run_init(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"
    done = run("host", "add-user", "admin@council.example", "--role", "admin", "--database", url)
    assert done.returncode == 1
    assert "not made yet: run `sos-reports host init` first" in done.stderr


def test_add_user_and_purge_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'service.db'}"
    assert run("host", "init", "--database", url).returncode == 0
    added = run("host", "add-user", "Chair@Council.example", "--role", "chair", "--database", url)
    assert added.returncode == 0 and "Added chair@council.example as chair." in added.stderr
    changed = run("host", "add-user", "chair@council.example", "--role", "admin", "--database", url)
    assert "Changed chair@council.example as admin." in changed.stderr
    bad = run("host", "add-user", "x@council.example", "--role", "owner", "--database", url)
    assert bad.returncode == 2
    # A conference long past: listed by --dry-run, deleted by the purge.
    hosted = Hosted(Settings(database=url, base_url=BASE, dev_sign_in=True), mailer=Mailbox())
    conference = hosted.create_conference(
        Who("admin", user_id=1),
        {"conference": {"type": "initial", "date": "2020-01-06"}, "children": []},
        "chair@council.example",
        None,
    )
    hosted.engine.dispose()
    dry = run("host", "purge", "--older-than", "365", "--dry-run", "--database", url)
    assert dry.returncode == 0
    assert dry.stdout == f"Would delete conference {conference} (last date 2020-01-06, 0 reports)\n"
    done = run("host", "purge", "--older-than", "365", "--database", url)
    assert done.stdout == f"Deleted conference {conference} (last date 2020-01-06, 0 reports)\n"
    assert "Deleted 1 conference whose last date is more than 365 days ago." in done.stderr
    assert run("host", "purge", "--older-than", "365", "--database", url).stdout == ""


def test_run_refuses_without_a_way_for_staff_to_sign_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'service.db'}"
    run("host", "init", "--database", url)
    done = run("host", "run", "--database", url, env={"SOS_REPORTS_OIDC_ISSUER": ""})
    assert done.returncode == 1
    assert "staff cannot sign in" in done.stderr and "--dev-sign-in" in done.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_worker(url: str, port: int) -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sos_reports",
            "host",
            "run",
            "--database",
            url,
            "--port",
            str(port),
            "--base-url",
            BASE,
            "--dev-sign-in",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return worker
        except OSError:
            if worker.poll() is not None:
                raise AssertionError(worker.stderr.read() if worker.stderr else "ended") from None
            time.sleep(0.05)
    raise AssertionError("the worker did not start")


def test_two_workers_on_one_database_serve_any_session_and_one_lost_loses_nothing(
    database: str,
) -> None:
    hosted = Hosted(Settings(database=database, base_url=BASE, dev_sign_in=True), mailer=Mailbox())
    admin_id, _ = hosted.add_user("admin@council.example", "admin")
    with hosted.begin() as c:
        token = hosted.sign_in(
            c, None, Who("admin", user_id=admin_id, email="admin@council.example")
        )
        session = hosted.session(c, token)
    assert session is not None
    ports = [free_port(), free_port()]
    workers = [start_worker(database, port) for port in ports]

    def call(port: int, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = urlencode({"csrf": session.csrf, **form}).encode() if form is not None else None
        request = Request(
            f"http://127.0.0.1:{port}{path}",
            data=data,
            headers={
                "Host": "reports.council.example",
                "Origin": BASE,
                "Cookie": f"sos_reports_session={token}",
            },
        )

        opener = build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except HTTPError as exc:
            return exc.code, exc.read().decode()

    try:
        # The session made by one process is good on both workers.
        for port in ports:
            status, page = call(port, "/admin")
            assert status == 200 and "Conferences" in page
        # A conference made through the first is seen through the second.
        status, _ = call(
            ports[0],
            "/admin/new",
            {
                "type": "initial",
                "date": "2025-03-12",
                "chair_email": "chair@council.example",
                "children": "Ava Example, 2019-01-02",
            },
        )
        assert status == 303
        status, page = call(ports[1], "/admin")
        assert status == 200 and "12 March 2025" in page
        # The first worker is killed; the second goes on, and nothing saved is lost.
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(10)
        status, page = call(ports[1], "/admin")
        assert status == 200 and "12 March 2025" in page
        conference = re.search(r"/admin/c/([0-9a-f]{20})", page)
        assert conference
        status, page = call(ports[1], f"/admin/c/{conference[1]}")
        assert status == 200
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(10)
        hosted.engine.dispose()


class NoRedirect(HTTPRedirectHandler):
    """A 303 is an answer to look at, not to follow."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
