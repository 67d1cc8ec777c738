"""The worklist's priority: a score a CDI specialist can read back as its reasons.

Points, added up:

- each open finding, by kind: a conflict or an unresolved uncertainty decides whether a diagnosis is
  coded at all (3), an undocumented diagnosis may be missing entirely (3), a missing specificity changes
  the code, not the diagnosis (1);
- the oldest open query's age: 1 point per full day, up to 7 (a query waiting a week needs a follow-up
  or an escalation);
- discharged: 4 (the record is final and coding waits on the answers; a patient still in house can
  still be documented in the normal course of care).

The weights are here, once, and every item shows the points each factor gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cdi.store import WorklistItem

KIND_POINTS = {"conflict": 3, "uncertain": 3, "undocumented": 3, "unspecified": 1}
POINTS_PER_DAY = 1
MAX_AGE_POINTS = 7
DISCHARGED_POINTS = 4


@dataclass(frozen=True)
class Reason:
    factor: str
    detail: str
    points: int


@dataclass(frozen=True)
class Priority:
    score: int
    reasons: tuple[Reason, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "reasons": [{"factor": r.factor, "detail": r.detail, "points": r.points} for r in self.reasons],
        }


def priority(item: WorklistItem) -> Priority:
    reasons: list[Reason] = []
    for kind, n in sorted(item.by_kind.items()):
        per = KIND_POINTS.get(kind, 1)
        reasons.append(Reason("open findings", f"{n} {kind} x {per}", n * per))
    if item.oldest_open_query_age_hours is not None:
        days = int(item.oldest_open_query_age_hours // 24)
        points = min(days * POINTS_PER_DAY, MAX_AGE_POINTS)
        reasons.append(Reason("oldest open query", f"{days} day(s) old", points))
    if item.discharged:
        reasons.append(Reason("discharge status", "discharged", DISCHARGED_POINTS))
    elif item.discharged is False:
        reasons.append(Reason("discharge status", "in house", 0))
    return Priority(sum(r.points for r in reasons), tuple(reasons))


def rank(items: list[WorklistItem]) -> list[tuple[WorklistItem, Priority]]:
    """Highest score first; ties: the older open query first, then the encounter key (stable pages)."""
    scored = [(item, priority(item)) for item in items]
    scored.sort(key=lambda pair: (-pair[1].score, -(pair[0].oldest_open_query_age_hours or 0.0), pair[0].key))
    return scored
