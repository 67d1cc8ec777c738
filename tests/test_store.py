"""The persistent store, against SQLite (a temporary file) and PostgreSQL (a fresh schema per test).

PostgreSQL is the server at ``$CDI_TEST_POSTGRES_URL`` (default: the local one, database ``test``). Each test
gets its own schema (``search_path`` in the URL), created from a prefix unique to this session and dropped
after the test. When the server cannot be reached the PostgreSQL tests skip, except in CI (``CI=true``),
where they fail.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, func, inspect, make_url, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from cdi.models import Evidence, Finding, FindingKind, Indicator, Query
from cdi.store import (
    TRANSITIONS,
    IllegalTransition,
    ImmutableRecord,
    NotFound,
    QueryState,
    Store,
    StoreError,
    upgrade_to_head,
)
from cdi.store.engine import database_url
from cdi.store.lifecycle import NEEDS_ANSWER
from cdi.store.migrate import alembic_config
from cdi.store.orm import AuditRow, Base, QueryVersionRow

PG_URL = os.environ.get("CDI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
T0 = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
ENC, PAT = "Encounter/e1", "Patient/p1"
SNIPPET = "possible CHF exacerbation"


# --- fixtures ------------------------------------------------------------------------------------------


class Clock:
    """The store's clock, moved by hand so that times and durations are exact."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_postgres(url: str) -> Engine:
    """An engine on the server, or a skip (outside CI) / a failure (in CI) that says why not."""
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        engine.dispose()
        where = make_url(url).render_as_string(hide_password=True)
        message = f"PostgreSQL not reachable at {where} ({type(error.orig).__name__})"
        if _in_ci():
            pytest.fail(f"{message}; CI needs it for the store tests")
        pytest.skip(f"{message}; set CDI_TEST_POSTGRES_URL or start the server (in CI this fails)")
    return engine


@dataclass
class PostgresServer:
    engine: Engine
    prefix: str  # unique to this test session; every schema this session creates starts with it


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    engine = require_postgres(PG_URL)
    server = PostgresServer(engine, f"cdi_test_{uuid.uuid4().hex[:10]}")
    yield server
    with engine.begin() as connection:
        leftovers = connection.scalars(
            text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"), {"p": server.prefix + "%"}
        ).all()
        for schema in leftovers:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/cdi.db"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    schema = f"{server.prefix}_{uuid.uuid4().hex[:8]}"
    with server.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield (
        make_url(PG_URL)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    with server.engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(url: str, clock: Clock) -> Iterator[Store]:
    with Store(url, clock=clock) as opened:
        yield opened


def make_finding(
    fid: str,
    *,
    encounter: str | None = ENC,
    patient: str | None = PAT,
    kind: FindingKind = FindingKind.UNCERTAIN,
    topic: str = "heart_failure",
    to: str = "Practitioner/3",
    text_: str | None = None,
    summary: str = "heart failure documented only as possible",
    query: bool = True,
) -> Finding:
    return Finding(
        id=fid,
        kind=kind,
        topic=topic,
        encounter=encounter,
        patient=patient,
        axes=("acuity", "type") if kind == FindingKind.UNSPECIFIED else (),
        evidence=(
            Evidence(
                document="DocumentReference/55",
                section="assessment_and_plan",
                text=SNIPPET,
                start=1302,
                end=1327,
                date=T0 - timedelta(days=1),
            ),
        ),
        indicators=(
            Indicator(source="Observation/7", name="BNP", value="1450 pg/mL", time=T0 - timedelta(days=1)),
        ),
        summary=summary,
        candidate_codes=("I50.21", "I50.23"),
        query=Query(
            format="multiple_choice",
            to=to,
            to_display="Dr A",
            text=text_ or f"Please clarify the diagnosis for finding {fid}.",
            options=("Confirmed", "Ruled out", "Other (please specify)", "Unable to determine"),
            template="uncertain.j2",
        )
        if query
        else None,
    )


def analyse(store: Store, *fids: str, encounter: str = ENC, patient: str = PAT, **kwargs: object) -> object:
    findings = [make_finding(fid, encounter=encounter, patient=patient) for fid in fids]
    return store.upsert_analysis(encounter, patient, f"hash-{'-'.join(fids)}", findings, "pipeline", **kwargs)


def row_counts(store: Store) -> dict[str, int]:
    with Session(store.engine) as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def answer(store: Store, query_id: str, outcome: str = "diagnosis", **kwargs: object) -> object:
    response = {"resourceType": "QuestionnaireResponse", "status": "completed"}
    return store.record_answer(
        query_id, response, "Practitioner/3", "Confirmed", None, outcome, "cdi-specialist", **kwargs
    )


# --- schema and configuration --------------------------------------------------------------------------


def test_migration_creates_exactly_the_orm_tables(store: Store) -> None:
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(connection).get_table_names())
        version = connection.scalar(text("SELECT version_num FROM alembic_version"))
    assert diff == []
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head() == "0001"


def test_start_up_migration_runs_again_harmlessly(url: str, clock: Clock) -> None:
    with Store(url, clock=clock) as first:
        analyse(first, "f1")
    upgrade_to_head(url)
    with Store(url, clock=clock) as second:
        assert [f.id for f in second.list_findings()] == ["f1"]


def test_database_url_defaults_to_sqlite_file_and_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.delenv("CDI_DATABASE_URL", raising=False)
    assert database_url().render_as_string() == "sqlite:///cdi.db"
    monkeypatch.setenv("CDI_DATABASE_URL", "postgresql://u@db:5432/cdi")
    assert database_url().drivername == "postgresql+psycopg"
    monkeypatch.setenv("CDI_DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    with Store.from_env() as store:
        assert store.engine.url.database == f"{tmp_path}/env.db"


def test_postgres_unreachable_fails_in_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    nowhere = "postgresql+psycopg://postgres@127.0.0.1:1/test"
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="not reachable"):
        require_postgres(nowhere)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="not reachable"):
        require_postgres(nowhere)


# --- analyses ------------------------------------------------------------------------------------------


def test_reanalysis_with_the_same_findings_changes_only_last_seen(store: Store, clock: Clock) -> None:
    first = analyse(store, "f1", "f2")
    tasks_before = store.list_tasks()
    audit_before = {fid: store.audit_for(fid) for fid in ("f1", "f2")}
    clock.advance(hours=6)
    second = analyse(store, "f1", "f2")

    assert first.added == ("f1", "f2") and len(first.queries_created) == 2
    assert second.added == () and second.unchanged == ("f1", "f2") and second.queries_created == ()
    assert second.tasks == first.tasks
    tasks_after = store.list_tasks()
    assert [(t.id, t.version, len(t.versions), t.text) for t in tasks_after] == [
        (t.id, t.version, len(t.versions), t.text) for t in tasks_before
    ]
    for view in store.list_findings():
        assert (view.first_seen, view.last_seen, view.status) == (T0, clock.now, "open")
        assert store.audit_for(view.id) == audit_before[view.id]
    assert [e.action for e in store.audit_for(ENC)] == ["analysed", "analysed"]


def test_finding_absent_from_reanalysis_is_resolved_by_documentation(store: Store, clock: Clock) -> None:
    first = analyse(store, "f1", "f2")
    store.transition(first.tasks["f2"], "requested", "cdi-specialist")
    clock.advance(hours=2)
    second = analyse(store, "f1")

    assert second.resolved == ("f2",) and second.queries_cancelled == (first.tasks["f2"],)
    f2 = store.get_finding("f2")
    assert (f2.status, f2.close_reason, f2.closed_at) == ("closed", "resolved by documentation", clock.now)
    task = store.get_task(first.tasks["f2"])
    assert (task.state, task.close_reason) == ("cancelled", "resolved by documentation")
    assert store.get_finding("f1").status == "open"
    assert store.get_task(first.tasks["f1"]).state == "draft"


def test_new_findings_are_added_with_a_draft_query(store: Store) -> None:
    analyse(store, "f1")
    outcome = analyse(store, "f1", "f3")
    assert outcome.added == ("f3",) and outcome.unchanged == ("f1",)
    task = store.get_task(outcome.tasks["f3"])
    assert (task.state, task.version, task.addressed_to, task.finding_id) == (
        "draft",
        1,
        "Practitioner/3",
        "f3",
    )
    assert task.versions[0].origin == "analysis" and task.versions[0].sent_at is None
    assert task.options[-1] == "Unable to determine"


def test_finding_without_query_is_stored_without_a_task(store: Store) -> None:
    finding = make_finding("f1", query=False)
    outcome = store.upsert_analysis(ENC, PAT, "h", [finding], "pipeline")
    assert outcome.tasks == {} and store.list_tasks() == []
    assert store.get_finding("f1").query_id is None


def test_finding_resolved_by_documentation_reopens_when_it_returns(store: Store) -> None:
    first = analyse(store, "f1")
    analyse(store, "f2")  # f1 resolved by documentation
    third = analyse(store, "f1", "f2")
    assert third.reopened == ("f1",) and third.queries_created == (third.tasks["f1"],)
    assert third.tasks["f1"] != first.tasks["f1"]
    assert store.get_task(first.tasks["f1"]).state == "cancelled"
    f1 = store.get_finding("f1")
    assert (f1.status, f1.close_reason, f1.query_id) == ("open", None, third.tasks["f1"])
    assert [e.action for e in store.audit_for("f1")] == ["added", "closed", "reopened"]


def test_answered_finding_stays_closed_when_the_analysis_still_sees_it(store: Store) -> None:
    first = analyse(store, "f1")
    store.transition(first.tasks["f1"], "requested", "cdi-specialist")
    answer(store, first.tasks["f1"])
    again = analyse(store, "f1")
    assert again.queries_created == () and again.reopened == () and again.tasks == {}
    assert store.get_finding("f1").close_reason == "answered"
    assert len(store.list_tasks()) == 1


def test_changed_finding_refreshes_an_untouched_draft_but_not_an_edited_one(store: Store) -> None:
    first = analyse(store, "f1", "f2")
    store.edit_query(
        first.tasks["f2"], "Specialist wording", ["A", "Other (please specify)"], "cdi-specialist"
    )
    changed = [make_finding(fid, summary="new summary", text_=f"New wording {fid}") for fid in ("f1", "f2")]
    outcome = store.upsert_analysis(ENC, PAT, "h2", changed, "pipeline")

    assert outcome.updated == ("f1", "f2") and outcome.queries_created == ()
    assert store.get_finding("f1").summary == "new summary"
    refreshed, kept = store.get_task(first.tasks["f1"]), store.get_task(first.tasks["f2"])
    assert (refreshed.text, refreshed.version) == ("New wording f1", 1)
    assert (kept.text, kept.versions[0].origin) == ("Specialist wording", "edit")
    assert [e.action for e in store.audit_for("f1")] == ["added", "updated"]
    assert [e.detail.get("fields") for e in store.audit_for("f1")][1] == ["summary"]


def test_analysis_input_is_validated(store: Store) -> None:
    with pytest.raises(ValueError, match="duplicate"):
        store.upsert_analysis(ENC, PAT, "h", [make_finding("f1"), make_finding("f1")], "pipeline")
    with pytest.raises(ValueError, match="belong"):
        store.upsert_analysis(ENC, PAT, "h", [make_finding("f1", encounter="Encounter/other")], "pipeline")
    with pytest.raises(ValueError, match="encounter or a patient"):
        store.upsert_analysis(None, None, "h", [], "pipeline")
    analyse(store, "f1")
    with pytest.raises(StoreError, match="another encounter"):
        analyse(store, "f1", encounter="Encounter/e2")
    assert [f.encounter for f in store.list_findings()] == [ENC]


def test_patient_level_analysis_without_encounter(store: Store) -> None:
    finding = make_finding("p1", encounter=None)
    outcome = store.upsert_analysis(None, PAT, "h", [finding], "pipeline")
    assert outcome.key == PAT
    assert store.list_findings(patient=PAT)[0].encounter is None


def test_finding_view_round_trips_to_the_value_object(store: Store) -> None:
    finding = make_finding("f1", kind=FindingKind.UNSPECIFIED)
    store.upsert_analysis(ENC, PAT, "h", [finding], "pipeline")
    assert store.get_finding("f1").to_finding() == finding


# --- lifecycle -----------------------------------------------------------------------------------------

ROUTES: dict[QueryState, list[str]] = {
    QueryState.DRAFT: [],
    QueryState.REQUESTED: ["requested"],
    QueryState.ESCALATED: ["requested", "escalated"],
    QueryState.CANCELLED: ["cancelled"],
    QueryState.COMPLETED: ["requested", "answer"],
}


def drive(store: Store, query_id: str, state: QueryState) -> None:
    for step in ROUTES[state]:
        if step == "answer":
            answer(store, query_id)
        else:
            store.transition(query_id, step, "cdi-specialist")


@pytest.mark.parametrize("start", list(QueryState))
def test_every_transition_from_a_state_is_legal_or_refused(store: Store, start: QueryState) -> None:
    targets = list(QueryState)
    outcome = analyse(store, *(f"f{i}" for i in range(len(targets))))
    for i, target in enumerate(targets):
        query_id = outcome.tasks[f"f{i}"]
        drive(store, query_id, start)
        audit = store.audit_for(query_id)
        legal = target in TRANSITIONS[start] and target not in NEEDS_ANSWER
        if legal:
            task = store.transition(query_id, target, "cdi-specialist", reason="test")
            assert task.state == target
            last = store.audit_for(query_id)[-1]
            assert (last.from_state, last.to_state, last.actor) == (
                start.value,
                target.value,
                "cdi-specialist",
            )
        else:
            with pytest.raises(IllegalTransition) as refused:
                store.transition(query_id, target, "cdi-specialist")
            assert (refused.value.from_state, refused.value.to_state) == (start.value, target.value)
            assert store.get_task(query_id).state == start
            assert store.audit_for(query_id) == audit
    # answering is legal exactly where the table allows completion
    query_id = analyse(store, "answer-me").tasks["answer-me"]
    drive(store, query_id, start)
    if QueryState.COMPLETED in TRANSITIONS[start]:
        assert answer(store, query_id).state == "completed"
    else:
        before = store.get_task(query_id)
        with pytest.raises(IllegalTransition):
            answer(store, query_id)
        assert store.get_task(query_id) == before


def test_transition_table_is_the_documented_lifecycle() -> None:
    legal = {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets}
    assert legal == {
        ("draft", "requested"),
        ("draft", "cancelled"),
        ("requested", "completed"),
        ("requested", "cancelled"),
        ("requested", "escalated"),
        ("escalated", "completed"),
        ("escalated", "cancelled"),
    }


def test_unknown_state_or_query_is_refused(store: Store) -> None:
    query_id = analyse(store, "f1").tasks["f1"]
    with pytest.raises(ValueError, match="unknown query state"):
        store.transition(query_id, "sent", "cdi-specialist")
    with pytest.raises(NotFound):
        store.transition("no-such-query", "requested", "cdi-specialist")
    with pytest.raises(NotFound):
        store.get_task("no-such-query")


def test_cancelling_a_query_closes_its_finding_with_the_reason(store: Store) -> None:
    query_id = analyse(store, "f1").tasks["f1"]
    store.transition(query_id, "cancelled", "cdi-specialist", reason="not clinically supported")
    finding = store.get_finding("f1")
    assert (finding.status, finding.close_reason) == ("closed", "not clinically supported")
    assert analyse(store, "f1").tasks == {}  # a person's decision stands on re-analysis


# --- versions ------------------------------------------------------------------------------------------


def test_edit_replaces_the_draft_before_sending(store: Store, clock: Clock) -> None:
    query_id = analyse(store, "f1").tasks["f1"]
    clock.advance(minutes=5)
    task = store.edit_query(
        query_id, "Clarified wording", ["Yes", "No", "Unable to determine"], "cdi-specialist"
    )
    assert (task.version, len(task.versions), task.text) == (1, 1, "Clarified wording")
    version = task.versions[0]
    assert (version.origin, version.created_by, version.created_at) == ("edit", "cdi-specialist", clock.now)
    assert [e.detail for e in store.audit_for(query_id) if e.action == "edited"] == [
        {"version": 1, "replaced": True}
    ]


def test_edit_after_sending_makes_a_new_version_and_keeps_history(store: Store, clock: Clock) -> None:
    query_id = analyse(store, "f1").tasks["f1"]
    original = store.get_task(query_id).text
    clock.advance(hours=1)
    store.transition(query_id, "requested", "cdi-specialist")
    sent_at = clock.now
    clock.advance(hours=1)
    store.edit_query(query_id, "Second wording", ["A", "Unable to determine"], "cdi-specialist")
    clock.advance(hours=1)
    task = store.edit_query(query_id, "Third wording", ["B", "Unable to determine"], "cdi-manager")

    assert [v.version for v in task.versions] == [1, 2, 3] and task.version == 3
    assert [v.text for v in task.versions] == [original, "Second wording", "Third wording"]
    assert task.versions[0].sent_at == sent_at and all(v.sent_at is not None for v in task.versions)
    assert (task.text, task.options, task.versions[2].created_by) == (
        "Third wording",
        ("B", "Unable to determine"),
        "cdi-manager",
    )
    unchanged = store.edit_query(query_id, "Third wording", ["B", "Unable to determine"], "cdi-manager")
    assert unchanged.version == 3
    answered = answer(store, query_id)
    assert answered.answer is not None and answered.answer.version == 3
    with pytest.raises(IllegalTransition):
        store.edit_query(query_id, "Too late", [], "cdi-specialist")
    with pytest.raises(ValueError):
        store.edit_query(analyse(store, "f1", "f2").tasks["f2"], "  ", [], "cdi-specialist")


def test_sent_versions_and_audit_rows_cannot_be_changed_or_deleted(store: Store) -> None:
    query_id = analyse(store, "f1").tasks["f1"]
    store.transition(query_id, "requested", "cdi-specialist")
    with store._write() as session:  # the store's own session factory, guard included
        version = session.scalars(select(QueryVersionRow).where(QueryVersionRow.query_id == query_id)).one()
        version.text = "rewritten"
        with pytest.raises(ImmutableRecord):
            session.flush()
    with store._write() as session:
        session.delete(session.scalars(select(AuditRow)).first())
        with pytest.raises(ImmutableRecord):
            session.flush()
    assert store.get_task(query_id).text != "rewritten"


# --- answers and audit ---------------------------------------------------------------------------------


def test_recording_an_answer_completes_the_task_and_closes_the_finding(store: Store, clock: Clock) -> None:
    query_id = analyse(store, "f1").tasks["f1"]
    store.transition(query_id, "requested", "cdi-specialist")
    clock.advance(hours=3)
    authored = clock.now - timedelta(minutes=30)
    response = {"resourceType": "QuestionnaireResponse", "status": "completed", "item": [{"linkId": "1"}]}
    task = store.record_answer(
        query_id, response, "Practitioner/3", "Other (please specify)", "acute on chronic", "diagnosis",
        "cdi-specialist", answered_at=authored,
    )  # fmt: skip
    assert (task.state, task.close_reason, task.closed_at) == ("completed", "answered", clock.now)
    assert task.answer is not None
    assert (task.answer.response, task.answer.answered_at, task.answer.recorded_at) == (
        response,
        authored,
        clock.now,
    )
    assert (task.answer.chosen_option, task.answer.free_text, task.answer.outcome) == (
        "Other (please specify)",
        "acute on chronic",
        "diagnosis",
    )
    assert store.get_finding("f1").close_reason == "answered"
    assert [(e.action, e.to_state) for e in store.audit_for(query_id)][-1] == ("answered", "completed")
    with pytest.raises(IllegalTransition):
        answer(store, query_id)
    with pytest.raises(ValueError):
        answer(store, analyse(store, "f1", "f2").tasks["f2"], outcome="maybe")


def test_every_change_is_audited_and_nothing_is_ever_deleted(store: Store, clock: Clock) -> None:
    counts = [row_counts(store)]
    steps = [
        lambda: analyse(store, "f1", "f2"),
        lambda: store.transition(store.list_tasks()[0].id, "requested", "cdi-specialist"),
        lambda: store.edit_query(store.list_tasks()[0].id, "Edited", ["X", "Unable to determine"], "cdi"),
        lambda: analyse(store, "f1"),
        lambda: answer(store, store.list_tasks()[0].id),
        lambda: analyse(store, "f3"),
    ]
    for step in steps:
        clock.advance(hours=1)
        step()
        counts.append(row_counts(store))
    for before, after in zip(counts, counts[1:], strict=False):
        assert all(after[table] >= before[table] for table in before)
        assert after["audit_log"] > before["audit_log"]  # every step leaves a trace
    assert counts[-1]["findings"] == 3 and counts[-1]["queries"] == 3 and counts[-1]["analyses"] == 3

    q1, q2 = (t.id for t in store.list_tasks(encounter=ENC)[:2])
    assert [(e.action, e.from_state, e.to_state) for e in store.audit_for(q1)] == [
        ("created", None, "draft"),
        ("transition", "draft", "requested"),
        ("edited", None, None),
        ("answered", "requested", "completed"),
    ]
    assert [(e.action, e.to_state, e.detail.get("reason")) for e in store.audit_for(q2)] == [
        ("created", "draft", None),
        ("transition", "cancelled", "resolved by documentation"),
    ]
    assert [(e.action, e.detail.get("reason")) for e in store.audit_for("f1")] == [
        ("added", None),
        ("closed", "answered"),
    ]
    entries = store.audit_for(ENC)
    assert [e.detail["resolved"] for e in entries] == [0, 1, 0]
    assert all(SNIPPET not in str(e.detail) for e in entries)


def test_log_lines_carry_no_identifiers_or_note_text(
    store: Store, caplog: pytest.LogCaptureFixture, url: str, clock: Clock
) -> None:
    caplog.set_level(logging.DEBUG)
    with Store(url, clock=clock) as again:
        outcome = analyse(again, "f1", "f2")
    store.transition(outcome.tasks["f1"], "requested", "cdi-specialist")
    store.edit_query(outcome.tasks["f1"], "New wording", ["A"], "cdi-specialist")
    answer(store, outcome.tasks["f1"])
    analyse(store, "f1")
    messages = [record.getMessage() for record in caplog.records]
    assert any("analysis stored" in m for m in messages)
    for message in messages:
        assert ENC not in message and PAT not in message and SNIPPET not in message
        assert "Dr A" not in message and "Practitioner/3" not in message


# --- worklist, metrics, listings -----------------------------------------------------------------------


def test_worklist_ranks_by_open_findings_then_oldest_open_query(store: Store, clock: Clock) -> None:
    analyse(store, "b1", encounter="Encounter/b", patient="Patient/b")  # oldest single-finding encounter
    clock.advance(hours=1)
    analyse(
        store, "a1", "a2", "a3", encounter="Encounter/a", patient="Patient/a", encounter_status="in-progress"
    )
    clock.advance(hours=1)
    analyse(store, "c1", encounter="Encounter/c", patient="Patient/c", discharged_at=clock.now)
    analyse(store, "d1", encounter="Encounter/d", patient="Patient/d")
    analyse(store, encounter="Encounter/d", patient="Patient/d")  # d resolved: not on the worklist
    store.transition(store.list_tasks(encounter="Encounter/a")[0].id, "cancelled", "cdi", reason="duplicate")
    clock.advance(hours=4)

    items = store.worklist()
    assert [i.key for i in items] == ["Encounter/a", "Encounter/b", "Encounter/c"]
    a, b, c = items
    assert (a.open_findings, a.by_kind, a.open_queries) == (2, {"uncertain": 2}, 2)
    assert (a.discharged, a.encounter_status) == (False, "in-progress")
    assert (b.oldest_open_query_at, b.oldest_open_query_age_hours, b.discharged) == (T0, 6.0, None)
    assert (c.discharged, c.discharged_at, c.oldest_open_query_age_hours) == (
        True,
        T0 + timedelta(hours=2),
        4.0,
    )
    assert [i.key for i in store.worklist(limit=1, offset=1)] == ["Encounter/b"]
    assert [i.key for i in store.worklist(patient="Patient/c")] == ["Encounter/c"]


def test_metrics_arithmetic_on_a_hand_made_history(store: Store, clock: Clock) -> None:
    hf = [make_finding(f"hf{i}", to="Practitioner/1") for i in range(4)]
    sepsis = [make_finding(f"sep{i}", topic="sepsis", to="Practitioner/2") for i in range(3)]
    tasks = store.upsert_analysis(ENC, PAT, "h", hf + sepsis, "pipeline").tasks
    for fid in ("hf0", "hf1", "hf2", "hf3", "sep0", "sep1"):  # sep2 stays a draft
        store.transition(tasks[fid], "requested", "cdi")
    sent = clock.now
    answer(store, tasks["hf0"], "diagnosis", answered_at=sent + timedelta(hours=2))
    answer(store, tasks["hf1"], "ruled_out", answered_at=sent + timedelta(hours=4))
    store.transition(tasks["sep0"], "escalated", "cdi")
    answer(store, tasks["sep0"], "diagnosis", answered_at=sent + timedelta(hours=10))
    store.transition(tasks["hf2"], "cancelled", "cdi", reason="patient transferred")
    # hf3 and sep1 await an answer

    metrics = store.metrics()
    overall = metrics.overall
    assert (overall.drafted, overall.sent, overall.answered, overall.cancelled) == (7, 6, 3, 1)
    assert (overall.escalated, overall.awaiting) == (1, 2)
    assert overall.outcomes == {"diagnosis": 2, "ruled_out": 1}
    assert overall.response_rate == pytest.approx(3 / 6)
    assert overall.agreement_rate == pytest.approx(2 / 3)
    assert overall.median_turnaround_hours == pytest.approx(4.0)

    hf_row, sepsis_row = metrics.by_topic["heart_failure"], metrics.by_topic["sepsis"]
    assert (hf_row.sent, hf_row.answered, hf_row.response_rate, hf_row.agreement_rate) == (4, 2, 0.5, 0.5)
    assert hf_row.median_turnaround_hours == pytest.approx(3.0)
    assert (sepsis_row.drafted, sepsis_row.sent, sepsis_row.answered, sepsis_row.agreement_rate) == (
        3,
        2,
        1,
        1.0,
    )
    assert sepsis_row.median_turnaround_hours == pytest.approx(10.0)
    assert metrics.by_provider.keys() == {"Practitioner/1", "Practitioner/2"}
    assert metrics.by_provider["Practitioner/2"] == sepsis_row

    assert store.metrics(since=clock.now + timedelta(seconds=1)).overall.drafted == 0
    empty = store.metrics(until=T0).overall
    assert (empty.sent, empty.response_rate, empty.agreement_rate, empty.median_turnaround_hours) == (
        0,
        None,
        None,
        None,
    )


def test_listing_filters_and_paging(store: Store, clock: Clock) -> None:
    one = analyse(store, "a1", "a2", "a3", encounter="Encounter/a", patient="Patient/x")
    clock.advance(minutes=1)
    two = store.upsert_analysis(
        "Encounter/b", "Patient/y", "h",
        [make_finding("b1", encounter="Encounter/b", patient="Patient/y", to="Practitioner/9")], "pipeline",
    )  # fmt: skip
    store.transition(one.tasks["a1"], "requested", "cdi")
    store.transition(one.tasks["a2"], "cancelled", "cdi")

    ids = [t.id for t in store.list_tasks()]
    assert len(ids) == 4 and ids[-1] == two.tasks["b1"]
    assert [t.id for t in store.list_tasks(limit=2)] + [
        t.id for t in store.list_tasks(limit=2, offset=2)
    ] == ids
    assert [t.id for t in store.list_tasks(status="requested")] == [one.tasks["a1"]]
    assert {t.id for t in store.list_tasks(status=["draft", "requested"])} == {
        one.tasks["a1"],
        one.tasks["a3"],
        two.tasks["b1"],
    }
    assert [t.id for t in store.list_tasks(owner="Practitioner/9")] == [two.tasks["b1"]]
    assert {t.finding_id for t in store.list_tasks(encounter="Encounter/a")} == {"a1", "a2", "a3"}
    assert [t.patient for t in store.list_tasks(patient="Patient/y")] == ["Patient/y"]
    assert store.list_tasks(owner="Practitioner/none") == []

    assert [f.id for f in store.list_findings(patient="Patient/x")] == ["a1", "a2", "a3"]
    assert [f.id for f in store.list_findings(status="closed")] == ["a2"]
    assert [f.id for f in store.list_findings(encounter="Encounter/b", status="open")] == ["b1"]
    assert [f.id for f in store.list_findings(limit=2, offset=1)] == ["a2", "a3"]
    with pytest.raises(ValueError):
        store.list_tasks(status="unknown")
    with pytest.raises(ValueError):
        store.list_findings(limit=-1)
