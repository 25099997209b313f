"""`sos-reports serve` as a user starts it: it prints its address, opens the browser (unless
told not to), and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.request import HTTPCookieProcessor, OpenerDirector, build_opener

ADDRESS = re.compile(r"(http://127\.0\.0\.1:\d+/start\?token=[A-Za-z0-9_-]+)")


def _serve(
    folder: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], str]:
    (folder.parent / "run").mkdir(mode=0o700, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "sos_reports", "serve", str(folder), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "XDG_RUNTIME_DIR": str(folder.parent / "run"), **(env or {})},
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    seen = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen += line
        found = ADDRESS.search(line)
        if found:
            return process, found[1]
        if not line and process.poll() is not None:
            break
    process.kill()
    _, err = process.communicate(timeout=10)
    raise AssertionError(f"no address printed: {seen}{err}")


def _browser() -> OpenerDirector:
    """A client that keeps cookies and follows redirects, as a browser does."""
    return build_opener(HTTPCookieProcessor(CookieJar()))


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    return process.returncode, out + err


def test_serve_opens_the_browser_at_its_start_address(tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {opened}\n', "utf-8")
    browser.chmod(0o755)
    process, address = _serve(tmp_path, env={"BROWSER": str(browser)})
    try:
        for _ in range(200):
            if opened.exists() and opened.read_text("utf-8"):
                break
            time.sleep(0.05)
        assert opened.read_text("utf-8") == address
        with _browser().open(address, timeout=10) as start:
            assert start.status == 200 and "Start a new report" in start.read().decode()
            assert start.url == address.split("/start")[0] + "/"
    finally:
        code, output = _stop(process)
    assert code == 0, output
    assert "Stopped. Your drafts are saved in the folder." in output
    assert "Traceback" not in output


def test_with_no_browser_it_only_prints_the_address(tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {opened}\n', "utf-8")
    browser.chmod(0o755)
    process, address = _serve(tmp_path, "--no-browser", env={"BROWSER": str(browser)})
    try:
        time.sleep(1)
        assert not opened.exists()
        with _browser().open(address, timeout=10) as start:
            assert start.status == 200
    finally:
        code, output = _stop(process)
    assert code == 0, output


def test_a_page_open_before_a_restart_is_saved_after_it(tmp_path: Path) -> None:
    """Nothing typed is lost on a restart: the same port and the kept keys take the page."""
    import html
    import shutil
    import socket
    from urllib.parse import urlencode
    from urllib.request import Request

    from tests.helpers.examples import EXAMPLES

    folder = tmp_path / "drafts"
    folder.mkdir()
    shutil.copy(EXAMPLES / "icpc-school.yaml", folder / "school.yaml")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process, address = _serve(folder, "--no-browser", "--port", str(port))
    client = _browser()
    try:
        start = client.open(address, timeout=10).read().decode()
        draft = re.search(r'href="(/d/[0-9a-f]+)"', start)[1]  # type: ignore[index]
        base = address.split("/start")[0]
        page = client.open(f"{base}{draft}/task/11", timeout=10).read().decode()
        assert "Family&#39;s views" in page or "Family's views" in page
        fields = dict(
            re.findall(r'<input type="hidden" name="(csrf|version)" value="([^"]+)"', page)
        )
    finally:
        code, _ = _stop(process)
    assert code == 0
    # Started again: the page the browser still shows is sent to the new run.
    process, _ = _serve(folder, "--no-browser", "--port", str(port))
    try:
        body = urlencode(
            {**fields, "family_views": "Typed before the restart.", "action": "continue"}
        ).encode()
        sent = Request(
            f"{base}{draft}/task/11",
            data=body,
            headers={"Origin": base, "Content-Type": "application/x-www-form-urlencoded"},
        )
        with client.open(sent, timeout=10) as answer:
            assert answer.status == 200
            assert "Scaling" in html.unescape(answer.read().decode())
    finally:
        code, output = _stop(process)
    assert code == 0, output
    assert "family_views: Typed before the restart." in (folder / "school.yaml").read_text("utf-8")
