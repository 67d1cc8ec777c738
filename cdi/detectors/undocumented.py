"""Undocumented: indicators point to a diagnosis no provider documented.

Two shapes: clinical indicators (values, treatments) that meet the topic's rule while no provider names the
diagnosis at all; or a diagnosis named only by a nurse, dietitian or radiologist, whose word a coder cannot
take (ICD-10-CM I.B.14). A provider who addressed the topic in any way, even to negate it ("no true
hyponatremia"), has documented it; for a chronic disease a past-history mention counts too. An
outpatient encounter for a diagnostic test alone is coded from the interpretation (IV.K).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdi.detectors.context import TopicContext
from cdi.models import Assertion, AuthorKind, Evidence


@dataclass(frozen=True)
class Undocumented:
    evidence: tuple[Evidence, ...]  # mentions by other clinicians, if any


def detect(ctx: TopicContext) -> Undocumented | None:
    st = ctx.statements
    if st.provider:
        return None
    if ctx.topic.chronic and st.historical:
        return None
    # An outpatient encounter for a diagnostic test alone (no treating provider's note) is coded from the
    # interpreting physician's final report (ICD-10-CM IV.K); anywhere else a radiologist's or
    # pathologist's reading, like a nurse's note, needs the treating provider's word.
    reading_codable = _diagnostic_services_only(ctx)
    others = [
        s
        for s in st.others
        if s.assertion is Assertion.AFFIRMED
        and not (reading_codable and s.author_kind is AuthorKind.DIAGNOSTIC)
    ]
    if others:
        return Undocumented(tuple(s.evidence for s in others))
    rule = ctx.topic.undocumented
    if rule is None or ctx.indicators.points < rule.min_points:
        return None
    if rule.requires_any and not any(ctx.indicators.has(r) for r in rule.requires_any):
        return None
    return Undocumented(())


def _diagnostic_services_only(ctx: TopicContext) -> bool:
    """An outpatient encounter whose notes are all diagnostic readings (no treating provider wrote)."""
    notes = ctx.record.notes
    return (
        not ctx.inpatient
        and bool(notes)
        and all(n.author is not None and n.author.kind is AuthorKind.DIAGNOSTIC for n in notes)
    )
