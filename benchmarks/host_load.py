"""A bounded load test of the hosted service: simulated authors filling and saving a page,
against worker processes of `sos-reports host run` on one database.

    python benchmarks/host_load.py --database postgresql://postgres@127.0.0.1:55432/postgres \
        --authors 200 --seconds 120

It makes a fresh database beside the one given (PostgreSQL) or a file (SQLite), a conference
with one invitation per author, and signs each author in. Each author then, for the time
given: opens the "Family's views" page, waits a moment as a person reads and types (2 to 6
seconds), and saves a new text there. A request that cannot reach its worker goes to the
other, as a load balancer sends it. It prints the p50 and p95 of a save, the errors, and the
saves a second, in three runs: two workers, one worker, and two workers with the first killed
half way through; after each, every save the service acknowledged is checked to be in the
author's draft.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.client import HTTPConnection
from urllib.parse import urlencode

BASE = "http://reports.council.example"
TASK = 11  # Family's views: one text box
THINK = (2.0, 6.0)  # seconds an author takes over a page, at random between these


@dataclass
class Author:
    token: str
    csrf: str
    draft: str
    last_saved: str | None = None


@dataclass
class Tally:
    saves: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failovers: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def fresh_database(given: str) -> tuple[str, object]:
    if given.startswith("sqlite"):
        return given, None
    import psycopg

    name = f"sos_load_{secrets.token_hex(4)}"
    with psycopg.connect(given, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return given.rsplit("/", 1)[0] + "/" + name, name


def prepare(url: str, count: int) -> list[Author]:
    from sos_reports.hosted.schema import upgrade
    from sos_reports.hosted.service import Hosted, Who
    from sos_reports.hosted.settings import Settings

    class NoMail:
        def send(self, to: str, subject: str, text: str) -> None:
            pass

    upgrade(url)
    hosted = Hosted(Settings(database=url, base_url=BASE, dev_sign_in=True), mailer=NoMail())
    admin_id, _ = hosted.add_user("admin@council.example", "admin")
    admin = Who("admin", user_id=admin_id, email="admin@council.example")
    conference = hosted.create_conference(
        admin,
        {
            "conference": {"type": "initial", "date": "2025-03-12"},
            "children": [{"id": "ava", "name": "Ava Example", "dob": "2019-01-02"}],
        },
        "chair@council.example",
        None,
    )
    authors = []
    for n in range(count):
        invitation = hosted.invite(
            admin, conference, f"author{n}@agency.example", f"Agency {n}", "icpc", None
        )
        with hosted.begin() as c:
            row = hosted.invitation(c, invitation)
            assert row is not None
            who = Who(
                "author",
                email=row.email,
                invitation_id=row.id,
                conference_id=conference,
            )
            token = hosted.sign_in(c, None, who)
            session = hosted.session(c, token)
            assert session is not None
            authors.append(Author(token, session.csrf, row.draft_id))
    hosted.engine.dispose()
    return authors


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_worker(url: str, port: int) -> subprocess.Popen[bytes]:
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
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    for _ in range(400):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return worker
        except OSError:
            time.sleep(0.05)
    raise SystemExit("a worker did not start")


def request(
    port: int, author: Author, method: str, path: str, form: dict[str, str] | None
) -> tuple[int, str]:
    connection = HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "reports.council.example", "Cookie": f"sos_reports_session={author.token}"}
    body = None
    if form is not None:
        body = urlencode({"csrf": author.csrf, **form})
        headers.update({"Origin": BASE, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def author_loop(
    author: Author,
    ports: list[int],
    alive: list[bool],
    stop: float,
    tally: Tally,
    rng: random.Random,
) -> None:
    turn = rng.randrange(len(ports))
    while time.monotonic() < stop:
        time.sleep(rng.uniform(*THINK))
        if time.monotonic() >= stop:
            return
        text = f"Saved {secrets.token_hex(6)}"
        for attempt in range(len(ports)):
            port = ports[(turn + attempt) % len(ports)]
            try:
                status, page = request(port, author, "GET", f"/d/{author.draft}/task/{TASK}", None)
                version = re.search(r'name="version" value="(\d+)"', page)
                if status != 200 or version is None:
                    with tally.lock:
                        tally.errors.append(f"GET {status}")
                    break
                began = time.perf_counter()
                status, _ = request(
                    port,
                    author,
                    "POST",
                    f"/d/{author.draft}/task/{TASK}",
                    {"version": version[1], "action": "later", "family_views": text},
                )
                took = time.perf_counter() - began
                with tally.lock:
                    if status == 303:
                        tally.saves.append(took)
                        author.last_saved = text
                    else:
                        tally.errors.append(f"POST {status}")
                break
            except OSError:
                with tally.lock:
                    tally.failovers += 1
                continue  # the worker is gone: the other one takes it
        turn += 1


def check_saved(url: str, authors: list[Author]) -> int:
    """How many acknowledged saves are not in their draft (the goal: none)."""
    from sos_reports.hosted.service import Hosted
    from sos_reports.hosted.settings import Settings
    from sos_reports.hosted.store import draft_text

    class NoMail:
        def send(self, to: str, subject: str, text: str) -> None:
            pass

    hosted = Hosted(Settings(database=url, base_url=BASE, dev_sign_in=True), mailer=NoMail())
    lost = 0
    with hosted.begin() as c:
        for author in authors:
            if author.last_saved and author.last_saved not in draft_text(hosted, c, author.draft):
                lost += 1
    hosted.engine.dispose()
    return lost


def one_run(
    url: str, authors: list[Author], workers: int, seconds: float, kill_at: float | None
) -> dict[str, object]:
    ports = [free_port() for _ in range(workers)]
    processes = [start_worker(url, port) for port in ports]
    alive = [True] * workers
    tally = Tally()
    stop = time.monotonic() + seconds
    rng = random.Random(7)
    threads = [
        threading.Thread(
            target=author_loop,
            args=(a, ports, alive, stop, tally, random.Random(rng.random())),
            daemon=True,
        )
        for a in authors
    ]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    if kill_at is not None:
        time.sleep(kill_at)
        processes[0].send_signal(signal.SIGKILL)
        processes[0].wait()
        alive[0] = False
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    for process in processes:
        if process.poll() is None:
            process.terminate()
            process.wait(10)
    saves = sorted(tally.saves)
    return {
        "workers": workers,
        "killed": kill_at is not None,
        "saves": len(saves),
        "per_second": len(saves) / elapsed,
        "p50_ms": 1000 * statistics.median(saves) if saves else float("nan"),
        "p95_ms": 1000 * saves[int(0.95 * (len(saves) - 1))] if saves else float("nan"),
        "errors": len(tally.errors),
        "error_kinds": sorted(set(tally.errors)),
        "failovers": tally.failovers,
        "lost": check_saved(url, authors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        required=True,
        help="a PostgreSQL server's URL (a fresh database is made on it), or sqlite:///FILE",
    )
    parser.add_argument("--authors", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument(
        "--think", default="2,6", metavar="MIN,MAX", help="seconds an author takes over a page"
    )
    args = parser.parse_args()
    global THINK
    low, high = (float(x) for x in args.think.split(","))
    THINK = (low, high)
    url, made = fresh_database(args.database)
    try:
        authors = prepare(url, args.authors)
        print(
            f"{args.authors} authors, {low:g} to {high:g} s over a page, {args.seconds:.0f} s a "
            f"run, database {url.split('@')[-1]}"
        )
        print(
            f"{'run':<28} {'saves':>6} {'saves/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'failovers':>9} {'lost':>5}"
        )
        for label, workers, kill in (
            ("2 workers", 2, None),
            ("1 worker", 1, None),
            ("2 workers, 1 killed at half", 2, args.seconds / 2),
        ):
            result = one_run(url, authors, workers, args.seconds, kill)
            print(
                f"{label:<28} {result['saves']:>6} {result['per_second']:>8.1f} {result['p50_ms']:>8.1f} "
                f"{result['p95_ms']:>8.1f} {result['errors']:>7} {result['failovers']:>9} {result['lost']:>5}"
                + (f"  {result['error_kinds']}" if result["errors"] else ""),
                flush=True,
            )
    finally:
        if made is not None:
            import psycopg

            with psycopg.connect(args.database, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{made}" WITH (FORCE)')


if __name__ == "__main__":
    main()
