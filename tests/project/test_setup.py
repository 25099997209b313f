"""scripts/install-system-packages as a new user meets it: it says what it installs, and
waits for another apt (or unattended-upgrades) holding apt's lock, then says so plainly.

apt, dpkg, sudo and id are stand-ins on the PATH, so that a lock can be held and released
on demand and nothing is installed; `.ci/run` runs the real script on a real machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers.examples import ROOT

SCRIPT = ROOT / "scripts" / "install-system-packages"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a bash script for Debian")

LOCKED = (
    "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (unattended-upgr)\n"
    "E: Unable to lock directory /var/lib/apt/lists/\n"
)


def _tool(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    path.chmod(0o755)


def run_script(
    tmp_path: Path,
    *,
    missing: str = "poppler-utils",
    locked_attempts: int = 0,
    uid: int = 0,
    python_prefix: str = "/opt/python",
    has_ensurepip: bool = True,
    wait: int = 3,
    apt_error: str = "",
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Runs the script with stand-ins: `missing` packages not installed, apt's lock held by
    another program for the first `locked_attempts` calls of apt-get, and apt failing
    with `apt_error` after that."""
    tools = tmp_path / "tools"
    tools.mkdir()
    log = tmp_path / "apt.log"
    count = tmp_path / "attempts"
    count.write_text("0")
    _tool(
        tools,
        "dpkg-query",
        f"""\
        for p in {missing}; do [ "$p" = "$3" ] && exit 1; done
        printf 'install ok installed'
        """,
    )
    _tool(
        tools,
        "apt-get",
        f"""\
        n=$(($(cat {count}) + 1)); echo $n > {count}
        echo "apt-get $* DEBIAN_FRONTEND=$DEBIAN_FRONTEND LC_ALL=$LC_ALL" >> {log}
        if [ $n -le {locked_attempts} ]; then printf '{LOCKED}' >&2; exit 100; fi
        if [ -n "{apt_error}" ]; then echo "{apt_error}" >&2; exit 100; fi
        echo "Reading package lists..."
        """,
    )
    _tool(tools, "sudo", f'echo "sudo $1" >> {log}; exec "$@"\n')
    _tool(tools, "id", f"echo {uid}\n")
    _tool(
        tools,
        "python3",
        f"""\
        case "$2" in
          "import ensurepip") exit {0 if has_ensurepip else 1} ;;
          *) echo {python_prefix} ;;
        esac
        """,
    )
    env = {
        "PATH": f"{tools}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(tmp_path),
        "SOS_REPORTS_APT_WAIT": str(wait),
    }
    result = subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    return result, log.read_text().splitlines() if log.exists() else []


def test_it_does_nothing_and_says_so_when_everything_is_installed(tmp_path: Path) -> None:
    result, apt = run_script(tmp_path, missing="")
    assert result.returncode == 0, result.stderr
    assert "all installed already" in result.stdout
    assert apt == []


def test_it_says_what_it_installs(tmp_path: Path) -> None:
    result, apt = run_script(tmp_path, missing="libreoffice-writer-nogui fonts-liberation2")
    assert result.returncode == 0, result.stderr
    assert "Installing with apt: libreoffice-writer-nogui fonts-liberation2." in result.stdout
    assert "LibreOffice is a few hundred megabytes" in result.stdout
    assert "Installed: libreoffice-writer-nogui fonts-liberation2." in result.stdout
    assert apt[0].startswith("apt-get -qq -o DPkg::Lock::Timeout=5 update")
    assert apt[1].startswith(
        "apt-get -qq -o DPkg::Lock::Timeout=5 install -y --no-install-recommends "
        "libreoffice-writer-nogui fonts-liberation2 "
    )
    # Set for apt itself, through sudo too, which would drop an exported variable.
    assert all("DEBIAN_FRONTEND=noninteractive LC_ALL=C" in line for line in apt)


def test_as_a_user_it_installs_through_sudo(tmp_path: Path) -> None:
    result, apt = run_script(tmp_path, uid=1000)
    assert result.returncode == 0, result.stderr
    assert "Installing with apt (through sudo): poppler-utils." in result.stdout
    assert "megabytes" not in result.stdout
    assert [line for line in apt if line.startswith("sudo")] == ["sudo env"] * 2


def test_it_adds_python3_venv_when_debians_python_cannot_make_a_venv(tmp_path: Path) -> None:
    result, apt = run_script(tmp_path, missing="", python_prefix="/usr", has_ensurepip=False)
    assert result.returncode == 0, result.stderr
    assert "Installing with apt: python3-venv." in result.stdout
    assert apt[1].endswith(
        "--no-install-recommends python3-venv DEBIAN_FRONTEND=noninteractive LC_ALL=C"
    )


def test_another_pythons_missing_ensurepip_is_not_debians_to_fix(tmp_path: Path) -> None:
    result, apt = run_script(tmp_path, missing="", has_ensurepip=False)
    assert result.returncode == 0 and apt == []


def test_it_waits_while_another_apt_holds_the_lock_then_installs(tmp_path: Path) -> None:
    result, apt = run_script(tmp_path, locked_attempts=2, wait=30)
    assert result.returncode == 0, result.stderr
    assert (
        "Another program is installing or updating packages (process 4242 (unattended-upgr)); "
        "waiting up to 30 seconds for it to finish..."
    ) in result.stdout
    assert result.stdout.count("waiting up to") == 1
    assert [line.split()[4] for line in apt] == ["update", "update", "update", "install"]
    assert "Installed: poppler-utils." in result.stdout


def test_it_says_so_plainly_when_the_lock_is_never_released(tmp_path: Path) -> None:
    result, apt = run_script(tmp_path, locked_attempts=1000, wait=2)
    assert result.returncode == 1
    assert "waiting up to 2 seconds" in result.stdout
    assert (
        "Another program is still installing or updating packages (process 4242 "
        "(unattended-upgr)) after 2 seconds of waiting"
    ) in result.stderr
    assert "Let it finish (do not delete apt's lock files), then run this script again." in (
        " ".join(result.stderr.split())
    )
    assert "Installed" not in result.stdout
    assert all(" update " in line for line in apt)


def test_an_apt_failure_that_is_not_the_lock_is_shown_at_once(tmp_path: Path) -> None:
    result, apt = run_script(tmp_path, apt_error="E: Unable to locate package poppler-utils")
    assert result.returncode == 1
    assert "E: Unable to locate package poppler-utils" in result.stderr
    assert "waiting" not in result.stdout and "Installed" not in result.stdout
    assert len(apt) == 1


def test_it_installs_chromium_for_the_browser_tests(tmp_path: Path) -> None:
    result, apt = run_script(tmp_path, missing="chromium")
    assert result.returncode == 0, result.stderr
    assert "Installing with apt: chromium." in result.stdout
    assert "Chromium is about 350 megabytes installed" in result.stdout
    assert "LibreOffice" not in result.stdout
    assert apt[1].endswith(
        "--no-install-recommends chromium DEBIAN_FRONTEND=noninteractive LC_ALL=C"
    )


def test_without_apt_it_names_what_to_install_by_hand(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    result = subprocess.run(
        ["/bin/bash", str(SCRIPT)],
        env={"PATH": str(empty), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert "Install these with your system's package manager instead" in message
    assert (
        "LibreOffice (Writer and Calc), poppler-utils, the Liberation fonts, Chromium, "
        "WebKitGTK's WebDriver and Xvfb."
    ) in (message)
