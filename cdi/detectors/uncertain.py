"""Uncertain: a diagnosis documented only with uncertainty and never confirmed or ruled out.

The record's final word decides: a later note (or a later mention in the same note) that affirms or rules
out the diagnosis resolves an earlier "possible". Inpatient (ICD-10-CM II.H, III.C): a diagnosis still
documented as uncertain in the discharge summary's final diagnoses may be coded as if it existed, so only
an uncertainty that the final diagnostic statement drops is a query. Outpatient (IV.H): uncertain
diagnoses are never coded, so any unresolved one is a query.
"""

from __future__ import annotations

from cdi.detectors.context import TopicContext
from cdi.detectors.stance import Stance, establishes, final_stance
from cdi.models import Assertion, Evidence


def detect(ctx: TopicContext) -> tuple[Evidence, ...] | None:
    final: Stance | None = final_stance(ctx.statements.provider)
    if final is None or final.assertion is not Assertion.UNCERTAIN:
        return None
    if ctx.inpatient and final.is_discharge_summary and _in_final_diagnoses(final):
        return None
    uncertain = [s for s in ctx.statements.provider if s.assertion is Assertion.UNCERTAIN]
    return tuple(s.evidence for s in uncertain)


def _in_final_diagnoses(stance: Stance) -> bool:
    """Whether the discharge summary states the uncertain diagnosis as part of its final diagnoses."""
    return any(
        s.assertion is Assertion.UNCERTAIN and establishes(s, inpatient=True) for s in stance.statements
    )
