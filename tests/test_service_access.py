"""Who may do what: bearer tokens, the four roles, a physician confined to their own queries, token files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cdi.analysis import Analyzer
from cdi.service.auth import PERMISSIONS, Permission, Role, TokenTable, load_tokens
from tests.service_support import (
    ADMIN,
    HF,
    HF_ATTENDING,
    INTEGRATOR,
    OTHER_PHYSICIAN,
    PHYSICIAN,
    SPECIALIST,
    auth,
    only_task,
    persist,
    sample,
    service,
)

ID = "00000000-0000-0000-0000-000000000000"
PROTECTED = [
    ("POST", "/$analyze"),
    ("GET", "/Task"),
    ("GET", f"/Task/{ID}"),
    ("POST", f"/Task/{ID}/$send"),
    ("POST", f"/Task/{ID}/$cancel"),
    ("POST", f"/Task/{ID}/$escalate"),
    ("POST", "/QuestionnaireResponse"),
    ("GET", f"/QuestionnaireResponse/{ID}"),
    ("GET", "/DetectedIssue"),
    ("GET", "/DetectedIssue/x"),
    ("GET", f"/Questionnaire/{ID}"),
    ("GET", f"/Questionnaire/{ID}/_history/1"),
    ("GET", "/Provenance?target=Task/x"),
    ("GET", "/worklist"),
    ("GET", "/metrics"),
    ("POST", "/cds-services/cdi-patient-view"),
    ("POST", "/cds-services/cdi-patient-view/feedback"),
]


@pytest.fixture
def client(analyzer: Analyzer, tmp_path: Path) -> Any:
    with service(analyzer, f"sqlite:///{tmp_path}/cdi.db") as c:
        yield c


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_every_protected_endpoint_needs_a_known_token(client: TestClient, method: str, path: str) -> None:
    for headers in ({}, auth("not-a-token"), {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = client.request(method, path, json={}, headers=headers)
        assert response.status_code == 401, (path, headers)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"].startswith("application/fhir+json")
        body = response.json()
        assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["code"] == "login"


def test_docs_and_discovery_are_public(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/cds-services").status_code == 200


def test_the_permission_table() -> None:
    assert PERMISSIONS[Role.CDI_SPECIALIST] == frozenset(Permission) == PERMISSIONS[Role.ADMIN]
    assert PERMISSIONS[Role.PHYSICIAN] == {Permission.READ, Permission.ANSWER}
    assert Permission.MANAGE not in PERMISSIONS[Role.INTEGRATOR]
    assert Permission.ANSWER not in PERMISSIONS[Role.INTEGRATOR]


def test_integrator_analyses_and_reads_but_does_not_manage_or_answer(client: TestClient) -> None:
    task_id = only_task(persist(client, sample(HF), token=INTEGRATOR))
    assert client.get(f"/Task/{task_id}", headers=auth(INTEGRATOR)).status_code == 200
    assert client.get("/worklist", headers=auth(INTEGRATOR)).status_code == 200
    for op in ("$send", "$escalate", "$cancel"):
        refused = client.post(f"/Task/{task_id}/{op}", json={"reason": "x"}, headers=auth(INTEGRATOR))
        assert refused.status_code == 403
        assert refused.json()["issue"][0]["code"] == "forbidden"
    body = {"resourceType": "QuestionnaireResponse", "status": "completed"}
    assert client.post("/QuestionnaireResponse", json=body, headers=auth(INTEGRATOR)).status_code == 403
    # the audit log names the integrator
    provenance = client.get(f"/Provenance?target=Task/{task_id}", headers=auth(SPECIALIST)).json()
    assert provenance["entry"][0]["resource"]["agent"][0]["who"]["display"] == "integrator:ehr"


def test_admin_and_specialist_may_do_everything(client: TestClient) -> None:
    for token, name in ((ADMIN, HF), (SPECIALIST, "undocumented-hyponatremia")):
        task_id = only_task(persist(client, sample(name), token=token))
        assert client.post(f"/Task/{task_id}/$send", headers=auth(token)).status_code == 200
        assert (
            client.post(f"/Task/{task_id}/$cancel", json={"reason": "t"}, headers=auth(token)).status_code
            == 200
        )
        assert client.get("/metrics", headers=auth(token)).status_code == 200


def test_physician_sees_and_answers_only_sent_queries_addressed_to_them(client: TestClient) -> None:
    mine = only_task(persist(client, sample(HF)))
    theirs = only_task(persist(client, sample("conflict-sepsis-consultant")))
    for forbidden in (
        ("POST", "/$analyze"),
        ("GET", "/worklist"),
        ("GET", "/metrics"),
        ("POST", f"/Task/{mine}/$send"),
        ("POST", "/cds-services/cdi-patient-view"),
    ):
        assert client.request(*forbidden, json={}, headers=auth(PHYSICIAN)).status_code == 403, forbidden

    # drafts are the CDI specialist's working copies
    assert client.get("/Task", headers=auth(PHYSICIAN)).json()["entry"] == []
    assert client.get(f"/Task/{mine}", headers=auth(PHYSICIAN)).status_code == 403
    assert client.get(f"/Questionnaire/{mine}", headers=auth(PHYSICIAN)).status_code == 403

    for task_id in (mine, theirs):
        assert client.post(f"/Task/{task_id}/$send", headers=auth(SPECIALIST)).status_code == 200
    listed = client.get("/Task", headers=auth(PHYSICIAN)).json()["entry"]
    assert [e["resource"]["id"] for e in listed] == [mine]
    assert listed[0]["resource"]["owner"]["reference"] == HF_ATTENDING
    assert client.get("/Task?status=draft", headers=auth(PHYSICIAN)).json()["entry"] == []
    assert client.get(f"/Task?owner={HF_ATTENDING}", headers=auth(PHYSICIAN)).status_code == 200
    assert client.get("/Task?owner=Practitioner/someone-else", headers=auth(PHYSICIAN)).status_code == 403
    assert client.get(f"/Task/{mine}", headers=auth(PHYSICIAN)).status_code == 200
    assert client.get(f"/Task/{theirs}", headers=auth(PHYSICIAN)).status_code == 403
    assert client.get(f"/Questionnaire/{mine}", headers=auth(PHYSICIAN)).status_code == 200
    assert client.get(f"/Questionnaire/{theirs}", headers=auth(PHYSICIAN)).status_code == 403
    assert client.get(f"/Provenance?target=Task/{mine}", headers=auth(PHYSICIAN)).status_code == 200
    assert client.get(f"/Provenance?target=Task/{theirs}", headers=auth(PHYSICIAN)).status_code == 403
    encounter_provenance = client.get(f"/Provenance?target=Encounter/{HF}-enc", headers=auth(PHYSICIAN))
    assert encounter_provenance.status_code == 403

    issues = client.get("/DetectedIssue", headers=auth(PHYSICIAN)).json()["entry"]
    finding = client.get(f"/Task/{mine}", headers=auth(SPECIALIST)).json()["focus"]["reference"]
    assert [f"DetectedIssue/{e['resource']['id']}" for e in issues] == [finding]
    other_finding = client.get(f"/Task/{theirs}", headers=auth(SPECIALIST)).json()["focus"]["reference"]
    assert client.get(f"/{other_finding}", headers=auth(PHYSICIAN)).status_code == 403
    assert client.get(f"/{finding}", headers=auth(PHYSICIAN)).status_code == 200

    # another physician cannot answer this one, even naming the addressee as author
    questionnaire = client.get(f"/Questionnaire/{mine}", headers=auth(PHYSICIAN)).json()
    option = questionnaire["item"][0]["answerOption"][0]["valueCoding"]
    answer = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "basedOn": [{"reference": f"Task/{mine}"}],
        "author": {"reference": HF_ATTENDING},
        "item": [{"linkId": "answer", "answer": [{"valueCoding": option}]}],
    }
    assert (
        client.post("/QuestionnaireResponse", json=answer, headers=auth(OTHER_PHYSICIAN)).status_code == 403
    )
    assert client.post("/QuestionnaireResponse", json=answer, headers=auth(PHYSICIAN)).status_code == 201


# --- token configuration ---------------------------------------------------------------------------------


def test_tokens_from_a_yaml_file_and_json_environment(tmp_path: Path) -> None:
    path = tmp_path / "tokens.yaml"
    path.write_text(
        "file-token-1: {role: cdi_specialist, name: bob}\n"
        "file-token-2: {role: physician, practitioner: '42'}\n"
    )
    env = {"CDI_TOKENS_FILE": str(path), "CDI_TOKENS": json.dumps({"env-token": "integrator"})}
    table = load_tokens(env)
    assert len(table) == 3
    bob = table.lookup("file-token-1")
    assert bob is not None and bob.role is Role.CDI_SPECIALIST and bob.actor == "cdi_specialist:bob"
    doctor = table.lookup("file-token-2")
    assert (
        doctor is not None and doctor.practitioner == "Practitioner/42" and doctor.actor == "Practitioner/42"
    )
    assert table.lookup("env-token") is not None and table.lookup("env-token").role is Role.INTEGRATOR  # type: ignore[union-attr]
    assert table.lookup("nope") is None
    assert load_tokens({}).lookup("file-token-1") is None


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"secret-token-value": "superuser"}, "entry 1: invalid role"),
        ({"secret-token-value": {"role": "physician"}}, "needs a practitioner"),
        ({"secret-token-value": {"role": "physician", "practitioner": "Patient/1"}}, "invalid practitioner"),
        ({"secret-token-value": {"role": "admin", "extra": 1}}, "invalid extra"),
        (["secret-token-value"], "expected a mapping"),
        ({"": "admin"}, "non-empty string"),
    ],
)
def test_bad_token_entries_are_refused_without_quoting_the_token(data: Any, problem: str) -> None:
    with pytest.raises(ValueError, match=problem) as caught:
        TokenTable.parse(data, "CDI_TOKENS")
    assert "secret-token-value" not in str(caught.value)


def test_an_unreadable_token_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        load_tokens({"CDI_TOKENS_FILE": str(tmp_path / "missing.yaml")})
    (tmp_path / "bad.yaml").write_text("a: [unclosed")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_tokens({"CDI_TOKENS_FILE": str(tmp_path / "bad.yaml")})
