"""An address of the plainest form is accepted without email_validator, and only when
email_validator would accept it; anything else is still judged by email_validator."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from sos_reports.model.types import _COMMON_TOP_LEVEL, _PLAIN_EMAIL, is_plain_email

_ATOM = st.from_regex(r"[A-Za-z0-9_+-]{1,20}", fullmatch=True)
_LABEL = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?", fullmatch=True)
_TOP = st.sampled_from(sorted(_COMMON_TOP_LEVEL)).flatmap(
    lambda top: st.sampled_from([top, top.upper(), top.title()])
)
PLAIN_LOOKING = st.builds(
    lambda local, labels, top: f"{'.'.join(local)}@{'.'.join([*labels, top])}",
    st.lists(_ATOM, min_size=1, max_size=4),
    st.lists(_LABEL, min_size=1, max_size=4),
    _TOP,
)


@given(st.one_of(PLAIN_LOOKING, st.from_regex(_PLAIN_EMAIL, fullmatch=True)))
@settings(max_examples=800, deadline=None)
def test_every_plain_address_is_one_email_validator_accepts(address: str) -> None:
    assert _PLAIN_EMAIL.fullmatch(address)
    if is_plain_email(address):
        validate_email(address, check_deliverability=False)


@pytest.mark.parametrize(
    "address",
    ["dsl@thornby-primary.example.gov.uk", "j.pryce+school@nhs.net", "A_B-c@Mail.Example.COM"],
)
def test_ordinary_addresses_are_plain(address: str) -> None:
    assert is_plain_email(address)


@pytest.mark.parametrize(
    "address",
    [
        "dsl@@thornby.example",
        "dsl@thornby.test",  # a special-use domain, which email_validator refuses
        "dsl@localhost",
        "dsl@thornby.local",
        "dsl@xn--thrnby-wxa.uk",
        "ab--cd@x.ab--cd.uk",
        '"quoted"@thornby.uk',
        "jöanna@thornby.uk",
        "dsl@thornby.example",  # not a common top-level domain: left to email_validator
        "dsl.@thornby.uk",
        "x" * 65 + "@thornby.uk",
        "dsl@" + "a" * 64 + ".uk",
    ],
)
def test_anything_else_is_left_to_email_validator(address: str) -> None:
    assert not is_plain_email(address)


def test_a_plain_looking_address_email_validator_refuses_is_not_plain() -> None:
    for address in ("dsl@thornby.test", "dsl@" + "a" * 64 + ".uk"):
        with pytest.raises(EmailNotValidError):
            validate_email(address, check_deliverability=False)
        assert not is_plain_email(address)
