"""Small builders of value objects for unit tests: hand-made notes, hits, topics."""

from __future__ import annotations

from datetime import UTC, datetime

from cdi.catalog import Catalog, Topic
from cdi.models import Author, AuthorKind, Hit, HitKind, Note, NoteAnalysis

ATTENDING = Author("Practitioner/att", "Dr. A", "attending", AuthorKind.PROVIDER)
CONSULTANT = Author("Practitioner/con", "Dr. C", "consultant", AuthorKind.PROVIDER)
NURSE = Author("Practitioner/rn", "N. Nurse, RN", "nurse", AuthorKind.OTHER_CLINICIAN)


def day(d: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, d, hour, tzinfo=UTC)


def topic(**overrides: object) -> Topic:
    """A small heart-failure-like topic, independent of the shipped knowledge files."""
    data: dict[str, object] = {
        "id": "heart_failure",
        "label": "Heart failure",
        "icd10cm": {"category": "I50", "unspecified": "I50.9"},
        "terms": ["heart failure", {"phrase": "HFpEF", "implies": {"type": "diastolic"}}],
        "axes": [
            {
                "id": "acuity",
                "question": "the acuity",
                "values": [
                    {"id": "acute", "label": "Acute", "phrases": ["acute"]},
                    {"id": "chronic", "label": "Chronic", "phrases": ["chronic"]},
                ],
            },
            {
                "id": "type",
                "question": "the type",
                "values": [
                    {"id": "systolic", "label": "Systolic", "phrases": ["systolic"]},
                    {"id": "diastolic", "label": "Diastolic", "phrases": ["diastolic"]},
                ],
            },
        ],
        "indicators": [
            {
                "id": "bnp_high",
                "name": "BNP",
                "source": "observation",
                "loinc": ["42637-9"],
                "above": 400,
                "points": 2,
            },
            {
                "id": "iv_diuretic",
                "name": "IV diuretic",
                "source": "text",
                "phrases": ["IV furosemide"],
                "points": 1,
            },
        ],
        "undocumented": {
            "min_points": 3,
            "requires_any": ["bnp_high"],
            "options": ["Heart failure", "Other cause"],
        },
    }
    data.update(overrides)
    return Topic.model_validate(data)


def catalog(*topics: Topic) -> Catalog:
    return Catalog(topics or (topic(),))


def note(
    ref: str, text: str, when: datetime, author: Author = ATTENDING, kind: str = "progress_note"
) -> Note:
    return Note(ref, text, when, None, None, kind, author)


def hit(
    text: str,
    phrase: str,
    kind: HitKind = HitKind.TOPIC,
    topic_id: str = "heart_failure",
    occurrence: int = 0,
    **flags: object,
) -> Hit:
    """A hit on the n-th occurrence of ``phrase`` in ``text``; the sentence is the line it stands on."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    end = start + len(phrase)
    s_start = text.rfind("\n", 0, start) + 1
    s_end = text.find("\n", end)
    s_end = len(text) if s_end < 0 else s_end
    return Hit(kind, topic_id, phrase, start, end, s_start, s_end, "assessment_and_plan", **flags)  # type: ignore[arg-type]


def analysed(n: Note, *hits: Hit) -> NoteAnalysis:
    return NoteAnalysis(n, tuple(hits))
