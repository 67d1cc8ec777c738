"""The query lifecycle: states, the one transition table, and answer outcomes.

A query is drafted, sent (``requested``), then either answered (``completed``), ``cancelled`` or
``escalated`` (no response in time; handed to a physician advisor, who may still get it answered or
cancel it).
Every state change anywhere in the store goes through :func:`check_transition`, so the table below is the
single statement of what is legal.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from cdi.store.errors import IllegalTransition


class QueryState(StrEnum):
    """Task status of a query (DESIGN.md: draft -> requested -> completed, or cancelled / escalated)."""

    DRAFT = "draft"
    REQUESTED = "requested"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ESCALATED = "escalated"


class FindingStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class AnswerOutcome(StrEnum):
    """How a physician's answer counts for the agreement rate.

    ``diagnosis``: the answer documents a diagnosis (confirms, specifies, or names one); the three others are
    the non-agreeing answers.
    """

    DIAGNOSIS = "diagnosis"
    RULED_OUT = "ruled_out"
    UNABLE_TO_DETERMINE = "unable_to_determine"
    DISAGREE = "disagree"


TRANSITIONS: Mapping[QueryState, frozenset[QueryState]] = {
    QueryState.DRAFT: frozenset({QueryState.REQUESTED, QueryState.CANCELLED}),
    QueryState.REQUESTED: frozenset({QueryState.COMPLETED, QueryState.CANCELLED, QueryState.ESCALATED}),
    QueryState.ESCALATED: frozenset({QueryState.COMPLETED, QueryState.CANCELLED}),
    QueryState.COMPLETED: frozenset(),
    QueryState.CANCELLED: frozenset(),
}
"""Legal moves. ``completed`` is reached only by recording an answer (:data:`NEEDS_ANSWER`)."""

NEEDS_ANSWER: frozenset[QueryState] = frozenset({QueryState.COMPLETED})
"""Targets that only an answer may reach: a query is never marked answered without its answer on record."""

OPEN_STATES: frozenset[QueryState] = frozenset({QueryState.DRAFT, QueryState.REQUESTED, QueryState.ESCALATED})
"""States in which a query still asks something; its finding stays open."""

SENT_STATES: frozenset[QueryState] = frozenset({QueryState.REQUESTED, QueryState.ESCALATED})
"""States in which the physician has the query: edits make a new, immutable version."""

RESOLVED_BY_DOCUMENTATION = "resolved by documentation"
ANSWERED = "answered"
CANCELLED_DEFAULT_REASON = "cancelled"


def parse_state(value: str) -> QueryState:
    """The state named by ``value``; ``ValueError`` (a 4xx, not a 409) for a name that is no state."""
    try:
        return QueryState(value)
    except ValueError:
        raise ValueError(f"unknown query state {value!r}") from None


def check_transition(
    query_id: str, current: QueryState, target: QueryState, *, with_answer: bool = False
) -> None:
    """Raise :class:`IllegalTransition` unless ``current -> target`` is in the table.

    Targets in :data:`NEEDS_ANSWER` are legal only ``with_answer``.
    """
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(query_id, current.value, target.value)
    if target in NEEDS_ANSWER and not with_answer:
        raise IllegalTransition(
            query_id, current.value, target.value, "only recording an answer completes it"
        )


def check_editable(query_id: str, current: QueryState) -> None:
    """Drafts and sent queries may be edited; a completed or cancelled query is closed business record."""
    if current not in OPEN_STATES:
        raise IllegalTransition(query_id, current.value, "edit", "a closed query cannot be edited")
