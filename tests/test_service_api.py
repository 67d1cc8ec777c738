"""The service's endpoints through FastAPI's TestClient: analysis, stored queries and their lifecycle, the
answer loop, the read endpoints, the worklist and metrics. The lifecycle runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.detectedissue import DetectedIssue
from fhir.resources.R4B.provenance import Provenance
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.task import Task

from cdi.analysis import Analyzer
from cdi.fhir_input import encounters_from_bundle
from cdi.report import report_json
from tests.service_support import (
    BACKENDS,
    FHIR,
    HF,
    HF_ATTENDING,
    HF_ENCOUNTER,
    HF_PATIENT,
    PHYSICIAN,
    SPECIALIST,
    auth,
    database_url,
    hf_type_documented,
    only_task,
    persist,
    sample,
    service,
)
from tests.test_store import postgres_server  # noqa: F401 - session fixture behind db_url

MORE_SAMPLES = ("conflict-sepsis-consultant", "undocumented-hyponatremia", "outpatient-possible-uti", HF)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request, tmp_path)


@pytest.fixture
def client(analyzer: Analyzer, tmp_path: Any) -> Any:
    with service(analyzer, f"sqlite:///{tmp_path}/cdi.db") as c:
        yield c


def _send(client: TestClient, task_id: str) -> dict[str, Any]:
    response = client.post(f"/Task/{task_id}/$send", headers=auth(SPECIALIST))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _answer_body(client: TestClient, task_id: str, token: str = SPECIALIST) -> dict[str, Any]:
    """A QuestionnaireResponse choosing the query's first option (its code from the Questionnaire)."""
    questionnaire = client.get(f"/Questionnaire/{task_id}", headers=auth(token)).json()
    item = next(i for i in questionnaire["item"] if i["linkId"] == "answer")
    first = item["answerOption"][0]["valueCoding"]
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "basedOn": [{"reference": f"Task/{task_id}"}],
        "questionnaire": f"{questionnaire['url']}|{questionnaire['version']}",
        "author": {"reference": HF_ATTENDING},
        "authored": "2026-02-08T09:00:00Z",
        "item": [{"linkId": "answer", "answer": [{"valueCoding": first}]}],
    }


# --- analysis --------------------------------------------------------------------------------------------


def test_analyze_answers_the_json_report_of_the_cli(client: TestClient, analyzer: Analyzer) -> None:
    bundle = sample(HF)
    response = client.post("/$analyze", json=bundle, headers=auth(SPECIALIST, accept="application/json"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    expected = report_json(analyzer.analyze_many(encounters_from_bundle(bundle)))
    assert response.json() == expected
    (encounter,) = response.json()["encounters"]
    assert encounter["encounter"] == HF_ENCOUNTER
    assert [(f["kind"], f["topic"]) for f in encounter["findings"]] == [("unspecified", "heart_failure")]
    assert "stored" not in response.json()


def test_analyze_answers_a_fhir_bundle_when_asked(client: TestClient) -> None:
    response = client.post("/$analyze", json=sample(HF), headers=auth(SPECIALIST, accept=FHIR))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(FHIR)
    bundle = Bundle.model_validate(response.json())
    types = [e.resource.get_resource_type() for e in bundle.entry or []]
    assert types == ["DetectedIssue", "Questionnaire", "Task", "Provenance"]
    task = next(e.resource for e in bundle.entry or [] if e.resource.get_resource_type() == "Task")
    assert task.status == "draft" and task.intent == "order"
    assert task.owner.reference == HF_ATTENDING


def test_analyze_without_persist_stores_nothing(client: TestClient) -> None:
    client.post("/$analyze", json=sample(HF), headers=auth(SPECIALIST))
    tasks = client.get("/Task", headers=auth(SPECIALIST)).json()
    assert tasks["entry"] == []


def test_usable_input_with_problems_is_analysed_and_the_problems_reported(client: TestClient) -> None:
    bundle = sample(HF)
    note = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == f"{HF}-pn1")
    note["content"][0]["attachment"] = {"contentType": "text/plain", "url": "https://ehr.example.org/notes/1"}
    report = client.post("/$analyze", json=bundle, headers=auth(SPECIALIST)).json()
    assert report["encounters"][0]["findings"]
    (problem,) = report["problems"]
    assert problem["resource"] == f"DocumentReference/{HF}-pn1" and problem["field"].startswith("content[0]")
    fhir = client.post("/$analyze", json=bundle, headers=auth(SPECIALIST, accept=FHIR)).json()
    warnings = fhir["entry"][-1]["resource"]
    assert warnings["resourceType"] == "OperationOutcome" and warnings["issue"][0]["severity"] == "warning"
    Bundle.model_validate(fhir)


def test_persisted_fhir_bundle_carries_the_stored_ids(client: TestClient) -> None:
    response = client.post("/$analyze?persist=true", json=sample(HF), headers=auth(SPECIALIST, accept=FHIR))
    assert response.status_code == 200
    bundle = Bundle.model_validate(response.json())
    task = next(e.resource for e in bundle.entry or [] if e.resource.get_resource_type() == "Task")
    assert all(e.fullUrl.startswith("http://testserver/") for e in bundle.entry or [])
    stored = client.get(f"/Task/{task.id}", headers=auth(SPECIALIST))
    assert stored.status_code == 200 and stored.json()["status"] == "draft"
    questionnaires = [
        e.resource for e in bundle.entry or [] if e.resource.get_resource_type() == "Questionnaire"
    ]
    assert [q.id for q in questionnaires] == [task.id]


def test_docs_and_openapi_list_every_endpoint(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {
        "/$analyze",
        "/Task",
        "/Task/{task_id}",
        "/Task/{task_id}/$send",
        "/Task/{task_id}/$cancel",
        "/Task/{task_id}/$escalate",
        "/QuestionnaireResponse",
        "/QuestionnaireResponse/{response_id}",
        "/DetectedIssue",
        "/DetectedIssue/{issue_id}",
        "/Questionnaire/{questionnaire_id}",
        "/Questionnaire/{questionnaire_id}/_history/{version}",
        "/Provenance",
        "/worklist",
        "/metrics",
        "/cds-services",
        "/cds-services/{service_id}",
        "/cds-services/{service_id}/feedback",
    } <= paths


# --- stored analyses and the lifecycle, on both databases ------------------------------------------------


def test_reanalysis_is_idempotent_and_closes_resolved_findings(analyzer: Analyzer, db_url: str) -> None:
    with service(analyzer, db_url) as client:
        first = persist(client, sample(HF))
        task_id = only_task(first)
        (finding_id,) = first["stored"][0]["added"]

        again = persist(client, sample(HF))
        assert again["stored"][0]["added"] == [] and again["stored"][0]["unchanged"] == [finding_id]
        assert only_task(again) == task_id  # same finding id, same query
        assert len(client.get("/Task", headers=auth(SPECIALIST)).json()["entry"]) == 1

        resolved = persist(client, hf_type_documented())
        assert resolved["stored"][0]["resolved"] == [finding_id]
        assert resolved["encounters"][0]["findings"] == []
        task = client.get(f"/Task/{task_id}", headers=auth(SPECIALIST)).json()
        assert task["status"] == "cancelled"
        assert task["statusReason"]["text"] == "resolved by documentation"
        issue = client.get(f"/DetectedIssue/{finding_id}", headers=auth(SPECIALIST)).json()
        assert issue["status"] == "final"
        assert issue["mitigation"][0]["action"]["text"] == "resolved by documentation"


def test_every_lifecycle_transition_and_the_illegal_ones(analyzer: Analyzer, db_url: str) -> None:
    with service(analyzer, db_url) as client:
        headers = auth(SPECIALIST)
        # draft -> cancelled (reason required), then nothing moves a cancelled query
        task_id = only_task(persist(client, sample(HF)))
        assert client.post(f"/Task/{task_id}/$cancel", headers=headers).status_code == 422
        cancelled = client.post(f"/Task/{task_id}/$cancel", json={"reason": "duplicate"}, headers=headers)
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
        assert cancelled.json()["statusReason"]["text"] == "duplicate"
        for op in ("$send", "$escalate"):
            refused = client.post(f"/Task/{task_id}/{op}", headers=headers)
            assert refused.status_code == 409
            assert refused.json()["resourceType"] == "OperationOutcome"
            assert refused.json()["issue"][0]["code"] == "conflict"

        # a cancelled finding stays closed on re-analysis; new documentation of the same gap is another
        # encounter's business, so use the conflict sample for the next query
        task_id = only_task(persist(client, sample("conflict-sepsis-consultant")))
        # draft -> escalated is illegal; draft -> requested; requested -> requested is illegal
        assert client.post(f"/Task/{task_id}/$escalate", headers=headers).status_code == 409
        assert _send(client, task_id)["status"] == "requested"
        assert client.post(f"/Task/{task_id}/$send", headers=headers).status_code == 409
        why = {"reason": "no answer in 48 h"}
        escalated = client.post(f"/Task/{task_id}/$escalate", json=why, headers=headers)
        assert escalated.status_code == 200
        assert escalated.json()["status"] == "on-hold"
        assert escalated.json()["businessStatus"]["text"] == "escalated"
        parameters = {
            "resourceType": "Parameters",
            "parameter": [{"name": "reason", "valueString": "advisor withdrew it"}],
        }
        cancelled = client.post(f"/Task/{task_id}/$cancel", json=parameters, headers=headers)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"

        # requested -> cancelled
        task_id = only_task(persist(client, sample("undocumented-hyponatremia")))
        _send(client, task_id)
        why = {"reason": "patient expired"}
        cancelled = client.post(f"/Task/{task_id}/$cancel", json=why, headers=headers)
        assert cancelled.json()["status"] == "cancelled"

        activity = [
            p["resource"]["activity"]["text"]
            for p in client.get(f"/Provenance?target=Task/{task_id}", headers=headers).json()["entry"]
        ]
        assert activity == ["created (- -> draft)", "transition (draft -> requested)",
                            "transition (requested -> cancelled): patient expired"]  # fmt: skip


def test_answer_completes_the_task_and_proposes_a_condition(analyzer: Analyzer, db_url: str) -> None:
    with service(analyzer, db_url) as client:
        task_id = only_task(persist(client, sample(HF)))
        body = _answer_body(client, task_id)
        early = client.post("/QuestionnaireResponse", json=body, headers=auth(PHYSICIAN))
        assert early.status_code == 403  # a draft is not the physician's yet
        on_behalf = client.post("/QuestionnaireResponse", json=body, headers=auth(SPECIALIST))
        assert on_behalf.status_code == 409  # draft -> completed: only a sent query is answered
        _send(client, task_id)
        body = _answer_body(client, task_id, PHYSICIAN)
        headers = auth(PHYSICIAN, **{"content-type": FHIR})
        response = client.post("/QuestionnaireResponse", json=body, headers=headers)
        assert response.status_code == 201, response.text
        assert response.headers["location"].endswith(f"/QuestionnaireResponse/{task_id}")
        bundle = Bundle.model_validate(response.json())
        by_type = {e.resource.get_resource_type(): e.resource for e in bundle.entry or []}
        assert all(
            e.fullUrl == f"http://testserver/{e.resource.get_resource_type()}/{e.resource.id}"
            for e in bundle.entry or []
        )
        assert by_type["Task"].status == "completed"
        assert by_type["QuestionnaireResponse"].id == task_id
        assert by_type["Provenance"].agent[0].who.reference == HF_ATTENDING
        condition = by_type.get("Condition")
        assert condition is not None
        assert condition.verificationStatus.coding[0].code == "confirmed"
        assert condition.encounter.reference == HF_ENCOUNTER

        task = client.get(f"/Task/{task_id}", headers=auth(PHYSICIAN)).json()
        assert task["status"] == "completed"
        assert task["output"]
        stored = client.get(f"/QuestionnaireResponse/{task_id}", headers=auth(SPECIALIST))
        assert stored.status_code == 200 and stored.json()["item"][0]["linkId"] == "answer"
        again = client.post("/QuestionnaireResponse", json=body, headers=auth(PHYSICIAN))
        assert again.status_code == 409  # completed -> nothing
        for op in ("$send", "$escalate"):
            assert client.post(f"/Task/{task_id}/{op}", headers=auth(SPECIALIST)).status_code == 409
        cancel = client.post(f"/Task/{task_id}/$cancel", json={"reason": "x"}, headers=auth(SPECIALIST))
        assert cancel.status_code == 409

        metrics = client.get("/metrics", headers=auth(SPECIALIST)).json()
        assert metrics["overall"]["sent"] == 1 and metrics["overall"]["answered"] == 1
        assert metrics["overall"]["response_rate"] == 1.0
        assert metrics["by_provider"][HF_ATTENDING]["answered"] == 1


def test_an_escalated_query_can_still_be_answered(client: TestClient) -> None:
    task_id = only_task(persist(client, sample(HF)))
    _send(client, task_id)
    assert client.post(f"/Task/{task_id}/$escalate", headers=auth(SPECIALIST)).status_code == 200
    body = _answer_body(client, task_id)
    response = client.post("/QuestionnaireResponse", json=body, headers=auth(PHYSICIAN))
    assert response.status_code == 201, response.text
    assert client.get(f"/Task/{task_id}", headers=auth(SPECIALIST)).json()["status"] == "completed"


def test_an_answer_to_an_unknown_option_is_refused(client: TestClient) -> None:
    task_id = only_task(persist(client, sample(HF)))
    _send(client, task_id)
    body = _answer_body(client, task_id)
    body["item"][0]["answer"][0]["valueCoding"] = {"system": "https://example.org", "code": "nonsense"}
    response = client.post("/QuestionnaireResponse", json=body, headers=auth(PHYSICIAN))
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"]
    assert client.get(f"/Task/{task_id}", headers=auth(SPECIALIST)).json()["status"] == "requested"


def test_an_answer_must_name_its_query(client: TestClient) -> None:
    body = {"resourceType": "QuestionnaireResponse", "status": "completed"}
    response = client.post("/QuestionnaireResponse", json=body, headers=auth(PHYSICIAN))
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["QuestionnaireResponse.basedOn"]
    body["basedOn"] = [{"reference": "Task/00000000-0000-0000-0000-000000000000"}]
    assert client.post("/QuestionnaireResponse", json=body, headers=auth(PHYSICIAN)).status_code == 422


# --- reading the store -------------------------------------------------------------------------------------


def test_task_search_filters_and_pages_with_next_links(client: TestClient) -> None:
    for name in MORE_SAMPLES:
        persist(client, sample(name))
    everything = client.get("/Task?_count=100", headers=auth(SPECIALIST)).json()
    all_ids = [e["resource"]["id"] for e in everything["entry"]]
    assert len(all_ids) == len(MORE_SAMPLES)
    assert [link["relation"] for link in everything["link"]] == ["self"]

    seen: list[str] = []
    page = client.get("/Task?_count=3", headers=auth(SPECIALIST)).json()
    assert Bundle.model_validate(page).type == "searchset"
    while True:
        seen += [e["resource"]["id"] for e in page["entry"]]
        links = {link["relation"]: link["url"] for link in page["link"]}
        if "next" not in links:
            break
        assert "_count=3" in links["next"]
        parts = urlsplit(links["next"])
        page = client.get(f"{parts.path}?{parts.query}", headers=auth(SPECIALIST)).json()
        assert "previous" in {link["relation"] for link in page["link"]}
    assert seen == all_ids

    hf = client.get(f"/Task?patient={HF_PATIENT}", headers=auth(SPECIALIST)).json()["entry"]
    assert len(hf) == 1 and hf[0]["resource"]["for"]["reference"] == HF_PATIENT
    by_encounter = client.get(f"/Task?encounter={HF}-enc", headers=auth(SPECIALIST)).json()["entry"]
    assert [e["resource"]["id"] for e in by_encounter] == [e["resource"]["id"] for e in hf]
    by_owner = client.get(f"/Task?owner={HF_ATTENDING}", headers=auth(SPECIALIST)).json()["entry"]
    assert [e["resource"]["id"] for e in by_owner] == [e["resource"]["id"] for e in hf]

    _send(client, hf[0]["resource"]["id"])
    requested = client.get("/Task?status=requested", headers=auth(SPECIALIST)).json()["entry"]
    drafts = client.get("/Task?status=draft", headers=auth(SPECIALIST)).json()["entry"]
    assert [e["resource"]["id"] for e in requested] == [hf[0]["resource"]["id"]]
    assert len(drafts) == len(MORE_SAMPLES) - 1
    both = client.get("/Task?status=draft,requested", headers=auth(SPECIALIST)).json()["entry"]
    assert len(both) == len(MORE_SAMPLES)
    for entry in both:
        Task.model_validate(entry["resource"])


def test_detected_issues_questionnaires_and_their_versions(client: TestClient) -> None:
    report = persist(client, sample(HF))
    task_id = only_task(report)
    (finding_id,) = report["stored"][0]["added"]
    issues = client.get(f"/DetectedIssue?patient={HF_PATIENT}", headers=auth(SPECIALIST)).json()
    (entry,) = issues["entry"]
    issue = DetectedIssue.model_validate(entry["resource"])
    assert issue.id == finding_id and issue.status == "preliminary"
    assert client.get("/DetectedIssue?patient=nobody", headers=auth(SPECIALIST)).json()["entry"] == []
    open_only = client.get("/DetectedIssue?status=preliminary", headers=auth(SPECIALIST)).json()["entry"]
    assert len(open_only) == 1
    assert client.get("/DetectedIssue?status=final", headers=auth(SPECIALIST)).json()["entry"] == []
    assert client.get(f"/DetectedIssue/{finding_id}", headers=auth(SPECIALIST)).status_code == 200

    questionnaire = client.get(f"/Questionnaire/{task_id}", headers=auth(SPECIALIST)).json()
    parsed = Questionnaire.model_validate(questionnaire)
    assert parsed.version == "1" and parsed.status == "active"
    codes = [o.valueCoding.code for o in parsed.item[0].answerOption]
    assert "other" in codes
    first = client.get(f"/Questionnaire/{task_id}/_history/1", headers=auth(SPECIALIST)).json()
    assert first["item"] == questionnaire["item"]
    assert client.get(f"/Questionnaire/{task_id}/_history/2", headers=auth(SPECIALIST)).status_code == 404


def test_provenance_of_findings_encounters_and_answers(client: TestClient) -> None:
    report = persist(client, sample(HF))
    (finding_id,) = report["stored"][0]["added"]
    for target in (f"DetectedIssue/{finding_id}", HF_ENCOUNTER):
        bundle = client.get(f"/Provenance?target={target}", headers=auth(SPECIALIST)).json()
        assert bundle["entry"], target
        assert Bundle.model_validate(bundle).total == len(bundle["entry"])
        for entry in bundle["entry"]:
            provenance = Provenance.model_validate(entry["resource"])
            assert provenance.target[0].reference == target
            assert provenance.agent[0].who.display == "cdi_specialist:alice"
    assert client.get("/Provenance?target=Observation/1", headers=auth(SPECIALIST)).status_code == 400
    assert client.get("/Provenance", headers=auth(SPECIALIST)).status_code == 400
    assert client.get("/Provenance?target=DetectedIssue/nope", headers=auth(SPECIALIST)).status_code == 404


def test_worklist_is_ranked_with_its_reasons_and_filters(client: TestClient) -> None:
    for name in MORE_SAMPLES:
        persist(client, sample(name))
    worklist = client.get("/worklist", headers=auth(SPECIALIST)).json()
    items = worklist["items"]
    assert worklist["total"] == len(MORE_SAMPLES) == len(items)
    scores = [item["priority"]["score"] for item in items]
    assert scores == sorted(scores, reverse=True)
    for item in items:
        assert item["priority"]["score"] == sum(r["points"] for r in item["priority"]["reasons"])
        assert item["open_findings"] == sum(item["by_kind"].values())
    # a discharged encounter with a conflict outranks an outpatient visit with a missing specificity
    keys = [item["encounter"] for item in items]
    conflict, outpatient = "Encounter/conflict-sepsis-consultant-enc", "Encounter/outpatient-possible-uti-enc"
    assert keys.index(conflict) < keys.index(outpatient)

    conflicts = client.get("/worklist?kind=conflict", headers=auth(SPECIALIST)).json()["items"]
    assert [i["encounter"] for i in conflicts] == ["Encounter/conflict-sepsis-consultant-enc"]
    discharged = client.get("/worklist?discharged=true", headers=auth(SPECIALIST)).json()["items"]
    assert all(i["discharged"] for i in discharged) and discharged
    mine = client.get(f"/worklist?patient={HF_PATIENT}", headers=auth(SPECIALIST)).json()["items"]
    assert [i["patient"] for i in mine] == [HF_PATIENT]
    paged = client.get("/worklist?_count=2&_offset=2", headers=auth(SPECIALIST)).json()
    assert [i["key"] for i in paged["items"]] == [i["key"] for i in items[2:4]]
    high = client.get(f"/worklist?min_score={scores[0]}", headers=auth(SPECIALIST)).json()["items"]
    assert all(i["priority"]["score"] == scores[0] for i in high)


def test_metrics_count_by_topic_and_window(client: TestClient) -> None:
    for name in MORE_SAMPLES:
        persist(client, sample(name))
    metrics = client.get("/metrics", headers=auth(SPECIALIST)).json()
    assert metrics["overall"]["drafted"] == len(MORE_SAMPLES)
    assert set(metrics["by_topic"]) == {"sepsis", "hyponatremia", "urinary_tract_infection", "heart_failure"}
    future = client.get("/metrics?since=2999-01-01T00:00:00", headers=auth(SPECIALIST)).json()
    assert future["overall"]["drafted"] == 0
    assert client.get("/metrics?since=yesterday", headers=auth(SPECIALIST)).status_code == 400
