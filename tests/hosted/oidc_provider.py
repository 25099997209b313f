"""A real OpenID provider for the tests: oidc-provider (OpenID-certified), run by Node.js.

`start_provider` runs tests/hosted/provider/provider.mjs on a free port of 127.0.0.1 and waits
until it listens; `RunningProvider.stop` ends it (and it ends by itself with the process that
started it). Its sign-in page, /interaction/UID, accepts any login and password: a form with
the fields "login" (labelled "Email address") and "password", the button "Sign in", and a link
"Cancel" (access_denied). The login becomes the account, sub = the login as typed, email = the
login (verified), except for a login beginning "unverified." (email_verified false) or
"no-email." (no email). No consent page is shown.

`sign_in` drives that page with requests as a browser would (cookies kept, each redirect
followed by hand, the form posted as it is) and returns the query of the redirect to the
client's redirect_uri: the callback's parameters.

The provider needs `npm ci --prefix tests/hosted/provider` (scripts/install-oidc-provider).
`require_provider` skips a test without it, and fails it in CI.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests
from joserfc.jwk import RSAKey

from sos_reports.hosted.oidc import Provider

PROVIDER_DIR = Path(__file__).parent / "provider"
PROGRAM = PROVIDER_DIR / "provider.mjs"
START_SECONDS = 30.0
# The service's callback as the provider has it registered; the tests never load it, they
# stop at the provider's redirect to it.
REDIRECT_URI = "https://reports.council.example/sign-in/callback"


def node_path() -> str | None:
    return shutil.which("node")


def require_provider() -> str:
    """Node's path, once the provider is installed; else skip, or fail when CI is set."""
    import pytest

    node = node_path()
    if node is None:
        problem = "Node.js (node) is not installed"
    elif not (PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json").exists():
        problem = "oidc-provider is not installed (run scripts/install-oidc-provider)"
    else:
        return node
    if os.environ.get("CI"):
        pytest.fail(f"{problem}, and the sign-in tests must run in CI")
    pytest.skip(problem)


@dataclass(frozen=True)
class ClientSpec:
    """A client registered with the provider."""

    client_id: str
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    redirect_uris: tuple[str, ...] = (REDIRECT_URI,)
    token_endpoint_auth_method: str = "client_secret_basic"

    def registration(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uris": list(self.redirect_uris),
            "token_endpoint_auth_method": self.token_endpoint_auth_method,
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
        }


def signing_key(kid: str = "test-signing-key") -> RSAKey:
    """A new RSA key for the provider to sign ID tokens with."""
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


@dataclass
class RunningProvider:
    """A provider process: where it listens, what it calls itself, its clients and its key."""

    issuer: str
    port: int
    clients: dict[str, ClientSpec]
    key: RSAKey
    process: subprocess.Popen[str]
    config_dir: tempfile.TemporaryDirectory[str]
    log: list[str]

    @property
    def base_url(self) -> str:
        """The address it listens on (its issuer may be another name for it)."""
        return f"http://127.0.0.1:{self.port}"

    def provider(
        self, client_id: str, *, issuer: str | None = None, redirect_uri: str | None = None
    ) -> Provider:
        """The sos_reports configuration for one of its clients."""
        spec = self.clients[client_id]
        return Provider(
            issuer=issuer or self.issuer,
            client_id=spec.client_id,
            client_secret=spec.client_secret,
            redirect_uri=redirect_uri or spec.redirect_uris[0],
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.config_dir.cleanup()

    def __enter__(self) -> RunningProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_provider(
    clients: list[ClientSpec],
    *,
    issuer: str = "http://127.0.0.1:{port}",
    key: RSAKey | None = None,
    client_auth_methods: list[str] | None = None,
    id_token_claims: bool = False,
    node: str | None = None,
) -> RunningProvider:
    """Start the provider on a free port of 127.0.0.1 and wait until it listens.

    issuer: what the provider calls itself; "{port}" becomes its port. key: its signing key
    (a new one by default; give two providers the same to have each's tokens verify with the
    other's keys). id_token_claims: the email in the ID token too, not only from userinfo.
    """
    node = node or node_path()
    if node is None:
        raise RuntimeError("Node.js (node) is not installed")
    key = key or signing_key()
    config = {
        "issuer": issuer,
        "host": "127.0.0.1",
        "port": 0,
        "clients": [client.registration() for client in clients],
        "jwks": {"keys": [key.as_dict(private=True)]},
        "cookie_keys": [secrets.token_urlsafe(32)],
        "id_token_claims": id_token_claims,
        "exit_with_stdin": True,
    }
    if client_auth_methods is not None:
        config["client_auth_methods"] = client_auth_methods
    config_dir = tempfile.TemporaryDirectory(prefix="oidc-provider-")
    config_path = Path(config_dir.name) / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    os.chmod(config_path, 0o600)

    env = {**os.environ, "NODE_ENV": "development"}
    process = subprocess.Popen(
        [node, str(PROGRAM), str(config_path)],
        cwd=PROVIDER_DIR,
        # Kept open, never written: when this process ends, however, the provider ends too.
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    log: list[str] = []
    started: dict[str, Any] = {}
    ready = threading.Event()

    def read_stdout() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if not started:
                try:
                    started.update(json.loads(line))
                    ready.set()
                    continue
                except ValueError:
                    pass
            log.append(line.rstrip("\n"))
        ready.set()

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            log.append(line.rstrip("\n"))

    for reader in (read_stdout, read_stderr):
        threading.Thread(target=reader, daemon=True).start()

    deadline = time.monotonic() + START_SECONDS
    ready.wait(START_SECONDS)
    running = None
    if started:
        running = RunningProvider(
            issuer=started["issuer"],
            port=int(started["port"]),
            clients={client.client_id: client for client in clients},
            key=key,
            process=process,
            config_dir=config_dir,
            log=log,
        )
        # Listening is printed from the listen callback; one request shows it answers.
        while time.monotonic() < deadline:
            try:
                response = requests.get(
                    f"{running.base_url}/.well-known/openid-configuration", timeout=2
                )
                if response.status_code == 200:
                    return running
            except requests.RequestException:
                pass
            time.sleep(0.1)
    process.kill()
    process.wait(timeout=10)
    if process.stdin is not None:
        process.stdin.close()
    config_dir.cleanup()
    detail = "\n".join(log[-20:])
    raise RuntimeError(f"the OpenID provider did not start:\n{detail}")


class _Form(HTMLParser):
    """The first form of a page: its action, method and the values of its inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method = "get"
        self.fields: dict[str, str] = {}
        self.links: list[str] = []
        self._in_form = False
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and not self._done and self.action is None:
            self.action = values.get("action", "")
            self.method = values.get("method", "get").lower()
            self._in_form = True
        elif tag == "input" and self._in_form and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")
        elif tag == "a" and values.get("href"):
            self.links.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form = False
            self._done = True


def sign_in(
    authorization_url: str,
    login: str,
    *,
    redirect_uri: str = REDIRECT_URI,
    session: requests.Session | None = None,
    password: str = "any password",
    cancel: bool = False,
) -> dict[str, str]:
    """Sign in on the provider's pages as `login` (or press Cancel there) and return the
    callback's query parameters (code, state, iss; or error) from the provider's redirect to
    `redirect_uri`."""
    http = session or requests.Session()
    url = authorization_url
    method, data = "get", None
    for _step in range(12):
        response = http.request(method, url, data=data, allow_redirects=False, timeout=10)
        if response.is_redirect:
            location = urljoin(url, response.headers["Location"])
            if location.startswith(redirect_uri):
                return dict(parse_qsl(urlsplit(location).query))
            url, method, data = location, "get", None
            continue
        if response.status_code != 200:
            raise AssertionError(
                f"the provider answered {response.status_code} at {url}:\n{response.text[:2000]}"
            )
        form = _Form()
        form.feed(response.text)
        if form.action is None:
            raise AssertionError(
                f"the provider's page at {url} has no form:\n{response.text[:2000]}"
            )
        if cancel:
            url = urljoin(url, next(link for link in form.links if link.endswith("/abort")))
            method, data = "get", None
            continue
        fields = dict(form.fields)
        if "login" in fields:
            fields["login"] = login
            fields["password"] = password
        url, method, data = urljoin(url, form.action), form.method, fields
    raise AssertionError("the provider did not redirect back after twelve steps")
