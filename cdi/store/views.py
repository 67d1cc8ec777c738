"""What the store returns: plain frozen dataclasses, never ORM objects, so the service can serialise them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cdi.models import Evidence, Finding, FindingKind, Indicator, Query


@dataclass(frozen=True)
class AnalysisOutcome:
    """What one ``upsert_analysis`` changed. Tuples hold finding ids; ``tasks`` maps each open finding to its
    open query id."""

    key: str
    analysis_id: int
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()
    reopened: tuple[str, ...] = ()
    queries_created: tuple[str, ...] = ()
    queries_cancelled: tuple[str, ...] = ()
    tasks: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FindingView:
    id: str
    encounter: str | None
    patient: str | None
    kind: str
    topic: str
    axes: tuple[str, ...]
    status: str  # open | closed
    close_reason: str | None
    summary: str
    evidence: tuple[Evidence, ...]
    indicators: tuple[Indicator, ...]
    conflicting_values: tuple[str, ...]
    implicated_condition: str | None
    unspecified_code: str | None
    candidate_codes: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    closed_at: datetime | None
    query_id: str | None  # the latest query for this finding
    query_state: str | None
    query: Query | None  # that query's current version, as a value object

    def to_finding(self) -> Finding:
        """The finding as the pipeline's value object, e.g. to emit a DetectedIssue from the store."""
        return Finding(
            id=self.id,
            kind=FindingKind(self.kind),
            topic=self.topic,
            encounter=self.encounter,
            patient=self.patient,
            axes=self.axes,
            evidence=self.evidence,
            indicators=self.indicators,
            summary=self.summary,
            conflicting_values=self.conflicting_values,
            implicated_condition=self.implicated_condition,
            unspecified_code=self.unspecified_code,
            candidate_codes=self.candidate_codes,
            query=self.query,
        )


@dataclass(frozen=True)
class QueryVersionView:
    version: int
    text: str
    options: tuple[str, ...]
    template: str | None
    origin: str  # "analysis" (drafted by the pipeline) or "edit" (a person)
    created_at: datetime
    created_by: str
    sent_at: datetime | None  # set: this version reached the physician and is immutable


@dataclass(frozen=True)
class AnswerView:
    query_id: str
    version: int  # the query version that was answered
    response: dict[str, Any]  # the QuestionnaireResponse JSON
    answered_by: str
    answered_at: datetime
    chosen_option: str | None
    free_text: str | None
    outcome: str
    recorded_at: datetime
    recorded_by: str


@dataclass(frozen=True)
class TaskView:
    """A query with its finding's coordinates, its current text and full history."""

    id: str
    finding_id: str
    encounter: str | None
    patient: str | None
    kind: str
    topic: str
    state: str
    format: str
    addressed_to: str | None
    addressed_to_display: str | None
    version: int
    text: str
    options: tuple[str, ...]
    created_at: datetime
    created_by: str
    updated_at: datetime
    sent_at: datetime | None
    escalated_at: datetime | None
    closed_at: datetime | None
    close_reason: str | None
    versions: tuple[QueryVersionView, ...]
    answer: AnswerView | None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    entity: str  # encounter | finding | query
    entity_id: str
    action: str
    from_state: str | None
    to_state: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class WorklistItem:
    """An encounter with open findings, as a CDI specialist's worklist shows it."""

    key: str
    encounter: str | None
    patient: str | None
    open_findings: int
    by_kind: dict[str, int]
    open_queries: int
    oldest_open_query_at: datetime | None
    oldest_open_query_age_hours: float | None
    encounter_status: str | None
    discharged: bool | None  # None: not known
    discharged_at: datetime | None
    analysed_at: datetime


@dataclass(frozen=True)
class MetricsRow:
    """Program metrics over a set of queries.

    ``sent`` is the query volume (queries that reached a physician). ``response_rate`` is answered / sent;
    ``agreement_rate`` is answers with outcome ``diagnosis`` / answered; turnaround is sent -> answered.
    Rates are None when their denominator is zero.
    """

    drafted: int
    sent: int
    answered: int
    cancelled: int
    escalated: int  # ever escalated
    awaiting: int  # sent and not yet answered or cancelled
    outcomes: dict[str, int]
    response_rate: float | None
    agreement_rate: float | None
    median_turnaround_hours: float | None


@dataclass(frozen=True)
class Metrics:
    overall: MetricsRow
    by_topic: dict[str, MetricsRow]
    by_provider: dict[str, MetricsRow]  # key: addressed-to practitioner reference ("unassigned" if none)
