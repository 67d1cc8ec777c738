"""Tests of the FHIR R4 input stage (cdi/fhir_input): shapes of input, notes, authors, grouping."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from cdi.fhir_input import (
    FhirInputError,
    FhirReader,
    default_knowledge,
    encounters_from_bundle,
    html_to_text,
    parse_resource,
    read_encounters,
    setting_for,
)
from cdi.fhir_input import index as index_module
from cdi.fhir_input.knowledge import load_author_roles, load_note_types
from cdi.models import AuthorKind, EncounterRecord, InputProblem, Setting

SHARED = Path(__file__).resolve().parents[2] / "shared"
KNOWLEDGE = Path(index_module.__file__).resolve().parents[1] / "knowledge"
LOINC = "http://loinc.org"
SECRET = "Zebediah Quixote"  # a patient name that must never reach a problem


# --- builders ------------------------------------------------------------------------------------------


def b64(text: str, encoding: str = "utf-8") -> str:
    return base64.b64encode(text.encode(encoding)).decode("ascii")


def patient(pid: str = "p1") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid, "name": [{"given": ["Zebediah"], "family": "Quixote"}]}


def encounter(
    eid: str = "e1", pid: str = "p1", klass: str = "IMP", attending: str | None = "dr1"
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": eid,
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": klass},
        "subject": {"reference": f"Patient/{pid}"},
        "period": {"start": "2024-03-01T08:00:00Z", "end": "2024-03-05T12:00:00Z"},
    }
    if attending:
        res["participant"] = [
            {
                "type": [{"coding": [{"code": "ADM"}]}],
                "individual": {"reference": "Practitioner/other"},
            },
            {
                "type": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                "code": "ATND",
                            }
                        ]
                    }
                ],
                "individual": {"reference": f"Practitioner/{attending}"},
            },
        ]
    return res


def practitioner(pid: str, name: str, qualification: str | None = None) -> dict[str, Any]:
    res: dict[str, Any] = {"resourceType": "Practitioner", "id": pid, "name": [{"text": name}]}
    if qualification:
        res["qualification"] = [{"code": {"text": qualification}}]
    return res


def docref(
    did: str,
    text: str = "Assessment: acute on chronic systolic heart failure.",
    *,
    enc: str | None = "Encounter/e1",
    pat: str | None = "Patient/p1",
    date: str | None = "2024-03-01T10:00:00Z",
    loinc: str = "11506-3",
    display: str = "Progress note",
    author: str | None = "Practitioner/dr1",
    content_type: str = "text/plain; charset=utf-8",
    data: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": did,
        "status": "current",
        "type": {"coding": [{"system": LOINC, "code": loinc, **({"display": display} if display else {})}]},
        "content": [
            {"attachment": {"contentType": content_type, "data": data if data is not None else b64(text)}}
        ],
    }
    if pat:
        res["subject"] = {"reference": pat}
    if date:
        res["date"] = date
    if author:
        res["author"] = [{"reference": author}]
    if enc:
        res["context"] = {"encounter": [{"reference": enc}]}
    res.update(extra)
    return res


def condition(
    cid: str, text: str = "Heart failure", *, enc: str | None = "Encounter/e1", **extra: Any
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Condition",
        "id": cid,
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "verificationStatus": {"coding": [{"code": "provisional"}]},
        "code": {
            "coding": [
                {"system": "http://snomed.info/sct", "code": "84114007", "display": "Heart failure"},
                {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I50.9"},
            ],
            "text": text,
        },
        "subject": {"reference": "Patient/p1"},
        "recordedDate": "2024-03-02",
    }
    if enc:
        res["encounter"] = {"reference": enc}
    res.update(extra)
    return res


def observation(
    oid: str, value: float = 1450, *, when: str = "2024-03-01T09:00:00+02:00", **extra: Any
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "42637-9", "display": "BNP"}], "text": "BNP"},
        "subject": {"reference": "Patient/p1"},
        "encounter": {"reference": "Encounter/e1"},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": "pg/mL"},
    }
    res.update(extra)
    return res


def bundle(*resources: dict[str, Any], btype: str = "collection") -> dict[str, Any]:
    entries = []
    for res in resources:
        entry: dict[str, Any] = {
            "fullUrl": f"http://example.org/fhir/{res['resourceType']}/{res.get('id')}",
            "resource": res,
        }
        if btype in ("transaction", "batch"):
            entry["request"] = {"method": "PUT", "url": f"{res['resourceType']}/{res.get('id')}"}
        if btype == "searchset":
            entry["search"] = {"mode": "match"}
        entries.append(entry)
    return {"resourceType": "Bundle", "type": btype, "entry": entries}


def write(path: Path, obj: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=1), encoding="utf-8")
    return path


def write_ndjson(path: Path, resources: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in resources), encoding="utf-8")
    return path


def full_record() -> list[dict[str, Any]]:
    return [
        patient(),
        encounter(),
        practitioner("dr1", "Dr. Ana Ruiz", "attending"),
        practitioner("other", "Dr. Ben Ode, MD"),
        docref(
            "d2", "Later note.", date="2024-03-03T10:00:00Z", loinc="18842-5", display="Discharge summary"
        ),
        docref(
            "d1",
            "Earlier note.",
            date="2024-03-01T10:00:00Z",
            loinc="34117-2",
            display="History and physical",
        ),
        condition("c1"),
        observation("o2", 900, when="2024-03-02T09:00:00Z"),
        observation("o1", 1450, when="2024-03-01T09:00:00Z"),
    ]


def only(records: list[EncounterRecord]) -> EncounterRecord:
    assert len(records) == 1, [r.key for r in records]
    return records[0]


def assert_no_secret(problems: list[InputProblem]) -> None:
    for problem in problems:
        for part in (problem.source, problem.resource, problem.field, problem.message):
            assert "Zebediah" not in (part or "") and "Quixote" not in (part or "")
            assert "SECRET" not in (part or "")


# --- input shapes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("btype", ["collection", "searchset", "transaction", "batch"])
def test_bundle_types_give_one_complete_encounter(tmp_path: Path, btype: str) -> None:
    path = write(tmp_path / "b.json", bundle(*full_record(), btype=btype))
    reader = FhirReader([path])
    record = only(list(reader.encounters()))
    assert reader.problems == []
    assert record.encounter == "Encounter/e1"
    assert record.patient == "Patient/p1"
    assert record.setting is Setting.INPATIENT
    assert record.class_code == "IMP"
    assert record.period_start == datetime(2024, 3, 1, 8, tzinfo=UTC)
    assert record.period_end == datetime(2024, 3, 5, 12, tzinfo=UTC)
    assert record.patient_display == "Zebediah Quixote"
    assert record.attending is not None
    assert record.attending.reference == "Practitioner/dr1"
    assert record.attending.display == "Dr. Ana Ruiz"
    assert record.attending.kind is AuthorKind.PROVIDER
    # notes by date, observations by time, whatever the input order
    assert [n.reference for n in record.notes] == ["DocumentReference/d1", "DocumentReference/d2"]
    assert [n.note_kind for n in record.notes] == ["history_and_physical", "discharge_summary"]
    assert record.notes[0].text == "Earlier note."
    assert record.notes[1].is_discharge_summary
    assert [o.reference for o in record.observations] == ["Observation/o1", "Observation/o2"]
    cond = record.conditions[0]
    assert cond.reference == "Condition/c1"
    assert cond.text == "Heart failure"
    assert {c.code for c in cond.codings} == {"84114007", "I50.9"}
    assert (cond.clinical_status, cond.verification_status) == ("active", "provisional")
    assert cond.recorded == datetime(2024, 3, 2, tzinfo=UTC)


def test_document_bundle_composition_becomes_a_note(tmp_path: Path) -> None:
    composition = {
        "resourceType": "Composition",
        "id": "comp1",
        "status": "final",
        "type": {"coding": [{"system": LOINC, "code": "28655-9"}], "text": "Discharge summary"},
        "subject": {"reference": "urn:uuid:11111111-1111-1111-1111-111111111111"},
        "encounter": {"reference": "Encounter/e1"},
        "date": "2024-03-05T11:00:00Z",
        "author": [{"reference": "Practitioner/dr1"}],
        "title": "Discharge Summary",
        "section": [
            {
                "title": "Hospital course",
                "text": {
                    "status": "generated",
                    "div": '<div xmlns="http://www.w3.org/1999/xhtml">'
                    "<p>Treated for <b>sepsis</b> &amp; AKI.</p></div>",
                },
            },
            {
                "title": "Diagnoses",
                "text": {
                    "status": "generated",
                    "div": '<div xmlns="http://www.w3.org/1999/xhtml"><ul><li>Sepsis</li></ul></div>',
                },
            },
        ],
    }
    pat = patient()
    doc = {
        "resourceType": "Bundle",
        "type": "document",
        "identifier": {
            "system": "urn:ietf:rfc:3986",
            "value": "urn:uuid:22222222-2222-2222-2222-222222222222",
        },
        "timestamp": "2024-03-05T11:00:00Z",
        "entry": [
            {"fullUrl": "urn:uuid:33333333-3333-3333-3333-333333333333", "resource": composition},
            {"fullUrl": "urn:uuid:11111111-1111-1111-1111-111111111111", "resource": pat},
            {"fullUrl": "http://example.org/fhir/Encounter/e1", "resource": encounter()},
            {
                "fullUrl": "http://example.org/fhir/Practitioner/dr1",
                "resource": practitioner("dr1", "Ana Ruiz, MD"),
            },
        ],
    }
    record = only(list(read_encounters([write(tmp_path / "doc.json", doc)])))
    note = only_note(record)
    assert note.reference == "Composition/comp1"
    assert note.note_kind == "discharge_summary"
    assert note.type_code == "28655-9"
    assert note.text == "Hospital course:\nTreated for sepsis & AKI.\n\nDiagnoses:\n- Sepsis"
    assert note.author is not None and note.author.kind is AuthorKind.PROVIDER
    assert record.patient == "Patient/p1"  # urn:uuid subject mapped through the fullUrl


def only_note(record: EncounterRecord) -> Any:
    assert len(record.notes) == 1
    return record.notes[0]


def test_single_resource_file_without_encounter_groups_by_patient(tmp_path: Path) -> None:
    path = write(tmp_path / "one.json", docref("d1", enc=None))
    record = only(list(read_encounters(path)))  # a single path is accepted too
    assert record.encounter is None
    assert record.patient == "Patient/p1"
    assert record.key == "Patient/p1"
    assert record.setting is Setting.UNKNOWN
    assert only_note(record).text.startswith("Assessment")


def test_ndjson_split_by_type_is_grouped_by_encounter(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    write_ndjson(folder / "Patient.000.ndjson", [patient("p1"), patient("p2")])
    write_ndjson(
        folder / "Encounter.000.ndjson", [encounter("e1", "p1"), encounter("e2", "p2", klass="EMER")]
    )
    write_ndjson(folder / "Practitioner.000.ndjson", [practitioner("dr1", "Lee Park, RN")])
    write_ndjson(
        folder / "DocumentReference.000.ndjson",
        [
            docref("a", "note a", enc="Encounter/e2", pat="Patient/p2"),
            docref("b", "note b", enc="Encounter/e1"),
            docref("c", "note c", enc="Encounter/e2", pat="Patient/p2", date="2024-02-01T00:00:00Z"),
        ],
    )
    write_ndjson(
        folder / "Condition.000.ndjson",
        [condition("c1", enc="Encounter/e1"), condition("c2", enc="Encounter/e2")],
    )
    reader = FhirReader([folder])
    records = {r.key: r for r in reader.encounters()}
    assert reader.problems == []
    assert set(records) == {"Encounter/e1", "Encounter/e2"}
    e2 = records["Encounter/e2"]
    assert e2.patient == "Patient/p2"
    assert e2.setting is Setting.OUTPATIENT  # an emergency visit codes as outpatient
    assert [n.text for n in e2.notes] == ["note c", "note a"]
    assert [c.reference for c in e2.conditions] == ["Condition/c2"]
    e1 = records["Encounter/e1"]
    assert [n.text for n in e1.notes] == ["note b"]
    # the author (a Practitioner in another file) is resolved: an RN is not a provider
    assert e1.notes[0].author is not None
    assert e1.notes[0].author.kind is AuthorKind.OTHER_CLINICIAN
    assert e1.notes[0].author.display == "Lee Park, RN"


def test_ndjson_clinical_resources_are_reread_by_offset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pass 1 keeps only (file, byte offset); pass 2 reads each line again from that offset."""
    docs = [docref(f"d{i}", f"note {i}", enc=f"Encounter/e{i % 2}") for i in range(4)]
    path = write_ndjson(tmp_path / "DocumentReference.ndjson", docs)
    raw = path.read_bytes()
    line_starts = [0] + [i + 1 for i, byte in enumerate(raw) if byte == ord("\n")][:-1]
    reads: list[tuple[int, bool]] = []
    original = index_module.DocumentFiles.document

    def spy(self: Any, file_id: int, offset: int, whole: bool) -> dict[str, Any]:
        reads.append((offset, whole))
        return original(self, file_id, offset, whole)

    monkeypatch.setattr(index_module.DocumentFiles, "document", spy)
    records = list(read_encounters([path]))
    assert [r.key for r in records] == ["Encounter/e0", "Encounter/e1"]
    assert [n.text for n in records[0].notes] == ["note 0", "note 2"]
    assert sorted(reads) == [(start, False) for start in line_starts]


def test_mixed_folder_shares_context_across_files(tmp_path: Path) -> None:
    write(
        tmp_path / "context_bundle.json",
        bundle(patient(), encounter(), practitioner("dr1", "Ana Ruiz", "hospitalist")),
    )
    write_ndjson(tmp_path / "nested" / "docs.ndjson", [docref("d1", "from ndjson")])
    write_ndjson(tmp_path / "nested" / "deeper" / "obs.jsonl", [observation("o1")])
    write(tmp_path / "nested" / "cond.json", condition("c1"))
    (tmp_path / "README.txt").write_text("not FHIR")
    reader = FhirReader([tmp_path])
    record = only(list(reader.encounters()))
    assert reader.problems == []
    assert record.setting is Setting.INPATIENT
    assert [n.text for n in record.notes] == ["from ndjson"]
    assert record.notes[0].author is not None and record.notes[0].author.role == "attending"
    assert [c.reference for c in record.conditions] == ["Condition/c1"]
    assert [o.reference for o in record.observations] == ["Observation/o1"]


def test_json_file_holding_ndjson_is_read_as_ndjson(tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "export.json", [encounter(), docref("d1")])
    record = only(list(read_encounters([path])))
    assert record.setting is Setting.INPATIENT and len(record.notes) == 1


# --- note text -----------------------------------------------------------------------------------------


def test_latin1_charset_is_honoured(tmp_path: Path) -> None:
    text = "Patiënt with café-au-lait spots; Ménétrier disease."
    doc = docref("d1", content_type="text/plain; charset=ISO-8859-1", data=b64(text, "latin-1"))
    record = only(encounters_from_bundle(bundle(doc)))
    assert only_note(record).text == text


def test_undeclared_charset_falls_back_to_windows_1252() -> None:
    text = "Temp 38.5 \u00b0C \u2013 improving"
    doc = docref("d1", content_type="text/plain", data=b64(text, "cp1252"))
    assert only_note(only(encounters_from_bundle(bundle(doc)))).text == text


def test_bytes_not_in_declared_charset_are_a_problem() -> None:
    doc = docref("d1", content_type="text/plain; charset=utf-8", data=b64("caf\u00e9 SECRET", "latin-1"))
    problems: list[InputProblem] = []
    record = only(encounters_from_bundle(bundle(doc, condition("c1")), problems))
    assert record.notes == []
    assert [c.reference for c in record.conditions] == ["Condition/c1"]
    (problem,) = record.problems
    assert (problem.resource, problem.field) == ("DocumentReference/d1", "content[0].attachment.data")
    assert "utf-8" in problem.message
    assert problems == [problem]
    assert_no_secret(problems)


def test_html_note_is_converted_to_plain_text() -> None:
    html = (
        "<html><head><style>p {color: red}</style><script>var SECRET = 1;</script></head><body>"
        "<h2>Assessment &amp; Plan</h2><p>Sodium 128 &lt; 135<br>likely SIADH</p>"
        "<div><div>Plan:</div><ul><li>fluid restrict</li><li>recheck BMP</li></ul></div></body></html>"
    )
    doc = docref("d1", content_type="text/html; charset=utf-8", data=b64(html))
    note = only_note(only(encounters_from_bundle(bundle(doc))))
    assert note.text == (
        "Assessment & Plan\n\nSodium 128 < 135\nlikely SIADH\n\nPlan:\n\n- fluid restrict\n- recheck BMP"
    )
    start = note.text.index("likely SIADH")
    assert note.text[start : start + len("likely SIADH")] == "likely SIADH"
    assert "SECRET" not in note.text and "color" not in note.text


def test_html_to_text_tables_and_pre() -> None:
    html = (
        "<table><tr><th>Lab</th><th>Value</th></tr><tr><td>Na</td><td>128</td></tr></table>"
        "<pre>  a\n  b</pre>"
    )
    assert html_to_text(html) == "Lab\tValue\nNa\t128\n\n  a\n  b"


def test_url_only_attachment_is_a_problem_not_a_crash() -> None:
    doc = docref("d1")
    doc["content"] = [
        {"attachment": {"contentType": "text/plain", "url": "http://example.org/SECRET/note.txt"}}
    ]
    problems: list[InputProblem] = []
    record = only(encounters_from_bundle(bundle(doc, docref("d2", "usable")), problems))
    assert [n.reference for n in record.notes] == ["DocumentReference/d2"]
    assert [(p.resource, p.field) for p in problems] == [
        ("DocumentReference/d1", "content[0].attachment.url")
    ]
    assert_no_secret(problems)


def test_pdf_attachment_is_a_problem() -> None:
    doc = docref("d1", content_type="application/pdf", data=base64.b64encode(b"%PDF-1.4 ...").decode())
    record = only(encounters_from_bundle(bundle(doc)))
    assert record.notes == []
    (problem,) = record.problems
    assert problem.field == "content[0].attachment.contentType"
    assert "application/pdf" in problem.message


def test_bad_base64_rejects_the_resource_with_its_field() -> None:
    problems: list[InputProblem] = []
    record = only(
        encounters_from_bundle(bundle(docref("d1", data="SECRET!!"), docref("d2", "fine")), problems)
    )
    assert [n.reference for n in record.notes] == ["DocumentReference/d2"]
    assert [(p.resource, p.field) for p in problems] == [
        ("DocumentReference/d1", "content[0].attachment.data")
    ]
    assert_no_secret(problems)


def test_entered_in_error_document_is_skipped() -> None:
    records = encounters_from_bundle(bundle(docref("d1", status="entered-in-error"), docref("d2", "kept")))
    assert [n.reference for n in only(records).notes] == ["DocumentReference/d2"]


# --- invalid input -------------------------------------------------------------------------------------


def test_invalid_resource_is_one_problem_naming_resource_and_field(tmp_path: Path) -> None:
    bad = condition("bad", code="SECRET heart failure")
    bad_doc = docref("d9", date="SECRET not a date")
    path = write(tmp_path / "b.json", bundle(patient(), bad, bad_doc, condition("good"), docref("d1")))
    reader = FhirReader([path])
    record = only(list(reader.encounters()))
    assert [c.reference for c in record.conditions] == ["Condition/good"]
    assert [n.reference for n in record.notes] == ["DocumentReference/d1"]
    found = {(p.resource, p.field) for p in reader.problems}
    assert found == {("Condition/bad", "code"), ("DocumentReference/d9", "date")}
    assert reader.rejected == 2
    assert set(record.problems) == set(reader.problems)
    assert all(p.source.startswith(str(path)) and "entry[" in p.source for p in reader.problems)
    assert_no_secret(reader.problems)


def test_unreadable_ndjson_lines_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.ndjson"
    path.write_text(
        json.dumps(docref("d1"))
        + "\n{not json SECRET\n"
        + json.dumps({"SECRET": 1})
        + "\n\n"
        + json.dumps(docref("d2"))
        + "\n"
    )
    reader = FhirReader([path])
    record = only(list(reader.encounters()))
    assert len(record.notes) == 2
    assert [p.source for p in reader.problems] == [f"{path}:2", f"{path}:3"]
    assert reader.rejected == 2
    assert_no_secret(reader.problems)


def test_invalid_encounter_problem_is_attached_to_its_group(tmp_path: Path) -> None:
    bad_encounter = encounter()
    bad_encounter["period"] = {"start": "SECRET"}
    write_ndjson(tmp_path / "Encounter.ndjson", [bad_encounter])
    write_ndjson(tmp_path / "DocumentReference.ndjson", [docref("d1")])
    reader = FhirReader([tmp_path])
    record = only(list(reader.encounters()))
    assert record.setting is Setting.UNKNOWN and len(record.notes) == 1
    assert [(p.resource, p.field, p.source) for p in record.problems] == [
        ("Encounter/e1", "period.start", f"{tmp_path / 'Encounter.ndjson'}:1")
    ]
    assert reader.problems == record.problems
    assert_no_secret(reader.problems)


def test_ndjson_lines_may_be_bundles(tmp_path: Path) -> None:
    path = write_ndjson(
        tmp_path / "bundles.ndjson",
        [bundle(encounter("e1"), docref("d1", "one")), bundle(docref("d2", "two", enc="Encounter/e2"))],
    )
    records = {r.key: r for r in read_encounters([path])}
    assert [n.text for n in records["Encounter/e1"].notes] == ["one"]
    assert records["Encounter/e1"].setting is Setting.INPATIENT
    assert [n.text for n in records["Encounter/e2"].notes] == ["two"]


def test_missing_path_and_non_fhir_json_are_problems(tmp_path: Path) -> None:
    write(tmp_path / "expected.json", {"case": {"expected": []}})
    reader = FhirReader([tmp_path / "nope", tmp_path / "expected.json"])
    assert list(reader.encounters()) == []
    assert [p.message for p in reader.problems] == [
        "no such file or folder",
        "not a FHIR resource (no resourceType)",
    ]


def test_encounters_from_bundle_raises_only_for_unusable_input() -> None:
    with pytest.raises(FhirInputError) as err:
        encounters_from_bundle([1, 2])
    assert err.value.resource is None
    with pytest.raises(FhirInputError) as err:
        encounters_from_bundle({"entry": []})
    assert err.value.field == "resourceType"
    with pytest.raises(FhirInputError):
        encounters_from_bundle({"resourceType": "NotAResource"})
    with pytest.raises(FhirInputError) as err:
        encounters_from_bundle({"resourceType": "Bundle", "type": "collection", "entry": {"SECRET": 1}})
    assert (err.value.resource, err.value.field) == ("Bundle", "entry")
    assert encounters_from_bundle({"resourceType": "Bundle", "type": "collection"}) == []
    # a single resource is usable input
    assert len(only(encounters_from_bundle(docref("d1"))).notes) == 1


def test_parse_resource_uses_r4_models() -> None:
    # R4 DocumentReference.context.encounter is a list (R5 changed it); R4B accepts it
    model = parse_resource(docref("d1"))
    assert model.get_resource_type() == "DocumentReference"
    with pytest.raises(FhirInputError) as err:
        parse_resource(docref("d1", context={"encounter": {"reference": "Encounter/e1"}}))
    assert (err.value.resource, err.value.field) == ("DocumentReference/d1", "context.encounter")


# --- grouping and references ---------------------------------------------------------------------------


def test_resources_without_encounter_go_to_their_patient() -> None:
    records = encounters_from_bundle(
        bundle(
            patient(), encounter(), docref("d1"), condition("c1", enc=None), observation("o1", encounter=None)
        )
    )
    by_key = {r.key: r for r in records}
    assert set(by_key) == {"Encounter/e1", "Patient/p1"}
    problem_list = by_key["Patient/p1"]
    assert problem_list.encounter is None
    assert problem_list.patient_display == "Zebediah Quixote"
    assert [c.reference for c in problem_list.conditions] == ["Condition/c1"]
    assert [o.reference for o in problem_list.observations] == ["Observation/o1"]


def test_urn_uuid_references_in_a_transaction_bundle() -> None:
    enc_urn = "urn:uuid:aaaaaaaa-0000-0000-0000-000000000001"
    dr_urn = "urn:uuid:aaaaaaaa-0000-0000-0000-000000000002"
    doc_urn = "urn:uuid:aaaaaaaa-0000-0000-0000-000000000003"
    enc = encounter(attending=None)  # has id e1, referenced by urn
    prac = practitioner("x", "Sam Cole PA-C")
    del prac["id"]  # no id: known by its urn only
    doc = docref("ignored", enc=enc_urn, author=dr_urn)
    del doc["id"]
    tx = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"fullUrl": enc_urn, "resource": enc, "request": {"method": "POST", "url": "Encounter"}},
            {"fullUrl": dr_urn, "resource": prac, "request": {"method": "POST", "url": "Practitioner"}},
            {"fullUrl": doc_urn, "resource": doc, "request": {"method": "POST", "url": "DocumentReference"}},
            {"request": {"method": "DELETE", "url": "Condition/old"}},
        ],
    }
    record = only(encounters_from_bundle(tx))
    assert record.encounter == "Encounter/e1"
    assert record.setting is Setting.INPATIENT
    note = only_note(record)
    assert note.reference == "DocumentReference/aaaaaaaa-0000-0000-0000-000000000003"
    assert note.author is not None
    assert note.author.reference == "Practitioner/aaaaaaaa-0000-0000-0000-000000000002"
    assert note.author.kind is AuthorKind.PROVIDER and note.author.role == "physician assistant"


def test_absolute_and_versioned_references_are_normalised() -> None:
    doc = docref(
        "d1", enc="https://ehr.example.org/fhir/Encounter/e1/_history/3", pat="http://x/fhir/Patient/p1"
    )
    record = only(encounters_from_bundle(bundle(encounter(), doc)))
    assert (record.encounter, record.patient) == ("Encounter/e1", "Patient/p1")
    assert record.setting is Setting.INPATIENT


# --- authors -------------------------------------------------------------------------------------------


def author_of(
    *resources: dict[str, Any], loinc: str = "11506-3", author: str | None = "Practitioner/a"
) -> Any:
    record = only(
        encounters_from_bundle(bundle(*resources, docref("d1", loinc=loinc, display="", author=author)))
    )
    return only_note(record).author


def test_author_kind_from_qualification() -> None:
    assert author_of(practitioner("a", "Mia Lund", "Registered Dietitian")).kind is AuthorKind.OTHER_CLINICIAN
    assert author_of(practitioner("a", "Mia Lund", "radiologist")).kind is AuthorKind.DIAGNOSTIC
    # the longest term wins: a nurse practitioner is a provider, not a nurse
    nurse_practitioner = author_of(practitioner("a", "Mia Lund", "Nurse Practitioner"))
    assert (nurse_practitioner.kind, nurse_practitioner.role) == (AuthorKind.PROVIDER, "nurse practitioner")
    # several qualifications: the one that lets her diagnose decides
    both = practitioner("a", "Mia Lund")
    both["qualification"] = [{"code": {"text": "Registered Nurse"}}, {"code": {"text": "Family NP"}}]
    assert author_of(both).kind is AuthorKind.PROVIDER
    specialist = practitioner("a", "Mia Lund")
    specialist["qualification"] = [{"code": {"text": "MD"}}, {"code": {"text": "Neuroradiology"}}]
    assert author_of(specialist).kind is AuthorKind.DIAGNOSTIC
    coded = practitioner("a", "Mia Lund")
    coded["qualification"] = [
        {"code": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0360", "code": "RN"}]}}
    ]
    assert author_of(coded).kind is AuthorKind.OTHER_CLINICIAN


def test_author_kind_from_practitioner_role_first() -> None:
    role = {
        "resourceType": "PractitionerRole",
        "id": "r1",
        "practitioner": {"reference": "Practitioner/a"},
        "code": [{"coding": [{"system": "http://nucc.org/provider-taxonomy", "code": "163W00000X"}]}],
    }
    # the role (a registered nurse) decides before the qualification text
    found = author_of(practitioner("a", "Kim Roe", "attending"), role)
    assert (found.kind, found.role) == (AuthorKind.OTHER_CLINICIAN, "nurse")
    # an author given as the PractitionerRole itself resolves to the person
    via_role = author_of(
        practitioner("a", "Kim Roe"),
        {**role, "code": [{"text": "Hospitalist"}]},
        author="PractitionerRole/r1",
    )
    assert (via_role.reference, via_role.display, via_role.kind) == (
        "Practitioner/a",
        "Kim Roe",
        AuthorKind.PROVIDER,
    )


def test_role_linked_by_identifier_and_conditional_reference() -> None:
    """Synthea writes logical references: Practitioner?identifier=system|value."""
    prac = practitioner("a", "Pat Lee")
    prac["identifier"] = [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "999"}]
    role = {
        "resourceType": "PractitionerRole",
        "id": "r1",
        "practitioner": {"identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": "999"}},
        "code": [{"text": "Clinical Nutrition"}],
    }
    found = author_of(prac, role, author="Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|999")
    assert (found.reference, found.display, found.kind) == (
        "Practitioner/a",
        "Pat Lee",
        AuthorKind.OTHER_CLINICIAN,
    )


@pytest.mark.parametrize(
    ("name", "kind", "role"),
    [
        ("Rosalind Osei, RN, CWOCN", AuthorKind.OTHER_CLINICIAN, "wound care nurse"),
        ("Cordelia Nnamdi, RD", AuthorKind.OTHER_CLINICIAN, "dietitian"),
        ("Dr. Ximena Holt, MD", AuthorKind.PROVIDER, "physician"),
        ("Ana Ruiz, DO", AuthorKind.PROVIDER, "physician"),
        ("Sam Cole PA-C", AuthorKind.PROVIDER, "physician assistant"),
        ("Jo Park, NP", AuthorKind.PROVIDER, "nurse practitioner"),
        ("Jo Park, RN, MSN, FNP-BC", AuthorKind.PROVIDER, "nurse practitioner"),
        ("Minh Do", AuthorKind.PROVIDER, None),  # a surname, not a credential: progress-note default
    ],
)
def test_author_kind_from_name_suffix(name: str, kind: AuthorKind, role: str | None) -> None:
    found = author_of(practitioner("a", name))
    assert (found.kind, found.role) == (kind, role)


def test_physician_writing_a_radiology_report_is_diagnostic() -> None:
    found = author_of(practitioner("a", "Dr. Ines Vale, MD"), loinc="18748-4")
    assert (found.kind, found.role) == (AuthorKind.DIAGNOSTIC, "physician")
    # an explicit role still decides
    assert (
        author_of(practitioner("a", "Dr. Ines Vale, MD", "attending"), loinc="18748-4").kind
        is AuthorKind.PROVIDER
    )


@pytest.mark.parametrize(
    ("loinc", "kind"),
    [
        ("34746-8", AuthorKind.OTHER_CLINICIAN),  # nurse note
        ("34801-1", AuthorKind.OTHER_CLINICIAN),  # nutrition and dietetics note
        ("28579-1", AuthorKind.OTHER_CLINICIAN),  # physical therapy note
        ("18748-4", AuthorKind.DIAGNOSTIC),  # diagnostic imaging study
        ("11526-1", AuthorKind.DIAGNOSTIC),  # pathology study
        ("18842-5", AuthorKind.PROVIDER),  # discharge summary
        ("99999-9", AuthorKind.UNKNOWN),  # unknown type
    ],
)
def test_author_kind_from_note_type_default(loinc: str, kind: AuthorKind) -> None:
    # the reference points to nobody in the input and carries no display
    found = author_of(loinc=loinc, author="Practitioner/nobody")
    assert found.reference == "Practitioner/nobody"
    assert found.kind is kind
    no_author = author_of(loinc=loinc, author=None)
    assert (no_author.kind if no_author else AuthorKind.UNKNOWN) is kind


def test_attending_falls_back_to_primary_performer() -> None:
    enc = encounter(attending=None)
    enc["participant"] = [
        {
            "type": [{"coding": [{"code": "PPRF"}], "text": "primary performer"}],
            "individual": {"display": "Dr. Q, MD"},
        }
    ]
    record = only(encounters_from_bundle(bundle(enc, docref("d1"))))
    assert record.attending is not None
    assert (record.attending.display, record.attending.role, record.attending.kind) == (
        "Dr. Q, MD",
        "attending",
        AuthorKind.PROVIDER,
    )


def test_condition_asserter_is_resolved() -> None:
    cond = condition("c1", asserter={"reference": "Practitioner/a"})
    record = only(encounters_from_bundle(bundle(practitioner("a", "Bo Sten", "pathologist"), cond)))
    asserter = record.conditions[0].asserter
    assert asserter is not None and asserter.kind is AuthorKind.DIAGNOSTIC


# --- setting, note types, observations -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "setting"),
    [
        ("IMP", Setting.INPATIENT),
        ("ACUTE", Setting.INPATIENT),
        ("NONAC", Setting.INPATIENT),
        ("AMB", Setting.OUTPATIENT),
        ("EMER", Setting.OUTPATIENT),
        ("OBSENC", Setting.OUTPATIENT),
        ("VR", Setting.OUTPATIENT),
        ("HH", Setting.OUTPATIENT),
        ("FLD", Setting.OUTPATIENT),
        ("PRENC", Setting.UNKNOWN),
    ],
)
def test_setting_from_encounter_class(code: str, setting: Setting) -> None:
    assert setting_for(code, None) is setting
    record = only(encounters_from_bundle(bundle(encounter(klass=code), docref("d1"))))
    assert (record.setting, record.class_code) == (setting, code)


@pytest.mark.parametrize(
    ("loinc", "kind"),
    [
        ("18842-5", "discharge_summary"),
        ("34117-2", "history_and_physical"),
        ("11506-3", "progress_note"),
        ("11488-4", "consult_note"),
        ("34111-5", "ed_note"),
        ("11504-8", "operative_note"),
        ("28570-0", "procedure_note"),
        ("18748-4", "radiology_report"),
        ("11526-1", "pathology_report"),
        ("34746-8", "nursing_note"),
        ("34801-1", "dietitian_note"),
        ("28579-1", "therapy_note"),
        ("28653-4", "other"),
    ],
)
def test_note_kind_from_loinc(loinc: str, kind: str) -> None:
    assert default_knowledge().note_type([loinc], []).kind == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Nurse Discharge summary", "nursing_note"),
        ("Nurse practitioner Progress note", "progress_note"),
        ("Speech-language pathology Note", "therapy_note"),
        ("CT chest without contrast", "radiology_report"),
        ("Admission H&P", "history_and_physical"),
        ("Letter", "other"),
    ],
)
def test_note_kind_from_type_text(text: str, kind: str) -> None:
    assert default_knowledge().note_type(["00000-0"], [text]).kind == kind


def test_blood_pressure_components_become_records() -> None:
    bp = {
        "resourceType": "Observation",
        "id": "bp",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "85354-9"}], "text": "Blood pressure"},
        "subject": {"reference": "Patient/p1"},
        "encounter": {"reference": "Encounter/e1"},
        "effectivePeriod": {"start": "2024-03-01T10:00:00-05:00"},
        "component": [
            {
                "code": {"coding": [{"system": LOINC, "code": "8480-6", "display": "Systolic"}]},
                "valueQuantity": {"value": 85, "unit": "mmHg"},
            },
            {
                "code": {"coding": [{"system": LOINC, "code": "8462-4", "display": "Diastolic"}]},
                "valueQuantity": {"value": 50, "unit": "mmHg"},
            },
        ],
    }
    obs = only(encounters_from_bundle(bundle(bp))).observations
    assert [(o.reference, o.loinc, o.name, o.value, o.unit) for o in obs] == [
        ("Observation/bp", ("8480-6",), "Systolic", 85.0, "mmHg"),
        ("Observation/bp", ("8462-4",), "Diastolic", 50.0, "mmHg"),
    ]
    assert obs[0].time == datetime(2024, 3, 1, 10, tzinfo=timezone(timedelta(hours=-5)))


def test_observation_values_and_times() -> None:
    coded = observation(
        "o2", valueCodeableConcept={"text": "Positive"}, effectiveDateTime=None, issued="2024-03-02T00:00:00Z"
    )
    del coded["valueQuantity"]
    coded.pop("effectiveDateTime")
    integer = observation("o3", valueInteger=7, when="2024-03-03")
    del integer["valueQuantity"]
    cancelled = observation("o4", status="cancelled")
    obs = only(encounters_from_bundle(bundle(observation("o1"), coded, integer, cancelled))).observations
    by_ref = {o.reference: o for o in obs}
    assert set(by_ref) == {"Observation/o1", "Observation/o2", "Observation/o3"}
    assert (
        by_ref["Observation/o1"].value,
        by_ref["Observation/o1"].unit,
        by_ref["Observation/o1"].loinc,
    ) == (
        1450.0,
        "pg/mL",
        ("42637-9",),
    )
    assert by_ref["Observation/o1"].time == datetime(2024, 3, 1, 7, tzinfo=UTC)
    assert (by_ref["Observation/o2"].value, by_ref["Observation/o2"].value_text) == (None, "Positive")
    assert by_ref["Observation/o2"].time == datetime(2024, 3, 2, tzinfo=UTC)
    assert (by_ref["Observation/o3"].value, by_ref["Observation/o3"].time) == (
        7.0,
        datetime(2024, 3, 3, tzinfo=UTC),
    )
    assert all(o.time is not None and o.time.tzinfo is not None for o in obs)


# --- knowledge files -----------------------------------------------------------------------------------


def test_knowledge_files_refuse_unknown_keys(tmp_path: Path) -> None:
    notes = yaml.safe_load((KNOWLEDGE / "note_types.yaml").read_text())
    notes["entries"][0]["loinc_codes"] = ["1-1"]
    bad = tmp_path / "note_types.yaml"
    bad.write_text(yaml.safe_dump(notes))
    with pytest.raises(ValueError, match="note_types.yaml"):  # the error names the file
        load_note_types(bad)
    roles = yaml.safe_load((KNOWLEDGE / "author_roles.yaml").read_text())
    roles["roles"][0]["kind"] = "doctor"
    bad.write_text(yaml.safe_dump(roles))
    with pytest.raises(ValueError, match="note_types.yaml"):  # (the file is called so here)
        load_author_roles(bad)


def test_note_type_codes_are_unique(tmp_path: Path) -> None:
    bad = tmp_path / "note_types.yaml"
    bad.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "entries": [{"kind": "other", "loinc": ["1-1"]}, {"kind": "ed_note", "loinc": ["1-1"]}],
            }
        )
    )
    with pytest.raises(ValueError, match="note_types.yaml"):  # the error names the file
        load_note_types(bad)


# --- evaluation data (read from ../shared, never copied) -----------------------------------------------

EVAL_SETS = {
    "dev scenarios": SHARED / "cdi-scenarios" / "dev",
    "synthea bulk": SHARED / "eval-data" / "synthea_bulk_10patients",
    "fhir r4 spec examples": SHARED / "eval-data" / "fhir_r4_examples" / "spec",
}


@pytest.mark.parametrize("name", list(EVAL_SETS))
def test_reader_over_evaluation_data(name: str) -> None:
    folder = EVAL_SETS[name]
    if not folder.is_dir():
        pytest.skip(f"evaluation data absent: {folder}")
    started = time.perf_counter()
    reader = FhirReader([folder])
    records = list(reader.encounters())
    elapsed = time.perf_counter() - started
    notes = [n for r in records for n in r.notes]
    summary = f"{len(records)} encounters, {len(notes)} notes, {len(reader.problems)} problems"
    print(f"{name}: {summary}, {elapsed:.2f}s")
    assert records
    assert all(n.text.strip() for n in notes)
    assert all(n.date is None or n.date.tzinfo is not None for n in notes)
    assert_no_secret(reader.problems)
    if name == "dev scenarios":
        expected = json.loads((folder / "expected.json").read_text())
        assert {r.encounter for r in records} == {f"Encounter/{case}-enc" for case in expected}
        for record in records:
            assert (
                record.notes
                and record.setting.value
                == expected[record.encounter[len("Encounter/") : -len("-enc")]]["setting"]
            )
            assert all(n.author is not None and n.author.kind is not AuthorKind.UNKNOWN for n in record.notes)
        assert reader.problems == []  # expected.json is not FHIR: skipped in a folder walk
    elif name == "synthea bulk":
        assert len(records) == 1215 and len(notes) == 1215
        assert sum(len(r.conditions) for r in records) == 555
        assert {n.note_kind for n in notes} == {"history_and_physical", "ed_note"}
        assert all(n.author is not None and n.author.kind is AuthorKind.PROVIDER for n in notes)
        assert all(r.attending is not None and r.setting is not Setting.UNKNOWN for r in records)
        assert reader.problems == []  # log.ndjson is a bulk-export log, not resources: skipped
    else:
        url_only = [p for p in reader.problems if p.field == "content[0].attachment.url"]
        assert [p.resource for p in url_only] == ["DocumentReference/example"]
        assert any(n.reference.startswith("Composition/") and n.is_discharge_summary for n in notes)


def test_non_fhir_json_in_a_folder_is_skipped_but_reported_when_named(tmp_path: Path) -> None:
    (tmp_path / "expected.json").write_text('{"case-1": {"expected": []}}')
    (tmp_path / "cases.json").write_text('[{"id": "case-1"}]')
    (tmp_path / "patient.json").write_text('{"resourceType": "Patient", "id": "p1"}')
    walked = FhirReader([tmp_path])
    list(walked.encounters())
    assert walked.problems == [] and walked.skipped >= 1
    (tmp_path / "log.ndjson").write_text('{"exportId": "x", "eventId": "kickoff"}\n{"exportId": "x"}\n')
    walked = FhirReader([tmp_path])
    list(walked.encounters())
    assert walked.problems == []
    named = FhirReader([tmp_path / "expected.json"])
    list(named.encounters())
    assert [p.field for p in named.problems] == ["resourceType"]
