"""The bundled FHIR samples are valid R4, self-contained, and what expected.json says about them is contract.

The demo, the docs and many tests read ``fhir_samples/``; a sample that stops validating, a reference that
dangles or an expectation naming a topic the contract does not know would break them quietly. The samples
are generated from ``fhir_samples/src/`` by ``fhir_samples/build.py``; the committed files must match.
"""

from __future__ import annotations

import base64
import binascii
import importlib.util
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from cdi.catalog import AXIS_IDS, TOPIC_IDS
from cdi.models import FindingKind

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "fhir_samples"
EXPECTED_PATH = SAMPLES_DIR / "expected.json"
SAMPLE_PATHS = sorted(p for p in SAMPLES_DIR.glob("*.json") if p != EXPECTED_PATH)

SETTING_OF_CLASS = {"IMP": "inpatient", "AMB": "outpatient"}
NOTE_LOINC = {"34117-2", "11506-3", "18842-5", "11488-4", "34111-5", "34746-8", "34801-1", "18748-4"}
DISCHARGE_SUMMARY = "18842-5"
ROLES = {"attending", "consultant", "nurse", "dietitian", "radiologist"}
MIN_WORDS, MAX_WORDS = 150, 500
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")  # fhir.resources checks the characters, not the length


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _resources(bundle: dict[str, Any], rtype: str | None = None) -> list[dict[str, Any]]:
    found = [e["resource"] for e in bundle["entry"]]
    return [r for r in found if rtype is None or r["resourceType"] == rtype]


def _by_ref(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{r['resourceType']}/{r['id']}": r for r in _resources(bundle)}


def _references(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (where, reference) in a resource, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield path, value
            else:
                yield from _references(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _references(item, f"{path}[{i}]")


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _note_text(doc: dict[str, Any]) -> str:
    attachment = doc["content"][0]["attachment"]
    assert attachment["contentType"] == "text/plain; charset=utf-8", doc["id"]
    try:
        raw = base64.b64decode(attachment["data"], validate=True)
    except binascii.Error as exc:  # pragma: no cover - the assertion message is the point
        raise AssertionError(f"{doc['id']}: attachment is not valid base64") from exc
    return raw.decode("utf-8")


def test_there_are_samples() -> None:
    assert len(SAMPLE_PATHS) >= 9


@pytest.mark.parametrize("path", SAMPLE_PATHS, ids=lambda p: p.stem)
def test_bundle_validates_as_r4(path: Path) -> None:
    data = _load(path)
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    assert bundle.entry
    for entry, raw in zip(bundle.entry, data["entry"], strict=True):
        resource = entry.resource
        assert resource is not None
        assert resource.get_resource_type() == raw["resource"]["resourceType"]
        assert entry.fullUrl and entry.fullUrl.endswith(f"/{raw['resource']['resourceType']}/{resource.id}")
    refs = [f"{r['resourceType']}/{r['id']}" for r in _resources(data)]
    assert len(refs) == len(set(refs)), "resource ids are unique within a bundle"
    for resource in _resources(data):
        assert FHIR_ID.fullmatch(resource["id"]), resource["id"]


@pytest.mark.parametrize("path", SAMPLE_PATHS, ids=lambda p: p.stem)
def test_every_reference_resolves_inside_the_bundle(path: Path) -> None:
    bundle = _load(path)
    known = _by_ref(bundle)
    for resource in _resources(bundle):
        for where, ref in _references(resource):
            assert ref in known, (
                f"{resource['resourceType']}/{resource['id']} {where} -> {ref} is not in the bundle"
            )


@pytest.mark.parametrize("path", SAMPLE_PATHS, ids=lambda p: p.stem)
def test_one_encounter_named_for_the_sample_with_an_attending(path: Path) -> None:
    bundle = _load(path)
    (encounter,) = _resources(bundle, "Encounter")
    assert encounter["id"] == f"{path.stem}-enc"
    assert encounter["class"]["code"] in SETTING_OF_CLASS
    start, end = _when(encounter["period"]["start"]), _when(encounter["period"]["end"])
    assert start <= end
    attenders = [
        p["individual"]["reference"]
        for p in encounter.get("participant", [])
        if any(c.get("code") == "ATND" for t in p.get("type", []) for c in t.get("coding", []))
    ]
    assert len(attenders) == 1
    attending = _by_ref(bundle)[attenders[0]]
    assert attending["qualification"][0]["code"]["text"] == "attending"
    for prac in _resources(bundle, "Practitioner"):
        assert prac["qualification"][0]["code"]["text"] in ROLES, prac["id"]


@pytest.mark.parametrize("path", SAMPLE_PATHS, ids=lambda p: p.stem)
def test_notes_decode_and_belong_to_the_encounter(path: Path) -> None:
    bundle = _load(path)
    (encounter,) = _resources(bundle, "Encounter")
    enc_ref = f"Encounter/{encounter['id']}"
    start, end = _when(encounter["period"]["start"]), _when(encounter["period"]["end"])
    docs = _resources(bundle, "DocumentReference")
    assert docs
    for doc in docs:
        text = _note_text(doc)
        words = len(text.split())
        assert MIN_WORDS <= words <= MAX_WORDS, f"{doc['id']}: {words} words"
        codes = {c["code"] for c in doc["type"]["coding"] if c["system"] == "http://loinc.org"}
        assert codes & NOTE_LOINC, doc["id"]
        assert [e["reference"] for e in doc["context"]["encounter"]] == [enc_ref]
        assert start <= _when(doc["date"]) <= end, doc["id"]
        assert doc["author"][0]["reference"].startswith("Practitioner/")
    for rtype in ("Condition", "Observation"):
        for resource in _resources(bundle, rtype):
            assert resource["encounter"]["reference"] == enc_ref, resource["id"]


def _is_inpatient(path: Path) -> bool:
    return any(e["class"]["code"] == "IMP" for e in _resources(_load(path), "Encounter"))


@pytest.mark.parametrize("path", [p for p in SAMPLE_PATHS if _is_inpatient(p)], ids=lambda p: p.stem)
def test_an_inpatient_stay_ends_with_its_discharge_summary(path: Path) -> None:
    bundle = _load(path)
    docs = sorted(_resources(bundle, "DocumentReference"), key=lambda d: _when(d["date"]))
    last_types = {c["code"] for c in docs[-1]["type"]["coding"]}
    assert DISCHARGE_SUMMARY in last_types
    assert sum(DISCHARGE_SUMMARY in {c["code"] for c in d["type"]["coding"]} for d in docs) == 1


def test_expected_json_names_only_contract_values_and_existing_samples() -> None:
    expected = _load(EXPECTED_PATH)
    assert set(expected) == {p.stem for p in SAMPLE_PATHS}
    kinds = {k.value for k in FindingKind}
    for sample_id, entry in expected.items():
        assert set(entry) == {"expected", "not_expected", "setting"}, sample_id
        (encounter,) = _resources(_load(SAMPLES_DIR / f"{sample_id}.json"), "Encounter")
        assert entry["setting"] == SETTING_OF_CLASS[encounter["class"]["code"]], sample_id
        expected_topics = set()
        for finding in entry["expected"]:
            assert set(finding) <= {"kind", "topic", "axes"}, sample_id
            assert finding["kind"] in kinds, sample_id
            assert finding["topic"] in TOPIC_IDS, sample_id
            axes = finding.get("axes", [])
            assert set(axes) <= set(AXIS_IDS), sample_id
            assert bool(axes) == (finding["kind"] == FindingKind.UNSPECIFIED), sample_id
            expected_topics.add(finding["topic"])
        for banned in entry["not_expected"]:
            assert set(banned) == {"topic"}, sample_id
            assert banned["topic"] in TOPIC_IDS, sample_id
            assert banned["topic"] not in expected_topics, sample_id


def test_committed_samples_match_their_sources(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("fhir_samples_build", SAMPLES_DIR / "build.py")
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    written = build.write_all(tmp_path)
    assert {p.name for p in written} == {p.name for p in SAMPLE_PATHS} | {"expected.json", "README.md"}
    for fresh in written:
        committed = SAMPLES_DIR / fresh.name
        assert committed.read_bytes() == fresh.read_bytes(), (
            f"{fresh.name} differs: run fhir_samples/build.py"
        )
