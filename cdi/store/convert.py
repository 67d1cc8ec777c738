"""ORM rows to the store's views (plain dataclasses), built while the session is still open."""

from __future__ import annotations

from cdi.models import Query
from cdi.store.lifecycle import OPEN_STATES
from cdi.store.orm import AnswerRow, FindingRow, QueryRow, QueryVersionRow
from cdi.store.serde import evidence_from_json, indicator_from_json
from cdi.store.views import AnswerView, FindingView, QueryVersionView, TaskView


def open_query(row: FindingRow) -> QueryRow | None:
    """The finding's query that still asks something; there is at most one."""
    return next((q for q in row.queries if q.state in OPEN_STATES), None)


def version_view(row: QueryVersionRow) -> QueryVersionView:
    return QueryVersionView(
        version=row.version,
        text=row.text,
        options=tuple(row.options),
        template=row.template,
        origin=row.origin,
        created_at=row.created_at,
        created_by=row.created_by,
        sent_at=row.sent_at,
    )


def answer_view(row: AnswerRow) -> AnswerView:
    return AnswerView(
        query_id=row.query_id,
        version=row.version,
        response=dict(row.response),
        answered_by=row.answered_by,
        answered_at=row.answered_at,
        chosen_option=row.chosen_option,
        free_text=row.free_text,
        outcome=row.outcome,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
    )


def task_view(row: QueryRow) -> TaskView:
    current = row.versions[-1]
    finding = row.finding
    return TaskView(
        id=row.id,
        finding_id=finding.id,
        encounter=finding.encounter.encounter_ref,
        patient=finding.encounter.patient_ref,
        kind=finding.kind,
        topic=finding.topic,
        state=row.state,
        format=row.format,
        addressed_to=row.addressed_to,
        addressed_to_display=row.addressed_to_display,
        version=current.version,
        text=current.text,
        options=tuple(current.options),
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        sent_at=row.sent_at,
        escalated_at=row.escalated_at,
        closed_at=row.closed_at,
        close_reason=row.close_reason,
        versions=tuple(version_view(v) for v in row.versions),
        answer=answer_view(row.answer) if row.answer is not None else None,
    )


def finding_view(row: FindingRow) -> FindingView:
    latest = open_query(row) or (row.queries[-1] if row.queries else None)
    query = None
    if latest is not None:
        current = latest.versions[-1]
        query = Query(
            format=latest.format,
            to=latest.addressed_to or "",
            to_display=latest.addressed_to_display,
            text=current.text,
            options=tuple(current.options),
            template=current.template or "",
        )
    detail = row.detail
    return FindingView(
        id=row.id,
        encounter=row.encounter.encounter_ref,
        patient=row.encounter.patient_ref,
        kind=row.kind,
        topic=row.topic,
        axes=tuple(row.axes),
        status=row.status,
        close_reason=row.close_reason,
        summary=row.summary,
        evidence=tuple(evidence_from_json(e) for e in row.evidence),
        indicators=tuple(indicator_from_json(i) for i in row.indicators),
        conflicting_values=tuple(detail.get("conflicting_values", ())),
        implicated_condition=detail.get("implicated_condition"),
        unspecified_code=detail.get("unspecified_code"),
        candidate_codes=tuple(detail.get("candidate_codes", ())),
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        closed_at=row.closed_at,
        query_id=latest.id if latest is not None else None,
        query_state=latest.state if latest is not None else None,
        query=query,
    )
