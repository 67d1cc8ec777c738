"""Tests of the FHIR output (cdi/fhir_output.py): every resource validates with fhir.resources R4B and
round-trips unchanged, for every sample and development scenario, and has the shapes of the R4 examples."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.detectedissue import DetectedIssue
from fhir.resources.R4B.provenance import Provenance
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.task import Task

from cdi.fhir_input import FhirReader
from cdi.fhir_output import (
    DEVICE,
    KIND_SYSTEM,
    OPTION_SYSTEM,
    OTHER_TEXT_LINK,
    detected_issue,
    findings_bundle,
    option_codes,
    provenance,
    questionnaire,
    questionnaire_canonical,
    task,
)
from cdi.models import EncounterResult, Finding

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "fhir_samples"
SCENARIOS = ROOT.parent / "shared" / "cdi-scenarios" / "dev"
SPEC = ROOT.parent / "shared" / "eval-data" / "fhir_r4_examples" / "spec"
WHEN = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def _analyse(analyzer: Any, path: Path) -> list[EncounterResult]:
    return list(analyzer.analyze_many(FhirReader([path]).encounters()))


@pytest.fixture(scope="module")
def sample_results(analyzer: Any) -> list[EncounterResult]:
    return _analyse(analyzer, SAMPLES)


@pytest.fixture(scope="module")
def scenario_results(analyzer: Any) -> list[EncounterResult]:
    if not SCENARIOS.is_dir():
        pytest.skip(f"development scenarios not found at {SCENARIOS} (../shared is absent)")
    return _analyse(analyzer, SCENARIOS)


def _findings(results: list[EncounterResult]) -> list[Finding]:
    return [f for r in results for f in r.findings]


def _round_trips(resource: Any) -> None:
    cls = type(resource)
    again = cls.model_validate_json(resource.model_dump_json())
    assert again == resource
    assert (
        cls.model_validate(json.loads(resource.model_dump_json())).model_dump_json()
        == resource.model_dump_json()
    )


@pytest.mark.parametrize("which", ["samples", "scenarios"])
def test_bundle_validates_and_round_trips(which: str, request: pytest.FixtureRequest) -> None:
    results = request.getfixturevalue("sample_results" if which == "samples" else "scenario_results")
    findings = _findings(results)
    assert findings
    bundle = findings_bundle(results, recorded=WHEN)
    text = bundle.model_dump_json()
    again = Bundle.model_validate_json(text)
    assert again == bundle
    assert again.model_dump_json() == text
    kinds = Counter(e.resource.get_resource_type() for e in bundle.entry or [])
    drafted = sum(1 for f in findings if f.query is not None)
    assert kinds == Counter(
        {"DetectedIssue": len(findings), "Questionnaire": drafted, "Task": drafted, "Provenance": 1}
    )
    for entry in bundle.entry or []:
        resource = entry.resource
        _round_trips(resource)
        assert entry.fullUrl.endswith(f"/{resource.get_resource_type()}/{resource.id}")
        # and the plain JSON of each one validates on its own, as a consumer would read it
        cls = get_fhir_model_class(resource.get_resource_type())
        cls.model_validate(json.loads(resource.model_dump_json()))
    prov = [e.resource for e in bundle.entry or [] if e.resource.get_resource_type() == "Provenance"][0]
    targets = {t.reference for t in prov.target}
    assert targets == {
        f"{e.resource.get_resource_type()}/{e.resource.id}"
        for e in bundle.entry or []
        if e.resource.get_resource_type() != "Provenance"
    }
    assert prov.agent[0].who.reference == DEVICE
    assert prov.activity.coding[0].code == "CREATE"
    assert bundle.type == "collection"


def test_bundle_is_deterministic_for_a_given_time(sample_results: list[EncounterResult]) -> None:
    a = findings_bundle(sample_results, recorded=WHEN).model_dump_json()
    assert a == findings_bundle(sample_results, recorded=WHEN).model_dump_json()
    assert findings_bundle([], recorded=WHEN).entry is None


def test_detected_issue(sample_results: list[EncounterResult]) -> None:
    for f in _findings(sample_results):
        issue = detected_issue(f)
        _round_trips(issue)
        assert issue.id == f.id and issue.status == "preliminary"
        assert issue.code.coding[0].system == KIND_SYSTEM and issue.code.coding[0].code == f.kind.value
        assert issue.detail == f.summary
        assert issue.patient.reference == f.patient
        assert issue.author.reference == DEVICE
        cited = {d.reference for ev in issue.evidence or [] for d in ev.detail}
        assert cited == {e.document for e in f.evidence} | {i.source for i in f.indicators}
        if f.implicated_condition:
            assert [r.reference for r in issue.implicated] == [f.implicated_condition]
        assert {x.valueCoding.code for x in issue.extension if x.valueCoding} == {f.topic}
    f = _findings(sample_results)[0]
    assert detected_issue(f, issue_id="x1", status="final").status == "final"
    with pytest.raises(ValueError):
        detected_issue(f, status="open")


def test_questionnaire_carries_the_options_with_their_codes(sample_results: list[EncounterResult]) -> None:
    for f in _findings(sample_results):
        assert f.query is not None
        q = questionnaire(f, version=2)
        _round_trips(q)
        assert (q.status, q.version, q.url) == (
            "active",
            "2",
            f"https://cdi-query-assistant.org/Questionnaire/{f.id}",
        )
        answer = q.item[0]
        assert (answer.linkId, answer.type, answer.required) == ("answer", "choice", True)
        codings = [o.valueCoding for o in answer.answerOption]
        assert [c.display for c in codings] == list(f.query.options)
        assert [c.code for c in codings] == list(f.query.option_codes)
        assert {c.system for c in codings} == {OPTION_SYSTEM}
        assert "[ ]" not in answer.text and "Clinical indicators" in answer.text
        assert "&quot;" not in answer.text and "&#" not in answer.text  # plain text, not HTML
        other = [i for i in q.item if i.linkId == OTHER_TEXT_LINK]
        assert len(other) == 1 and other[0].type == "string"
        enabled_by = {w.answerCoding.code for w in other[0].enableWhen}
        assert "other" in enabled_by
        assert questionnaire_canonical(q) == f"{q.url}|2"


def test_questionnaire_repeats_for_several_axes(sample_results: list[EncounterResult]) -> None:
    f = _findings(sample_results)[0]
    assert f.query is not None
    assert not questionnaire(f).item[0].repeats or len(f.axes) > 1
    several = replace(f, axes=("site", "organism"))
    assert questionnaire(several).item[0].repeats is True


def test_codes_are_inferred_for_a_stored_query(sample_results: list[EncounterResult]) -> None:
    for f in _findings(sample_results):
        assert f.query is not None
        stored = replace(f, query=replace(f.query, option_codes=()))
        assert option_codes(stored, stored.query) == f.query.option_codes  # type: ignore[arg-type]
    f = _findings(sample_results)[0]
    with pytest.raises(ValueError):
        questionnaire(replace(f, query=None))


def test_task(sample_results: list[EncounterResult]) -> None:
    f = _findings(sample_results)[0]
    assert f.query is not None
    t = task(f, authored_on=WHEN)
    _round_trips(t)
    assert (t.status, t.intent) == ("draft", "order")
    assert t.focus.reference == f"DetectedIssue/{f.id}"
    assert t.for_fhir.reference == f.patient and t.encounter.reference == f.encounter
    assert t.owner.reference == f.query.to and t.owner.display == f.query.to_display
    assert t.input[0].valueCanonical == f"https://cdi-query-assistant.org/Questionnaire/{f.id}|1"
    data = json.loads(t.model_dump_json())
    assert data["for"] == {"reference": f.patient}
    escalated = task(f, task_id="q-1", status="escalated", status_reason="no answer in 48 hours")
    assert (escalated.status, escalated.businessStatus.text) == ("on-hold", "escalated")
    assert escalated.statusReason.text == "no answer in 48 hours"
    assert task(f, status="requested", owner="Practitioner/advisor").owner.reference == "Practitioner/advisor"
    assert task(f, status="cancelled").status == "cancelled"
    with pytest.raises(ValueError):
        task(f, status="sent")


def test_provenance() -> None:
    p = provenance(
        ["Task/1", "QuestionnaireResponse/2"], agent="Practitioner/3", activity="UPDATE", recorded=WHEN
    )
    _round_trips(p)
    assert (
        p.id
        == provenance(
            ["Task/1", "QuestionnaireResponse/2"], agent="Practitioner/3", activity="UPDATE", recorded=WHEN
        ).id
    )
    assert p.agent[0].type.coding[0].code == "author"
    naive = provenance(
        ["Task/1"],
        agent=DEVICE,
        activity="CREATE",
        recorded=datetime(2026, 1, 1, 8, 0),
        entity=["DocumentReference/5"],
    )
    assert naive.recorded.tzinfo is not None and naive.agent[0].type.coding[0].code == "assembler"
    assert naive.entity[0].role == "source"
    with pytest.raises(ValueError):
        provenance([], agent=DEVICE, activity="CREATE", recorded=WHEN)


# --- Shapes against the R4 examples -----------------------------------------------------------------

EXAMPLES = {
    DetectedIssue: "detectedissue-*.json",
    Task: "task-*.json",
    Questionnaire: "questionnaire-*.json",
    Provenance: "provenance-*.json",
}
# R4 elements we use that no R4 example of the type happens to show.
NOT_IN_EXAMPLES = {
    DetectedIssue: {"evidence", "extension"},
    Task: set(),
    Questionnaire: set(),
    Provenance: set(),
}


def _spec_examples(cls: type) -> list[dict[str, Any]]:
    if not SPEC.is_dir():
        pytest.skip(f"R4 examples not found at {SPEC} (../shared is absent)")
    out = []
    for path in sorted(SPEC.glob(EXAMPLES[cls])):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("resourceType") == cls.__name__:
            out.append(data)
    return out


@pytest.mark.parametrize("cls", list(EXAMPLES), ids=lambda c: c.__name__)
def test_shapes_follow_the_r4_examples(cls: type, sample_results: list[EncounterResult]) -> None:
    examples = _spec_examples(cls)
    assert examples
    for data in examples:  # the models we emit with read the specification's own examples
        cls.model_validate(data)  # type: ignore[attr-defined]
    used_by_spec = {key for data in examples for key in data if key not in ("resourceType", "text", "meta")}
    bundle = findings_bundle(sample_results, recorded=WHEN)
    ours = [
        json.loads(e.resource.model_dump_json()) for e in bundle.entry or [] if isinstance(e.resource, cls)
    ]
    assert ours
    emitted = {key for data in ours for key in data if key != "resourceType"}
    assert emitted - used_by_spec <= NOT_IN_EXAMPLES[cls]
