"""Query compliance check: read a rendered query and say which compliant-query rules it breaks.

Why: a query is part of the permanent business record and a leading or money-minded query is a
compliance risk for the hospital (ACDIS/AHIMA *Guidelines for Achieving a Compliant Query Practice*,
2022 update; DESIGN.md "Compliant queries"). Every query the assistant drafts, and every template, is
checked here before anyone sees it; ``cdi templates lint`` calls :func:`lint_rendered`.

The rule vocabulary (word lists, leading phrases, headings, source conventions) is data in
``cdi/knowledge/compliance.yaml``; this module only interprets it.

Rendering convention (templates must follow it so that their indicators are recognised)
---------------------------------------------------------------------------------------
The query text may be plain text or HTML (autoescaped Jinja2 output is unescaped first; ``<li>``
becomes a ``- `` bullet line, ``<br>``, ``<p>`` and friends become line breaks). In it:

* **Indicator list.** A heading line such as ``Clinical indicators:`` (any heading listed under
  ``indicators.headings``, ending with a colon, optionally preceded by ``#`` or ``**``) is followed by
  one bullet line per indicator (``-``, ``*``, ``•`` or ``1.``). Blank lines between bullets are
  allowed; an indented line continues the bullet above it; the first other line (the question, say)
  ends the list, and so does a bullet that repeats one of the query's options.
* **Source on every indicator line.** Each bullet names where the indicator comes from, either

  - a reference to a resource that carries its own date: ``Observation/7``, ``DiagnosticReport/3``,
    ``MedicationAdministration/12`` ... (``indicators.dated_resource_types``), or
  - a document, as a reference (``DocumentReference/55``, ``Condition/4``) or a name (``source: ...``
    label, or a document name such as "progress note", "H&P", "MAR"), **together with a date**
    (``2024-03-02``, ``03/02/2024`` or ``Mar 2, 2024``).

  Recommended form::

      Clinical indicators:
      - BNP 1,450 pg/mL (source: Observation/bnp-1, 2024-03-02)
      - "bilateral crackles, 2+ pitting edema" (source: H&P, DocumentReference/55, Dr. Lee, 2024-03-01)

* **Quoted note text.** Words quoted from a note go inside double (or single) quotes. Quoted spans and
  indicator lines are the record speaking, not the query: leading-wording, preferred-answer and
  question checks skip them, and so does the money check for words that are also clinical
  abbreviations (PSI, CC, ROM, HCC: ``ambiguous`` in the vocabulary).
* **Evidence outside the list.** A line elsewhere that carries a complete source (as above) also
  counts as a cited indicator, e.g. a conflict query's "The progress note of 2024-03-02
  (DocumentReference/55) documents ...".
* **A question.** The text asks (``?``) or requests clarification ("please clarify", "please indicate",
  "please document your clinical judgment" ... ``request.phrases``). "Please document" followed by
  anything else than "your"/"any" is leading.

Rules (ids are stable; tests and the lint output use them)
----------------------------------------------------------
``no-indicator``, ``indicator-without-source``, ``missing-other``, ``missing-unable``,
``too-few-options``, ``yes-no-new-diagnosis``, ``unsupported-new-diagnosis``, ``leading-wording``,
``single-option-singled-out``, ``only-severe-options``, ``financial-word``,
``not-addressed-to-provider``, ``no-question``, ``unknown-format``.

Violation reasons never quote the query's or the note's words: they name the rule, the option's
position, or the vocabulary entry that matched.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from cdi.catalog import load_knowledge_file
from cdi.models import Finding, FindingKind, Query

VOCABULARY_PATH = Path(__file__).parent / "knowledge" / "compliance.yaml"

FORMATS = ("multiple_choice", "yes_no", "open_ended")

RULES = (
    "unknown-format",
    "not-addressed-to-provider",
    "no-indicator",
    "indicator-without-source",
    "no-question",
    "missing-other",
    "missing-unable",
    "too-few-options",
    "yes-no-new-diagnosis",
    "unsupported-new-diagnosis",
    "leading-wording",
    "single-option-singled-out",
    "only-severe-options",
    "financial-word",
)
"""Every rule id the checker can return, in the order it reports them."""


@dataclass(frozen=True)
class Violation:
    """One broken rule: a stable id and a one-line reason that never quotes note text."""

    rule: str
    reason: str


# --- Vocabulary schema -----------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Term(_Strict):
    """A word, phrase or pattern of the vocabulary (see the header of compliance.yaml)."""

    phrase: str | None = None
    pattern: str | None = None
    label: str | None = None
    case_sensitive: bool = False
    except_followed_by: tuple[str, ...] = ()
    ambiguous: bool = False

    @model_validator(mode="after")
    def _one_of(self) -> Term:
        if (self.phrase is None) == (self.pattern is None):
            raise ValueError("give exactly one of phrase or pattern")
        if self.phrase is not None and not self.phrase.strip():
            raise ValueError("empty phrase")
        if self.pattern is not None:
            re.compile(self.pattern)
        return self

    @property
    def name(self) -> str:
        return self.label or self.phrase or self.pattern or ""


def _as_term(value: object) -> object:
    return {"phrase": value} if isinstance(value, str) else value


Terms = tuple[Annotated[Term, BeforeValidator(_as_term)], ...]


class IndicatorVocabulary(_Strict):
    headings: tuple[str, ...]
    dated_resource_types: tuple[str, ...]
    document_resource_types: tuple[str, ...]
    source_labels: tuple[str, ...]
    document_names: Terms


class OptionVocabulary(_Strict):
    other: Terms
    unable: Terms
    not_a_diagnosis: Terms
    min_substantive: int = Field(default=2, ge=1)


class LeadingVocabulary(_Strict):
    phrases: Terms
    preferred_markers: Terms
    emphasis_marks: tuple[str, ...]
    capitals_min_letters: int = Field(default=4, ge=2)
    abbreviations: tuple[str, ...] = ()


class SeverityVocabulary(_Strict):
    severe_words: Terms
    milder_words: Terms
    negation_cues: Terms


class FinancialVocabulary(_Strict):
    terms: Terms
    symbols: tuple[str, ...] = ()


class RequestVocabulary(_Strict):
    phrases: Terms


class AddresseeVocabulary(_Strict):
    resource_types: tuple[str, ...]


class Vocabulary(_Strict):
    version: int
    indicators: IndicatorVocabulary
    options: OptionVocabulary
    leading: LeadingVocabulary
    severity: SeverityVocabulary
    financial: FinancialVocabulary
    request: RequestVocabulary
    addressee: AddresseeVocabulary


def load_vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    """Read and validate a vocabulary file (unknown keys are an error, not a silent no-op)."""
    return load_knowledge_file(path, Vocabulary)


# --- Compiled matchers (built once per process) ----------------------------------------------------


@dataclass(frozen=True)
class _Matcher:
    term: Term
    regex: re.Pattern[str]

    def search(self, text: str) -> bool:
        return self.regex.search(text) is not None


def _phrase_regex(phrase: str) -> str:
    body = r"\s+".join(re.escape(tok) for tok in phrase.split())
    head = r"(?<!\w)" if re.match(r"\w", phrase) else ""
    tail = r"(?!\w)" if re.search(r"\w$", phrase) else ""
    return head + body + tail


def _compile(term: Term, *, anchored: bool = False) -> _Matcher:
    core = term.pattern if term.pattern is not None else _phrase_regex(term.phrase or "")
    if anchored:
        core = r"^\s*(?:" + core + ")"
    if term.except_followed_by:
        alternatives = "|".join(_phrase_regex(f) for f in term.except_followed_by)
        core = "(?:" + core + r")(?!\s*(?:" + alternatives + "))"
    flags = 0 if term.case_sensitive else re.IGNORECASE
    return _Matcher(term, re.compile(core, flags))


def _compile_all(terms: Iterable[Term], *, anchored: bool = False) -> tuple[_Matcher, ...]:
    return tuple(_compile(t, anchored=anchored) for t in terms)


_DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b"
    r"|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{4}\b",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•·▪‣◦–]|\d{1,2}[.)])\s+(?P<body>\S.*)$")
_OPTION_MARK = re.compile(r"^\s*(?:\[\s?\]|☐|[a-hA-H][.)]|\d{1,2}[.)])\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_REFERENCE_ID = r"/[A-Za-z0-9][A-Za-z0-9\-.]{0,63}"
# An addressee is whatever Practitioner the input names: FHIR caps ids at 64 characters, but servers and
# test data exceed it, and the rule is about who is asked, not about id syntax.
_ADDRESSEE_ID = r"/[A-Za-z0-9][A-Za-z0-9\-.]{0,254}"


def _resource_regex(types: Sequence[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(t) for t in types)
    return re.compile(r"(?<![\w/])(?:" + names + ")" + _REFERENCE_ID)


@dataclass(frozen=True)
class _Rules:
    vocabulary: Vocabulary
    headings: tuple[str, ...]
    dated_reference: re.Pattern[str]
    document_reference: re.Pattern[str]
    source_label: re.Pattern[str]
    document_names: tuple[_Matcher, ...]
    other: tuple[_Matcher, ...]
    unable: tuple[_Matcher, ...]
    not_a_diagnosis: tuple[_Matcher, ...]
    leading: tuple[_Matcher, ...]
    preferred: tuple[_Matcher, ...]
    abbreviations: frozenset[str]
    severe: tuple[_Matcher, ...]
    milder: tuple[_Matcher, ...]
    negation: tuple[_Matcher, ...]
    financial: tuple[_Matcher, ...]
    request: tuple[_Matcher, ...]
    addressee: re.Pattern[str]


@lru_cache(maxsize=4)
def _rules(path: Path = VOCABULARY_PATH) -> _Rules:
    v = load_vocabulary(path)
    ind = v.indicators
    label_alternatives = "|".join(re.escape(s) for s in ind.source_labels)
    return _Rules(
        vocabulary=v,
        headings=tuple(h.lower() for h in ind.headings),
        dated_reference=_resource_regex(ind.dated_resource_types),
        document_reference=_resource_regex(ind.document_resource_types),
        source_label=re.compile(r"(?<!\w)(?:" + label_alternatives + r")\s*\S", re.IGNORECASE),
        document_names=_compile_all(ind.document_names),
        other=_compile_all(v.options.other, anchored=True),
        unable=_compile_all(v.options.unable),
        not_a_diagnosis=_compile_all(v.options.not_a_diagnosis),
        leading=_compile_all(v.leading.phrases),
        preferred=_compile_all(v.leading.preferred_markers),
        abbreviations=frozenset(a.upper() for a in v.leading.abbreviations),
        severe=_compile_all(v.severity.severe_words),
        milder=_compile_all(v.severity.milder_words),
        negation=_compile_all(v.severity.negation_cues),
        financial=_compile_all(v.financial.terms),
        request=_compile_all(v.request.phrases),
        addressee=re.compile(
            r"^(?:"
            + "|".join(re.escape(t) for t in v.addressee.resource_types)
            + ")"
            + _ADDRESSEE_ID
            + r"(?:/_history/[A-Za-z0-9\-.]{1,64})?$"
        ),
    )


# --- Reading a rendered query ----------------------------------------------------------------------

_TAG = r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>"
_BLOCK_TAGS = "p|div|ul|ol|h[1-6]|tr|table|section|blockquote|pre|dl|dt|dd"
_QUOTED = re.compile(r"\"[^\"\n]*\"|(?<!\w)'[^'\n]*'(?!\w)")
_TRANSLATE = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\u00a0": " "})


def plain_text(text: str) -> str:
    """Rendered query text as plain lines: HTML unescaped, list items as ``- `` bullets, tags dropped."""
    t = text.replace("\r\n", "\n").replace("\r", "\n")
    for _ in range(2):  # double-escaped output (&amp;lt;) still reads right
        unescaped = html.unescape(t)
        if unescaped == t:
            break
        t = unescaped
    t = re.sub(r"(?i)<br\s*/?>", "\n", t)
    t = re.sub(r"(?i)<li(?:\s[^<>]*)?>", "\n- ", t)
    t = re.sub(r"(?i)</li\s*>", "\n", t)
    t = re.sub(r"(?i)</?(?:" + _BLOCK_TAGS + r")(?:\s[^<>]*)?/?>", "\n", t)
    t = re.sub(_TAG, "", t)
    return t.translate(_TRANSLATE)


def _unquoted(text: str) -> str:
    return _QUOTED.sub('""', text)


def _option_text(option: str) -> str:
    return _OPTION_MARK.sub("", html.unescape(option).translate(_TRANSLATE)).strip()


def _norm(text: str) -> str:
    return " ".join(text.lower().split()).strip(" .:;")


@dataclass(frozen=True)
class _Reading:
    """What the checks need from a rendered query."""

    indicator_items: tuple[str, ...]  # the bullets of the indicator list
    sourced_elsewhere: int  # other lines carrying a complete source
    author_text: str  # the query's own words: no indicator lines, no quoted spans
    unquoted_text: str  # all of the text without quoted spans
    options: tuple[str, ...]


def _heading(line: str, rules: _Rules) -> bool:
    """A listed heading alone (colon optional), or a listed heading and more words ending with a colon."""
    s = " ".join(line.strip().lstrip("#*_ ").rstrip("*_ ").lower().split())
    if s.rstrip(": ") in rules.headings:
        return True
    if not s.endswith(":"):
        return False
    return any(s.startswith(h) and not s[len(h) : len(h) + 1].isalpha() for h in rules.headings)


def _has_source(line: str, rules: _Rules) -> bool:
    if rules.dated_reference.search(line):
        return True
    where = (
        rules.document_reference.search(line) is not None
        or rules.source_label.search(line) is not None
        or any(m.search(line) for m in rules.document_names)
    )
    return where and _DATE.search(line) is not None


def _read(query: Query, rules: _Rules) -> _Reading:
    lines = plain_text(query.text).split("\n")
    options = tuple(_option_text(o) for o in query.options)
    option_keys = {_norm(o) for o in options}
    items: list[str] = []
    in_list: set[int] = set()
    i = 0
    while i < len(lines):
        if not _heading(lines[i], rules):
            i += 1
            continue
        in_list.add(i)
        i += 1
        started = False
        while i < len(lines):
            line = lines[i]
            bullet = _BULLET.match(line)
            if not line.strip():
                pass
            elif bullet and _norm(bullet.group("body")) not in option_keys:
                items.append(bullet.group("body"))
                started = True
            elif started and not bullet and line[:1].isspace():
                items[-1] += " " + line.strip()
            else:
                break
            in_list.add(i)
            i += 1
    outside = [line for n, line in enumerate(lines) if n not in in_list]
    sourced = sum(1 for line in outside if _has_source(line, rules))
    return _Reading(
        indicator_items=tuple(items),
        sourced_elsewhere=sourced,
        author_text=_unquoted("\n".join(outside)),
        unquoted_text=_unquoted("\n".join(lines)),
        options=options,
    )


# --- The rules ---------------------------------------------------------------------------------------


def _position(n: int) -> str:
    return f"option {n + 1}"


def _substantive(reading: _Reading, rules: _Rules) -> list[tuple[int, str]]:
    """Options other than "other (please specify)" and "unable to determine", with their positions."""
    return [
        (n, o)
        for n, o in enumerate(reading.options)
        if not any(m.search(o) for m in rules.other) and not any(m.search(o) for m in rules.unable)
    ]


def _check_addressee(query: Query, rules: _Rules) -> Iterator[Violation]:
    to = (query.to or "").strip()
    if rules.addressee.match(to):
        return
    kinds = "/".join(rules.vocabulary.addressee.resource_types)
    if not to:
        yield Violation("not-addressed-to-provider", f"the query has no addressee; it must go to a {kinds}")
        return
    found = to.split("/", 1)[0] if re.match(r"^[A-Za-z]+/", to) else "a value that is no reference"
    yield Violation("not-addressed-to-provider", f"the query is addressed to {found}, not to a {kinds}")


def _check_indicators(reading: _Reading, finding: Finding | None, rules: _Rules) -> Iterator[Violation]:
    if not reading.indicator_items and not reading.sourced_elsewhere:
        if finding is None:
            why = "no finding was given to take them from"
        elif finding.evidence or finding.indicators:
            n = len(finding.evidence) + len(finding.indicators)
            why = f"the finding carries {n} to cite but the text shows none"
        else:
            why = "the finding has none, so nothing in the record supports the query"
        yield Violation("no-indicator", f"the query cites no clinical indicator with its source: {why}")
    missing = [n + 1 for n, item in enumerate(reading.indicator_items) if not _has_source(item, rules)]
    if missing:
        which = ", ".join(str(n) for n in missing)
        yield Violation(
            "indicator-without-source",
            f"indicator line(s) {which} of {len(reading.indicator_items)} give no source "
            "(a dated resource reference, or a document reference or name with a date)",
        )


def _check_question(reading: _Reading, rules: _Rules) -> Iterator[Violation]:
    text = reading.author_text
    if "?" in text or any(m.search(text) for m in rules.request):
        return
    yield Violation("no-question", "the text asks no question and requests no clarification")


def _check_options(reading: _Reading, rules: _Rules) -> Iterator[Violation]:
    if not any(any(m.search(o) for m in rules.other) for o in reading.options):
        yield Violation("missing-other", "the options offer no 'Other (please specify)'")
    if not any(any(m.search(o) for m in rules.unable) for o in reading.options):
        yield Violation(
            "missing-unable", "the options offer no 'Unable to determine' / 'Clinically undetermined'"
        )
    n = len(_substantive(reading, rules))
    need = rules.vocabulary.options.min_substantive
    if n < need:
        yield Violation(
            "too-few-options",
            f"{n} clinically reasonable option(s) besides other / unable to determine; {need} needed",
        )


def _new_diagnosis(finding: Finding | None, diagnosis_in_record: bool | None) -> bool:
    """Whether the query is about a diagnosis no provider has documented."""
    if finding is not None and finding.kind == FindingKind.UNDOCUMENTED:
        return True
    return diagnosis_in_record is False


def _check_new_diagnosis(
    query: Query,
    reading: _Reading,
    finding: Finding | None,
    diagnosis_in_record: bool | None,
    rules: _Rules,
) -> Iterator[Violation]:
    if not _new_diagnosis(finding, diagnosis_in_record):
        return
    if query.format == "yes_no":
        yield Violation(
            "yes-no-new-diagnosis",
            "a yes/no query asks about a diagnosis not documented in the record; yes/no is only for "
            "present on admission, a documented diagnosis, cause and effect, or a conflict",
        )
    if reading.indicator_items or reading.sourced_elsewhere:
        return
    naming = [
        n for n, o in _substantive(reading, rules) if not any(m.search(o) for m in rules.not_a_diagnosis)
    ]
    if naming:
        which = ", ".join(_position(n) for n in naming)
        yield Violation(
            "unsupported-new-diagnosis",
            f"{which} name(s) a new diagnosis but the query cites no clinical indicator supporting it",
        )


def _check_leading(reading: _Reading, rules: _Rules) -> Iterator[Violation]:
    text = reading.author_text + "\n" + "\n".join(reading.options)
    found = sorted({m.term.name for m in rules.leading if m.search(text)})
    if found:
        yield Violation("leading-wording", "wording steers the answer: " + ", ".join(repr(f) for f in found))


def _shouting(option: str, rules: _Rules) -> bool:
    least = rules.vocabulary.leading.capitals_min_letters
    for word in _WORD.findall(option):
        letters = "".join(c for c in word if c.isalpha())
        if len(letters) >= least and letters.isupper() and word.upper() not in rules.abbreviations:
            return True
    return False


def _check_singled_out(reading: _Reading, rules: _Rules) -> Iterator[Violation]:
    marks = rules.vocabulary.leading.emphasis_marks
    for n, option in enumerate(reading.options):
        preferred = sorted({m.term.name for m in rules.preferred if m.search(option)})
        if preferred:
            yield Violation(
                "single-option-singled-out",
                f"{_position(n)} is presented as preferred: " + ", ".join(repr(p) for p in preferred),
            )
        if any(mark.lower() in option.lower() for mark in marks):
            yield Violation("single-option-singled-out", f"{_position(n)} carries an emphasis mark")
    substantive = _substantive(reading, rules)
    loud = [n for n, o in substantive if _shouting(o, rules)]
    if loud and (len(loud) < len(substantive) or len(substantive) == 1):
        which = ", ".join(_position(n) for n in loud)
        yield Violation("single-option-singled-out", f"{which} written in capitals, unlike the others")
    in_text = sorted({m.term.name for m in rules.preferred if m.search(reading.author_text)})
    if in_text:
        yield Violation(
            "single-option-singled-out",
            "the text presents an answer as preferred: " + ", ".join(repr(p) for p in in_text),
        )


def _check_severity(reading: _Reading, finding: Finding | None, rules: _Rules) -> Iterator[Violation]:
    # Words of the topic's own name ("acute" in acute_kidney_injury) and words the provider already
    # documented ("acute CHF" when the query asks the type) do not mark an option as severe.
    own: set[str] = set()
    if finding is not None:
        own.update(finding.topic.lower().split("_"))
        for e in finding.evidence:
            own.update(w.lower() for w in _WORD.findall(e.text))
    substantive = [o for _, o in _substantive(reading, rules)]
    if not substantive:
        return

    def severe(option: str) -> bool:
        if any(m.search(option) for m in rules.negation):
            return False
        hits = {m.term.name.lower() for m in rules.severe if m.search(option)}
        return bool(hits - own)

    if any(any(m.search(o) for m in rules.milder) for o in substantive):
        return
    if all(severe(o) for o in substantive):
        yield Violation(
            "only-severe-options",
            "every option offered is at the severe end of the range and none is a milder alternative",
        )


def _check_financial(reading: _Reading, rules: _Rules) -> Iterator[Violation]:
    everywhere = reading.unquoted_text + "\n" + "\n".join(reading.options)
    own_words = reading.author_text + "\n" + "\n".join(reading.options)
    found = {m.term.name for m in rules.financial if m.search(own_words if m.term.ambiguous else everywhere)}
    found |= {s for s in rules.vocabulary.financial.symbols if s in everywhere}
    if found:
        yield Violation(
            "financial-word",
            "mentions money, weight or quality programmes: " + ", ".join(repr(f) for f in sorted(found)),
        )


def check_query(
    query: Query,
    finding: Finding | None = None,
    *,
    diagnosis_in_record: bool | None = None,
) -> list[Violation]:
    """Violations of the compliant-query rules by a rendered query, in :data:`RULES` order.

    ``finding`` gives the kind (an undocumented finding is a new diagnosis) and the topic (words of the
    topic's own name never count as severity words). ``diagnosis_in_record=False`` marks a query about
    a diagnosis no provider documented when the finding alone does not say so.
    """
    rules = _rules()
    reading = _read(query, rules)
    found: list[Violation] = []
    if query.format not in FORMATS:
        found.append(Violation("unknown-format", f"the format is none of {', '.join(FORMATS)}"))
    found.extend(_check_addressee(query, rules))
    found.extend(_check_indicators(reading, finding, rules))
    found.extend(_check_question(reading, rules))
    if query.format == "multiple_choice":
        found.extend(_check_options(reading, rules))
    found.extend(_check_new_diagnosis(query, reading, finding, diagnosis_in_record, rules))
    found.extend(_check_leading(reading, rules))
    found.extend(_check_singled_out(reading, rules))
    if query.format == "multiple_choice":
        found.extend(_check_severity(reading, finding, rules))
    found.extend(_check_financial(reading, rules))
    order = {rule: n for n, rule in enumerate(RULES)}
    return sorted(found, key=lambda v: order[v.rule])


def lint_rendered(queries: Iterable[tuple[Query, Finding]]) -> list[tuple[str, Violation]]:
    """Check rendered (query, finding) pairs; each violation comes with the template that rendered it.

    For ``cdi templates lint``: render every template against sample findings, pass the pairs here,
    print what comes back, and exit non-zero when the list is not empty.
    """
    out: list[tuple[str, Violation]] = []
    for query, finding in queries:
        name = query.template or f"finding {finding.id}"
        out.extend((name, v) for v in check_query(query, finding))
    return out
