#!/usr/bin/env python3
"""Build the held-out CDI scenarios: a FHIR R4 Bundle per case in ``cases.json``, and ``expected.json``.

usage: python tests/data/heldout/build.py [CASES.json] [OUT_DIR]      (defaults: this folder for both)

``cases.json`` is the readable source (the format of the shared scenarios' ``dev_cases.json``, plus an
optional ``encounter_class`` per case: IMP, ACUTE, AMB, EMER or OBSENC; without it, ``setting`` decides).
Every id is derived from the case id, so a rebuild of an unchanged source gives byte-identical files, and the
Encounter is ``<case-id>-enc``, which is how the scorer maps findings back to a case.

Standard library only, on purpose: the scenarios must be rebuildable without the project installed.
"""

from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BASE = "http://example.org/fhir"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
NOTE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"

ENCOUNTER_CLASSES = {
    "IMP": "inpatient encounter",
    "ACUTE": "inpatient acute",
    "AMB": "ambulatory",
    "EMER": "emergency",
    "OBSENC": "observation encounter",
}
NOTE_TYPES = {  # LOINC document type codes
    "history-and-physical": ("34117-2", "History and physical note"),
    "progress-note": ("11506-3", "Progress note"),
    "discharge-summary": ("18842-5", "Discharge summary"),
    "consult-note": ("11488-4", "Consult note"),
    "ed-note": ("34111-5", "Emergency department note"),
    "nursing-note": ("34746-8", "Nurse note"),
    "dietitian-note": ("34801-1", "Nutrition and dietetics Note"),
    "operative-note": ("11504-8", "Surgical operation note"),
    "radiology-report": ("18748-4", "Diagnostic imaging study"),
}
VITAL_SIGNS = {"8310-5", "8867-4", "9279-1", "8480-6", "59408-5", "39156-5", "29463-7"}


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "x"


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    c = {"system": system, "code": code}
    if display:
        c["display"] = display
    return c


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"{BASE}/{resource['resourceType']}/{resource['id']}", "resource": resource}


def encounter_class(case: dict[str, Any]) -> str:
    cls = case.get("encounter_class") or ("IMP" if case.get("setting", "inpatient") == "inpatient" else "AMB")
    if cls not in ENCOUNTER_CLASSES:
        raise ValueError(f"{case['id']}: unknown encounter_class {cls!r}")
    return cls


def bundle(case: dict[str, Any]) -> dict[str, Any]:
    cid = case["id"]
    patient_ref = f"Patient/{cid}-pt"
    enc_id = f"{cid}-enc"
    cls = encounter_class(case)
    dates = sorted(doc["date"] for doc in case["documents"])

    practitioners: dict[str, dict[str, Any]] = {}
    for doc in case["documents"]:
        name = doc.get("author") or "Unknown author"
        if name not in practitioners:
            practitioners[name] = {
                "resourceType": "Practitioner",
                "id": f"{cid}-{_key(name)}",
                "name": [{"text": name}],
                "qualification": [{"code": {"text": doc.get("author_role", "")}}],
            }
    first_author = practitioners[case["documents"][0].get("author") or "Unknown author"]

    resources: list[dict[str, Any]] = [
        {"resourceType": "Patient", "id": f"{cid}-pt", "name": [{"family": "Heldout", "given": [cid]}]},
        {
            "resourceType": "Encounter",
            "id": enc_id,
            "status": "finished",
            "class": _coding(ACT_CODE, cls, ENCOUNTER_CLASSES[cls]),
            "subject": {"reference": patient_ref},
            "participant": [
                {
                    "type": [
                        {"coding": [_coding(f"{TERMINOLOGY}/v3-ParticipationType", "ATND", "attender")]}
                    ],
                    "individual": {"reference": f"Practitioner/{first_author['id']}"},
                }
            ],
            "period": {"start": dates[0], "end": dates[-1]},
        },
        *practitioners.values(),
    ]

    for doc in case["documents"]:
        code, display = NOTE_TYPES[doc["type"]]
        author = practitioners[doc.get("author") or "Unknown author"]
        resources.append(
            {
                "resourceType": "DocumentReference",
                "id": f"{cid}-{doc['id']}",
                "status": "current",
                "type": {"coding": [_coding(LOINC, code, display)], "text": display},
                "category": [{"coding": [_coding(NOTE_CATEGORY, "clinical-note", "Clinical Note")]}],
                "subject": {"reference": patient_ref},
                "date": doc["date"],
                "author": [{"reference": f"Practitioner/{author['id']}", "display": doc.get("author")}],
                "content": [
                    {
                        "attachment": {
                            "contentType": "text/plain; charset=utf-8",
                            "data": base64.b64encode(doc["text"].encode("utf-8")).decode("ascii"),
                        }
                    }
                ],
                "context": {
                    "encounter": [{"reference": f"Encounter/{enc_id}"}],
                    "period": {"start": doc["date"]},
                },
            }
        )

    for n, cond in enumerate(case.get("conditions", []), start=1):
        status = cond.get("verification_status", "confirmed")
        code: dict[str, Any] = {"text": cond["text"]}
        if cond.get("snomed"):
            code["coding"] = [_coding(SNOMED, cond["snomed"], cond["text"])]
        res: dict[str, Any] = {
            "resourceType": "Condition",
            "id": f"{cid}-cond{n}",
            "verificationStatus": {"coding": [_coding(f"{TERMINOLOGY}/condition-ver-status", status)]},
            "category": [{"coding": [_coding(f"{TERMINOLOGY}/condition-category", "encounter-diagnosis")]}],
            "code": code,
            "subject": {"reference": patient_ref},
            "encounter": {"reference": f"Encounter/{enc_id}"},
        }
        if status != "entered-in-error":
            clinical = cond.get("clinical_status", "active")
            res["clinicalStatus"] = {"coding": [_coding(f"{TERMINOLOGY}/condition-clinical", clinical)]}
        if cond.get("recorded"):
            res["recordedDate"] = cond["recorded"]
        resources.append(res)

    for n, ob in enumerate(case.get("observations", []), start=1):
        category = "vital-signs" if ob["loinc"] in VITAL_SIGNS else "laboratory"
        resources.append(
            {
                "resourceType": "Observation",
                "id": f"{cid}-obs{n}",
                "status": "final",
                "category": [{"coding": [_coding(f"{TERMINOLOGY}/observation-category", category)]}],
                "code": {"coding": [_coding(LOINC, ob["loinc"], ob.get("name"))], "text": ob.get("name", "")},
                "subject": {"reference": patient_ref},
                "encounter": {"reference": f"Encounter/{enc_id}"},
                "effectiveDateTime": ob["time"],
                "valueQuantity": {
                    "value": ob["value"],
                    "unit": ob.get("unit", ""),
                    "system": UCUM,
                    "code": ob.get("unit", ""),
                },
            }
        )

    return {
        "resourceType": "Bundle",
        "id": cid,
        "type": "collection",
        "entry": [_entry(r) for r in resources],
    }


def expected_of(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "expected": case.get("expected", []),
        "not_expected": case.get("not_expected", []),
        "setting": case.get("setting", "inpatient"),
    }


def main(argv: list[str]) -> None:
    source = Path(argv[1]) if len(argv) > 1 else HERE / "cases.json"
    out = Path(argv[2]) if len(argv) > 2 else HERE
    cases = json.loads(source.read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    expected = {}
    for case in cases:
        text = json.dumps(bundle(case), indent=1, ensure_ascii=False) + "\n"
        (out / f"{case['id']}.json").write_text(text, encoding="utf-8")
        expected[case["id"]] = expected_of(case)
    (out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n", encoding="utf-8")
    print(f"{len(cases)} bundles and expected.json written to {out}")


if __name__ == "__main__":
    main(sys.argv)
