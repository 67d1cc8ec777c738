"""Tests of the answer loop (cdi/answers.py): a drafted query stored, sent, answered and read back through a
real Store on SQLite; each refusal with its code; the documentation outcome of each kind of answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.task import Task

from cdi.answers import (
    AnswerError,
    answer_code,
    answer_codes,
    answer_provenance,
    apply_answer,
    proposed_condition,
)
from cdi.catalog import load_catalog
from cdi.fhir_input import FhirReader
from cdi.fhir_output import OPTION_SYSTEM, questionnaire, questionnaire_canonical, task
from cdi.models import EncounterResult, Finding, FindingKind, Query
from cdi.queries import QueryDrafter
from cdi.store import Store
from cdi.store.views import TaskView
from tests.factories import ATTENDING
from tests.test_queries import finding as hand_finding
from tests.test_queries import record as hand_record

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "fhir_samples"
SENT = datetime(2026, 2, 8, 9, 0, tzinfo=UTC)
ANSWERED = SENT + timedelta(hours=5)
CATALOG = load_catalog()


@pytest.fixture(scope="module")
def results(analyzer: Any) -> dict[str, EncounterResult]:
    """The analysed samples by file stem."""
    out = {}
    for path in sorted(SAMPLES.glob("*.json")):
        if path.name == "expected.json":
            continue
        found = list(analyzer.analyze_many(FhirReader([path]).encounters()))
        if found:
            out[path.stem] = found[0]
    return out


def _one(results: dict[str, EncounterResult], stem: str, kind: FindingKind) -> Finding:
    return next(f for f in results[stem].findings if f.kind is kind)


def _response(
    q: Questionnaire, *codes: str, text: str | None = None, author: str | None = None
) -> dict[str, Any]:
    items: list[dict[str, Any]] = [
        {"linkId": "answer", "answer": [{"valueCoding": {"system": OPTION_SYSTEM, "code": c}} for c in codes]}
    ]
    if text is not None:
        items.append({"linkId": "other-text", "answer": [{"valueString": text}]})
    data: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": questionnaire_canonical(q),
        "status": "completed",
        "authored": ANSWERED.isoformat(),
        "item": items,
    }
    if author:
        data["author"] = {"reference": author}
    return data


def _sent(f: Finding, **kw: Any) -> tuple[Questionnaire, Task]:
    q = questionnaire(f)
    return q, task(
        f, status="requested", questionnaire_ref=questionnaire_canonical(q), authored_on=SENT, **kw
    )


# --- The loop through a real store -----------------------------------------------------------------


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Store, Clock, str]]:
    clock = Clock(SENT - timedelta(hours=1))
    url = f"sqlite:///{tmp_path}/cdi.db"
    with Store(url, clock=clock) as opened:
        yield opened, clock, url


def _resources(store: Store, query_id: str) -> tuple[Finding, Questionnaire, Task, TaskView]:
    """What the service would build from the store for a query: its finding, Questionnaire and Task."""
    view = store.get_task(query_id)
    stored = store.get_finding(view.finding_id).to_finding()
    stored = replace(
        stored,
        query=Query(
            format=view.format,
            to=view.addressed_to or "",
            to_display=view.addressed_to_display,
            text=view.text,
            options=view.options,
            template=view.versions[-1].template or "",
        ),
    )
    q = questionnaire(stored, questionnaire_id=query_id, version=view.version)
    t = task(
        stored,
        task_id=query_id,
        status=view.state,
        questionnaire_ref=questionnaire_canonical(q),
        authored_on=view.created_at,
    )
    return stored, q, t, view


def test_answer_loop_through_the_store(
    results: dict[str, EncounterResult], store: tuple[Store, Clock, str]
) -> None:
    db, clock, url = store
    f = _one(results, "unspecified-heart-failure", FindingKind.UNSPECIFIED)
    assert dict(f.stated) == {"acuity": "acute"} and f.query is not None
    added = db.upsert_analysis(f.encounter, f.patient, "content-hash", [f], actor="cdi")
    query_id = added.tasks[f.id]
    clock.now = SENT
    db.transition(query_id, "requested", actor="specialist-1")

    finding, q, t, view = _resources(db, query_id)
    assert not finding.stated  # the store keeps candidate codes, not the stated values
    assert t.status == "requested" and t.owner.reference == f.query.to
    clock.now = ANSWERED
    out = apply_answer(
        finding,
        q,
        t,
        _response(q, "axis:type:systolic", author=f.query.to),
        answered_by=f.query.to,
        now=ANSWERED,
    )
    assert out.outcome == "diagnosis" and out.chosen_code == "axis:type:systolic"
    assert out.proposed_condition is not None
    for resource in (out.task, out.response, out.provenance, out.proposed_condition):  # R4B, round-trips
        assert type(resource).model_validate_json(resource.model_dump_json()) == resource
    assert out.proposed_condition.code.coding[0].code == "I50.21"  # acute (documented) + systolic (answered)
    db.record_answer(
        query_id,
        json.loads(out.response.model_dump_json()),
        f.query.to,
        out.chosen_code,
        out.free_text,
        out.store_outcome,
        actor="service",
        answered_at=out.response.authored,
    )

    with Store(url, clock=clock) as again:  # a new process reads it all back
        finding2, q2, t2, view2 = _resources(again, query_id)
        assert view2.state == "completed" and view2.answer is not None
        assert t2.status == "completed" == out.task.status
        assert (t2.focus, t2.owner, t2.for_fhir, t2.input) == (
            out.task.focus,
            out.task.owner,
            out.task.for_fhir,
            out.task.input,
        )
        assert out.task.output[0].valueReference.reference == f"QuestionnaireResponse/{out.response.id}"
        response = QuestionnaireResponse.model_validate(view2.answer.response)
        assert response == out.response
        assert response.author.reference == f.query.to and response.authored == ANSWERED
        assert response.questionnaire == f"https://cdi-query-assistant.org/Questionnaire/{query_id}|1"
        assert view2.answer.answered_by == f.query.to and view2.answer.answered_at == ANSWERED
        prov = answer_provenance(
            finding2,
            q2,
            task_id=query_id,
            response_id=str(response.id),
            condition_id=f"{query_id}-condition",
            answered_by=view2.answer.answered_by,
            recorded=view2.answer.recorded_at,
        )
        assert prov == out.provenance
        assert prov.agent[0].who.reference == f.query.to and prov.recorded == ANSWERED
        assert {r.reference for r in prov.target} == {
            f"Task/{query_id}",
            f"QuestionnaireResponse/{response.id}",
            f"Condition/{query_id}-condition",
        }
        condition = proposed_condition(
            finding2, q2, view2.answer.response, task_id=query_id, asserter=f.query.to
        )
        assert condition == out.proposed_condition
        assert condition is not None
        assert condition.verificationStatus.coding[0].code == "confirmed"
        assert condition.subject.reference == f.patient and condition.encounter.reference == f.encounter
        assert condition.asserter.reference == f.query.to
        actions = [e.action for e in again.audit_for(query_id)]
        assert actions[0] == "created" and actions[-1] == "answered"
        assert again.get_finding(f.id).status == "closed"


def test_sent_query_text_is_immutable_and_old_versions_are_refused(
    results: dict[str, EncounterResult], store: tuple[Store, Clock, str]
) -> None:
    db, clock, _ = store
    f = _one(results, "undocumented-hyponatremia", FindingKind.UNDOCUMENTED)
    assert f.query is not None
    query_id = db.upsert_analysis(f.encounter, f.patient, "h", [f], actor="cdi").tasks[f.id]
    clock.now = SENT
    db.transition(query_id, "requested", actor="specialist-1")
    _, q1, _, _ = _resources(db, query_id)
    edited = f.query.text.replace("Based on your clinical judgment", "In your clinical judgment")
    db.edit_query(query_id, edited, f.query.options, actor="specialist-1")
    finding, q2, t2, view = _resources(db, query_id)
    assert [v.version for v in view.versions] == [1, 2]
    assert view.versions[0].text == f.query.text and view.versions[1].text == edited
    assert q2.version == "2"
    old = _response(q1, "undocumented:1", text="euvolemic, thiazide")
    with pytest.raises(AnswerError) as caught:
        apply_answer(finding, q2, t2, old, answered_by=f.query.to, now=ANSWERED)
    assert caught.value.code == "wrong-version"
    out = apply_answer(
        finding,
        q2,
        t2,
        _response(q2, "undocumented:1", text="euvolemic, thiazide"),
        answered_by=f.query.to,
        now=ANSWERED,
    )
    assert out.outcome == "diagnosis" and out.proposed_condition is not None
    assert out.proposed_condition.code.coding[0].code == "E87.1"
    assert "euvolemic, thiazide" in out.proposed_condition.code.text


# --- Refusals ----------------------------------------------------------------------------------------


def _refused(f: Finding, q: Questionnaire, t: Task, response: Any, by: str | None = None) -> AnswerError:
    assert f.query is not None
    with pytest.raises(AnswerError) as caught:
        apply_answer(f, q, t, response, answered_by=by or f.query.to, now=ANSWERED)
    return caught.value


def test_each_refusal_has_its_code_and_quotes_nothing(results: dict[str, EncounterResult]) -> None:
    f = _one(results, "uncertain-pneumonia-unresolved", FindingKind.UNCERTAIN)
    assert f.query is not None
    q, t = _sent(f)
    good = _response(q, "confirmed")
    secret = "patient-words-ZQX"
    cases = {
        "unknown-query": dict(good, questionnaire="https://cdi-query-assistant.org/Questionnaire/other|1"),
        "wrong-item": dict(
            good, item=[*good["item"], {"linkId": secret, "answer": [{"valueString": secret}]}]
        ),
        "unknown-option": _response(q, secret),
        "other-without-text": _response(q, "other"),
        "no-answer": dict(good, item=[]),
        "not-completed": dict(good, status="in-progress"),
        "wrong-subject": dict(good, subject={"reference": "Patient/someone-else"}),
        "invalid-response": dict(good, authored=secret),
    }
    for code, response in cases.items():
        error = _refused(f, q, t, response)
        assert error.code == code, (code, error)
        assert secret not in error.message and secret not in str(error)
        for ev in f.evidence:
            assert ev.text not in error.message
    assert _refused(f, q, t, good, by="Practitioner/someone-else").code == "not-addressee"
    assert _refused(f, q, t, _response(q, "confirmed", author="Practitioner/x")).code == "not-addressee"
    assert _refused(f, q, t, _response(q, "confirmed", text="but also this")).code == "wrong-item"
    assert _refused(f, q, t, _response(q, "confirmed", "ruled_out")).code == "wrong-item"
    draft = task(f, questionnaire_ref=questionnaire_canonical(q))
    assert _refused(f, q, draft, good).code == "not-open"
    done = task(f, status="completed", questionnaire_ref=questionnaire_canonical(q))
    assert _refused(f, q, done, good).code == "not-open"
    unowned = task(f, status="requested", owner="", questionnaire_ref=questionnaire_canonical(q))
    assert _refused(f, q, unowned.model_copy(update={"owner": None}), good).code == "not-addressee"
    other_finding = replace(f, id="cdi-0000000000000000")
    assert _refused(other_finding, q, t, good).code == "unknown-query"
    assert _refused(f, q, t, {"resourceType": "Patient"}).code == "invalid-response"


def test_an_escalated_query_can_still_be_answered(results: dict[str, EncounterResult]) -> None:
    f = _one(results, "uncertain-pneumonia-unresolved", FindingKind.UNCERTAIN)
    q = questionnaire(f)
    t = task(f, status="escalated", questionnaire_ref=questionnaire_canonical(q))
    assert f.query is not None
    out = apply_answer(f, q, t, _response(q, "ruled_out"), answered_by=f.query.to, now=ANSWERED)
    assert out.task.status == "completed" and out.task.businessStatus is None


# --- Outcomes ----------------------------------------------------------------------------------------


def test_outcomes_of_each_kind_of_answer(results: dict[str, EncounterResult]) -> None:
    f = _one(results, "uncertain-pneumonia-unresolved", FindingKind.UNCERTAIN)
    q, t = _sent(f)
    assert f.query is not None
    by = f.query.to

    def answer(*codes: str, text: str | None = None) -> Any:
        return apply_answer(f, q, t, _response(q, *codes, text=text), answered_by=by, now=ANSWERED)

    confirmed = answer("confirmed")
    assert confirmed.outcome == "diagnosis" and confirmed.store_outcome == "diagnosis"
    assert confirmed.proposed_condition.code.coding[0].code == "J18.9"
    for code, outcome in (("ruled_out", "ruled_out"), ("unable", "unable_to_determine")):
        out = answer(code)
        assert out.outcome == outcome and out.proposed_condition is None
    other = answer("other", text="aspiration pneumonitis")
    assert (other.outcome, other.store_outcome, other.free_text) == (
        "other",
        "disagree",
        "aspiration pneumonitis",
    )
    assert other.proposed_condition is None
    alternative = answer("alternative:1", text="atelectasis")
    assert alternative.outcome == "other" and alternative.proposed_condition is None
    assert confirmed.response.id and confirmed.provenance.target[0].reference == f"Task/{t.id}"

    dm = _one(results, "condition-vs-notes-diabetes", FindingKind.CONFLICT)
    q, t = _sent(dm)
    assert dm.query is not None
    out = apply_answer(dm, q, t, _response(q, "conflict:type:type_2"), answered_by=dm.query.to, now=ANSWERED)
    assert out.proposed_condition.code.coding[0].code == "E11"  # type 2; complications not asked

    hyponatremia = _one(results, "undocumented-hyponatremia", FindingKind.UNDOCUMENTED)
    q, t = _sent(hyponatremia)
    assert hyponatremia.query is not None
    codes = dict(zip(hyponatremia.query.options, hyponatremia.query.option_codes, strict=True))
    no_change = codes["Expected lab variation, not clinically significant"]
    out = apply_answer(
        hyponatremia, q, t, _response(q, no_change), answered_by=hyponatremia.query.to, now=ANSWERED
    )
    assert out.outcome == "no_change" and out.proposed_condition is None


def test_several_axes_answer_one_option_per_axis() -> None:
    uti = CATALOG["urinary_tract_infection"]
    drafter = QueryDrafter(CATALOG)
    f = hand_finding(uti, FindingKind.UNSPECIFIED, axes=("site", "organism"))
    f = replace(f, query=drafter.draft(f, hand_record()))
    q, t = _sent(f)
    assert q.item[0].repeats is True
    out = apply_answer(
        f,
        q,
        t,
        _response(q, "axis:site:cystitis", "axis:organism:e_coli"),
        answered_by=ATTENDING.reference or "",
        now=ANSWERED,
    )
    assert out.outcome == "diagnosis" and out.chosen_code == "axis:site:cystitis,axis:organism:e_coli"
    assert out.proposed_condition is not None
    codings = [(c.system, c.code) for c in out.proposed_condition.code.coding]
    icd = "http://hl7.org/fhir/sid/icd-10-cm"
    assert codings == [(icd, "N30"), (icd, "B96.2")]  # cystitis, and E. coli as the additional code
    error = _refused(
        f, q, t, _response(q, "axis:site:cystitis", "axis:site:pyelonephritis"), by=ATTENDING.reference
    )
    assert error.code == "wrong-item"


def test_answer_code() -> None:
    hf = CATALOG["heart_failure"]
    stored = hand_finding(
        hf, FindingKind.UNSPECIFIED, axes=("type",), candidate_codes=("I50.23", "I50.33", "I50.43", "I50.813")
    )
    assert answer_code(hf, stored, {"type": "diastolic"}) == "I50.33"  # from the candidates
    stated = replace(stored, stated=(("acuity", "chronic"),), candidate_codes=())
    assert answer_code(hf, stated, {"type": "diastolic"}) == "I50.32"  # from the stated values
    assert answer_code(hf, replace(stored, candidate_codes=()), {"type": "systolic"}) == "I50.20"
    assert answer_code(hf, replace(stored, candidate_codes=()), {}) == "I50.9"
    sepsis = CATALOG["sepsis"]
    answered = {"organism": "e_coli", "organ_dysfunction": "shock"}
    assert answer_codes(sepsis, hand_finding(sepsis, FindingKind.UNSPECIFIED), answered) == [
        "A41.51",
        "R65.21",
    ]
    malnutrition = CATALOG["malnutrition"]
    severe = {"severity": "severe"}
    assert answer_codes(malnutrition, hand_finding(malnutrition, FindingKind.UNSPECIFIED), severe) == ["E43"]
    arf = CATALOG["acute_respiratory_failure"]
    undocumented = hand_finding(arf, FindingKind.UNDOCUMENTED)
    assert answer_code(arf, undocumented, {"acuity": "acute_on_chronic", "type": "hypoxic"}) == "J96.21"
    assert answer_code(hf, stored, {"type": "no-such-value"}) == "I50.9"


def test_condition_needs_a_patient() -> None:
    hf = CATALOG["heart_failure"]
    drafter = QueryDrafter(CATALOG)
    f = hand_finding(hf, FindingKind.UNSPECIFIED, axes=("type",))
    f = replace(f, query=drafter.draft(f, hand_record()), patient=None)
    q, t = _sent(f)
    out = apply_answer(
        f, q, t, _response(q, "axis:type:systolic"), answered_by=ATTENDING.reference or "", now=ANSWERED
    )
    assert out.outcome == "diagnosis" and out.proposed_condition is None
