"""The hosted service's fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.hosted.oidc_provider import ClientSpec, RunningProvider, require_provider, start_provider


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[RunningProvider]:
    """A real OpenID provider on 127.0.0.1 (oidc-provider under Node.js), its issuer
    http://127.0.0.1:PORT, with two clients: "staff-portal" (the service) and "other-app"
    (another of the council's applications). Skipped without Node.js and the npm install,
    failed in CI."""
    node = require_provider()
    with start_provider(
        [ClientSpec("staff-portal"), ClientSpec("other-app")], node=node
    ) as running:
        yield running
