#!/usr/bin/env python3
"""Regenerate the sample FHIR R4 Bundles, ``expected.json`` and ``README.md`` from ``src/*.py``.

usage: python fhir_samples/build.py [--out DIR]     (default: this folder)

Each ``src/<id>.py`` holds one invented encounter as readable data (a ``SAMPLE`` dict: patient, clinicians,
notes as plain text, Conditions, Observations, and what a CDI specialist expects). This script turns it into
a collection Bundle with deterministic ids (``<id>-enc`` for the Encounter, which is how a scorer finds the
sample) and stable output, so a rebuild of unchanged sources gives byte-identical files.

Standard library only on purpose: the samples must be rebuildable without the project installed.
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
BASE = "http://example.org/fhir"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
NOTE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"

# LOINC document types, as the project's readers expect them.
NOTE_TYPES = {
    "history-and-physical": ("34117-2", "History and physical note"),
    "progress-note": ("11506-3", "Progress note"),
    "discharge-summary": ("18842-5", "Discharge summary"),
    "consult-note": ("11488-4", "Consult note"),
    "ed-note": ("34111-5", "Emergency department note"),
    "nurse-note": ("34746-8", "Nurse note"),
    "nutrition-note": ("34801-1", "Nutrition and dietetics note"),
    "imaging-report": ("18748-4", "Diagnostic imaging study"),
}

# Observation codes used by the samples: LOINC -> (display, UCUM unit, observation category).
OBSERVATION_CODES = {
    "8310-5": ("Body temperature", "Cel", "vital-signs"),
    "8867-4": ("Heart rate", "/min", "vital-signs"),
    "9279-1": ("Respiratory rate", "/min", "vital-signs"),
    "8480-6": ("Systolic blood pressure", "mm[Hg]", "vital-signs"),
    "59408-5": ("Oxygen saturation in Arterial blood by Pulse oximetry", "%", "vital-signs"),
    "29463-7": ("Body weight", "kg", "vital-signs"),
    "8302-2": ("Body height", "cm", "vital-signs"),
    "39156-5": ("Body mass index (BMI) [Ratio]", "kg/m2", "vital-signs"),
    "6690-2": ("Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", "laboratory"),
    "718-7": ("Hemoglobin [Mass/volume] in Blood", "g/dL", "laboratory"),
    "777-3": ("Platelets [#/volume] in Blood by Automated count", "10*3/uL", "laboratory"),
    "2951-2": ("Sodium [Moles/volume] in Serum or Plasma", "mmol/L", "laboratory"),
    "2823-3": ("Potassium [Moles/volume] in Serum or Plasma", "mmol/L", "laboratory"),
    "2160-0": ("Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", "laboratory"),
    "33914-3": (
        "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma "
        "by Creatinine-based formula (MDRD)",
        "mL/min/{1.73_m2}",
        "laboratory",
    ),
    "2345-7": ("Glucose [Mass/volume] in Serum or Plasma", "mg/dL", "laboratory"),
    "4548-4": ("Hemoglobin A1c/Hemoglobin.total in Blood", "%", "laboratory"),
    "2524-7": ("Lactate [Moles/volume] in Serum or Plasma", "mmol/L", "laboratory"),
    "33959-8": ("Procalcitonin [Mass/volume] in Serum or Plasma", "ng/mL", "laboratory"),
    "42637-9": ("Natriuretic peptide B [Mass/volume] in Blood", "pg/mL", "laboratory"),
    "2692-2": ("Osmolality of Serum or Plasma", "mosm/kg", "laboratory"),
    "2955-3": ("Sodium [Moles/volume] in Urine", "mmol/L", "laboratory"),
    "1975-2": ("Bilirubin.total [Mass/volume] in Serum or Plasma", "mg/dL", "laboratory"),
    "9318-7": ("Albumin/Creatinine [Mass Ratio] in Urine", "mg/g", "laboratory"),
    "10230-1": ("Left ventricular Ejection fraction", "%", "imaging"),
}

ENCOUNTER_CLASS = {
    "inpatient": ("IMP", "inpatient encounter"),
    "outpatient": ("AMB", "ambulatory"),
}


def load_samples(src: Path = SRC) -> list[dict[str, Any]]:
    """Every ``SAMPLE`` under ``src``, in file-name order."""
    samples = []
    for path in sorted(src.glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"fhir_sample_{path.stem.replace('-', '_')}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        keep, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ beside the sources
        try:
            spec.loader.exec_module(module)
        finally:
            sys.dont_write_bytecode = keep
        sample = module.SAMPLE
        if sample["id"] != path.stem:
            raise ValueError(f"{path.name}: SAMPLE id {sample['id']!r} differs from the file name")
        samples.append(sample)
    return samples


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"{BASE}/{resource['resourceType']}/{resource['id']}", "resource": resource}


def _ref(resource: dict[str, Any]) -> str:
    return f"{resource['resourceType']}/{resource['id']}"


def _practitioner_display(p: dict[str, Any]) -> str:
    prefix = "Dr. " if p.get("suffix") in ("MD", "DO") else ""
    return f"{prefix}{p['given']} {p['family']}, {p['suffix']}"


def _concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    """A CodeableConcept with one coding."""
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def _coding_list(item: dict[str, Any]) -> list[dict[str, str]]:
    codings = []
    for key, system in (("snomed", SNOMED), ("icd10cm", ICD10CM)):
        if item.get(key):
            display = item.get(f"{key}_display", item["text"])
            codings.append({"system": system, "code": item[key], "display": display})
    return codings


def build_bundle(sample: dict[str, Any]) -> dict[str, Any]:
    sid = sample["id"]
    pat_src = sample["patient"]
    patient = {
        "resourceType": "Patient",
        "id": f"{sid}-pt",
        "identifier": [{"system": "http://example.org/fhir-samples/mrn", "value": pat_src["mrn"]}],
        "name": [{"use": "official", "family": pat_src["family"], "given": [pat_src["given"]]}],
        "gender": pat_src["gender"],
        "birthDate": pat_src["birth_date"],
    }
    subject = {"reference": _ref(patient)}

    practitioners: dict[str, dict[str, Any]] = {}
    for key, p in sample["practitioners"].items():
        practitioners[key] = {
            "resourceType": "Practitioner",
            "id": f"{sid}-{key}",
            "name": [
                {
                    "text": _practitioner_display(p),
                    "family": p["family"],
                    "given": [p["given"]],
                    "suffix": [p["suffix"]],
                }
            ],
            "qualification": [{"code": {"text": p["role"]}}],
        }

    def author(key: str) -> dict[str, str]:
        prac = practitioners[key]
        return {"reference": _ref(prac), "display": prac["name"][0]["text"]}

    class_code, class_display = ENCOUNTER_CLASS[sample["setting"]]
    start, end = sample["period"]
    encounter = {
        "resourceType": "Encounter",
        "id": f"{sid}-enc",
        "status": "finished",
        "class": {"system": f"{TERMINOLOGY}/v3-ActCode", "code": class_code, "display": class_display},
        "subject": subject,
        "participant": [
            {
                "type": [_concept(f"{TERMINOLOGY}/v3-ParticipationType", "ATND", "attender")],
                "individual": author(sample["attending"]),
            }
        ],
        "period": {"start": start, "end": end},
    }
    enc_ref = {"reference": _ref(encounter)}

    entries = [_entry(patient), _entry(encounter)] + [_entry(p) for p in practitioners.values()]

    for note in sample["notes"]:
        code, display = NOTE_TYPES[note["type"]]
        text = note["text"].strip() + "\n"
        entries.append(
            _entry(
                {
                    "resourceType": "DocumentReference",
                    "id": f"{sid}-{note['id']}",
                    "status": "current",
                    "docStatus": "final",
                    "type": {
                        "coding": [{"system": LOINC, "code": code, "display": display}],
                        "text": display,
                    },
                    "category": [_concept(NOTE_CATEGORY, "clinical-note", "Clinical Note")],
                    "subject": subject,
                    "date": note["date"],
                    "author": [author(note["author"])],
                    "content": [
                        {
                            "attachment": {
                                "contentType": "text/plain; charset=utf-8",
                                "data": base64.b64encode(text.encode("utf-8")).decode("ascii"),
                            }
                        }
                    ],
                    "context": {"encounter": [enc_ref], "period": {"start": note["date"]}},
                }
            )
        )

    for i, cond in enumerate(sample.get("conditions", []), start=1):
        verification = cond.get("verification", "confirmed")
        resource: dict[str, Any] = {"resourceType": "Condition", "id": f"{sid}-cond{i}"}
        if verification not in ("refuted", "entered-in-error"):
            resource["clinicalStatus"] = _concept(
                f"{TERMINOLOGY}/condition-clinical", cond.get("clinical", "active")
            )
        resource["verificationStatus"] = _concept(f"{TERMINOLOGY}/condition-ver-status", verification)
        resource["category"] = [
            _concept(f"{TERMINOLOGY}/condition-category", "encounter-diagnosis", "Encounter Diagnosis")
        ]
        resource["code"] = {"coding": _coding_list(cond), "text": cond["text"]}
        resource["subject"] = subject
        resource["encounter"] = enc_ref
        resource["recordedDate"] = cond["recorded"]
        if cond.get("asserter"):
            resource["asserter"] = author(cond["asserter"])
        entries.append(_entry(resource))

    for i, (loinc, value, when) in enumerate(sample.get("observations", []), start=1):
        display, unit, category = OBSERVATION_CODES[loinc]
        entries.append(
            _entry(
                {
                    "resourceType": "Observation",
                    "id": f"{sid}-obs{i}",
                    "status": "final",
                    "category": [_concept(f"{TERMINOLOGY}/observation-category", category)],
                    "code": {
                        "coding": [{"system": LOINC, "code": loinc, "display": display}],
                        "text": display,
                    },
                    "subject": subject,
                    "encounter": enc_ref,
                    "effectiveDateTime": when,
                    "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
                }
            )
        )

    return {"resourceType": "Bundle", "id": sid, "type": "collection", "timestamp": end, "entry": entries}


def expected_entry(sample: dict[str, Any]) -> dict[str, Any]:
    """The sample's line of expected.json, in the format of the shared scenarios' dev/expected.json."""
    return {
        "expected": sample["expected"],
        "not_expected": [{"topic": t} for t in sample["not_expected"]],
        "setting": sample["setting"],
    }


def _describe(findings: list[dict[str, Any]]) -> str:
    parts = []
    for f in findings:
        axes = f" ({', '.join(f['axes'])})" if f.get("axes") else ""
        parts.append(f"{f['kind']} `{f['topic']}`{axes}")
    return "; ".join(parts) if parts else "no finding"


README_HEAD = """\
# FHIR samples

Small FHIR R4 collection Bundles written for this project: every patient, clinician, note and date is
invented. They feed the demo (`cdi analyze fhir_samples/`), the docs and the tests. Each `<id>.json` holds one
encounter, `Encounter/<id>-enc` (class IMP or AMB, the attending as its ATND participant), with its Patient,
Practitioners (role in `qualification[0].code.text`), notes as DocumentReferences (LOINC note type, base64
`text/plain; charset=utf-8`), Conditions (SNOMED CT and/or ICD-10-CM) and Observations (LOINC, UCUM).

`expected.json` is not FHIR: it says what a CDI specialist expects of each sample, in the format of the
shared scenarios' `dev/expected.json` (`expected` findings by kind, topic and, for `unspecified`, axes;
`not_expected` topics that the record mentions but that must not produce a finding; `setting`).

The readable source of every sample is `src/<id>.py`; after editing one, run `python fhir_samples/build.py`
to rewrite the bundles, `expected.json` and this file. Never edit those by hand: `tests/test_samples_valid.py`
checks that they match the sources, that every bundle validates with `fhir.resources.R4B` and that every
reference resolves inside its bundle.

| sample | setting | what it shows | a CDI specialist expects | must not fire |
|---|---|---|---|---|
"""


def readme(samples: list[dict[str, Any]]) -> str:
    rows = []
    for s in samples:
        not_expected = ", ".join(f"`{t}`" for t in s["not_expected"]) or "-"
        rows.append(
            f"| `{s['id']}.json` | {s['setting']} | {s['shows']} | {_describe(s['expected'])} "
            f"| {not_expected} |"
        )
    return README_HEAD + "\n".join(rows) + "\n"


def _dump(data: Any) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def write_all(out: Path, samples: list[dict[str, Any]] | None = None) -> list[Path]:
    """Write every bundle, expected.json and README.md into ``out``; return the paths written."""
    samples = load_samples() if samples is None else samples
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for s in samples:
        path = out / f"{s['id']}.json"
        path.write_text(_dump(build_bundle(s)), encoding="utf-8")
        written.append(path)
    expected_path = out / "expected.json"
    expected_path.write_text(_dump({s["id"]: expected_entry(s) for s in samples}), encoding="utf-8")
    readme_path = out / "README.md"
    readme_path.write_text(readme(samples), encoding="utf-8")
    return [*written, expected_path, readme_path]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: fhir_samples/)")
    args = parser.parse_args(argv)
    written = write_all(args.out)
    print(f"{len(written) - 2} bundles, expected.json and README.md written to {args.out}")


if __name__ == "__main__":
    main()
