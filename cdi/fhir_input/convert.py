"""From validated R4B models to the stage's value objects: Note, ConditionRecord, ObservationRecord.

Each function takes one resource and returns records and problems; nothing here reads files or keeps
state, so each is testable with a hand-made resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cdi.fhir_input.attachments import AttachmentError, attachment_text, html_to_text
from cdi.fhir_input.context import Context, concept_codes
from cdi.fhir_input.knowledge import InputKnowledge, NoteTypeEntry
from cdi.fhir_input.parse import FhirInputError, as_datetime
from cdi.models import Author, Coding, ConditionRecord, Note, ObservationRecord, Setting

LOINC = "http://loinc.org"

# Encounter.class (v3 ActCode) -> coding setting. DESIGN.md: an emergency or observation stay is
# outpatient for coding purposes.
SETTING_BY_CLASS = {
    "IMP": Setting.INPATIENT,
    "ACUTE": Setting.INPATIENT,
    "NONAC": Setting.INPATIENT,
    "AMB": Setting.OUTPATIENT,
    "EMER": Setting.OUTPATIENT,
    "OBSENC": Setting.OUTPATIENT,
    "VR": Setting.OUTPATIENT,
    "HH": Setting.OUTPATIENT,
    "FLD": Setting.OUTPATIENT,
}
_SETTING_BY_WORD = (
    ("inpatient", Setting.INPATIENT),
    ("ambulatory", Setting.OUTPATIENT),
    ("emergency", Setting.OUTPATIENT),
    ("observation", Setting.OUTPATIENT),
    ("outpatient", Setting.OUTPATIENT),
)
SKIPPED_STATUSES = frozenset({"entered-in-error"})
SKIPPED_OBSERVATION_STATUSES = frozenset({"entered-in-error", "cancelled"})


def setting_for(class_code: str | None, class_display: str | None) -> Setting:
    """Coding setting from Encounter.class: the code, else words of its display."""
    if class_code and class_code.upper() in SETTING_BY_CLASS:
        return SETTING_BY_CLASS[class_code.upper()]
    if class_code is None and class_display:
        low = class_display.lower()
        for word, setting in _SETTING_BY_WORD:
            if word in low:
                return setting
    return Setting.UNKNOWN


def _loinc_codes(concept: Any) -> tuple[str, ...]:
    if concept is None:
        return ()
    return tuple(
        str(c.code) for c in concept.coding or () if c.code and (c.system or "").rstrip("/") == LOINC
    )


def _concept_name(concept: Any) -> str | None:
    if concept is None:
        return None
    if concept.text:
        return str(concept.text)
    return next((str(c.display) for c in concept.coding or () if c.display), None)


def _note_type(concept: Any, knowledge: InputKnowledge) -> tuple[str | None, str | None, NoteTypeEntry]:
    loinc = _loinc_codes(concept)
    _, texts = concept_codes([concept] if concept is not None else [])
    return (loinc[0] if loinc else None), _concept_name(concept), knowledge.note_type(loinc, texts)


# --- notes ---------------------------------------------------------------------------------------------


def document_note(
    doc: Any, ref: str, context: Context, knowledge: InputKnowledge, urn_map: Mapping[str, str]
) -> tuple[Note | None, list[FhirInputError]]:
    """A Note from a DocumentReference's first attachment that gives text; problems when none does."""
    problems: list[FhirInputError] = []
    text: str | None = None
    for i, content in enumerate(doc.content or ()):
        att = content.attachment
        where = f"content[{i}].attachment"
        if att.data is None:
            reason = "only a url; external content is not fetched" if att.url else "no data"
            problems.append(
                FhirInputError(ref, f"{where}.{'url' if att.url else 'data'}", f"attachment has {reason}")
            )
            continue
        try:
            text = attachment_text(att.contentType, att.data)
        except AttachmentError as exc:
            problems.append(FhirInputError(ref, f"{where}.{exc.field}", str(exc)))
            continue
        break
    if text is None:
        return None, problems
    type_code, type_display, note_type = _note_type(doc.type, knowledge)
    ctx = doc.context
    date = as_datetime(doc.date) or (as_datetime(ctx.period.start) if ctx and ctx.period else None)
    author = context.author((doc.author or [None])[0], knowledge, note_type, urn_map=urn_map)
    if author is None:
        author = _default_author(knowledge, note_type)
    note = Note(ref, text, date, type_code, type_display, note_type.kind, author)
    return note, []


def composition_note(
    comp: Any, ref: str, context: Context, knowledge: InputKnowledge, urn_map: Mapping[str, str]
) -> tuple[Note | None, list[FhirInputError]]:
    """A Note from a document Bundle's Composition: its sections' titles and narrative, in order."""
    parts: list[str] = []
    bodies = 0

    def walk(sections: Any) -> None:
        nonlocal bodies
        for section in sections or ():
            body = html_to_text(section.text.div) if section.text is not None and section.text.div else ""
            bodies += bool(body)
            if section.title:
                parts.append(f"{section.title}:\n{body}" if body else f"{section.title}:")
            elif body:
                parts.append(body)
            walk(section.section)

    walk(comp.section)
    text = "\n\n".join(parts)
    if not bodies:
        return None, [FhirInputError(ref, "section", "composition has no section narrative")]
    type_code, type_display, note_type = _note_type(comp.type, knowledge)
    author = context.author((comp.author or [None])[0], knowledge, note_type, urn_map=urn_map)
    if author is None:
        author = _default_author(knowledge, note_type)
    return Note(ref, text, as_datetime(comp.date), type_code, type_display, note_type.kind, author), []


def _default_author(knowledge: InputKnowledge, note_type: NoteTypeEntry) -> Author | None:
    """No author given: the note type may still say whose word the note carries."""
    match = knowledge.default_for(note_type)
    return Author(None, None, match.role, match.kind) if match else None


# --- conditions ----------------------------------------------------------------------------------------


def _status(concept: Any) -> str | None:
    if concept is None:
        return None
    return next((str(c.code) for c in concept.coding or () if c.code), None)


def condition_record(
    cond: Any, ref: str, context: Context, knowledge: InputKnowledge, urn_map: Mapping[str, str]
) -> ConditionRecord:
    code = cond.code
    codings = tuple(Coding(c.system, c.code, c.display) for c in (code.coding or () if code else ()))
    recorded = (
        as_datetime(cond.recordedDate)
        or as_datetime(cond.onsetDateTime)
        or (as_datetime(cond.onsetPeriod.start) if cond.onsetPeriod else None)
    )
    asserter = context.author(cond.asserter, knowledge, urn_map=urn_map) or context.author(
        cond.recorder, knowledge, urn_map=urn_map
    )
    return ConditionRecord(
        reference=ref,
        codings=codings,
        text=_concept_name(code),
        clinical_status=_status(cond.clinicalStatus),
        verification_status=_status(cond.verificationStatus),
        recorded=recorded,
        asserter=asserter,
    )


# --- observations --------------------------------------------------------------------------------------


def _value(holder: Any) -> tuple[float | None, str | None, str | None]:
    """(number, text, unit) of an Observation or component value."""
    qty = holder.valueQuantity
    if qty is not None and qty.value is not None:
        return float(qty.value), None, (qty.unit or qty.code)
    if holder.valueInteger is not None:
        return float(holder.valueInteger), None, None
    if holder.valueString:
        return None, str(holder.valueString), None
    if holder.valueCodeableConcept is not None:
        return None, _concept_name(holder.valueCodeableConcept), None
    if holder.valueBoolean is not None:
        return None, "true" if holder.valueBoolean else "false", None
    return None, None, None


def observation_time(obs: Any) -> datetime | None:
    if obs.effectiveDateTime is not None:
        return as_datetime(obs.effectiveDateTime)
    if obs.effectiveInstant is not None:
        return as_datetime(obs.effectiveInstant)
    if obs.effectivePeriod is not None and obs.effectivePeriod.start is not None:
        return as_datetime(obs.effectivePeriod.start)
    return as_datetime(obs.issued)


def observation_records(obs: Any, ref: str) -> list[ObservationRecord]:
    """One record for the Observation's own value, and one per valued component (e.g. systolic and
    diastolic blood pressure), each under the Observation's reference with the component's LOINC."""
    if obs.status in SKIPPED_OBSERVATION_STATUSES:
        return []
    time = observation_time(obs)
    records = []
    name = _concept_name(obs.code) or next((c.code for c in obs.code.coding or () if c.code), "") or ""
    value, value_text, unit = _value(obs)
    if value is not None or value_text is not None:
        records.append(ObservationRecord(ref, _loinc_codes(obs.code), name, value, value_text, unit, time))
    for comp in obs.component or ():
        c_value, c_text, c_unit = _value(comp)
        if c_value is None and c_text is None:
            continue
        c_name = (
            _concept_name(comp.code) or next((c.code for c in comp.code.coding or () if c.code), "") or ""
        )
        records.append(ObservationRecord(ref, _loinc_codes(comp.code), c_name, c_value, c_text, c_unit, time))
    return records
