"""Staff sign-in by OpenID Connect against a real, certified provider (oidc-provider), started
on 127.0.0.1 for the tests: its pages, token endpoint, userinfo and keys are all real, and each
refusal is of a token or an answer that provider really gave."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from joserfc import jwt

from sos_reports.errors import SosError
from sos_reports.hosted.oidc import Client, Identity, Provider, SignInError
from tests.hosted.oidc_provider import (
    REDIRECT_URI,
    ClientSpec,
    RunningProvider,
    require_provider,
    sign_in,
    signing_key,
    start_provider,
)

SERVICE = "staff-portal"
CHAIR = "chair@council.example"


@pytest.fixture(scope="module")
def other_issuer(oidc_provider: RunningProvider) -> Iterator[RunningProvider]:
    """A second provider that calls itself http://localhost:PORT (another name for the same
    address), with the service registered under the same client id and secret, signing with
    the same key as `oidc_provider`: its tokens verify against the first one's keys, and only
    their issuer tells them apart. It takes the client secret only in the token request's body
    (client_secret_post) and puts the email in the ID token itself."""
    node = require_provider()
    service = oidc_provider.clients[SERVICE]
    spec = ClientSpec(
        SERVICE,
        client_secret=service.client_secret,
        token_endpoint_auth_method="client_secret_post",
    )
    with start_provider(
        [spec],
        issuer="http://localhost:{port}",
        key=oidc_provider.key,
        client_auth_methods=["client_secret_post"],
        id_token_claims=True,
        node=node,
    ) as running:
        yield running


def _client(running: RunningProvider, client_id: str = SERVICE, **kwargs: Any) -> Client:
    return Client(running.provider(client_id, **kwargs))


def _signed_in(client: Client, login: str = CHAIR) -> tuple[dict[str, str], dict[str, str]]:
    """A sign-in begun and completed on the provider's page: (pending, callback params)."""
    url, pending = client.begin()
    return pending, sign_in(url, login)


def _tokens(
    running: RunningProvider, client_id: str, *, nonce: str | None, login: str = CHAIR
) -> dict[str, Any]:
    """The provider's token response for a sign-in made by hand, not by `Client`: an
    authorization request of our own (with or without a nonce), then the token request."""
    spec = running.clients[client_id]
    metadata = requests.get(f"{running.base_url}/.well-known/openid-configuration", timeout=10)
    endpoints = metadata.json()
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email",
        "state": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if nonce is not None:
        query["nonce"] = nonce
    callback = sign_in(f"{endpoints['authorization_endpoint']}?{urlencode(query)}", login)
    assert "code" in callback, callback
    form = {
        "grant_type": "authorization_code",
        "code": callback["code"],
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }
    if spec.token_endpoint_auth_method == "client_secret_post":
        form |= {"client_id": client_id, "client_secret": spec.client_secret}
        auth = None
    else:
        auth = (client_id, spec.client_secret)
    response = requests.post(endpoints["token_endpoint"], data=form, auth=auth, timeout=10)
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def _forged(running: RunningProvider, key: Any, **changes: Any) -> str:
    """An ID token for the service signed with `key`, its claims right unless changed."""
    now = int(time.time())
    claims = {
        "iss": running.issuer,
        "aud": SERVICE,
        "sub": CHAIR,
        "nonce": "the-nonce",
        "iat": now,
        "exp": now + 300,
    } | changes
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def test_sign_in_error_is_a_sos_error() -> None:
    assert issubclass(SignInError, SosError)


# -- 1. a good sign-in -----------------------------------------------------------------------


def test_good_sign_in_returns_the_verified_email(oidc_provider: RunningProvider) -> None:
    client = _client(oidc_provider)
    url, pending = client.begin()
    assert set(pending) == {"state", "nonce", "verifier"}
    assert "code_challenge_method=S256" in url and "nonce=" in url and "state=" in url
    params = sign_in(url, "Chair@Council.Example")

    identity = client.finish(pending, params)

    assert identity == Identity(
        email=CHAIR, subject="Chair@Council.Example", issuer=oidc_provider.issuer
    )


def test_email_in_the_id_token_and_client_secret_post(other_issuer: RunningProvider) -> None:
    # This provider takes only client_secret_post, and its ID token carries the email.
    client = _client(other_issuer)
    assert client.metadata()["token_endpoint_auth_methods_supported"] == ["client_secret_post"]
    pending, params = _signed_in(client, "minutes@council.example")

    identity = client.finish(pending, params)

    assert identity.email == "minutes@council.example"
    assert identity.issuer == other_issuer.issuer
    assert other_issuer.issuer == f"http://localhost:{other_issuer.port}"


def test_each_sign_in_has_its_own_state_nonce_and_verifier(oidc_provider: RunningProvider) -> None:
    client = _client(oidc_provider)
    _url, first = client.begin()
    _url, second = client.begin()
    assert all(first[key] != second[key] for key in first)
    assert all(len(value) >= 43 for value in first.values())


# -- 2. a wrong issuer -----------------------------------------------------------------------


def test_a_provider_that_names_another_issuer_is_refused(other_issuer: RunningProvider) -> None:
    # Configured as http://127.0.0.1:PORT, the provider there calls itself http://localhost:PORT.
    client = _client(other_issuer, issuer=other_issuer.base_url)

    with pytest.raises(SignInError, match="different issuer"):
        client.begin()


def test_an_id_token_from_another_issuer_is_refused(
    oidc_provider: RunningProvider, other_issuer: RunningProvider
) -> None:
    # A real token from the other provider: the same key and client, but its own `iss`.
    token = _tokens(other_issuer, SERVICE, nonce="the-nonce")["id_token"]
    assert jwt.decode(token, oidc_provider.key).claims["iss"] != oidc_provider.issuer

    with pytest.raises(SignInError, match=r"different sign-in service \(iss\)"):
        _client(oidc_provider).validate_id_token(token, "the-nonce")


def test_a_callback_naming_another_issuer_is_refused(oidc_provider: RunningProvider) -> None:
    client = _client(oidc_provider)
    pending, params = _signed_in(client)

    with pytest.raises(SignInError, match="different sign-in service"):
        client.finish(pending, {**params, "iss": "http://localhost:1"})


# -- 3. a wrong audience ---------------------------------------------------------------------


def test_an_id_token_for_another_client_is_refused(oidc_provider: RunningProvider) -> None:
    # A real token the provider issued to the council's other application.
    token = _tokens(oidc_provider, "other-app", nonce="the-nonce")["id_token"]
    assert jwt.decode(token, oidc_provider.key).claims["aud"] == "other-app"

    with pytest.raises(SignInError, match=r"different application \(aud\)"):
        _client(oidc_provider).validate_id_token(token, "the-nonce")


def test_the_same_token_is_accepted_by_its_own_client(oidc_provider: RunningProvider) -> None:
    # The control for the test above: the token is good, only its audience was wrong.
    token = _tokens(oidc_provider, "other-app", nonce="the-nonce")["id_token"]

    claims = _client(oidc_provider, "other-app").validate_id_token(token, "the-nonce")

    assert claims["sub"] == CHAIR and claims["aud"] == "other-app"


def test_a_token_for_several_audiences_must_name_the_service_as_its_party(
    oidc_provider: RunningProvider,
) -> None:
    client = _client(oidc_provider)
    client.validate_id_token(
        _forged(oidc_provider, oidc_provider.key, aud=[SERVICE, "other-app"], azp=SERVICE),
        "the-nonce",
    )
    for azp in ({}, {"azp": "other-app"}):
        token = _forged(oidc_provider, oidc_provider.key, aud=["other-app", SERVICE], **azp)
        with pytest.raises(SignInError, match=r"\(azp\)"):
            client.validate_id_token(token, "the-nonce")


# -- 4. a replayed or foreign state ----------------------------------------------------------


def test_a_replayed_callback_is_refused(oidc_provider: RunningProvider) -> None:
    client = _client(oidc_provider)
    pending, params = _signed_in(client)
    assert client.finish(pending, params).email == CHAIR
    # The caller deleted the pending values when the callback arrived: the second time, none.
    with pytest.raises(SignInError, match="already been used"):
        client.finish(None, params)
    # And a caller that kept them by mistake: the provider refuses the code a second time.
    with pytest.raises(SignInError, match="refused to complete the sign-in"):
        client.finish(pending, params)


def test_the_callback_of_another_sign_in_is_refused(oidc_provider: RunningProvider) -> None:
    client = _client(oidc_provider)
    _first_pending, first_params = _signed_in(client)
    second_pending, _second_params = _signed_in(client)

    with pytest.raises(SignInError, match="not for the sign-in started in this browser"):
        client.finish(second_pending, first_params)


def test_a_callback_without_state_is_refused(oidc_provider: RunningProvider) -> None:
    client = _client(oidc_provider)
    pending, params = _signed_in(client)
    del params["state"]

    with pytest.raises(SignInError, match="not for the sign-in started"):
        client.finish(pending, params)


# -- 5. a missing nonce ----------------------------------------------------------------------


def test_an_id_token_without_nonce_is_refused(oidc_provider: RunningProvider) -> None:
    # The provider issues a token without nonce to an authorization request that sent none.
    token = _tokens(oidc_provider, SERVICE, nonce=None)["id_token"]
    assert "nonce" not in jwt.decode(token, oidc_provider.key).claims

    with pytest.raises(SignInError, match="has no nonce"):
        _client(oidc_provider).validate_id_token(token, "the-nonce")


def test_an_id_token_of_another_nonce_is_refused(oidc_provider: RunningProvider) -> None:
    token = _tokens(oidc_provider, SERVICE, nonce="an-earlier-sign-in")["id_token"]

    with pytest.raises(SignInError, match=r"different sign-in \(nonce\)"):
        _client(oidc_provider).validate_id_token(token, "the-nonce")


def test_a_pending_sign_in_without_nonce_is_refused(oidc_provider: RunningProvider) -> None:
    client = _client(oidc_provider)
    pending, params = _signed_in(client)
    del pending["nonce"]

    with pytest.raises(SignInError, match="incomplete"):
        client.finish(pending, params)
    with pytest.raises(SignInError, match="no nonce"):
        client.validate_id_token("not.read.yet", "")


# -- the token's signature and times ---------------------------------------------------------


def test_an_expired_id_token_is_refused(oidc_provider: RunningProvider) -> None:
    # Signed with the provider's own key: only its times are wrong.
    now = int(time.time())
    token = _forged(oidc_provider, oidc_provider.key, iat=now - 3600, exp=now - 600)

    with pytest.raises(SignInError, match="expired"):
        _client(oidc_provider).validate_id_token(token, "the-nonce")


def test_a_token_issued_in_the_future_is_refused(oidc_provider: RunningProvider) -> None:
    now = int(time.time())
    token = _forged(oidc_provider, oidc_provider.key, iat=now + 3600, exp=now + 7200)

    with pytest.raises(SignInError, match=r"issue time \(iat\)"):
        _client(oidc_provider).validate_id_token(token, "the-nonce")


def test_a_foreign_signature_is_refused(oidc_provider: RunningProvider) -> None:
    # A key of the same name (kid) but not the provider's.
    forger = signing_key(kid=oidc_provider.key.kid or "")
    client = _client(oidc_provider)
    assert client.validate_id_token(_forged(oidc_provider, oidc_provider.key), "the-nonce")

    with pytest.raises(SignInError, match="signature does not match"):
        client.validate_id_token(_forged(oidc_provider, forger), "the-nonce")
    with pytest.raises(SignInError, match="not signed by the sign-in service's keys"):
        client.validate_id_token(_forged(oidc_provider, signing_key("unknown")), "the-nonce")


def test_an_unsigned_or_symmetric_token_is_refused(oidc_provider: RunningProvider) -> None:
    from joserfc.jwk import OctKey

    client = _client(oidc_provider)
    now = int(time.time())
    claims: dict[str, Any] = {"iss": oidc_provider.issuer, "aud": SERVICE, "sub": CHAIR}
    claims["nonce"] = "n"
    claims |= {"iat": now, "exp": now + 300}
    secret = OctKey.import_key(oidc_provider.clients[SERVICE].client_secret)
    signed_with_secret = jwt.encode({"alg": "HS256"}, claims, secret)
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    unsigned = header + "." + signed_with_secret.split(".")[1] + "."

    for token in (signed_with_secret, unsigned, "not a token"):
        with pytest.raises(SignInError, match="ID token"):
            client.validate_id_token(token, "n")


# -- the email -------------------------------------------------------------------------------


def test_an_unverified_email_is_refused(oidc_provider: RunningProvider) -> None:
    client = _client(oidc_provider)
    pending, params = _signed_in(client, "unverified.clerk@council.example")

    with pytest.raises(SignInError, match="not verified"):
        client.finish(pending, params)


def test_an_account_without_email_is_refused(oidc_provider: RunningProvider) -> None:
    client = _client(oidc_provider)
    pending, params = _signed_in(client, "no-email.clerk")

    with pytest.raises(SignInError, match="no email address"):
        client.finish(pending, params)


# -- the provider's refusals -----------------------------------------------------------------


def test_the_providers_error_is_refused(oidc_provider: RunningProvider) -> None:
    # prompt=none without a session at the provider: it answers login_required, for real.
    client = _client(oidc_provider)
    url, pending = client.begin()
    params = sign_in(url + "&prompt=none", CHAIR)
    assert params["error"] == "login_required"

    with pytest.raises(SignInError, match=r"refused the sign-in \(login_required\)"):
        client.finish(pending, params)


def test_a_cancelled_sign_in_is_refused(oidc_provider: RunningProvider) -> None:
    client = _client(oidc_provider)
    url, pending = client.begin()
    params = sign_in(url, CHAIR, cancel=True)
    assert params["error"] == "access_denied"

    with pytest.raises(SignInError, match="cancelled"):
        client.finish(pending, params)


def test_a_callback_without_code_is_refused(oidc_provider: RunningProvider) -> None:
    client = _client(oidc_provider)
    pending, params = _signed_in(client)
    del params["code"]

    with pytest.raises(SignInError, match="no authorization code"):
        client.finish(pending, params)


def test_a_wrong_pkce_verifier_is_refused_by_the_provider(oidc_provider: RunningProvider) -> None:
    client = _client(oidc_provider)
    pending, params = _signed_in(client)

    with pytest.raises(SignInError, match=r"refused to complete the sign-in \(invalid_grant\)"):
        client.finish({**pending, "verifier": secrets.token_urlsafe(48)}, params)


def test_a_wrong_client_secret_is_refused_by_the_provider(oidc_provider: RunningProvider) -> None:
    provider = oidc_provider.provider(SERVICE)
    client = Client(replace(provider, client_secret="wrong"))
    pending, params = _signed_in(client)

    with pytest.raises(SignInError, match=r"\(invalid_client\)") as refused:
        client.finish(pending, params)
    assert params["code"] not in str(refused.value)


def test_an_unreachable_provider_is_refused() -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    client = Client(Provider("http://127.0.0.1:9", SERVICE, "secret", REDIRECT_URI), timeout=2)

    with pytest.raises(SignInError, match="could not be reached"):
        client.begin()


def test_the_client_secret_is_not_in_the_providers_repr(oidc_provider: RunningProvider) -> None:
    provider = oidc_provider.provider(SERVICE)
    assert provider.client_secret not in repr(provider)
