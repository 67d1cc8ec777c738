"""Unspecified: a diagnosis affirmed without a specificity axis that ICD-10-CM distinguishes.

Axis values count from every affirmed provider mention of the encounter and from Conditions (for a chronic
disease also from its past-history mentions: "PMH: diabetes mellitus type 2" types the "diabetes" of the
assessment); from nurses and dietitians only where the axis allows it (a pressure-injury stage, I.B.14).
An axis marked ``when_indicated`` is asked only when the record points to it: an indicator named by the
axis, or one of the axis's own values found anywhere in the record but not linked to the diagnosis (a
culture organism).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdi.detectors.context import TopicContext
from cdi.detectors.stance import establishes, final_stance
from cdi.models import Assertion, Evidence, Indicator


@dataclass(frozen=True)
class Unspecified:
    missing: tuple[str, ...]
    stated: dict[str, str]
    evidence: tuple[Evidence, ...]
    axis_indicators: tuple[Indicator, ...]


def stated_values(ctx: TopicContext) -> dict[str, set[str]]:
    stated: dict[str, set[str]] = {}
    sources = [s for s in ctx.statements.provider if establishes(s, ctx.inpatient)]
    if ctx.topic.chronic:  # the past history states what the lasting disease is ("PMH: type 2 diabetes")
        sources += [s for s in ctx.statements.historical if s.assertion is Assertion.AFFIRMED]
    # A stage a wound nurse charted "consistent with stage 2" is a staging, not a diagnosis in doubt.
    others = [s for s in ctx.statements.others if s.assertion is not Assertion.NEGATED]
    for axis in ctx.topic.axes:
        pool = sources + (others if axis.from_other_clinicians else [])
        values = set().union(*(s.values_of(axis.id) for s in pool)) if pool else set()
        if values:
            stated[axis.id] = values
    return stated


def detect(ctx: TopicContext) -> Unspecified | None:
    affirmed = [s for s in ctx.statements.provider if establishes(s, ctx.inpatient)]
    final = final_stance(ctx.statements.provider)
    if not affirmed or final is None or final.assertion is Assertion.NEGATED:
        return None  # never affirmed, or ruled out in the end: nothing to specify
    stated = stated_values(ctx)
    missing: list[str] = []
    axis_indicators: list[Indicator] = []
    for axis in ctx.topic.axes:
        if axis.id in stated or axis.required == "never":
            continue
        if axis.required == "always":
            missing.append(axis.id)
            continue
        by_rule = [i for rule in axis.indicated_by for i in ctx.indicators.present.get(rule, [])]
        loose = (
            ctx.statements.loose_axis_values.get(axis.id, set()) if axis.indicated_by_own_values else set()
        )
        if by_rule or loose:
            missing.append(axis.id)
            axis_indicators.extend(by_rule)
            for ev in ctx.statements.loose_axis_evidence.get(axis.id, []) if loose else []:
                axis_indicators.append(
                    Indicator(
                        source=ev.document,
                        name=f"{axis.id.replace('_', ' ')} named in the record",
                        value=ev.sentence or ev.text,
                        time=ev.date,
                        section=ev.section,
                    )
                )
    if not missing:
        return None
    one_value = {axis: sorted(values)[0] for axis, values in stated.items()}
    return Unspecified(tuple(missing), one_value, tuple(s.evidence for s in affirmed), tuple(axis_indicators))
