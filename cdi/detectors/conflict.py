"""Conflict: the record contradicts itself and nothing later reconciles it.

Three shapes: two providers' latest words disagree (one affirms, one negates), a Condition resource is at
odds with the notes, or two sources state incompatible values of one axis (paroxysmal vs persistent AF,
type 1 vs type 2 diabetes). A single author changing their mind is not a conflict: their latest note wins.
A discharge summary that rules a diagnosis out after someone affirmed it is the final word, not a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdi.detectors.stance import Stance, final_stance, latest_by_source
from cdi.models import Assertion, Evidence
from cdi.statements import Statement, TopicRecord


@dataclass(frozen=True)
class Conflict:
    evidence: tuple[Evidence, ...]
    axis: str | None = None
    values: tuple[str, ...] = ()
    condition: str | None = None


def _notes(statements: list[Statement]) -> list[Statement]:
    return [s for s in statements if s.source_kind == "note"]


def _conditions(statements: list[Statement]) -> list[Statement]:
    return [s for s in statements if s.source_kind == "condition"]


def _assertion_conflict(rec: TopicRecord) -> Conflict | None:
    notes = _notes(rec.provider)
    latest = latest_by_source(notes)
    affirmed = [st for st in latest.values() if st.assertion is Assertion.AFFIRMED]
    negated = [st for st in latest.values() if st.assertion is Assertion.NEGATED]
    if not (affirmed and negated):
        return None
    final = final_stance(notes)
    if final is not None and final.assertion is Assertion.NEGATED and final.is_discharge_summary:
        return None
    return Conflict(evidence=_evidence_of(affirmed + negated))


def _structured_conflict(rec: TopicRecord) -> Conflict | None:
    final = final_stance(_notes(rec.provider))
    if final is None:
        return None
    for cond in _conditions(rec.provider):
        at_odds = (cond.assertion is Assertion.AFFIRMED and final.assertion is Assertion.NEGATED) or (
            cond.assertion is Assertion.NEGATED and final.assertion is Assertion.AFFIRMED
        )
        if at_odds:
            return Conflict(evidence=(cond.evidence, *_evidence_of([final])), condition=cond.source)
    return None


def _axis_conflict(rec: TopicRecord) -> Conflict | None:
    affirmed = [s for s in rec.provider if s.assertion is Assertion.AFFIRMED]
    for axis in rec.topic.axes:
        per_source: dict[str, tuple[Statement, set[str]]] = {}
        for s in sorted(affirmed, key=lambda s: s.order):
            values = s.values_of(axis.id)
            if values:
                per_source[s.source_key] = (s, values)
        sources = list(per_source.values())
        for i, (s1, v1) in enumerate(sources):
            for s2, v2 in sources[i + 1 :]:
                if v1.isdisjoint(v2):
                    condition = next((s.source for s in (s1, s2) if s.source_kind == "condition"), None)
                    return Conflict(
                        evidence=(s1.evidence, s2.evidence),
                        axis=axis.id,
                        values=tuple(sorted(v1 | v2)),
                        condition=condition,
                    )
    return None


def _evidence_of(stances: list[Stance]) -> tuple[Evidence, ...]:
    return tuple(s.last.evidence for s in sorted(stances, key=lambda st: st.last.order))


def detect(rec: TopicRecord) -> Conflict | None:
    return _assertion_conflict(rec) or _structured_conflict(rec) or _axis_conflict(rec)
