"""Stances: the position each source takes on a topic, and the record's final word.

A note can mention a diagnosis several times ("admitted for rule out sepsis ... sepsis was ruled out"), so
a note's stance is resolved first: a negation or an affirmation in the same note settles an uncertainty
written earlier in it. A provider's stance is the stance of their latest note; the record's final stance is
the stance of the latest document that mentions the topic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cdi.detection_rules import detection_rules
from cdi.models import Assertion, Author
from cdi.statements import Statement

_PRECEDENCE = {Assertion.NEGATED: 2, Assertion.AFFIRMED: 1, Assertion.UNCERTAIN: 0}


@dataclass(frozen=True)
class Stance:
    """One document's (or one source's latest document's) position on a topic."""

    source_key: str
    author: Author | None
    document: str
    assertion: Assertion
    statements: tuple[Statement, ...]

    @property
    def last(self) -> Statement:
        return self.statements[-1]

    @property
    def is_discharge_summary(self) -> bool:
        return self.last.note_kind == "discharge_summary"


def document_stance(statements: Sequence[Statement]) -> Assertion:
    """Within one document, a negation beats an affirmation, which beats an uncertainty."""
    return max((s.assertion for s in statements), key=_PRECEDENCE.__getitem__)


def by_document(statements: Iterable[Statement]) -> list[Stance]:
    """Stances per document, ordered by the document's date and position."""
    docs: dict[str, list[Statement]] = {}
    for s in sorted(statements, key=lambda s: s.order):
        docs.setdefault(s.source, []).append(s)
    stances = [
        Stance(sts[0].source_key, sts[0].author, doc, document_stance(sts), tuple(sts))
        for doc, sts in docs.items()
    ]
    return sorted(stances, key=lambda st: st.statements[0].order)


def latest_by_source(statements: Iterable[Statement]) -> dict[str, Stance]:
    """Each source's (author's, or the structured record's) latest document stance."""
    latest: dict[str, Stance] = {}
    for stance in by_document(statements):
        latest[stance.source_key] = stance
    return latest


def final_stance(statements: Iterable[Statement]) -> Stance | None:
    """The stance of the latest document that mentions the topic (notes win over Conditions on ties)."""
    stances = by_document(statements)
    return stances[-1] if stances else None


def establishes(statement: Statement, inpatient: bool) -> bool:
    """Whether a statement establishes the diagnosis for coding: affirmed; or, for an inpatient stay, still
    uncertain in the discharge summary's final diagnoses, which ICD-10-CM II.H / III.C code as if established
    ("probable hepatic encephalopathy" at discharge is coded hepatic encephalopathy). A discharge summary
    without sections counts as a whole; "treated for possible X" in its hospital course only recounts."""
    if statement.assertion is Assertion.AFFIRMED:
        return True
    section = statement.evidence.section
    return (
        inpatient
        and statement.assertion is Assertion.UNCERTAIN
        and statement.note_kind == "discharge_summary"
        and (section is None or section in detection_rules().final_diagnosis_sections)
    )
