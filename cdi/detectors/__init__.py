"""Detectors: the four finding kinds of DESIGN.md, over all notes of an encounter together.

Per topic, at most one finding per kind, and the kinds exclude each other in the order a CDI specialist
would ask: a conflict first (nothing else is settled until it is), then an uncertainty (no point asking for
the type of a diagnosis not yet established), then missing specificity. An undocumented finding only
arises when no provider wrote a word about the topic.
"""

from __future__ import annotations

from cdi import icd10
from cdi.detectors import conflict, uncertain, undocumented, unspecified
from cdi.detectors.context import TopicContext, finding_id
from cdi.models import Evidence, Finding, FindingKind, Indicator

MAX_EVIDENCE = 8


def _dedupe(evidence: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
    seen: set[tuple[str, int | None]] = set()
    out: list[Evidence] = []
    for ev in evidence:
        key = (ev.document, ev.start)
        if key not in seen:
            seen.add(key)
            out.append(ev)
    if len(out) > MAX_EVIDENCE:  # keep the first mentions and the final word
        out = out[: MAX_EVIDENCE - 2] + out[-2:]
    return tuple(out)


def _finding(
    ctx: TopicContext,
    kind: FindingKind,
    evidence: tuple[Evidence, ...],
    summary: str,
    indicators: tuple[Indicator, ...] = (),
    **extra: object,
) -> Finding:
    return Finding(
        id=finding_id(ctx.record.key, kind, ctx.topic.id),
        kind=kind,
        topic=ctx.topic.id,
        encounter=ctx.record.encounter,
        patient=ctx.record.patient,
        evidence=_dedupe(evidence),
        indicators=tuple(ctx.indicators.all()) + indicators,
        summary=summary,
        **extra,  # type: ignore[arg-type]
    )


def detect_topic(ctx: TopicContext) -> Finding | None:
    """The one finding (if any) a topic warrants in an encounter."""
    label = ctx.topic.label
    found_conflict = conflict.detect(ctx.statements)
    if found_conflict is not None:
        what = (
            f"{label}: the record states incompatible {found_conflict.axis} values"
            if found_conflict.axis
            else f"{label} is affirmed in one place and ruled out in another"
        )
        return _finding(
            ctx,
            FindingKind.CONFLICT,
            found_conflict.evidence,
            f"{what}, with no later documentation that reconciles them.",
            axes=(found_conflict.axis,) if found_conflict.axis else (),
            conflicting_values=found_conflict.values,
            implicated_condition=found_conflict.condition,
        )
    found_uncertain = uncertain.detect(ctx)
    if found_uncertain is not None:
        when = "at discharge" if ctx.inpatient else "in the record"
        return _finding(
            ctx,
            FindingKind.UNCERTAIN,
            found_uncertain,
            f"{label} is documented only as uncertain and is neither confirmed nor ruled out {when}.",
            implicated_condition=_condition_of(found_uncertain),
        )
    found_unspecified = unspecified.detect(ctx)
    if found_unspecified is not None:
        axes = ", ".join(a.replace("_", " ") for a in found_unspecified.missing)
        return _finding(
            ctx,
            FindingKind.UNSPECIFIED,
            found_unspecified.evidence,
            f"{label} is documented without its {axes}.",
            found_unspecified.axis_indicators,
            axes=found_unspecified.missing,
            implicated_condition=_condition_of(found_unspecified.evidence),
            unspecified_code=ctx.topic.icd10cm.unspecified,
            stated=tuple(sorted(found_unspecified.stated.items())),
            candidate_codes=tuple(
                icd10.candidate_codes(ctx.topic, found_unspecified.stated, found_unspecified.missing)
            ),
        )
    found_undocumented = undocumented.detect(ctx)
    if found_undocumented is not None:
        who = (
            "named only by a clinician whose documentation cannot establish it"
            if found_undocumented.evidence
            else "not documented by any provider although clinical indicators are present"
        )
        return _finding(ctx, FindingKind.UNDOCUMENTED, found_undocumented.evidence, f"{label}: {who}.")
    return None


def _condition_of(evidence: tuple[Evidence, ...]) -> str | None:
    return next((ev.document for ev in evidence if ev.document.startswith("Condition/")), None)
