"""CDS Hooks: discovery, the discharge and patient-view services, feedback; every request and response
shape checked against the CDS Hooks specification's examples in ../shared/eval-data/cds_hooks/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.task import Task

from cdi.analysis import Analyzer
from tests.service_support import (
    HF,
    HF_ATTENDING,
    INTEGRATOR,
    SPECIALIST,
    auth,
    only_task,
    persist,
    sample,
    service,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "eval-data" / "cds_hooks"
DISCHARGE = "/cds-services/cdi-encounter-discharge"
PATIENT_VIEW = "/cds-services/cdi-patient-view"


def example(name: str) -> Any:
    path = EXAMPLES / name
    if not path.exists():
        pytest.skip(f"CDS Hooks examples not found at {EXAMPLES} (../shared/eval-data/cds_hooks)")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def client(analyzer: Analyzer, tmp_path: Path) -> Iterator[TestClient]:
    with service(analyzer, f"sqlite:///{tmp_path}/cdi.db") as c:
        yield c


def _searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [{"resource": r} for r in resources],
    }


def prefetch_of(name: str) -> dict[str, Any]:
    """The sample's resources as an EHR would prefetch them for our discovery templates."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for entry in sample(name)["entry"]:
        by_type.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return {
        "patient": by_type["Patient"][0],
        "encounter": by_type["Encounter"][0],
        "notes": _searchset(by_type.get("DocumentReference", [])),
        "conditions": _searchset(by_type.get("Condition", [])),
        "observations": _searchset(by_type.get("Observation", [])),
    }


def hook_request(hook: str, name: str = HF, **changes: Any) -> dict[str, Any]:
    """A request shaped like the specification's example (hookInstance, fhirServer, hook,
    fhirAuthorization, context, prefetch), with the context keys of the hook's own example."""
    request = example("docs__specification_current__02__example.json")
    context_example = {
        "encounter-discharge": "docs__hooks_encounter-discharge__01__context-example.json",
        "patient-view": "docs__hooks_patient-view__01__context-example.json",
    }[hook]
    context_keys = set(example(context_example)["context"])
    prefetch = prefetch_of(name)
    context = {
        "userId": HF_ATTENDING if name == HF else "Practitioner/example",
        "patientId": prefetch["patient"]["id"],
        "encounterId": prefetch["encounter"]["id"],
    }
    request.update(
        hook=hook, context={k: v for k, v in context.items() if k in context_keys}, prefetch=prefetch
    )
    request.update(changes)
    return request


def _allowed_card_keys() -> set[str]:
    keys: set[str] = set()
    for name in ("docs__specification_current__19__example.json", "hl7__index__22__example.json"):
        for card in example(name)["cards"]:
            keys |= set(card)
    return keys | {"suggestions", "selectionBehavior"}  # in the specification's card attributes table


def check_cards(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert set(body) <= set(example("hl7__index__21__system-action.json"))  # {"cards", "systemActions"}
    allowed = _allowed_card_keys()
    reason_keys = set(
        example("docs__specification_current__17__reasons-for-rejecting-a-card.json")["overrideReasons"][0]
    )
    action_keys = set(example("docs__specification_current__14__action.json"))
    source_keys = set(example("docs__specification_current__13__source.json")["source"])
    for card in body["cards"]:
        assert set(card) <= allowed, set(card) - allowed
        assert len(card["summary"]) < 140
        assert card["indicator"] in ("info", "warning", "critical")
        assert card["source"]["label"] and set(card["source"]) <= source_keys
        assert set(card["source"]["topic"]) == {"system", "code", "display"}
        assert card["selectionBehavior"] == "at-most-one"
        for reason in card["overrideReasons"]:
            assert set(reason) == reason_keys
        (suggestion,) = card["suggestions"]
        assert suggestion["label"] and suggestion["uuid"]
        for action in suggestion["actions"]:
            assert set(action) == action_keys and action["type"] == "create"
        questionnaire, task = (a["resource"] for a in suggestion["actions"])
        Questionnaire.model_validate(questionnaire)
        parsed = Task.model_validate(task)
        assert parsed.status == "requested" and parsed.intent == "order"
        assert task["input"][0]["valueCanonical"].startswith(questionnaire["url"])
    cards: list[dict[str, Any]] = body["cards"]
    return cards


# --- discovery ---------------------------------------------------------------------------------------------


def test_discovery_has_the_shape_of_the_specification(client: TestClient) -> None:
    spec = example("docs__specification_current__01__discovery-example.json")
    allowed = set().union(*(set(s) for s in spec["services"]))
    body = client.get("/cds-services").json()
    assert set(body) == set(spec)
    services = {s["id"]: s for s in body["services"]}
    assert set(services) == {"cdi-encounter-discharge", "cdi-patient-view"}
    assert services["cdi-encounter-discharge"]["hook"] == "encounter-discharge"
    assert services["cdi-patient-view"]["hook"] == "patient-view"
    for found in services.values():
        assert set(found) <= allowed and {"hook", "description", "id"} <= set(found)
        for template in found["prefetch"].values():
            assert "{{context.patientId}}" in template or template == "Encounter/{{context.encounterId}}"
    assert "{{context.encounterId}}" in services["cdi-encounter-discharge"]["prefetch"]["notes"]


# --- the services -----------------------------------------------------------------------------------------


def test_discharge_cards_carry_the_stored_query(client: TestClient) -> None:
    response = client.post(DISCHARGE, json=hook_request("encounter-discharge"), headers=auth(INTEGRATOR))
    assert response.status_code == 200, response.text
    (card,) = check_cards(response.json())
    assert card["indicator"] == "info"  # a missing specificity
    assert card["source"]["topic"]["code"] == "unspecified"
    assert "heart failure" in card["summary"].lower()
    task = card["suggestions"][0]["actions"][1]["resource"]
    assert task["owner"]["reference"] == HF_ATTENDING
    # the discharge hook stores its analysis: the suggestion is the stored query
    stored = client.get(f"/Task/{card['suggestions'][0]['uuid']}", headers=auth(SPECIALIST)).json()
    assert stored["status"] == "draft" and stored["id"] == task["id"]

    again = client.post(DISCHARGE, json=hook_request("encounter-discharge"), headers=auth(INTEGRATOR)).json()
    assert [(c["uuid"], c["suggestions"][0]["uuid"]) for c in again["cards"]] == [
        (card["uuid"], card["suggestions"][0]["uuid"])
    ]
    assert len(client.get("/Task", headers=auth(SPECIALIST)).json()["entry"]) == 1


def test_an_uncertain_diagnosis_is_a_warning(client: TestClient) -> None:
    request = hook_request("encounter-discharge", "outpatient-possible-uti")
    (card,) = check_cards(client.post(DISCHARGE, json=request, headers=auth(INTEGRATOR)).json())
    assert card["indicator"] == "warning" and card["source"]["topic"]["code"] == "uncertain"


def test_patient_view_reads_but_never_stores(client: TestClient) -> None:
    request = hook_request("patient-view")
    (card,) = check_cards(client.post(PATIENT_VIEW, json=request, headers=auth(INTEGRATOR)).json())
    assert client.get("/Task", headers=auth(SPECIALIST)).json()["entry"] == []
    assert card["suggestions"][0]["actions"][1]["resource"]["status"] == "requested"

    # once stored, the card offers the stored query; once cancelled, there is no card
    task_id = only_task(persist(client, sample(HF)))
    (card,) = check_cards(client.post(PATIENT_VIEW, json=request, headers=auth(INTEGRATOR)).json())
    assert card["suggestions"][0]["uuid"] == task_id
    client.post(f"/Task/{task_id}/$cancel", json={"reason": "discussed"}, headers=auth(SPECIALIST))
    assert client.post(PATIENT_VIEW, json=request, headers=auth(INTEGRATOR)).json() == {"cards": []}


def test_no_gap_no_card(client: TestClient) -> None:
    request = hook_request("encounter-discharge", "clean-specified-stay")
    assert client.post(DISCHARGE, json=request, headers=auth(INTEGRATOR)).json() == {"cards": []}


# --- feedback --------------------------------------------------------------------------------------------


def test_accepting_the_suggestion_sends_the_query(client: TestClient) -> None:
    (card,) = client.post(
        DISCHARGE, json=hook_request("encounter-discharge"), headers=auth(INTEGRATOR)
    ).json()["cards"]
    feedback = example("hl7__index__24__example-suggestion-accepted.json")
    feedback["feedback"][0]["card"] = card["uuid"]
    feedback["feedback"][0]["acceptedSuggestions"][0]["id"] = card["suggestions"][0]["uuid"]
    response = client.post(f"{DISCHARGE}/feedback", json=feedback, headers=auth(INTEGRATOR))
    assert response.status_code == 200
    task = client.get(f"/Task/{card['suggestions'][0]['uuid']}", headers=auth(SPECIALIST)).json()
    assert task["status"] == "requested"
    # the same feedback again changes nothing and is still accepted
    assert client.post(f"{DISCHARGE}/feedback", json=feedback, headers=auth(INTEGRATOR)).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "hl7__index__25__example-overridden-guidance-without-overridereason.json",
        "hl7__index__26__example-overridden-guidance-with-overridereason.json",
        "hl7__index__24__example-suggestion-accepted.json",  # a suggestion this service never made
    ],
)
def test_the_specification_feedback_examples_are_accepted(client: TestClient, name: str) -> None:
    response = client.post(f"{PATIENT_VIEW}/feedback", json=example(name), headers=auth(INTEGRATOR))
    assert response.status_code == 200


# --- bad hook calls ----------------------------------------------------------------------------------------


def test_the_specification_example_request_without_our_prefetch_is_412(client: TestClient) -> None:
    request = example(
        "docs__specification_current__02__example.json"
    )  # patient-view, prefetch patientToGreet
    response = client.post(PATIENT_VIEW, json=request, headers=auth(INTEGRATOR))
    assert response.status_code == 412
    assert response.json()["issue"][0]["expression"] == ["prefetch.notes"]
    no_prefetch = {k: v for k, v in request.items() if k != "prefetch"}
    assert client.post(PATIENT_VIEW, json=no_prefetch, headers=auth(INTEGRATOR)).status_code == 412
    # the discharge service also needs the encounter
    request = hook_request("encounter-discharge")
    del request["prefetch"]["encounter"]
    assert client.post(DISCHARGE, json=request, headers=auth(INTEGRATOR)).status_code == 412


def test_the_wrong_hook_or_context_is_400(client: TestClient) -> None:
    assert (
        client.post(DISCHARGE, json=hook_request("patient-view"), headers=auth(INTEGRATOR)).status_code == 400
    )
    request = hook_request("encounter-discharge")
    del request["context"]["encounterId"]
    body = client.post(DISCHARGE, json=request, headers=auth(INTEGRATOR)).json()
    assert body["issue"][0]["expression"] == ["context.encounterId"]
    request = hook_request("patient-view")
    del request["context"]["patientId"]
    assert client.post(PATIENT_VIEW, json=request, headers=auth(INTEGRATOR)).status_code == 400
    request = hook_request("patient-view")
    del request["hookInstance"]
    body = client.post(PATIENT_VIEW, json=request, headers=auth(INTEGRATOR)).json()
    assert body["issue"][0]["expression"] == ["hookInstance"]
    response = client.post(
        "/cds-services/unknown", json=hook_request("patient-view"), headers=auth(INTEGRATOR)
    )
    assert response.status_code == 404


def test_invalid_prefetch_is_422_with_its_path(client: TestClient) -> None:
    request = hook_request("encounter-discharge")
    request["prefetch"]["notes"]["entry"][0]["resource"]["status"] = 12
    body = client.post(DISCHARGE, json=request, headers=auth(INTEGRATOR)).json()
    assert body["issue"][0]["expression"] == ["prefetch.notes.entry[0].resource.status"]
    request = hook_request("encounter-discharge")
    request["prefetch"]["conditions"] = ["not", "a", "resource"]
    response = client.post(DISCHARGE, json=request, headers=auth(INTEGRATOR))
    assert response.status_code == 422 and response.json()["issue"][0]["expression"] == [
        "prefetch.conditions"
    ]


@pytest.mark.parametrize(
    "feedback",
    [
        {},
        {"feedback": "yes"},
        {"feedback": [{"card": "x", "outcome": "liked", "outcomeTimestamp": "2021-01-01"}]},
    ],
)
def test_malformed_feedback_is_400(client: TestClient, feedback: dict[str, Any]) -> None:
    assert client.post(f"{DISCHARGE}/feedback", json=feedback, headers=auth(INTEGRATOR)).status_code == 400
    assert (
        client.post(
            "/cds-services/unknown/feedback", json={"feedback": []}, headers=auth(INTEGRATOR)
        ).status_code
        == 404
    )
