"""The field types of the input format (text, mtext, date, bool, choice, score, ...).

Each type converts a value exactly as input-format.md's Conventions table says, whatever file
format it came from: YAML arrives as strings, JSON and workbooks as native values. Pydantic's
own lenient coercion is never used (every type is a PlainValidator), so `yes` is not a score,
`10:00` stays `10:00` and `0000000` keeps its zeros.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import PlainValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

REQUIRED = "sos_required"


@dataclass(frozen=True)
class ValueType:
    """What kind of value a field takes, as every input form shows and reads it.

    One marker sits in each Annotated type below, so a form finds it on the field's type
    instead of guessing from its JSON Schema: text, mtext (free text over several lines),
    date, date-or-text, bool (yes/no), choice, score (0..10), number (whole) or child (a
    child's id).
    """

    name: str


TEXT = ValueType("text")
MTEXT = ValueType("mtext")
DATE = ValueType("date")
DATE_OR_TEXT = ValueType("date-or-text")
BOOL = ValueType("bool")
CHOICE = ValueType("choice")
SCORE = ValueType("score")
NUMBER = ValueType("number")
CHILD = ValueType("child")


def fail(message: str, kind: str = "sos") -> PydanticCustomError:
    """A validation error whose message is shown to the user as it is."""
    return PydanticCustomError(kind, "{message}", {"message": message})


def shown(value: Any, limit: int = 40) -> str:
    """A value quoted for a message, shortened so one bad field cannot flood the output."""
    text = value if isinstance(value, str) else repr(value)
    text = text.replace("\n", " ")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"'


# --- text -------------------------------------------------------------------------------

# Characters that XML 1.0 cannot hold. U+000B (Word's line break) is not here: it is read as
# a line break before this check.
_XML_INVALID = re.compile("[\x00-\x08\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_BREAKS = re.compile("\r\n|[\r\x0b\u2028]")
_BLANK_LINE = re.compile(r"^[ \t\u00a0]+$", re.MULTILINE)


def _as_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise fail("should be text, not yes/no: put it in quotes if you mean the word")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        raise fail("should be text, not a block of fields")
    if isinstance(value, list):
        raise fail("should be text, not a list")
    raise fail("should be text")


def normalise_breaks(text: str) -> str:
    """Every spelling of a line break as `\\n`, U+2029 as a blank line."""
    return _BREAKS.sub("\n", text).replace("\u2029", "\n\n")


def check_xml_safe(text: str) -> None:
    bad = _XML_INVALID.search(text)
    if bad:
        code = ord(bad.group())
        raise fail(
            f"contains the control character U+{code:04X} at position {bad.start() + 1}, "
            "which a Word document cannot hold; delete it (it is often pasted in by accident)"
        )


def _text(value: Any) -> str | None:
    typed = _as_string(value)
    check_xml_safe(typed)  # positions are counted in the text as typed
    text = normalise_breaks(typed)
    text = text.strip()
    if "\n" in text:
        raise fail("must be on one line; this field cannot hold a line break")
    return text or None


def _mtext(value: Any) -> str | None:
    typed = _as_string(value)
    check_xml_safe(typed)  # positions are counted in the text as typed
    text = normalise_breaks(typed)
    text = _BLANK_LINE.sub("", text).strip()
    return text or None


def required(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The converter for a required field: blank counts as missing."""

    def check(value: Any) -> Any:
        blank = value is None or (isinstance(value, str) and not value.strip())
        out = None if blank else convert(value)
        if out is None:
            raise fail("is required but is blank", REQUIRED)
        return out

    return check


def optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The converter for an optional field: blank counts as not given."""

    def check(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return convert(value)

    return check


_STRING = {"type": "string"}

Text = Annotated[str, PlainValidator(required(_text)), WithJsonSchema(_STRING), TEXT]
OptText = Annotated[str | None, PlainValidator(optional(_text)), WithJsonSchema(_STRING), TEXT]
MText = Annotated[str, PlainValidator(required(_mtext)), WithJsonSchema(_STRING), MTEXT]
OptMText = Annotated[str | None, PlainValidator(optional(_mtext)), WithJsonSchema(_STRING), MTEXT]


# --- dates ------------------------------------------------------------------------------

_ISO = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_UK = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_DATE_LIKE = re.compile(r"^[0-9]{1,4}\s*[-/.]\s*[0-9]{1,2}\s*[-/.]\s*[0-9]{1,4}$")
_DATE_HELP = "write it as YYYY-MM-DD or DD/MM/YYYY, for example 2025-03-12 or 12/03/2025"


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise fail(f"has a time of day ({value.time():%H:%M}); give the date only")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise fail(f"should be a date; {_DATE_HELP}")
    text = value.strip()
    iso, uk = _ISO.match(text), _UK.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif uk:
        day, month, year = (int(g) for g in uk.groups())
    else:
        raise fail(f"{shown(text)} is not a date; {_DATE_HELP}")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise fail(f"{shown(text)} is not a real date (there is no such day)") from None


def looks_like_date(value: Any) -> bool:
    return isinstance(value, dt.date) or (
        isinstance(value, str) and bool(_DATE_LIKE.match(value.strip()))
    )


def _date_or_text(value: Any) -> dt.date | str | None:
    if looks_like_date(value):
        return _date(value)
    return _text(value)


_DATE_SCHEMA = {
    "type": "string",
    "description": "a date: YYYY-MM-DD or D/M/YYYY (day first)",
    "examples": ["2025-03-12", "12/03/2025"],
}

Date = Annotated[dt.date, PlainValidator(required(_date)), WithJsonSchema(_DATE_SCHEMA), DATE]
OptDate = Annotated[
    dt.date | None, PlainValidator(optional(_date)), WithJsonSchema(_DATE_SCHEMA), DATE
]
DateOrText = Annotated[
    dt.date | str,
    PlainValidator(required(_date_or_text)),
    WithJsonSchema({"type": "string", "description": "a date (YYYY-MM-DD) or text"}),
    DATE_OR_TEXT,
]
OptDateOrText = Annotated[
    dt.date | str | None,
    PlainValidator(optional(_date_or_text)),
    WithJsonSchema({"type": "string", "description": "a date (YYYY-MM-DD) or text"}),
    DATE_OR_TEXT,
]


# --- yes/no -----------------------------------------------------------------------------

_TRUE = {"true", "yes", "y"}
_FALSE = {"false", "no", "n"}


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = _yes_no_word(value)
    if word is not None:
        return word
    raise fail(f"should be yes or no (or true/false, y/n), not {shown(value)}")


def yes_no_of(value: Any) -> bool | None:
    """True or False for yes or no however an input spells it, else None."""
    return value if isinstance(value, bool) else _yes_no_word(value)


def _yes_no_word(value: Any) -> bool | None:
    """True or False for a spelling of yes or no, else None."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return None


_BOOL_SCHEMA = {
    "anyOf": [
        {"type": "boolean"},
        {"type": "string", "enum": ["yes", "no", "y", "n", "true", "false"]},
    ],
}

Bool = Annotated[bool, PlainValidator(required(_bool)), WithJsonSchema(_BOOL_SCHEMA), BOOL]
OptBool = Annotated[
    bool | None, PlainValidator(optional(_bool)), WithJsonSchema(_BOOL_SCHEMA), BOOL
]


# --- numbers ----------------------------------------------------------------------------

_WHOLE = re.compile(r"^[+-]?[0-9]+(\.0*)?$")
_MAX_DIGITS = 18


def whole_number_of(value: Any) -> int | None:
    """A whole number from any spelling, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and _WHOLE.match(value.strip()):
        digits = value.strip().split(".")[0]
        # Far more digits than any count: not converted (Python refuses past 4,300 digits,
        # and a float of them is infinite).
        if len(digits.lstrip("+-").lstrip("0")) > _MAX_DIGITS:
            return None
        return int(digits)
    return None


def _score(value: Any) -> int:
    number = whole_number_of(value)
    if number is None or not 0 <= number <= 10:
        raise fail(f"a whole number from 0 to 10 is needed, not {shown(value)}")
    return number


def whole_number(minimum: int) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        number = whole_number_of(value)
        if number is None or number < minimum:
            raise fail(f"a whole number of {minimum} or more is needed, not {shown(value)}")
        return number

    return convert


_SCORE_SCHEMA = {"type": "integer", "minimum": 0, "maximum": 10}
Score = Annotated[int, PlainValidator(required(_score)), WithJsonSchema(_SCORE_SCHEMA), SCORE]
OptScore = Annotated[
    int | None, PlainValidator(optional(_score)), WithJsonSchema(_SCORE_SCHEMA), SCORE
]


def _format_version(value: Any) -> int:
    if whole_number_of(value) != 1:
        raise fail(f"this version of sos-reports reads format_version 1, not {shown(value)}")
    return 1


FormatVersion = Annotated[
    int | None,
    PlainValidator(optional(_format_version)),
    WithJsonSchema({"type": "integer", "enum": [1]}),
    NUMBER,
]
ReviewNumber = Annotated[
    int,
    PlainValidator(required(whole_number(1))),
    WithJsonSchema({"type": "integer", "minimum": 1}),
    NUMBER,
]
OptReviewNumber = Annotated[
    int | None,
    PlainValidator(optional(whole_number(1))),
    WithJsonSchema({"type": "integer", "minimum": 1}),
    NUMBER,
]
OptCount = Annotated[
    int | None,
    PlainValidator(optional(whole_number(0))),
    WithJsonSchema({"type": "integer", "minimum": 0}),
    NUMBER,
]


# --- choices ----------------------------------------------------------------------------


class ChoiceValue(str):
    """A choice's canonical value that also knows the label the report prints."""

    label: str

    def __new__(cls, value: str, label: str) -> ChoiceValue:
        made = super().__new__(cls, value)
        made.label = label
        return made


def sentence_case(value: str) -> str:
    return value[:1].upper() + value[1:]


class Choices:
    """The values of one choice field, their labels, and how to read what a user typed."""

    def __init__(
        self, values: Iterable[str], labels: dict[str, str] | None = None, note: str = ""
    ) -> None:
        self.values = list(values)
        self.note = note
        self.labels = {v: (labels or {}).get(v, sentence_case(v)) for v in self.values}
        self._lookup: dict[str, str] = {}
        self._yes_no = {"yes", "no"} <= set(self.values)
        for value, label in self.labels.items():
            self._lookup[value.lower()] = value
            self._lookup[label.lower()] = value

    def convert(self, value: Any) -> ChoiceValue:
        # A yes / no / not known choice takes every spelling a yes/no field takes: a JSON
        # true, or YAML's `yes` written back as `true` by another tool, means yes.
        if self._yes_no and (isinstance(value, bool) or _yes_no_word(value) is not None):
            found = "yes" if _bool(value) else "no"
            return ChoiceValue(found, self.labels[found])
        if not isinstance(value, str):
            raise fail(f"should be one of: {self.listed()}")
        found = self._lookup.get(" ".join(value.split()).lower())
        if found is None:
            hint = difflib.get_close_matches(value.strip().lower(), self.values, n=1)
            extra = f"; did you mean `{hint[0]}`?" if hint else ""
            note = f" ({self.note})" if self.note else ""
            raise fail(f"{shown(value)} is not one of: {self.listed()}{extra}{note}")
        return ChoiceValue(found, self.labels[found])

    def listed(self) -> str:
        return ", ".join(f"`{v}`" for v in self.values)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": self.values}


def choice(*values: str, labels: dict[str, str] | None = None, note: str = "") -> Any:
    """A required choice field of these values (labels: how the report prints them; note:
    added to the message when a value is not one of them)."""
    choices = Choices(values, labels, note)
    return Annotated[
        ChoiceValue,
        PlainValidator(required(choices.convert)),
        WithJsonSchema(choices.schema()),
        CHOICE,
    ]


def opt_choice(*values: str, labels: dict[str, str] | None = None) -> Any:
    """An optional choice field of these values."""
    choices = Choices(values, labels)
    return Annotated[
        ChoiceValue | None,
        PlainValidator(optional(choices.convert)),
        WithJsonSchema(choices.schema()),
        CHOICE,
    ]


# --- references and identifiers -----------------------------------------------------------


class ChildRef(str):
    """The `id` of an entry of `children`, as used by every per-child list."""


def _child_ref(value: Any, info: ValidationInfo) -> ChildRef | None:
    text = _text(value)
    if text is None:
        return None
    known: list[str] | None = (info.context or {}).get("child_ids")
    if known is not None and text not in known:
        by_case = {k.lower(): k for k in known}
        hint = difflib.get_close_matches(text.lower(), list(by_case), n=1)
        extra = f"did you mean `{by_case[hint[0]]}`? " if hint else ""
        listed = ", ".join(f"`{k}`" for k in known) or "none"
        raise fail(f"there is no child with id `{text}`; {extra}the children's ids are: {listed}")
    return ChildRef(text)


def _required_child_ref(value: Any, info: ValidationInfo) -> ChildRef:
    ref = None if value is None else _child_ref(value, info)
    if ref is None:
        raise fail("is required but is blank", REQUIRED)
    return ref


_CHILD_SCHEMA = {"type": "string", "description": "the id of one of the children"}
Child = Annotated[
    ChildRef, PlainValidator(_required_child_ref), WithJsonSchema(_CHILD_SCHEMA), CHILD
]

_ID = re.compile(r"^[A-Za-z0-9_-]+$")


def is_child_id(text: str) -> bool:
    """Whether text can be a child's id (letters, digits, `-` and `_`)."""
    return bool(_ID.match(text))


def _child_id(value: Any) -> str | None:
    text = _text(value)
    if text is not None and not _ID.match(text):
        raise fail(
            f"{shown(text)} cannot be an id: use letters, digits, - and _ only "
            "(a short key such as `maisie`)"
        )
    return text


ChildId = Annotated[
    str,
    PlainValidator(required(_child_id)),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z0-9_-]+$"}),
    TEXT,
]


# An address of the plainest form: ASCII letters, digits, `_`, `+` and `-` in dotted parts,
# at a domain of letter-and-digit labels (no `--`, so no Punycode) under a common top-level
# domain. Every such address is valid to email_validator, whose import (a fiftieth of a
# second, mostly compiling its patterns) is then left out; any other is judged by it.
_PLAIN_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"(?P<top>[A-Za-z]{2,6}))"
)
_COMMON_TOP_LEVEL = frozenset(
    {"uk", "com", "org", "net", "gov", "edu", "info", "scot", "wales", "cymru", "london"}
)


def is_plain_email(text: str) -> bool:
    """Whether an address is of the plainest form, which email_validator always accepts."""
    match = _PLAIN_EMAIL.fullmatch(text)
    return (
        match is not None
        and len(text) <= 254
        and len(match["local"]) <= 64
        and len(match["domain"]) <= 253
        and "--" not in match["domain"]
        and match["top"].lower() in _COMMON_TOP_LEVEL
    )


def _email(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    if is_plain_email(text):
        return text
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise fail(f"{shown(text)} is not a valid e-mail address: {exc}") from None
    return text  # kept as typed: the library's normalised form is not what the author wrote


Email = Annotated[
    str,
    PlainValidator(required(_email)),
    WithJsonSchema({"type": "string", "format": "email"}),
    TEXT,
]


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number's modulus 11 check digit."""
    if not re.fullmatch(r"[0-9]{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _nhs_number(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    digits = text.replace(" ", "")
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise fail(f"{shown(text)} is not an NHS number: it needs 10 digits (spaces allowed)")
    if not nhs_number_is_valid(digits):
        raise fail(f"{shown(text)} is not a valid NHS number: its check digit is wrong")
    return text


OptNhsNumber = Annotated[
    str | None,
    PlainValidator(optional(_nhs_number)),
    WithJsonSchema({"type": "string", "description": "10 digits, spaces allowed"}),
    TEXT,
]


def _gmc_number(value: Any) -> str | None:
    text = _text(value)
    if text is not None and not re.fullmatch(r"[0-9]{7}", text):
        raise fail(f"{shown(text)} is not a GMC number: it needs exactly 7 digits")
    return text


OptGmcNumber = Annotated[
    str | None,
    PlainValidator(optional(_gmc_number)),
    WithJsonSchema({"type": "string", "pattern": "^[0-9]{7}$"}),
    TEXT,
]
