"""Plain-English checks of a report's free text: unexplained acronyms and jargon, reading ease.

The report is the family's copy, read by parents under stress, often with low literacy or
with English as a second language. These checks give warnings of their own category
("language"): they never stop a report unless the user asks for it (`--strict-language`).
The list of terms is data (data/terms.toml), which a local authority extends, changes or
trims with a file of its own, without code.
"""

from __future__ import annotations

import os
import re
import tomllib
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sos_reports.errors import Finding, ReadError
from sos_reports.inputs.read import Loc, Source, path_of

# A local list of terms (several separated by os.pathsep), read after the packaged one and
# before a `--terms` file, so that an authority sets it once for every command and every user.
TERMS_ENV = "SOS_REPORTS_TERMS"
PACKAGED_TERMS = "data/terms.toml"

# --- the list of terms ------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One acronym or piece of jargon, and what to tell the practitioner who used it."""

    name: str
    # What it stands for (CIN: child in need), to write beside it once.
    means: str | None = None
    # Plainer words to write instead ("disclosed": told).
    instead: str | None = None
    # What to write instead when it is said of a child ("did not attend": was not brought).
    of_a_child: str | None = None
    unless: frozenset[str] = frozenset()
    also: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.also)


def _matches_in_any_case(spelling: str) -> bool:
    # "CIN" in capitals only, so that "cin" or "Salt" are ordinary words; "s47" in any case.
    return any(c.islower() for c in spelling)


class Hit(typing.NamedTuple):
    """A term found in a text: where, as written, and which entry of the list."""

    start: int
    end: int
    written: str
    term: Term


@dataclass(frozen=True)
class Terms:
    """The terms in force: the packaged list as changed by local lists, by name."""

    terms: dict[str, Term] = field(default_factory=dict)
    # Most terms are one word in capitals, found by one shared pattern and a dictionary; the
    # few others (s47, "did not attend") get a pattern of their own.
    _capitals: dict[str, Term] = field(init=False, repr=False, compare=False)
    _others: dict[str, Term] = field(init=False, repr=False, compare=False)
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        capitals: dict[str, Term] = {}
        others: dict[str, Term] = {}
        for term in self.terms.values():
            for spelling in term.spellings:
                key = " ".join(spelling.split())
                if _CAPITAL_WORD.fullmatch(key):
                    capitals[key] = term
                else:
                    others[key.casefold() if _matches_in_any_case(key) else key] = term
        object.__setattr__(self, "_capitals", capitals)
        object.__setattr__(self, "_others", others)
        object.__setattr__(self, "_pattern", _pattern(others))

    def lookup(self, written: str) -> Term | None:
        """The entry for a word as written: `CPPs` is CPP, `cin` is nothing."""
        key = " ".join(written.split())
        found = self._capitals.get(key) or self._others.get(key) or self._others.get(key.casefold())
        if found is None and _ENDING.search(key):
            bare = _ENDING.sub("", key)
            found = self._capitals.get(bare) or self._others.get(bare)
        return found

    def find(self, text: str) -> Iterator[Hit]:
        """Every term in a text, as a practitioner wrote it."""
        for match in _CAPITALS.finditer(text):
            term = self._capitals.get(match["word"])
            if term is not None:
                yield Hit(match.start(), match.end(), match["word"], term)
        if self._pattern is not None:
            for match in self._pattern.finditer(text):
                term = self.lookup(match.group())
                if term is not None:
                    yield Hit(match.start(), match.end(), match.group(), term)

    def changed_by(self, other: LocalTerms) -> Terms:
        terms = {k: v for k, v in self.terms.items() if k not in other.remove}
        terms.update(other.terms)
        return Terms(terms)


@dataclass(frozen=True)
class LocalTerms:
    """One file of terms: entries to add or replace, and names to remove."""

    source: str
    terms: dict[str, Term]
    remove: frozenset[str]


# The plural and the forms a practitioner writes of an acronym: CPPs, LAC's, DNA'd, DNAed.
_ENDINGS = r"(?:s|'s|’s|'d|’d|ed)?"
_ENDING = re.compile(r"(?:s|'s|’s|'d|’d|ed)$")
# Not part of a longer word, a code (TH-CP-2025-0147) or an address (cp@school.example).
_BEFORE = r"(?<![\w&@./])"
_AFTER = r"(?![\w&@/]|\.\w)"
_CAPITAL_WORD = re.compile(r"[A-Z][A-Z0-9&]*[A-Z0-9]")
_CAPITALS = re.compile(rf"{_BEFORE}(?P<word>[A-Z][A-Z0-9&]*[A-Z0-9]){_ENDINGS}{_AFTER}")


def _spelling_pattern(spelling: str, endings: str) -> str:
    return r"\s+".join(re.escape(part) for part in spelling.split()) + endings


def _pattern(spellings: dict[str, Term]) -> re.Pattern[str] | None:
    if not spellings:
        return None
    # The longest spelling first, so that "section 47" is not cut short by another entry.
    parts = [
        f"(?i:{_spelling_pattern(s, '')})"
        if _matches_in_any_case(s)
        else _spelling_pattern(s, _ENDINGS)
        for s in sorted(spellings, key=len, reverse=True)
    ]
    return re.compile(f"{_BEFORE}(?:{'|'.join(parts)}){_AFTER}")


_ENTRY_KEYS = {"means", "instead", "of_a_child", "unless", "also"}
_WORDS_KEYS = ("means", "instead", "of_a_child")


def parse_terms(text: str, source: str) -> LocalTerms:
    """A file of terms (TOML) read into entries, or ReadError naming the entry and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 gives the place only inside the message: "... (at line 3, column 5)".
        place = re.search(r"\(at line (\d+)", str(exc))
        message = str(exc).split(" (at ")[0]
        raise ReadError(
            f"is not a valid list of terms: {message}",
            source=source,
            line=int(place.group(1)) if place else None,
        ) from None
    unknown = sorted(set(data) - {"terms", "remove"})
    if unknown:
        raise ReadError(
            f"unknown section `{unknown[0]}`: a list of terms has `[terms]` and `remove`",
            source=source,
        )
    remove = data.get("remove", [])
    if not isinstance(remove, list) or not all(isinstance(r, str) for r in remove):
        raise ReadError('`remove` should be a list of names, e.g. remove = ["UTC"]', source=source)
    entries = data.get("terms", {})
    if not isinstance(entries, dict):
        raise ReadError(
            "`terms` should be a table: a line `[terms]`, then the entries", source=source
        )
    terms = {name: _entry(name, value, source) for name, value in entries.items()}
    return LocalTerms(source, terms, frozenset(r.strip() for r in remove))


def _entry(name: str, value: Any, source: str) -> Term:
    where = f"terms.{name}" if re.fullmatch(r"[\w-]+", name) else f'terms."{name}"'
    if not name.strip() or "\n" in name:
        raise ReadError(
            f"{where}: a term's name must be a word or a phrase on one line", source=source
        )
    if isinstance(value, str):
        value = {"means": value}
    if not isinstance(value, dict):
        raise ReadError(f'{where}: give what it means, e.g. {name} = "..."', source=source)
    unknown = sorted(set(value) - _ENTRY_KEYS)
    if unknown:
        raise ReadError(
            f"{where}: unknown key `{unknown[0]}`; an entry has {', '.join(sorted(_ENTRY_KEYS))}",
            source=source,
        )
    for key in _WORDS_KEYS:
        if key in value and (not isinstance(value[key], str) or not value[key].strip()):
            raise ReadError(f"{where}.{key} should be words in quotes", source=source)
    if not any(value.get(key) for key in _WORDS_KEYS):
        raise ReadError(
            f'{where}: say what it means (means = "...") or what to write instead '
            '(instead = "...")',
            source=source,
        )
    lists: dict[str, list[str]] = {}
    for key in ("unless", "also"):
        items = value.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise ReadError(
                f'{where}.{key} should be a list of words, e.g. ["test"]', source=source
            )
        lists[key] = [i.strip() for i in items]
    return Term(
        name=name.strip(),
        means=(value.get("means") or "").strip() or None,
        instead=(value.get("instead") or "").strip() or None,
        of_a_child=(value.get("of_a_child") or "").strip() or None,
        unless=frozenset(u.casefold() for u in lists["unless"]),
        also=tuple(lists["also"]),
    )


@lru_cache(maxsize=1)
def packaged_terms() -> Terms:
    text = resources.files("sos_reports.checks").joinpath(PACKAGED_TERMS).read_text("utf-8")
    return Terms(parse_terms(text, "the packaged list of terms").terms)


def load_terms(local: Path | None = None, environ: typing.Mapping[str, str] | None = None) -> Terms:
    """The packaged terms, changed by the files in SOS_REPORTS_TERMS, then by `local`."""
    environ = os.environ if environ is None else environ
    paths = [Path(p) for p in environ.get(TERMS_ENV, "").split(os.pathsep) if p.strip()]
    if local is not None:
        paths.append(Path(local))
    terms = packaged_terms()
    for path in paths:
        terms = terms.changed_by(_read_local(path))
    return terms


def _read_local(path: Path) -> LocalTerms:
    source = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReadError("no such list of terms", source=source) from None
    except IsADirectoryError:
        raise ReadError("is a folder, not a list of terms", source=source) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadError(
            "is not UTF-8 text: save the list of terms as UTF-8", source=source
        ) from None
    local = parse_terms(text, source)
    unknown = sorted(local.remove - set(packaged_terms().terms) - set(local.terms))
    if unknown:
        raise ReadError(
            f'remove: "{unknown[0]}" is not in the packaged list of terms (names are '
            "written as in the list, e.g. A&E, s47)",
            source=source,
        )
    return local


# --- which text is the family's to read -------------------------------------------------------


def _free_text_validators() -> frozenset[int]:
    from sos_reports.model.types import MText, OptMText

    return frozenset(
        id(m.func) for t in (MText, OptMText) for m in typing.get_args(t)[1:] if hasattr(m, "func")
    )


def _is_free_text(info: Any, free: frozenset[int]) -> bool:
    if any(id(getattr(m, "func", None)) in free for m in info.metadata):
        return True
    # A list of free text (safety goals): the validator sits on the list's item type.
    if typing.get_origin(info.annotation) is list:
        item = typing.get_args(info.annotation)[0]
        return any(id(getattr(m, "func", None)) in free for m in typing.get_args(item)[1:])
    return False


# Never in the family's copy, so not the family's to read: the annex's details, and an entry
# printed only in the annex. An address is not prose: its postcode is not an acronym.
_NOT_CHECKED = {"confidential"}
_NOT_PROSE = {"address", "family_address"}


@dataclass(frozen=True)
class Text:
    loc: Loc
    text: str
    free: bool


def family_text(model: Any) -> list[Text]:
    """Every string the family's copy prints, with its place and whether it is free text."""
    free = _free_text_validators()
    out: list[Text] = []

    def walk(node: Any, loc: Loc) -> None:
        if getattr(node, "withhold_from_family", None) is True:
            return
        for name, info in type(node).model_fields.items():
            key = info.alias or name
            if not loc and key in _NOT_CHECKED:
                continue
            value = getattr(node, name, None)
            is_free = _is_free_text(info, free) and key not in _NOT_PROSE
            items = enumerate(value) if isinstance(value, list) else [(None, value)]
            for index, item in items:
                here = (*loc, key) if index is None else (*loc, key, index)
                if isinstance(item, BaseModel):
                    walk(item, here)
                elif isinstance(item, str):
                    out.append(Text(here, item, is_free))

    if isinstance(model, BaseModel):
        walk(model, ())
    return out


# --- acronyms and jargon ----------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "sister", "nurse", "prof"}
_CHILD_WORDS = {
    "child", "children", "baby", "babies", "son", "daughter", "toddler", "infant", "boy",
    "girl", "pupil", "sibling", "siblings", "brother", "sister",
}  # fmt: skip
_ADULT_WORDS = {
    "mother", "mum", "father", "dad", "parent", "parents", "carer", "carers", "grandmother",
    "grandfather", "nan", "nanna", "partner", "stepfather", "stepmother", "adult", "adults",
}  # fmt: skip


@dataclass
class _Use:
    term: Term
    text: Text
    of_a_child: bool
    written: str  # as the practitioner wrote it: "disengaged", "s.47", "LAC" of "LACs"


def _first_names(names: Iterable[str | None]) -> set[str]:
    out = set()
    for name in names:
        if not isinstance(name, str):
            continue
        words = [w for w in name.split() if w.casefold().strip(".") not in _TITLES]
        if words:
            out.add(words[0].casefold())
    return out


def _sentence_before(text: str, start: int) -> str:
    # Looked for within a few lines back, so that a long text costs no more per term.
    first = max(0, start - 400)
    cut = max(text.rfind(stop, first, start) for stop in (". ", "? ", "! ", "\n", "; "))
    return text[max(cut + 1, first) : start]


def _said_of_a_child(before: str, loc: Loc, children: set[str], adults: set[str]) -> bool:
    """Whether the last person named before the term, in its sentence, is a child."""
    for word in reversed(_WORD.findall(before)):
        bare = re.sub(r"['’]s?$", "", word).casefold()
        if bare in children or bare in _CHILD_WORDS:
            return True
        if bare in adults or bare in _ADULT_WORDS:
            return False
    # A GP's entry for one child (its missed appointments, its follow-up) is about that child.
    return bool(loc) and loc[0] == "child_health"


def _code_like(text: str, hit: Hit) -> bool:
    """Inside a reference or a code (`CP/2025/14`, `CP12`), not a word of the prose."""
    start = text.rfind(" ", max(0, hit.start - 60), hit.start) + 1 or max(0, hit.start - 60)
    end = text.find(" ", hit.end, hit.end + 60)
    token = text[start : end if end >= 0 else hit.end + 60]
    rest = token[: hit.start - start] + token[hit.end - start :]
    return any(c.isdigit() for c in rest) or "@" in token or "://" in token


def _shouted(text: str, hit: Hit, terms: Terms) -> bool:
    """A run of capitals ("PLEASE SEND THE FORM"): an ordinary word written in capitals."""
    before = _WORD.findall(text[max(0, hit.start - 40) : hit.start])[-2:]
    after = _WORD.findall(text[hit.end : hit.end + 40])[:2]
    shouting = [
        w for w in before + after if len(w) >= 3 and w.isupper() and terms.lookup(w) is None
    ]
    return len(shouting) >= 2


def _near_words(text: str, hit: Hit, span: int = 4) -> set[str]:
    before = _WORD.findall(text[max(0, hit.start - 80) : hit.start])[-span:]
    after = _WORD.findall(text[hit.end : hit.end + 80])[:span]
    return {w.casefold() for w in before + after}


def _explained(term: Term, corpus: str) -> bool:
    """Whether the report says what the term stands for, next to it, once.

    `Designated Safeguarding Lead (DSL)` (words whose first letters spell it), `a child
    protection enquiry (s47)` (the list's own words), `ELSA (emotional literacy support)` (the
    writer's own words), or `MARAC stands for ...`. The words found somewhere else in the
    report are not enough: "child protection" in one place does not tell a parent what "CP"
    is in another; nor is `Ms Pryce (DSL)`, which says who, not what.
    """
    plain = re.sub(r"\s*\(.*?\)", "", term.means or "").split()
    for spelling in term.spellings:
        name = _spelling_pattern(spelling, "")
        flags = re.IGNORECASE if _matches_in_any_case(spelling) else 0
        for found in re.finditer(rf"\(\s*(?:the\s+|an?\s+)?{name}s?\s*\)", corpus, flags):
            before = _WORD.findall(corpus[max(0, found.start() - 200) : found.start()])
            if _spells(spelling, before) or (
                plain
                and [w.casefold() for w in before[-len(plain) :]] == [w.casefold() for w in plain]
            ):
                return True
        after = (
            r"s?\s+(?:\(\s*[A-Za-z][\w'’-]+\s+[A-Za-z][^)]*\)|stands\s+for|means|is\s+short\s+for)"
        )
        if re.search(rf"{_BEFORE}{name}{after}", corpus, flags):
            return True
    return False


_SMALL_WORDS = {"and", "of", "the", "for", "in", "to", "with", "on", "or", "a"}


def _spells(acronym: str, words: list[str]) -> bool:
    """Whether the words just before, by their first letters, spell the acronym: "Child and
    Adolescent Mental Health Services" spells CAMHS, "speech and language therapy" SALT, but
    "Dean said she looked" does not spell DSL: only small words may be skipped."""
    want = [c for c in acronym.casefold() if c.isalpha()]
    for word in reversed(words):
        if not want:
            break
        first = word[0].casefold()
        if first == want[-1]:
            want.pop()
        elif word.casefold() not in _SMALL_WORDS:
            return False
    return not want


# The fields that hold a person's name, whose initials a report may use for them.
_NAME_KEYS = {"name", "known_as", "chair", "social_worker", "countersigned_by", "usual_gp"}


def _initials(texts: list[Text]) -> set[str]:
    """The initials of the people an input names: "DA" is Dean Ashby before it is domestic
    abuse, "LA" Leo Ashby before it is the local authority."""
    out = set()
    for text in texts:
        if not text.loc or text.loc[-1] not in _NAME_KEYS:
            continue
        words = [w for w in _WORD.findall(text.text.split(",")[0]) if w.casefold() not in _TITLES]
        if len(words) >= 2:
            out.add("".join(w[0] for w in words).upper())
            out.add((words[0][0] + words[-1][0]).upper())
    return out


def _uses(texts: list[Text], terms: Terms, children: set[str], adults: set[str]) -> list[_Use]:
    uses: list[_Use] = []
    initials = _initials(texts)
    for text in texts:
        if not text.free:
            continue
        for hit in terms.find(text.text):
            term = hit.term
            if hit.written in initials or _code_like(text.text, hit):
                continue
            if not _matches_in_any_case(hit.written) and _shouted(text.text, hit, terms):
                continue
            if term.unless & _near_words(text.text, hit):
                continue
            before = _sentence_before(text.text, hit.start)
            of_a_child = _said_of_a_child(before, text.loc, children, adults)
            if term.means is None and term.instead is None and not of_a_child:
                continue  # plain words, except when said of a child
            uses.append(_Use(term, text, of_a_child, " ".join(hit.written.split())))
    return uses


def _advice(use: _Use) -> tuple[str, str]:
    """The message and the suggested words for a term used without explanation."""
    term, name = use.term, use.written
    if use.of_a_child and term.of_a_child:
        suggestion = term.of_a_child
        said = f'"{name}"' if term.means is None else f'"{name}" ({term.means})'
        return (
            f'{said} is said of a child: write "{suggestion}" instead (a child is brought to '
            "an appointment by an adult)",
            suggestion,
        )
    if term.instead is not None:
        return (
            f'"{name}" is the language of professionals: write "{term.instead}" instead',
            term.instead,
        )
    assert term.means is not None
    if term.of_a_child:
        return (
            f'"{name}" may not be understood by the family: write "{term.means}" '
            f'(or, of a child, "{term.of_a_child}")',
            term.means,
        )
    if " " in name or not any(c.isupper() or c.isdigit() for c in name):
        suggestion = f"{name} ({term.means})"  # a phrase: "strategy discussion (...)"
        return (
            f'"{name}" may not be understood by the family: say what it means the first '
            f'time it is used, for example "{suggestion}"',
            suggestion,
        )
    # "looked after child (a child in the care of the council)": the words, then a note.
    words, _, note = term.means.partition(" (")
    suggestion = f"{words} ({name})"
    message = (
        f'"{name}" may not be understood by the family: say what it stands for the first '
        f'time it is used, for example "{suggestion}"'
    )
    return (message + (f" ({note}" if note else ""), suggestion)


# --- reading ease -----------------------------------------------------------------------------

# Thresholds on the Flesch reading ease (0 very hard .. 100 very easy; 60-70 is plain
# English, 0-30 is for graduates), set against the shipped examples (see docs/decisions.md):
# their fields of two or more sentences score 33 and above (47 for the schools), and their
# sentences of 20 words or more 10 and above (a GP's 45-word danger statement), while the
# long, hard sentences of report-writing ("Notwithstanding the multiplicity of safeguarding
# considerations ...") score -20 to -60. A field gets a figure from JUDGED_WORDS words.
JUDGED_WORDS = 20
HARD_FIELD = 20.0  # a field of two or more sentences, as a whole
SENTENCE_WORDS = 20
HARD_SENTENCE = 0.0  # a sentence of SENTENCE_WORDS words or more
LONG_SENTENCE = 60  # words: too long to follow, however plain its words (the examples: 45)
QUOTE_CHARS = 120

_ABBREVIATIONS = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|e\.g|i\.e|etc|approx|Prof|Mx)\.$", re.I)
# The end of a sentence: its stop, any closing quote or bracket, then a space and a capital.
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")


@dataclass(frozen=True)
class Reading:
    """The reading ease of one free-text field, and of its hardest sentence."""

    loc: Loc
    ease: float
    words: int
    sentences: int
    hardest: str
    hardest_ease: float
    hardest_words: int
    # Where the field is, as a practitioner reads it: the path and line, or Sheet!Cell.
    where: str = ""

    @property
    def too_hard(self) -> bool:
        return self.hard_as_a_whole or self.hard_sentence

    @property
    def hard_as_a_whole(self) -> bool:
        # One sentence is judged as a sentence: a danger statement is one by design.
        return self.sentences >= 2 and self.ease < HARD_FIELD

    @property
    def hard_sentence(self) -> bool:
        return self.hardest_words >= LONG_SENTENCE or (
            self.hardest_words >= SENTENCE_WORDS and self.hardest_ease < HARD_SENTENCE
        )


# A line break inside a sentence wrapped by hand ("... her review in November\n2024.") goes
# on with a small letter or a digit; any other line break ends the sentence (a list item, a
# heading, "House of worries: ...").
_LINE_END = re.compile(r"[.!?…:;\"”’')\]]\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s")
_GOES_ON = re.compile(r"^\s*[a-z0-9]")


def _lines(text: str) -> list[str]:
    out: list[str] = []
    open_sentence = False  # the last line stopped in the middle of a sentence
    for line in text.splitlines():
        if not line.strip():
            open_sentence = False
            continue
        item = bool(_LIST_ITEM.match(line))
        if open_sentence and not item and _GOES_ON.match(line):
            out[-1] = f"{out[-1]} {line.strip()}"
        else:
            out.append(line.strip())
        open_sentence = not item and not _LINE_END.search(line)
    return out


def sentences(text: str) -> list[str]:
    """The sentences of a text; a paragraph, a list item or a heading ends one."""
    out: list[str] = []
    for line in _lines(text):
        start = 0
        for stop in _SENTENCE_END.finditer(line):
            # "Dr. Ward" is not the end of a sentence.
            if _ABBREVIATIONS.search(line[start : stop.end()]):
                continue
            out.append(line[start : stop.end()].strip())
            start = stop.end()
        out.append(line[start:].strip())
    return [s for s in out if _TOKEN.search(s)]


def _words(sentence: str) -> list[str]:
    return _TOKEN.findall(sentence)


_VOWEL_GROUP = re.compile(r"[aeiouy]+")
# Two vowels that are two syllables (di-ag-nosed, vi-o-lence, pre-vi-ous, u-su-al, be-ing,
# con-tin-ue), except after the letters that make them one (so-cial, ac-tion, qual-i-ty).
_TWO_VOWELS = re.compile(
    r"(?<![cgtsx])(?:iou|ia|io)|(?<![qg])ua|eo(?!u)|[aeiouy]ing$|ue(?=[^aeiouys])"
)


_HYPHENS = re.compile(r"[-‐–]")
_NOT_LETTER = re.compile(r"[^a-z]")
_SOUNDED_E = re.compile(r"(?:[^aeiouy]le|ee|ye|ie|oe|[^gq]ue)$")  # table, free, argue
_SOUNDED_ES = re.compile(r"(?:[sxzcg]|ch|sh|[^aeiouyl]l|i|e)es$")  # boxes, measles, worries
_SOUNDED_ED = re.compile(r"(?:[td]|[^aeiouyl]l|i|e)ed$")  # wanted, settled, worried
_SILENT_E_SUFFIX = re.compile(r"[^aeiou]e(?:ly|ment|ful|ness|ty)$")  # safely, statement


@lru_cache(maxsize=4096)
def syllables(word: str) -> int:
    """The syllables of an English word, estimated from its spelling.

    Close enough for a reading-ease figure: it agrees with a pronouncing dictionary (CMUdict)
    on 91% of its 117,000 words (off by more than one on 0.3%) and on 98% of the words of
    the shipped examples. A number counts as one.
    """
    lower = word.lower()
    parts = [p for p in _HYPHENS.split(lower) if p]
    if len(parts) > 1:
        return sum(syllables(p) for p in parts)
    w = _NOT_LETTER.sub("", lower)
    if not w:
        return 1 if any(c.isdigit() for c in word) else 0
    count = len(_VOWEL_GROUP.findall(w))
    if len(w) <= 3:
        # "are", "one": the silent e; "Leo": two syllables.
        return max(count - (w.endswith("e") and count > 1), 1) + ("eo" in w)
    count += len(_TWO_VOWELS.findall(w))
    if w.endswith("e") and not _SOUNDED_E.search(w):
        count -= 1  # the silent e of "home", "scale"
    elif w.endswith("es") and not _SOUNDED_ES.search(w):
        count -= 1  # "makes", "times"
    elif w.endswith("ed") and not _SOUNDED_ED.search(w):
        count -= 1  # "called", "used"
    if _SILENT_E_SUFFIX.search(w):
        count -= 1  # "safely", "statement", "safety"
    return max(count, 1)


def flesch(words: int, sentences: int, syllables: int) -> float:
    """The Flesch reading ease: 206.835 - 1.015 words per sentence - 84.6 syllables per word."""
    if not words:
        return 100.0
    return 206.835 - 1.015 * words / max(sentences, 1) - 84.6 * syllables / words


def _counted(sentence: str) -> tuple[int, int]:
    words = _words(sentence)
    return len(words), sum(syllables(w) for w in words)


def reading_ease(text: str) -> tuple[float, int]:
    """The Flesch reading ease of a text, and its number of words."""
    counts = [_counted(s) for s in sentences(text)]
    words = sum(c[0] for c in counts)
    return flesch(words, len(counts), sum(c[1] for c in counts)), words


def readings(texts: list[Text]) -> list[Reading]:
    """The reading ease of each free-text field long enough to judge."""
    out = []
    for text in texts:
        if not text.free:
            continue
        found = sentences(text.text)
        counts = [_counted(s) for s in found]
        words = sum(c[0] for c in counts)
        if words < JUDGED_WORDS:
            continue
        ease = flesch(words, len(found), sum(c[1] for c in counts))
        scored = [(flesch(n, 1, syl), n, s) for (n, syl), s in zip(counts, found, strict=True)]
        # A short sentence with one long word is not what makes a text hard; a long one is.
        long = [x for x in scored if x[1] >= SENTENCE_WORDS] or scored
        hardest_ease, hardest_words, hardest = min(
            long, key=lambda x: x[0] - 1000 * (x[1] >= LONG_SENTENCE)
        )
        out.append(Reading(text.loc, ease, words, len(found), hardest, hardest_ease, hardest_words))
    return out


def _quoted(sentence: str) -> str:
    flat = " ".join(sentence.split())
    if len(flat) <= QUOTE_CHARS:
        return f'"{flat}"'
    cut = flat[: QUOTE_CHARS - 1].rsplit(" ", 1)[0]
    return f'"{cut} …"'


# --- the check --------------------------------------------------------------------------------


@dataclass
class LanguageCheck:
    """The plain-English warnings of one input, and the reading ease of its fields."""

    findings: list[Finding]
    readings: list[Reading]


def check(
    source: Source, model: Any, model_cls: type[BaseModel], terms: Terms | None = None
) -> LanguageCheck:
    """The plain-English warnings on the family's copy of a report, and each field's reading ease."""

    terms = load_terms() if terms is None else terms
    texts = family_text(model)
    if not texts:
        return LanguageCheck([], [])

    def located(loc: Loc, message: str, suggestion: str | None) -> Finding:
        found = source.finding("warning", loc, message, "language", model_cls)
        return replace(found, category="language", suggestion=suggestion)

    children = getattr(model, "children", None) or []
    household = getattr(model, "household", None) or []
    # A partly valid input may hold an entry that could not be read (None) or lacks a name.
    child_names = _first_names(getattr(c, "name", None) for c in children) | _first_names(
        getattr(c, "known_as", None) for c in children
    )
    adult_names = _first_names(getattr(p, "name", None) for p in household) - child_names
    corpus = "\n".join(t.text for t in texts)

    findings: list[Finding] = []
    grouped: dict[tuple[str, bool], list[_Use]] = {}
    explained: dict[str, bool] = {}
    for use in _uses(texts, terms, child_names, adult_names):
        if use.of_a_child and use.term.of_a_child:
            grouped.setdefault((use.term.name, True), []).append(use)
            continue
        if use.term.instead is not None:  # plainer words exist: no explanation mends it
            grouped.setdefault((use.term.name, False), []).append(use)
            continue
        name = use.term.name
        if name not in explained:
            explained[name] = _explained(use.term, corpus)
        if use.term.means is not None and not explained[name]:
            grouped.setdefault((use.term.name, False), []).append(use)
    for uses in grouped.values():
        # One warning per term, at its first use: explaining it once mends them all.
        uses.sort(key=lambda u: source.line(u.text.loc) or 0)
        message, suggestion = _advice(uses[0])
        places = list(dict.fromkeys(_place(source, u.text.loc) for u in uses))
        if len(places) > 1:
            message += f"; also used in {', '.join(places[1:])}"
        findings.append(located(uses[0].text.loc, message, suggestion))

    judged = [replace(r, where=_place(source, r.loc)) for r in readings(texts)]
    for reading in judged:
        if reading.hard_sentence:
            message = (
                f"has a long, hard sentence ({reading.hardest_words} words, reading ease "
                f"{reading.hardest_ease:.0f}; plain English is 60 or more): split it and use "
                f"everyday words: {_quoted(reading.hardest)}"
            )
        elif reading.hard_as_a_whole:
            message = (
                f"is hard to read (reading ease {reading.ease:.0f}; plain English is 60 or "
                "more): use shorter sentences and everyday words. The hardest sentence: "
                f"{_quoted(reading.hardest)}"
            )
        else:
            continue
        findings.append(located(reading.loc, message, None))
    findings.sort(key=lambda f: f.line or 0)
    return LanguageCheck(findings, judged)


def _place(source: Source, loc: Loc) -> str:
    cell = source.cell(loc)
    if cell:
        return cell
    line = source.line(loc)
    return f"{path_of(loc)} (line {line})" if line else path_of(loc)
