"""Clinical indicators: evaluate a topic's indicator rules against an encounter's record.

Observation rules compare values by LOINC code with a threshold, or look for a rise (KDIGO creatinine)
or a drop (hemoglobin) between an earlier and a later value. Text rules come from the NLP stage as
INDICATOR hits (ConText already dropped negated and hypothetical ones here). Each rule counts once
however many values meet it; its points add up toward an undocumented-diagnosis query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cdi.catalog import IndicatorRule, Rise, Topic
from cdi.models import HitKind, Indicator, NoteAnalysis, ObservationRecord


@dataclass
class IndicatorResult:
    """Which of a topic's indicator rules the record meets, with the values that meet them."""

    present: dict[str, list[Indicator]] = field(default_factory=dict)
    points: int = 0

    def has(self, rule_id: str) -> bool:
        return rule_id in self.present

    def all(self) -> list[Indicator]:
        seen: set[tuple[str, str, str]] = set()
        out: list[Indicator] = []
        for items in self.present.values():
            for ind in items:
                key = (ind.source, ind.name, ind.value)
                if key not in seen:
                    seen.add(key)
                    out.append(ind)
        return sorted(out, key=lambda i: (i.time is None, i.time or datetime.min, i.name))


def _fmt(value: float) -> str:
    return f"{value:g}"


def _describe(obs: ObservationRecord, name: str) -> Indicator:
    unit = f" {obs.unit}" if obs.unit else ""
    value = _fmt(obs.value) if obs.value is not None else (obs.value_text or "")
    return Indicator(source=obs.reference, name=name, value=f"{value}{unit}", time=obs.time)


def _within(a: datetime | None, b: datetime | None, hours: float | None) -> bool:
    if hours is None:
        return True
    if a is None or b is None:
        return False
    return 0 <= (b - a).total_seconds() <= hours * 3600


def _first_change(
    change: Rise, sign: int, values: Sequence[ObservationRecord]
) -> tuple[ObservationRecord, ObservationRecord] | None:
    """The first (earlier, later) pair whose change meets the rule: a rise for sign 1, a drop for -1."""
    for j, later in enumerate(values):
        for earlier in values[:j]:
            if not _within(earlier.time, later.time, change.within_hours):
                continue
            assert earlier.value is not None and later.value is not None
            if change.absolute is not None and (later.value - earlier.value) * sign >= change.absolute:
                return earlier, later
            if (
                change.ratio is not None
                and sign > 0
                and earlier.value > 0
                and later.value / earlier.value >= change.ratio
            ):
                return earlier, later
    return None


def _observation_matches(rule: IndicatorRule, obs: Sequence[ObservationRecord]) -> list[Indicator]:
    values = [o for o in obs if o.value is not None and set(o.loinc) & set(rule.loinc)]
    values.sort(key=lambda o: (o.time is None, o.time or datetime.min))
    found: list[Indicator] = []
    for o in values:
        assert o.value is not None
        if rule.above is not None and o.value > rule.above or rule.below is not None and o.value < rule.below:
            found.append(_describe(o, rule.name))
    for change, sign in ((rule.rise, 1), (rule.drop, -1)):
        pair = _first_change(change, sign, values) if change is not None else None
        if pair is not None:
            earlier, later = pair
            assert earlier.value is not None and later.value is not None
            unit = f" {later.unit}" if later.unit else ""
            found.append(
                Indicator(
                    source=later.reference,
                    name=f"{rule.name} {'rise' if sign > 0 else 'drop'}",
                    value=f"{_fmt(earlier.value)} -> {_fmt(later.value)}{unit}",
                    time=later.time,
                )
            )
    return [Indicator(i.source, i.name, i.value, i.time, indicator_id=rule.id) for i in found]


def _text_matches(rule: IndicatorRule, analyses: Sequence[NoteAnalysis]) -> list[Indicator]:
    found: list[Indicator] = []
    for analysis in analyses:
        for hit in analysis.hits:
            if hit.kind is not HitKind.INDICATOR or hit.indicator != rule.id:
                continue
            if hit.negated or not hit.is_about_patient_now:
                continue
            found.append(
                Indicator(
                    source=analysis.note.reference,
                    name=rule.name,
                    value=hit.text,
                    time=analysis.note.date,
                    indicator_id=rule.id,
                    section=hit.section,
                )
            )
    return found


def evaluate(
    topic: Topic, observations: Sequence[ObservationRecord], analyses: Sequence[NoteAnalysis]
) -> IndicatorResult:
    """Evaluate every indicator rule of a topic against one encounter."""
    result = IndicatorResult()
    for rule in topic.indicators:
        if rule.source == "observation":
            matches = _observation_matches(rule, observations)
        else:
            matches = _text_matches(rule, analyses)
        if matches:
            result.present[rule.id] = matches
            result.points += rule.points
    return result
