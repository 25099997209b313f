"""Staff sign-in by OpenID Connect: the authorization code flow with PKCE, against the council's
own identity provider (Microsoft Entra ID, Google Workspace, Okta, …).

The service keeps no passwords. `Client.begin` gives the provider's sign-in address and the
values the service keeps in its server-side session until the provider sends the person back;
`Client.finish` checks that answer, exchanges its code and returns who signed in.

Nothing here is hand-rolled cryptography: Authlib makes the authorization request and the token
request (state, nonce, PKCE S256, client authentication) and checks the ID token's claims;
joserfc, the JOSE library Authlib itself is built on, checks the signature against the
provider's published keys. What this module adds is the policy: the issuer must be exactly the
one configured, the ID token must be for this client and this sign-in (nonce), and the email
must be one the provider has verified. Every refusal is a `SignInError` whose message can be
shown to the person signing in: it never carries a token or a code.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from sos_reports.errors import SosError

SCOPE = "openid email"
# Seconds of clock difference allowed between this service and the provider.
LEEWAY = 60
# The ID token's signature algorithms accepted: asymmetric only. "none" would accept an
# unsigned token, and an HMAC one is signed with the client secret, which the service holds too.
ASYMMETRIC_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
    "Ed25519",
)
# The pending values of one sign-in, kept by the caller in its server-side session.
PENDING_KEYS = ("state", "nonce", "verifier")


class SignInError(SosError):
    """The sign-in did not succeed; the message is safe to show, and says no token's contents."""


@dataclass(frozen=True)
class Provider:
    """The identity provider, and this service as a client registered with it."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str

    def __repr__(self) -> str:
        # The secret is never logged with the rest.
        return (
            f"Provider(issuer={self.issuer!r}, client_id={self.client_id!r}, "
            f"redirect_uri={self.redirect_uri!r})"
        )


@dataclass(frozen=True)
class Identity:
    """Who signed in: the email the provider verified (lower-cased), and its own subject id."""

    email: str
    subject: str
    issuer: str


class Client:
    """The service's OpenID Connect client for one provider; one instance serves every request.

    The provider's discovery document and its signing keys are fetched on first use and kept;
    the keys are fetched again when a token names a key not yet seen (the provider rotated).
    """

    def __init__(self, provider: Provider, *, timeout: float = 10.0) -> None:
        self.provider = provider
        self.timeout = timeout
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    # -- the provider's published configuration ---------------------------------------------

    def metadata(self) -> dict[str, Any]:
        """The discovery document, whose `issuer` must be the configured issuer exactly."""
        with self._lock:
            if self._metadata is None:
                url = self.provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
                document = self._get_json(url, "its configuration")
                if document.get("issuer") != self.provider.issuer:
                    raise SignInError(
                        "The sign-in service describes itself as a different issuer from the "
                        "one this service is configured with, so it is not trusted. "
                        "An administrator must check the configured issuer."
                    )
                for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(document.get(key), str):
                        raise SignInError(
                            f"The sign-in service's configuration has no {key}; "
                            "it cannot be used for sign-in."
                        )
                self._metadata = document
            return self._metadata

    def _key_set(self, *, refresh: bool = False) -> KeySet:
        metadata = self.metadata()
        with self._lock:
            if self._keys is None or refresh:
                document = self._get_json(metadata["jwks_uri"], "its signing keys")
                try:
                    self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
                except (JoseError, ValueError, TypeError, KeyError) as error:
                    raise SignInError(
                        "The sign-in service's signing keys could not be read."
                    ) from error
            return self._keys

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            response = requests.get(url, timeout=self.timeout)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise SignInError(
                f"The sign-in service could not be reached for {what}. Try again in a few minutes."
            ) from error
        if not isinstance(document, dict):
            raise SignInError(f"The sign-in service's answer for {what} could not be read.")
        return document

    def _session(self) -> OAuth2Session:
        metadata = self.metadata()
        methods = metadata.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
        if "client_secret_basic" in methods:
            method = "client_secret_basic"
        elif "client_secret_post" in methods:
            method = "client_secret_post"
        else:
            raise SignInError(
                "The sign-in service accepts neither client_secret_basic nor client_secret_post "
                "at its token endpoint; this service cannot sign in with it."
            )
        return OAuth2Session(
            client_id=self.provider.client_id,
            client_secret=self.provider.client_secret,
            token_endpoint_auth_method=method,
            redirect_uri=self.provider.redirect_uri,
            scope=SCOPE,
            code_challenge_method="S256",
        )

    # -- the flow ---------------------------------------------------------------------------

    def begin(self) -> tuple[str, dict[str, str]]:
        """The provider's sign-in address to send the browser to, and the values to keep in the
        server-side session for `finish` (and to delete there when the callback arrives)."""
        pending = {
            "state": generate_token(43),
            "nonce": generate_token(43),
            "verifier": generate_token(64),
        }
        with self._session() as session:
            url, _state = session.create_authorization_url(
                self.metadata()["authorization_endpoint"],
                state=pending["state"],
                code_verifier=pending["verifier"],
                nonce=pending["nonce"],
            )
        return url, pending

    def finish(self, pending: dict[str, str] | None, params: Mapping[str, str]) -> Identity:
        """Check the provider's answer (the callback's query parameters) against the sign-in
        begun, exchange the code, validate the ID token, and return who signed in."""
        if pending is None:
            raise SignInError(
                "This sign-in link has already been used, or no sign-in was started in this "
                "browser. Start again from the sign-in page."
            )
        if any(not isinstance(pending.get(key), str) or not pending[key] for key in PENDING_KEYS):
            raise SignInError("The sign-in started here is incomplete. Start again.")
        state = params.get("state") or ""
        if not hmac.compare_digest(state.encode(), pending["state"].encode()):
            raise SignInError(
                "The answer from the sign-in service is not for the sign-in started in this "
                "browser. Start again from the sign-in page."
            )
        # RFC 9207: the provider names itself in its answer, against a mix-up of providers.
        issuer = params.get("iss")
        if issuer is None and self.metadata().get("authorization_response_iss_parameter_supported"):
            raise SignInError("The answer from the sign-in service does not name it. Start again.")
        if issuer is not None and issuer != self.provider.issuer:
            raise SignInError("The answer came from a different sign-in service. Start again.")
        if params.get("error"):
            if params["error"] == "access_denied":
                raise SignInError("The sign-in was cancelled or refused by the sign-in service.")
            raise SignInError(
                f"The sign-in service refused the sign-in ({_printable(params['error'])})."
            )
        code = params.get("code")
        if not code:
            raise SignInError("The sign-in service sent no authorization code. Start again.")

        tokens = self._exchange(code, pending["verifier"])
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise SignInError("The sign-in service sent no ID token.")
        claims = self.validate_id_token(
            id_token, pending["nonce"], access_token=tokens.get("access_token")
        )
        subject = claims["sub"]
        if "email" not in claims:
            userinfo = self._userinfo(tokens.get("access_token"))
            if userinfo and userinfo.get("sub") != subject:
                raise SignInError(
                    "The sign-in service's account details are for someone else than its ID token."
                )
            claims = {**userinfo, **claims}
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise SignInError(
                "The sign-in service gave no email address for this account, so it cannot be "
                "matched to a member of staff. Ask an administrator."
            )
        if claims.get("email_verified") in (False, "false"):
            raise SignInError(
                "The sign-in service has not verified this account's email address, so it "
                "cannot be used to sign in here."
            )
        return Identity(email=email.strip().lower(), subject=subject, issuer=self.provider.issuer)

    def _exchange(self, code: str, verifier: str) -> dict[str, Any]:
        token_endpoint = self.metadata()["token_endpoint"]
        try:
            with self._session() as session:
                tokens = session.fetch_token(
                    token_endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=verifier,
                    timeout=self.timeout,
                )
        except OAuthError as error:
            raise SignInError(
                f"The sign-in service refused to complete the sign-in ({_printable(error.error)}). "
                "Start again."
            ) from error
        except (requests.RequestException, ValueError) as error:
            raise SignInError(
                "The sign-in service could not be reached to complete the sign-in. Try again."
            ) from error
        return dict(tokens)

    def _userinfo(self, access_token: object) -> dict[str, Any]:
        endpoint = self.metadata().get("userinfo_endpoint")
        if not isinstance(access_token, str) or not isinstance(endpoint, str):
            return {}
        try:
            response = requests.get(
                endpoint,
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=self.timeout,
            )
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise SignInError(
                "The sign-in service could not be reached for the account's details. Try again."
            ) from error
        return document if isinstance(document, dict) else {}

    # -- the ID token -----------------------------------------------------------------------

    def validate_id_token(
        self, token: str, nonce: str, *, access_token: str | None = None
    ) -> dict[str, Any]:
        """The ID token's claims once its signature (the provider's published keys), issuer,
        audience (and authorized party), times and nonce are all right; else SignInError."""
        if not nonce:
            raise SignInError("The sign-in started here has no nonce. Start again.")
        metadata = self.metadata()
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [alg for alg in offered if alg in ASYMMETRIC_ALGORITHMS]
        registry = JWSRegistry(algorithms=algorithms, strict_check_header=False)
        try:
            try:
                decoded = jwt.decode(token, self._key_set(), registry=registry)
            except InvalidKeyIdError:
                decoded = jwt.decode(token, self._key_set(refresh=True), registry=registry)
        except BadSignatureError as error:
            raise SignInError(
                "The ID token's signature does not match the sign-in service's keys."
            ) from error
        except (JoseError, ValueError, TypeError) as error:
            raise SignInError(
                "The ID token could not be read or is not signed by the sign-in service's keys."
            ) from error

        claims = decoded.claims
        if "nonce" not in claims:
            raise SignInError("The ID token has no nonce, so it cannot be tied to this sign-in.")
        checked = CodeIDToken(
            claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": self.provider.issuer},
                "aud": {"essential": True, "value": self.provider.client_id},
                "sub": {"essential": True},
                "exp": {"essential": True},
                "iat": {"essential": True},
            },
            {"nonce": nonce, "client_id": self.provider.client_id, "access_token": access_token},
        )
        try:
            checked.validate(leeway=LEEWAY)
        except ExpiredTokenError as error:
            raise SignInError("The ID token has expired. Start again.") from error
        except MissingClaimError as error:
            raise SignInError(f"The ID token lacks its {_claim_name(error.claim)}.") from error
        except JoseError as error:
            claim = getattr(error, "claim", "")
            raise SignInError(_invalid_claim_message(claim)) from error
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise SignInError("The ID token names no subject.")
        return dict(claims)


def _claim_name(claim: str) -> str:
    names = {
        "iss": "issuer (iss)",
        "aud": "audience (aud)",
        "azp": "authorized party (azp)",
        "sub": "subject (sub)",
        "exp": "expiry time (exp)",
        "iat": "issue time (iat)",
        "nonce": "nonce",
    }
    return ", ".join(names.get(name, name) for name in claim.split(","))


def _invalid_claim_message(claim: str) -> str:
    messages = {
        "iss": "The ID token was issued by a different sign-in service (iss) from the one configured.",
        "aud": "The ID token was issued for a different application (aud), not this service.",
        "azp": "The ID token was issued to a different application (azp), not this service.",
        "nonce": "The ID token is for a different sign-in (nonce). Start again.",
        "iat": "The ID token's issue time (iat) is wrong: check this server's clock.",
        "nbf": "The ID token is not valid yet (nbf): check this server's clock.",
        "at_hash": "The ID token does not match its access token (at_hash).",
    }
    return messages.get(claim, f"The ID token's {_claim_name(claim) or 'contents'} are not valid.")


def _printable(code: object) -> str:
    """A provider's error code, as OAuth defines it (a short ASCII word), and nothing more."""
    text = str(code or "unknown")[:64]
    return "".join(char for char in text if char.isalnum() or char in "_-.") or "unknown"
