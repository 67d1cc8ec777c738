"""The store's API: one :class:`Store` per process, one transaction per call, plain dataclasses out.

Rules it keeps:

- Every public write is one unit of work (``sessionmaker.begin``): it all happens, audit entries included,
  or nothing does.
- Nothing is deleted. A finding that disappears from a re-analysis is closed ("resolved by documentation")
  and its open query cancelled; the rows stay.
- Query lifecycle moves go through :mod:`cdi.store.lifecycle`, the one transition table.
- Versions: while a query is a draft, an edit replaces the draft's text (version 1 stays version 1: a draft
  is a working copy that no physician has seen; the audit log still records each edit). From sending on,
  the sent version is frozen and every edit adds a new version that is itself frozen at once, because the
  physician has the query in hand. An edit that changes nothing changes nothing.
- A finding closed by documentation that comes back in a later analysis is reopened with a new draft query
  (the cancelled one stays on record). A finding closed by a person (answered, or its query cancelled)
  stays closed when the analysis still sees it: the answer lives in the QuestionnaireResponse, so the notes
  may not show it, and asking the physician the same question again would be a duplicate query.
- Log lines carry counts, states and query uuids only.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import URL, Select, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, selectinload, sessionmaker

from cdi.models import Finding, FindingKind, Query
from cdi.store.convert import finding_view, open_query, task_view
from cdi.store.engine import WRITE, make_engine
from cdi.store.errors import NotFound, StoreError
from cdi.store.lifecycle import (
    ANSWERED,
    CANCELLED_DEFAULT_REASON,
    OPEN_STATES,
    RESOLVED_BY_DOCUMENTATION,
    AnswerOutcome,
    FindingStatus,
    QueryState,
    check_editable,
    check_transition,
    parse_state,
)
from cdi.store.metrics import QueryFacts, compute
from cdi.store.migrate import upgrade_to_head
from cdi.store.orm import (
    AnalysisRow,
    AnswerRow,
    AuditRow,
    EncounterRow,
    FindingRow,
    QueryRow,
    QueryVersionRow,
    guard_append_only,
)
from cdi.store.serde import to_json
from cdi.store.views import (
    AnalysisOutcome,
    AuditEntry,
    FindingView,
    Metrics,
    TaskView,
    WorklistItem,
)

log = logging.getLogger(__name__)

_OPEN = [s.value for s in OPEN_STATES]
_NOT_DISCHARGED = frozenset({"planned", "arrived", "triaged", "in-progress", "onleave"})


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Store:
    """Persistent store of analyses, findings, queries, answers and the audit log.

    Built from a database URL (``sqlite:///cdi.db`` when none is given and ``CDI_DATABASE_URL`` is unset);
    migrates the schema to the newest revision on construction. ``clock`` exists for tests and imports.
    """

    def __init__(self, url: str | URL | None = None, *, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = make_engine(url)
        self._clock = clock or _utcnow
        upgrade_to_head(self.engine)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(**{WRITE: True}), expire_on_commit=False)
        for factory in (self._read, self._write):
            event.listen(factory, "before_flush", guard_append_only)

    @classmethod
    def from_env(cls, *, clock: Callable[[], datetime] | None = None) -> Store:
        """The store named by ``$CDI_DATABASE_URL`` (default ``sqlite:///cdi.db``)."""
        return cls(None, clock=clock)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def _unit(self) -> Iterator[Session]:
        with self._write.begin() as session:
            yield session

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the store's clock must return timezone-aware datetimes")
        return now

    # --- analyses ---------------------------------------------------------------------------------

    def upsert_analysis(
        self,
        encounter: str | None,
        patient: str | None,
        content_hash: str,
        findings: Sequence[Finding],
        actor: str,
        *,
        encounter_status: str | None = None,
        discharged_at: datetime | None = None,
    ) -> AnalysisOutcome:
        """Record one analysis of an encounter (or, without one, of a patient); idempotent.

        Known findings keep their ids and queries (only ``last_seen`` moves when nothing else changed);
        open findings of this encounter that the analysis no longer reports are closed as resolved by
        documentation and their open queries cancelled; new findings are added with a draft query built
        from ``Finding.query``. ``encounter_status`` (FHIR Encounter.status) and ``discharged_at`` feed the
        worklist when known.
        """
        key = encounter or patient
        if key is None:
            raise ValueError("an analysis needs an encounter or a patient reference")
        ids = [f.id for f in findings]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate finding ids in one analysis")
        if any(f.encounter != encounter for f in findings):
            raise ValueError("every finding of an analysis must belong to its encounter")
        for attempt in (1, 2):
            try:
                outcome = self._upsert_once(
                    key, encounter, patient, content_hash, findings, actor, encounter_status, discharged_at
                )
                break
            except IntegrityError:
                # Two workers analysing a new encounter at once: the loser retries and finds the row.
                if attempt == 2:
                    raise
        log.info(
            "analysis stored: %d findings, %d added, %d updated, %d resolved, %d reopened",
            len(findings),
            len(outcome.added),
            len(outcome.updated),
            len(outcome.resolved),
            len(outcome.reopened),
        )
        return outcome

    def _upsert_once(
        self,
        key: str,
        encounter: str | None,
        patient: str | None,
        content_hash: str,
        findings: Sequence[Finding],
        actor: str,
        encounter_status: str | None,
        discharged_at: datetime | None,
    ) -> AnalysisOutcome:
        now = self._now()
        added: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        resolved: list[str] = []
        reopened: list[str] = []
        created: list[str] = []
        cancelled: list[str] = []
        with self._unit() as s:
            enc = s.scalars(
                select(EncounterRow).where(EncounterRow.key == key).with_for_update()
            ).one_or_none()
            if enc is None:
                enc = EncounterRow(key=key, first_analysed_at=now)
                s.add(enc)
            enc.encounter_ref = encounter
            enc.patient_ref = patient or enc.patient_ref
            enc.content_hash = content_hash
            enc.analysed_at = now
            enc.encounter_status = encounter_status or enc.encounter_status
            enc.discharged_at = discharged_at or enc.discharged_at
            s.flush()

            existing = {
                row.id: row
                for row in s.scalars(
                    select(FindingRow)
                    .where(FindingRow.encounter_id == enc.id)
                    .options(selectinload(FindingRow.queries).selectinload(QueryRow.versions))
                )
            }
            if new_ids := [f.id for f in findings if f.id not in existing]:
                taken = s.scalar(
                    select(func.count()).select_from(FindingRow).where(FindingRow.id.in_(new_ids))
                )
                if taken:
                    raise StoreError("a finding id of this analysis already belongs to another encounter")

            current_rows: dict[str, FindingRow] = {}
            for finding in findings:
                columns = _finding_columns(finding)
                row = existing.get(finding.id)
                if row is None:
                    row = FindingRow(
                        id=finding.id,
                        encounter=enc,
                        status=FindingStatus.OPEN.value,
                        first_seen=now,
                        last_seen=now,
                        **columns,
                    )
                    s.add(row)
                    _audit(
                        s,
                        now,
                        actor,
                        "finding",
                        row.id,
                        "added",
                        None,
                        row.status,
                        kind=row.kind,
                        topic=row.topic,
                    )
                    added.append(row.id)
                else:
                    row.last_seen = now
                    changed = sorted(name for name, value in columns.items() if getattr(row, name) != value)
                    if changed:
                        for name in changed:
                            setattr(row, name, columns[name])
                        _audit(s, now, actor, "finding", row.id, "updated", None, None, fields=changed)
                        updated.append(row.id)
                    else:
                        unchanged.append(row.id)
                    if row.status == FindingStatus.CLOSED and row.close_reason == RESOLVED_BY_DOCUMENTATION:
                        row.status, row.close_reason, row.closed_at = FindingStatus.OPEN.value, None, None
                        _audit(s, now, actor, "finding", row.id, "reopened", "closed", "open")
                        reopened.append(row.id)
                current_rows[row.id] = row
                if row.status != FindingStatus.OPEN or finding.query is None:
                    continue
                current = open_query(row)
                if current is None:
                    created.append(_new_query(s, row, finding.query, actor, now).id)
                elif current.state == QueryState.DRAFT:
                    _redraft(s, current, finding.query, actor, now)

            for row in existing.values():
                if row.id in current_rows or row.status != FindingStatus.OPEN:
                    continue
                for query in [q for q in row.queries if q.state in OPEN_STATES]:
                    _move(s, query, QueryState.CANCELLED, actor, now, RESOLVED_BY_DOCUMENTATION)
                    cancelled.append(query.id)
                _close_finding(s, row, RESOLVED_BY_DOCUMENTATION, actor, now)
                resolved.append(row.id)

            analysis = AnalysisRow(
                encounter_id=enc.id,
                content_hash=content_hash,
                analysed_at=now,
                actor=actor,
                findings=len(findings),
                added=len(added),
                updated=len(updated),
                unchanged=len(unchanged),
                resolved=len(resolved),
                reopened=len(reopened),
            )
            s.add(analysis)
            s.flush()
            _audit(
                s,
                now,
                actor,
                "encounter",
                key,
                "analysed",
                None,
                None,
                analysis_id=analysis.id,
                content_hash=content_hash,
                findings=len(findings),
                added=len(added),
                updated=len(updated),
                unchanged=len(unchanged),
                resolved=len(resolved),
                reopened=len(reopened),
            )
            tasks = {
                finding_id: asking.id
                for finding_id, row in current_rows.items()
                if (asking := open_query(row)) is not None
            }
            return AnalysisOutcome(
                key=key,
                analysis_id=analysis.id,
                added=tuple(added),
                updated=tuple(updated),
                unchanged=tuple(unchanged),
                resolved=tuple(resolved),
                reopened=tuple(reopened),
                queries_created=tuple(created),
                queries_cancelled=tuple(cancelled),
                tasks=tasks,
            )

    # --- queries ----------------------------------------------------------------------------------

    def transition(
        self, query_id: str, to_state: str | QueryState, actor: str, reason: str | None = None
    ) -> TaskView:
        """Move a query along its lifecycle (send, escalate, cancel); :class:`IllegalTransition` if the table
        forbids it. Completing a query takes an answer: use :meth:`record_answer`."""
        target = parse_state(to_state)
        now = self._now()
        with self._unit() as s:
            query = _lock_query(s, query_id)
            before = query.state
            _move(s, query, target, actor, now, reason)
            view = task_view(query)
        log.info("query %s: %s -> %s", query_id, before, target.value)
        return view

    def edit_query(self, query_id: str, text: str, options: Sequence[str], actor: str) -> TaskView:
        """Change a query's text and options: in place while a draft, as a new version once sent."""
        if not text.strip():
            raise ValueError("a query needs text")
        new_options = [str(option) for option in options]
        now = self._now()
        with self._unit() as s:
            query = _lock_query(s, query_id)
            check_editable(query.id, QueryState(query.state))
            current = query.versions[-1]
            if current.text == text and current.options == new_options:
                return task_view(query)
            if current.sent_at is None:
                current.text, current.options = text, new_options
                current.origin, current.created_by, current.created_at = "edit", actor, now
                _audit(
                    s,
                    now,
                    actor,
                    "query",
                    query.id,
                    "edited",
                    None,
                    None,
                    version=current.version,
                    replaced=True,
                )
            else:
                version = QueryVersionRow(
                    version=current.version + 1,
                    text=text,
                    options=new_options,
                    template=current.template,
                    origin="edit",
                    created_at=now,
                    created_by=actor,
                    sent_at=now,  # the physician already has this query: the new version is record at once
                )
                query.versions.append(version)
                query.current_version = version.version
                _audit(
                    s,
                    now,
                    actor,
                    "query",
                    query.id,
                    "edited",
                    None,
                    None,
                    version=version.version,
                    replaced=False,
                )
            query.updated_at = now
            s.flush()
            view = task_view(query)
        log.info("query %s edited", query_id)
        return view

    def record_answer(
        self,
        query_id: str,
        response_json: dict[str, Any],
        answered_by: str,
        chosen_option: str | None,
        free_text: str | None,
        outcome: str | AnswerOutcome,
        actor: str,
        *,
        answered_at: datetime | None = None,
    ) -> TaskView:
        """Store the physician's QuestionnaireResponse and complete the query (and close its finding).

        ``outcome`` classifies the answer for the agreement rate (:class:`AnswerOutcome`); ``answered_at``
        defaults to now (pass QuestionnaireResponse.authored when known).
        """
        kind = AnswerOutcome(outcome)
        now = self._now()
        with self._unit() as s:
            query = _lock_query(s, query_id)
            check_transition(query.id, QueryState(query.state), QueryState.COMPLETED, with_answer=True)
            query.answer = AnswerRow(
                version=query.current_version,
                response=response_json,
                answered_by=answered_by,
                answered_at=answered_at or now,
                chosen_option=chosen_option,
                free_text=free_text,
                outcome=kind.value,
                recorded_at=now,
                recorded_by=actor,
            )
            _move(
                s,
                query,
                QueryState.COMPLETED,
                actor,
                now,
                ANSWERED,
                with_answer=True,
                action="answered",
                outcome=kind.value,
                version=query.current_version,
            )
            s.flush()
            view = task_view(query)
        log.info("query %s answered", query_id)
        return view

    def get_task(self, query_id: str) -> TaskView:
        with self._read() as s:
            row = s.scalars(_task_select().where(QueryRow.id == query_id)).one_or_none()
            if row is None:
                raise NotFound("query", query_id)
            return task_view(row)

    def list_tasks(
        self,
        status: str | Sequence[str] | None = None,
        owner: str | None = None,
        encounter: str | None = None,
        patient: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[TaskView]:
        """Queries, oldest first (then by finding id), filtered by state(s), addressee, encounter, patient."""
        _check_page(limit, offset)
        stmt = _task_select()
        if status is not None:
            states = [status] if isinstance(status, str) else list(status)
            stmt = stmt.where(QueryRow.state.in_([parse_state(state).value for state in states]))
        if owner is not None:
            stmt = stmt.where(QueryRow.addressed_to == owner)
        if encounter is not None:
            stmt = stmt.where(EncounterRow.encounter_ref == encounter)
        if patient is not None:
            stmt = stmt.where(EncounterRow.patient_ref == patient)
        stmt = stmt.order_by(QueryRow.created_at, FindingRow.id, QueryRow.id).limit(limit).offset(offset)
        with self._read() as s:
            return [task_view(row) for row in s.scalars(stmt)]

    # --- findings, audit --------------------------------------------------------------------------

    def get_finding(self, finding_id: str) -> FindingView:
        with self._read() as s:
            row = s.scalars(_finding_select().where(FindingRow.id == finding_id)).one_or_none()
            if row is None:
                raise NotFound("finding", finding_id)
            return finding_view(row)

    def list_findings(
        self,
        patient: str | None = None,
        encounter: str | None = None,
        status: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[FindingView]:
        _check_page(limit, offset)
        stmt = _finding_select()
        if patient is not None:
            stmt = stmt.where(EncounterRow.patient_ref == patient)
        if encounter is not None:
            stmt = stmt.where(EncounterRow.encounter_ref == encounter)
        if status is not None:
            stmt = stmt.where(FindingRow.status == FindingStatus(status).value)
        stmt = (
            stmt.order_by(EncounterRow.key, FindingRow.first_seen, FindingRow.id).limit(limit).offset(offset)
        )
        with self._read() as s:
            return [finding_view(row) for row in s.scalars(stmt)]

    def audit_for(self, entity_id: str) -> list[AuditEntry]:
        """Every audit entry about one entity (a query id, a finding id, an encounter key), oldest first."""
        stmt = select(AuditRow).where(AuditRow.entity_id == entity_id).order_by(AuditRow.id)
        with self._read() as s:
            return [
                AuditEntry(
                    id=row.id,
                    at=row.at,
                    actor=row.actor,
                    entity=row.entity,
                    entity_id=row.entity_id,
                    action=row.action,
                    from_state=row.from_state,
                    to_state=row.to_state,
                    detail=dict(row.detail),
                )
                for row in s.scalars(stmt)
            ]

    # --- worklist, metrics ------------------------------------------------------------------------

    def worklist(self, limit: int = 50, offset: int = 0, patient: str | None = None) -> list[WorklistItem]:
        """Encounters with open findings, most open findings first, then the oldest open query first."""
        _check_page(limit, offset)
        now = self._now()
        counts = (
            select(FindingRow.encounter_id.label("eid"), func.count().label("n"))
            .where(FindingRow.status == FindingStatus.OPEN.value)
            .group_by(FindingRow.encounter_id)
            .subquery()
        )
        oldest = (
            select(
                FindingRow.encounter_id.label("eid"),
                func.min(QueryRow.created_at).label("oldest"),
                func.count(QueryRow.id).label("q"),
            )
            .join(QueryRow, QueryRow.finding_id == FindingRow.id)
            .where(QueryRow.state.in_(_OPEN))
            .group_by(FindingRow.encounter_id)
            .subquery()
        )
        stmt = (
            select(EncounterRow, counts.c.n, oldest.c.oldest, oldest.c.q)
            .join(counts, counts.c.eid == EncounterRow.id)
            .outerjoin(oldest, oldest.c.eid == EncounterRow.id)
        )
        if patient is not None:
            stmt = stmt.where(EncounterRow.patient_ref == patient)
        stmt = (
            stmt.order_by(counts.c.n.desc(), oldest.c.oldest.asc().nulls_last(), EncounterRow.key)
            .limit(limit)
            .offset(offset)
        )
        with self._read() as s:
            page = s.execute(stmt).all()
            kinds: dict[int, dict[str, int]] = {}
            if page:
                by_kind = (
                    select(FindingRow.encounter_id, FindingRow.kind, func.count())
                    .where(
                        FindingRow.status == FindingStatus.OPEN.value,
                        FindingRow.encounter_id.in_([enc.id for enc, *_ in page]),
                    )
                    .group_by(FindingRow.encounter_id, FindingRow.kind)
                )
                for eid, kind, n in s.execute(by_kind):
                    kinds.setdefault(eid, {})[kind] = n
        items = []
        for enc, n, oldest_at, open_queries in page:
            items.append(
                WorklistItem(
                    key=enc.key,
                    encounter=enc.encounter_ref,
                    patient=enc.patient_ref,
                    open_findings=n,
                    by_kind=dict(sorted(kinds.get(enc.id, {}).items())),
                    open_queries=open_queries or 0,
                    oldest_open_query_at=oldest_at,
                    oldest_open_query_age_hours=(now - oldest_at).total_seconds() / 3600
                    if oldest_at
                    else None,
                    encounter_status=enc.encounter_status,
                    discharged=_discharged(enc),
                    discharged_at=enc.discharged_at,
                    analysed_at=enc.analysed_at,
                )
            )
        return items

    def metrics(self, since: datetime | None = None, until: datetime | None = None) -> Metrics:
        """Query volume, response and agreement rates, median turnaround: overall, by topic, by provider.

        ``since`` / ``until`` bound the queries' creation time (half-open: since <= created < until).
        """
        stmt = (
            select(
                FindingRow.topic,
                QueryRow.addressed_to,
                QueryRow.state,
                QueryRow.sent_at,
                QueryRow.escalated_at,
                AnswerRow.answered_at,
                AnswerRow.outcome,
            )
            .join(FindingRow, QueryRow.finding_id == FindingRow.id)
            .outerjoin(AnswerRow, AnswerRow.query_id == QueryRow.id)
        )
        if since is not None:
            stmt = stmt.where(QueryRow.created_at >= since)
        if until is not None:
            stmt = stmt.where(QueryRow.created_at < until)
        with self._read() as s:
            facts = [QueryFacts(*row) for row in s.execute(stmt)]
        return compute(facts)


# --- helpers: one unit of work's steps -----------------------------------------------------------------


def _check_page(limit: int, offset: int) -> None:
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")


def _audit(
    s: Session,
    at: datetime,
    actor: str,
    entity: str,
    entity_id: str,
    action: str,
    from_state: str | None,
    to_state: str | None,
    **detail: Any,
) -> None:
    s.add(
        AuditRow(
            at=at,
            actor=actor,
            entity=entity,
            entity_id=entity_id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            detail=to_json(detail),
        )
    )


def _finding_columns(finding: Finding) -> dict[str, Any]:
    """The stored form of a finding's content: what decides whether a re-analysis changed it."""
    return {
        "kind": FindingKind(finding.kind).value,
        "topic": finding.topic,
        "axes": list(finding.axes),
        "summary": finding.summary,
        "evidence": to_json(finding.evidence),
        "indicators": to_json(finding.indicators),
        "detail": {
            "conflicting_values": list(finding.conflicting_values),
            "implicated_condition": finding.implicated_condition,
            "unspecified_code": finding.unspecified_code,
            "candidate_codes": list(finding.candidate_codes),
        },
    }


def _new_query(s: Session, finding: FindingRow, query: Query, actor: str, now: datetime) -> QueryRow:
    row = QueryRow(
        id=str(uuid.uuid4()),
        state=QueryState.DRAFT.value,
        format=query.format,
        addressed_to=query.to,
        addressed_to_display=query.to_display,
        current_version=1,
        created_at=now,
        created_by=actor,
        updated_at=now,
    )
    row.versions.append(
        QueryVersionRow(
            version=1,
            text=query.text,
            options=list(query.options),
            template=query.template,
            origin="analysis",
            created_at=now,
            created_by=actor,
        )
    )
    finding.queries.append(row)
    s.add(row)
    _audit(s, now, actor, "query", row.id, "created", None, row.state, finding_id=finding.id, version=1)
    return row


def _redraft(s: Session, row: QueryRow, query: Query, actor: str, now: datetime) -> None:
    """Refresh an unsent draft that the pipeline wrote when the pipeline now drafts it differently.

    A draft a person edited is theirs: it is left alone.
    """
    current = row.versions[-1]
    if current.origin != "analysis" or current.sent_at is not None:
        return
    new = (query.format, query.to, query.to_display, query.text, list(query.options), query.template)
    old = (
        row.format,
        row.addressed_to,
        row.addressed_to_display,
        current.text,
        current.options,
        current.template,
    )
    if new == old:
        return
    row.format, row.addressed_to, row.addressed_to_display = query.format, query.to, query.to_display
    current.text, current.options, current.template = query.text, list(query.options), query.template
    current.created_at, current.created_by = now, actor
    row.updated_at = now
    _audit(s, now, actor, "query", row.id, "redrafted", None, None, version=current.version)


def _move(
    s: Session,
    query: QueryRow,
    target: QueryState,
    actor: str,
    now: datetime,
    reason: str | None,
    *,
    with_answer: bool = False,
    action: str = "transition",
    **detail: Any,
) -> None:
    """Apply one lifecycle step (validated by the table), stamp its times, audit it, close the finding."""
    current = QueryState(query.state)
    check_transition(query.id, current, target, with_answer=with_answer)
    query.state = target.value
    query.updated_at = now
    if target == QueryState.REQUESTED:
        query.sent_at = query.sent_at or now
        for version in query.versions:
            version.sent_at = version.sent_at or now
    elif target == QueryState.ESCALATED:
        query.escalated_at = query.escalated_at or now
    elif target not in OPEN_STATES:
        query.closed_at = now
        query.close_reason = reason or CANCELLED_DEFAULT_REASON
    if reason is not None:
        detail["reason"] = reason
    _audit(s, now, actor, "query", query.id, action, current.value, target.value, **detail)
    if target not in OPEN_STATES and open_query(query.finding) is None:
        _close_finding(s, query.finding, query.close_reason or CANCELLED_DEFAULT_REASON, actor, now)


def _close_finding(s: Session, row: FindingRow, reason: str, actor: str, now: datetime) -> None:
    if row.status == FindingStatus.CLOSED:
        return
    row.status, row.close_reason, row.closed_at = FindingStatus.CLOSED.value, reason, now
    _audit(s, now, actor, "finding", row.id, "closed", "open", "closed", reason=reason)


def _lock_query(s: Session, query_id: str) -> QueryRow:
    stmt = (
        select(QueryRow)
        .where(QueryRow.id == query_id)
        .with_for_update(of=QueryRow)
        .options(
            selectinload(QueryRow.versions),
            selectinload(QueryRow.answer),
            selectinload(QueryRow.finding).selectinload(FindingRow.encounter),
            selectinload(QueryRow.finding).selectinload(FindingRow.queries),
        )
    )
    query = s.scalars(stmt).one_or_none()
    if query is None:
        raise NotFound("query", query_id)
    return query


def _discharged(enc: EncounterRow) -> bool | None:
    if enc.discharged_at is not None or enc.encounter_status == "finished":
        return True
    if enc.encounter_status in _NOT_DISCHARGED:
        return False
    return None


# --- selects that load what the views need ---------------------------------------------------------


def _task_select() -> Select[Any]:
    return (
        select(QueryRow)
        .join(QueryRow.finding)
        .join(FindingRow.encounter)
        .options(
            contains_eager(QueryRow.finding).contains_eager(FindingRow.encounter),
            selectinload(QueryRow.versions),
            selectinload(QueryRow.answer),
        )
    )


def _finding_select() -> Select[Any]:
    return (
        select(FindingRow)
        .join(FindingRow.encounter)
        .options(
            contains_eager(FindingRow.encounter),
            selectinload(FindingRow.queries).selectinload(QueryRow.versions),
        )
    )
