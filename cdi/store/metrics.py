"""Program metrics (query volume, response, agreement, turnaround) from one row of facts per query.

Kept apart from the SQL so the arithmetic is plain Python over small records; the store selects the facts
(a few columns per query) and this module does the counting.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from cdi.store.lifecycle import SENT_STATES, AnswerOutcome, QueryState
from cdi.store.views import Metrics, MetricsRow

UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class QueryFacts:
    topic: str
    provider: str | None
    state: str
    sent_at: datetime | None
    escalated_at: datetime | None
    answered_at: datetime | None
    outcome: str | None


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def summarise(facts: Sequence[QueryFacts]) -> MetricsRow:
    sent = [f for f in facts if f.sent_at is not None]
    answered = [f for f in facts if f.state == QueryState.COMPLETED]
    outcomes = Counter(f.outcome for f in answered if f.outcome)
    turnaround = [
        (f.answered_at - f.sent_at).total_seconds() / 3600
        for f in answered
        if f.answered_at is not None and f.sent_at is not None
    ]
    return MetricsRow(
        drafted=len(facts),
        sent=len(sent),
        answered=len(answered),
        cancelled=sum(f.state == QueryState.CANCELLED for f in facts),
        escalated=sum(f.escalated_at is not None for f in facts),
        awaiting=sum(f.state in SENT_STATES for f in facts),
        outcomes=dict(sorted(outcomes.items())),
        response_rate=_rate(len(answered), len(sent)),
        agreement_rate=_rate(outcomes[AnswerOutcome.DIAGNOSIS.value], len(answered)),
        median_turnaround_hours=median(turnaround) if turnaround else None,
    )


def _grouped(facts: Sequence[QueryFacts], key: Callable[[QueryFacts], str]) -> dict[str, MetricsRow]:
    groups: defaultdict[str, list[QueryFacts]] = defaultdict(list)
    for fact in facts:
        groups[key(fact)].append(fact)
    return {name: summarise(group) for name, group in sorted(groups.items())}


def compute(facts: Iterable[QueryFacts]) -> Metrics:
    rows = list(facts)
    return Metrics(
        overall=summarise(rows),
        by_topic=_grouped(rows, lambda f: f.topic),
        by_provider=_grouped(rows, lambda f: f.provider or UNASSIGNED),
    )
