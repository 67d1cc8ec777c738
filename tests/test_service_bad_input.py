"""Bad input is a 4xx OperationOutcome naming the offending element, never a 500; an unexpected error is a
500 with no detail; and no log line carries note text, a name or an identifier."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.operationoutcome import OperationOutcome

from cdi.analysis import Analyzer
from tests.service_support import (
    FHIR,
    HF,
    HF_PATIENT,
    PHYSICIAN,
    SPECIALIST,
    auth,
    only_task,
    persist,
    sample,
    service,
)

LIMIT = 200_000
SECRET_MESSAGE = "Patient Jane Roe, MRN 555-12"


@pytest.fixture
def client(analyzer: Analyzer, tmp_path: Path) -> Iterator[TestClient]:
    with service(analyzer, f"sqlite:///{tmp_path}/cdi.db", max_body_bytes=LIMIT) as c:
        yield c


def outcome(response: Any, status: int) -> dict[str, Any]:
    """The response's OperationOutcome, after checking the status, the media type and that it validates."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(FHIR)
    body: dict[str, Any] = response.json()
    OperationOutcome.model_validate(body)
    return body


def post_raw(client: TestClient, content: bytes, ctype: str | None = "application/fhir+json") -> Any:
    headers = auth(SPECIALIST)
    if ctype is not None:
        headers["content-type"] = ctype
    return client.post("/$analyze", content=content, headers=headers)


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"", b"   ", b"\xff\xfe{}", b"[" * 100_000 + b"]" * 100_000, b"[1, 2]", b'"Bundle"'],
    ids=["malformed", "empty", "blank", "not-utf8", "nested-too-deep", "array", "string"],
)
def test_a_body_that_is_not_a_json_object_is_400(client: TestClient, content: bytes) -> None:
    body = outcome(post_raw(client, content), 400)
    assert body["issue"][0]["code"] in ("structure", "invalid")


def test_a_resource_that_is_not_a_bundle_is_422(client: TestClient) -> None:
    patient = {"resourceType": "Patient", "id": "p1", "name": [{"family": "Roe"}]}
    body = outcome(client.post("/$analyze", json=patient, headers=auth(SPECIALIST)), 422)
    assert body["issue"][0]["expression"] == ["Bundle.resourceType"]
    assert "Roe" not in str(body)
    body = outcome(client.post("/$analyze", json={"entry": []}, headers=auth(SPECIALIST)), 422)
    assert body["issue"][0]["expression"] == ["resourceType"]


def test_an_unknown_resource_type_is_422(client: TestClient) -> None:
    body = outcome(
        client.post("/$analyze", json={"resourceType": "Spaceship"}, headers=auth(SPECIALIST)), 422
    )
    assert body["issue"][0]["code"] == "not-supported"
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": {"resourceType": "Spaceship"}}],
    }
    body = outcome(client.post("/$analyze", json=bundle, headers=auth(SPECIALIST)), 422)
    assert body["issue"][0]["expression"] == ["Bundle.entry[0].resource.resourceType"]


def _entry_index(bundle: dict[str, Any], resource_id: str) -> int:
    return next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["id"] == resource_id)


def test_invalid_fhir_is_422_with_the_path_and_without_the_value(client: TestClient) -> None:
    bundle = sample(HF)
    note = _entry_index(bundle, f"{HF}-ds")
    del bundle["entry"][note]["resource"]["content"]
    body = outcome(client.post("/$analyze", json=bundle, headers=auth(SPECIALIST)), 422)
    assert body["issue"][0]["expression"] == [f"Bundle.entry[{note}].resource.content"]

    bundle = sample(HF)
    obs = _entry_index(bundle, f"{HF}-obs1")
    bundle["entry"][obs]["resource"]["status"] = {"secret": "Leopold Brannigan-Osei"}
    bundle["entry"][obs]["resource"]["effectiveDateTime"] = "Leopold"
    body = outcome(client.post("/$analyze", json=bundle, headers=auth(SPECIALIST)), 422)
    expressions = body["issue"][0]["expression"]
    assert f"Bundle.entry[{obs}].resource.status" in expressions
    assert f"Bundle.entry[{obs}].resource.effectiveDateTime" in expressions
    assert "Leopold" not in str(body)

    bundle = sample(HF)
    bundle["entry"] = {"not": "a list"}
    body = outcome(client.post("/$analyze", json=bundle, headers=auth(SPECIALIST)), 422)
    assert body["issue"][0]["expression"] == ["Bundle.entry"]


def test_a_body_over_the_limit_is_413_with_or_without_content_length(client: TestClient) -> None:
    big = b'{"resourceType": "Bundle", "type": "collection", "x": "' + b"a" * LIMIT + b'"}'
    outcome(post_raw(client, big), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while streaming
        for _ in range(LIMIT // 1000 + 2):
            yield b" " * 1000

    response = client.post(
        "/$analyze", content=chunks(), headers=auth(SPECIALIST, **{"content-type": "application/json"})
    )
    assert "content-length" not in response.request.headers
    outcome(response, 413)


@pytest.mark.parametrize(
    "ctype", ["text/plain", "application/xml", "application/x-www-form-urlencoded", None]
)
def test_a_body_that_is_not_json_by_content_type_is_415(client: TestClient, ctype: str | None) -> None:
    body = outcome(post_raw(client, b'{"resourceType": "Bundle", "type": "collection"}', ctype), 415)
    assert body["issue"][0]["expression"] == ["Content-Type"]


def test_json_with_a_charset_parameter_is_accepted(client: TestClient) -> None:
    response = post_raw(
        client, b'{"resourceType": "Bundle", "type": "collection"}', "application/json; charset=utf-8"
    )
    assert response.status_code == 200 and response.json() == {"encounters": []}


def test_an_unacceptable_accept_header_is_406(client: TestClient) -> None:
    response = client.post("/$analyze", json=sample(HF), headers=auth(SPECIALIST, accept="text/html"))
    assert outcome(response, 406)["issue"][0]["expression"] == ["Accept"]
    both = "application/json;q=0.5, application/fhir+json"
    response = client.post("/$analyze", json=sample(HF), headers=auth(SPECIALIST, accept=both))
    assert response.headers["content-type"].startswith(FHIR)


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/Task?_count=0", "_count"),
        ("/Task?_count=101", "_count"),
        ("/Task?_count=many", "_count"),
        ("/Task?_offset=-1", "_offset"),
        ("/Task?status=pending", "status"),
        ("/Task?patient=Patient/a/b", "patient"),
        ("/Task?owner=Practitioner/%20", "owner"),
        ("/DetectedIssue?status=open", "status"),
        ("/worklist?kind=vague", "kind"),
        ("/worklist?discharged=perhaps", "discharged"),
        ("/metrics?until=tomorrow", "until"),
        ("/Questionnaire/x/_history/0", "version"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client: TestClient, path: str, param: str) -> None:
    body = outcome(client.get(path, headers=auth(SPECIALIST)), 400)
    assert param in body["issue"][0]["expression"]


def test_persist_must_be_a_boolean(client: TestClient) -> None:
    response = client.post("/$analyze?persist=maybe", json=sample(HF), headers=auth(SPECIALIST))
    assert outcome(response, 400)["issue"][0]["expression"] == ["persist"]


def test_unknown_resources_routes_and_methods(client: TestClient) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    for path in (
        f"/Task/{missing}",
        f"/Questionnaire/{missing}",
        "/DetectedIssue/nope",
        f"/QuestionnaireResponse/{missing}",
    ):
        assert outcome(client.get(path, headers=auth(SPECIALIST)), 404)["issue"][0]["code"] == "not-found"
    assert outcome(client.post(f"/Task/{missing}/$send", headers=auth(SPECIALIST)), 404)
    outcome(client.get("/Patient/1", headers=auth(SPECIALIST)), 404)
    outcome(client.delete("/Task", headers=auth(SPECIALIST)), 405)
    outcome(client.get("/cds-services/nope/feedback", headers=auth(SPECIALIST)), 405)


def test_bad_operation_bodies(client: TestClient) -> None:
    task_id = only_task(persist(client, sample(HF)))
    url = f"/Task/{task_id}/$cancel"
    outcome(
        client.post(url, content=b"[1", headers=auth(SPECIALIST, **{"content-type": "application/json"})), 400
    )
    outcome(client.post(url, json=["a list"], headers=auth(SPECIALIST)), 400)
    assert outcome(client.post(url, json={"reason": 7}, headers=auth(SPECIALIST)), 422)["issue"][0][
        "expression"
    ]
    outcome(client.post(url, json={"reason": "x" * 1001}, headers=auth(SPECIALIST)), 422)
    outcome(client.post(url, json={"reason": "   "}, headers=auth(SPECIALIST)), 422)
    empty_parameters = {"resourceType": "Parameters", "parameter": []}
    body = outcome(client.post(url, json=empty_parameters, headers=auth(SPECIALIST)), 422)
    assert body["issue"][0]["expression"] == ["Parameters.parameter.where(name='reason')"]
    assert client.get(f"/Task/{task_id}", headers=auth(SPECIALIST)).json()["status"] == "draft"


def test_an_invalid_questionnaire_response_is_422_with_its_path(client: TestClient) -> None:
    body = {"resourceType": "QuestionnaireResponse", "status": 5, "basedOn": [{"reference": "Task/x"}]}
    result = outcome(client.post("/QuestionnaireResponse", json=body, headers=auth(PHYSICIAN)), 422)
    assert result["issue"][0]["expression"] == ["QuestionnaireResponse.status"]
    outcome(client.post("/QuestionnaireResponse", json=sample(HF), headers=auth(PHYSICIAN)), 422)


def test_an_unexpected_error_is_a_500_without_detail(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(SECRET_MESSAGE)  # the log shows this line of code, never the message

    monkeypatch.setattr(client.app.state.store, "metrics", broken)  # type: ignore[attr-defined]
    with caplog.at_level(logging.INFO):
        response = client.get("/metrics", headers=auth(SPECIALIST))
    body = outcome(response, 500)
    assert body["issue"] == [{"severity": "error", "code": "exception"}]
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "RuntimeError" in logged and "GET /metrics 500" in logged
    assert "Jane" not in logged and "555-12" not in logged


def test_no_log_line_carries_note_text_names_or_identifiers(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    bundle = sample(HF)
    with caplog.at_level(logging.DEBUG):
        task_id = only_task(persist(client, bundle))
        client.post("/$analyze", json=bundle, headers=auth(SPECIALIST, accept=FHIR))
        client.post(f"/Task/{task_id}/$send", headers=auth(SPECIALIST))
        client.get(f"/DetectedIssue?patient={HF_PATIENT}", headers=auth(SPECIALIST))
        client.get(f"/Task?patient={HF_PATIENT}&owner=Practitioner/{HF}-attending", headers=auth(SPECIALIST))
        broken = copy.deepcopy(bundle)
        broken["entry"][3]["resource"]["status"] = "Leopold"
        client.post("/$analyze", json=broken, headers=auth(SPECIALIST))
    service_lines = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert any(line.startswith("GET /DetectedIssue 200") for line in service_lines)
    assert any(line.startswith("POST /Task/{task_id}/$send 200") for line in service_lines)
    text = "\n".join(service_lines)
    for secret in (
        "unspecified-heart-failure-pt",
        "Patient/",
        "Leopold",
        "Brannigan",
        "CHF",
        "furosemide",
        "Castellanos",
    ):
        assert secret not in text, secret
