"""Persistent store of the CDI query assistant: analyses, findings, queries and their versions, answers,
and an append-only audit log, in SQLite (default) or PostgreSQL, with Alembic-managed schema.

Use :class:`Store` (``Store.from_env()`` reads ``CDI_DATABASE_URL``); it migrates the database on start-up.
"""

from cdi.store.errors import IllegalTransition, ImmutableRecord, NotFound, StoreError
from cdi.store.lifecycle import TRANSITIONS, AnswerOutcome, FindingStatus, QueryState
from cdi.store.migrate import upgrade_to_head
from cdi.store.repository import Store
from cdi.store.views import (
    AnalysisOutcome,
    AnswerView,
    AuditEntry,
    FindingView,
    Metrics,
    MetricsRow,
    QueryVersionView,
    TaskView,
    WorklistItem,
)

__all__ = [
    "TRANSITIONS",
    "AnalysisOutcome",
    "AnswerOutcome",
    "AnswerView",
    "AuditEntry",
    "FindingStatus",
    "FindingView",
    "IllegalTransition",
    "ImmutableRecord",
    "Metrics",
    "MetricsRow",
    "NotFound",
    "QueryState",
    "QueryVersionView",
    "Store",
    "StoreError",
    "TaskView",
    "WorklistItem",
    "upgrade_to_head",
]
