"""What the evaluation sets share: where the data is, P/R/F1, and notes wrapped as FHIR input.

Free-text sets (MTSamples, CMC 2007) reach the project through the same door as ``cdi analyze``: each
text becomes a DocumentReference (base64 ``text/plain``) in a FHIR R4 collection Bundle with its
Encounter, read by ``encounters_from_bundle`` and analysed by the process-wide ``Analyzer``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
EVAL_DATA = SHARED / "eval-data"
SCENARIOS = SHARED / "cdi-scenarios"

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"


class SetMissing(Exception):
    """The data of a set is not where it should be; the message says what and where."""


def require(*paths: Path) -> None:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise SetMissing(f"not found: {', '.join(missing)}")


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1; 0.0 where a ratio has no denominator."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def r3(x: float) -> float:
    return round(x, 3)


@dataclass(frozen=True)
class TextNote:
    """One free-text document to analyse as its own encounter."""

    key: str  # unique within a run: becomes the Encounter and DocumentReference ids
    text: str
    class_code: str = "IMP"  # Encounter.class (v3 ActCode): IMP inpatient, AMB / EMER outpatient
    loinc: str = "11506-3"  # the DocumentReference type (Progress note)
    date: str = "2026-01-01T00:00:00Z"


def text_bundle(note: TextNote) -> dict[str, Any]:
    """A FHIR R4 collection Bundle with one Encounter and one DocumentReference holding the text."""
    enc_id, doc_id, patient = f"e-{note.key}", f"d-{note.key}", f"Patient/p-{note.key}"
    author_id, attending_id = f"dr-{note.key}", f"att-{note.key}"
    # the dictating physician and the encounter's attending: every drafted query needs an addressee
    people = [
        {"resourceType": "Practitioner", "id": pid, "name": [{"family": family, "given": ["Doctor"]}]}
        for pid, family in ((author_id, "Author"), (attending_id, "Attending"))
    ]
    encounter = {
        "resourceType": "Encounter",
        "id": enc_id,
        "status": "finished",
        "class": {"system": ACT_CODE, "code": note.class_code},
        "subject": {"reference": patient},
        "participant": [
            {
                "type": [{"coding": [{"system": PARTICIPATION, "code": "ATND"}]}],
                "individual": {"reference": f"Practitioner/{attending_id}"},
            }
        ],
    }
    document = {
        "resourceType": "DocumentReference",
        "id": doc_id,
        "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": note.loinc}]},
        "subject": {"reference": patient},
        "date": note.date,
        "author": [{"reference": f"Practitioner/{author_id}"}],
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "data": base64.b64encode(note.text.encode("utf-8")).decode("ascii"),
                }
            }
        ],
        "context": {"encounter": [{"reference": f"Encounter/{enc_id}"}]},
    }
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in (encounter, *people, document)],
    }


def analyze_texts(notes: Iterable[TextNote]) -> Iterator[tuple[TextNote, Any]]:
    """(note, EncounterResult) for each note, through FHIR input and the process-wide Analyzer."""
    from cdi.analysis import get_analyzer
    from cdi.fhir_input import encounters_from_bundle

    analyzer = get_analyzer()
    pending: list[TextNote] = []

    def records() -> Iterator[Any]:
        for note in notes:
            found = encounters_from_bundle(text_bundle(note))
            for record in found:
                pending.append(note)
                yield record

    for result in analyzer.analyze_many(records()):
        yield pending.pop(0), result
