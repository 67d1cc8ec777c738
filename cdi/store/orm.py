"""ORM tables of the store. The schema itself is owned by the Alembic migrations next to this module.

The migrations must create exactly this metadata (a test compares them), so a change here always comes
with a new file under ``migrations/versions``.

Rows are never deleted, and the rows that form the permanent business record (audit entries, answers,
query versions once sent) are never changed: :func:`guard_append_only` enforces that in every session the
store opens.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.attributes import get_history

from cdi.store.errors import ImmutableRecord

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

REF = 255  # FHIR reference "Type/id": id is at most 64 characters


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases.

    SQLite has no timezone type: values are stored as naive UTC (which also keeps them sortable as text) and
    come back aware; PostgreSQL stores ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class EncounterRow(Base):
    """An encounter (or, without one, a patient) as last analysed. ``key`` is encounter, else patient."""

    __tablename__ = "encounters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(REF), unique=True)
    encounter_ref: Mapped[str | None] = mapped_column(String(REF))
    patient_ref: Mapped[str | None] = mapped_column(String(REF), index=True)
    content_hash: Mapped[str] = mapped_column(String(128))
    first_analysed_at: Mapped[datetime]
    analysed_at: Mapped[datetime]
    encounter_status: Mapped[str | None] = mapped_column(String(32))
    discharged_at: Mapped[datetime | None]

    findings: Mapped[list[FindingRow]] = relationship(back_populates="encounter", order_by="FindingRow.id")


class AnalysisRow(Base):
    """One call of ``upsert_analysis``: the history of what was analysed when, with which input hash."""

    __tablename__ = "analyses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(128))
    analysed_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(REF))
    findings: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[int] = mapped_column(Integer)
    reopened: Mapped[int] = mapped_column(Integer)


class FindingRow(Base):
    """A documentation gap. Its id is ``Finding.id``, stable for the same (encounter, kind, topic)."""

    __tablename__ = "findings"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        Index(None, "encounter_id", "status"),
        Index(None, "status"),
    )

    id: Mapped[str] = mapped_column(String(REF), primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"))
    kind: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(String(64))
    axes: Mapped[list[Any]]
    status: Mapped[str] = mapped_column(String(16))
    close_reason: Mapped[str | None] = mapped_column(String(REF))
    summary: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[Any]]
    indicators: Mapped[list[Any]]
    detail: Mapped[dict[str, Any]]
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    encounter: Mapped[EncounterRow] = relationship(back_populates="findings")
    queries: Mapped[list[QueryRow]] = relationship(
        back_populates="finding", order_by="(QueryRow.created_at, QueryRow.id)"
    )


class QueryRow(Base):
    """A physician query (a FHIR Task): its lifecycle state and addressee; the text lives in versions."""

    __tablename__ = "queries"
    __table_args__ = (
        CheckConstraint(
            "state IN ('draft', 'requested', 'completed', 'cancelled', 'escalated')", name="state"
        ),
        Index(None, "state"),
        Index(None, "addressed_to"),
        Index(None, "finding_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    finding_id: Mapped[str] = mapped_column(ForeignKey("findings.id"))
    state: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(32))
    addressed_to: Mapped[str | None] = mapped_column(String(REF))
    addressed_to_display: Mapped[str | None] = mapped_column(String(REF))
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(REF))
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(REF))

    finding: Mapped[FindingRow] = relationship(back_populates="queries")
    versions: Mapped[list[QueryVersionRow]] = relationship(
        back_populates="query", order_by="QueryVersionRow.version"
    )
    answer: Mapped[AnswerRow | None] = relationship(back_populates="query")


class QueryVersionRow(Base):
    """One version of a query's text and options; frozen from ``sent_at`` on."""

    __tablename__ = "query_versions"
    __table_args__ = (UniqueConstraint("query_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    query_id: Mapped[str] = mapped_column(ForeignKey("queries.id"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list[Any]]
    template: Mapped[str | None] = mapped_column(String(REF))
    origin: Mapped[str] = mapped_column(String(16))  # "analysis" or "edit"
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(REF))
    sent_at: Mapped[datetime | None]

    query: Mapped[QueryRow] = relationship(back_populates="versions")


class AnswerRow(Base):
    """The physician's answer (a QuestionnaireResponse) to one query version."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    query_id: Mapped[str] = mapped_column(ForeignKey("queries.id"), unique=True)
    version: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]]
    answered_by: Mapped[str] = mapped_column(String(REF))
    answered_at: Mapped[datetime]
    chosen_option: Mapped[str | None] = mapped_column(Text)
    free_text: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(REF))

    query: Mapped[QueryRow] = relationship(back_populates="answer")


class AuditRow(Base):
    """Append-only log of every change: who, when, which entity, what happened. ``detail`` holds ids,
    states, counts and reasons, never note text."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(REF))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(REF))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]]


_FROZEN_TYPES = (AuditRow, AnswerRow)


def guard_append_only(session: Session, flush_context: object, instances: object) -> None:
    """``before_flush`` hook: refuse deletes, and changes to audit entries, answers and sent versions."""
    if session.deleted:
        raise ImmutableRecord("the store never deletes: a query is part of the business record")
    for obj in session.dirty:
        if not session.is_modified(obj):
            continue
        if isinstance(obj, _FROZEN_TYPES):
            raise ImmutableRecord(f"{type(obj).__tablename__} rows are never changed")
        if isinstance(obj, QueryVersionRow):
            history = get_history(obj, "sent_at")
            before = [*(history.unchanged or ()), *(history.deleted or ())]
            if any(value is not None for value in before):
                raise ImmutableRecord("a sent query version is never changed")
