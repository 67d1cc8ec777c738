"""Resources to EncounterRecords: the work shared by file input and a Bundle already in memory.

A document (a JSON file, an ndjson line, a POSTed Bundle) is walked into its resources; in a first pass
context resources are kept and each clinical resource gets its group key (encounter, else patient);
in a second pass a group's clinical resources are validated and assembled into one EncounterRecord.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cdi.fhir_input.context import CONTEXT_TYPES, Context
from cdi.fhir_input.convert import (
    SKIPPED_STATUSES,
    composition_note,
    condition_record,
    document_note,
    observation_records,
    setting_for,
)
from cdi.fhir_input.knowledge import InputKnowledge, default_knowledge
from cdi.fhir_input.parse import FhirInputError, model_class, parse_resource, resource_label
from cdi.fhir_input.references import normalise_reference, raw_reference, reference_type
from cdi.models import EncounterRecord, InputProblem, Note, ObservationRecord

CLINICAL_TYPES = frozenset({"DocumentReference", "Composition", "Condition", "Observation"})
READ_TYPES = CLINICAL_TYPES | CONTEXT_TYPES
_FLOOR = datetime.min.replace(tzinfo=UTC)

GroupKey = tuple[str, str | None, str | None]  # (key, encounter, patient)


@dataclass(frozen=True, slots=True)
class Entry:
    """A resource found in a document, with where it is."""

    path: str  # "" for the document itself, "3" or "3/1" for (nested) Bundle entries
    resource: dict[str, Any]
    full_url: str | None


def walk(data: dict[str, Any], label: str, problems: list[FhirInputError], prefix: str = "") -> list[Entry]:
    """The resources of a document: itself, or a Bundle's entries (nested Bundles included)."""
    if data.get("resourceType") != "Bundle":
        return [Entry(prefix.rstrip("/"), data, None)]
    entries = data.get("entry")
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise FhirInputError(resource_label(data) or "Bundle", "entry", "should be a list")
    found: list[Entry] = []
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if resource is None:
            if not isinstance(entry, dict):
                problems.append(FhirInputError(label, f"entry[{i}]", "should be an object"))
            continue  # e.g. a DELETE in a transaction: no resource to read
        if not isinstance(resource, dict):
            problems.append(FhirInputError(label, f"entry[{i}].resource", "should be an object"))
            continue
        full_url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
        if resource.get("resourceType") == "Bundle":
            found.extend(walk(resource, resource_label(resource) or "Bundle", problems, f"{prefix}{i}/"))
        else:
            found.append(Entry(f"{prefix}{i}", resource, full_url))
    return found


def follow(data: dict[str, Any], path: str) -> tuple[dict[str, Any], str | None]:
    """The resource (and its fullUrl) at an entry path found by :func:`walk`."""
    full_url = None
    for step in path.split("/") if path else ():
        entry = data["entry"][int(step)]
        full_url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
        data = entry["resource"]
    return data, full_url


def _resource_ref(resource: dict[str, Any], full_url: str | None) -> str | None:
    rtype = resource.get("resourceType")
    rid = resource.get("id")
    if isinstance(rtype, str) and isinstance(rid, str) and rid:
        return f"{rtype}/{rid}"
    if isinstance(rtype, str) and full_url:
        ref = normalise_reference(full_url, rtype)
        return ref if reference_type(ref) == rtype else None
    return None


class Assembler:
    """State shared by both passes: knowledge, context, urn map, problems and counts."""

    def __init__(self, knowledge: InputKnowledge) -> None:
        self.knowledge = knowledge
        self.context = Context()
        self.urn_map: dict[str, str] = {}
        self.problems: list[InputProblem] = []
        self.rejected = 0
        self.skipped = 0

    def problem(self, error: FhirInputError, source: str, rejected: bool = True) -> InputProblem:
        found = error.to_problem(source)
        self.problems.append(found)
        if rejected:
            self.rejected += 1
        return found

    # --- pass 1 --------------------------------------------------------------------------------------

    def register_urns(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            if entry.full_url and entry.full_url.startswith("urn:"):
                ref = _resource_ref(entry.resource, entry.full_url)
                if ref:
                    self.urn_map[entry.full_url] = ref

    def collect(self, entry: Entry, source: str) -> GroupKey | None:
        """Keep a context resource; for a clinical one return its (group key, encounter, patient)."""
        res = entry.resource
        rtype = res.get("resourceType")
        if rtype in CONTEXT_TYPES:
            ref = _resource_ref(res, entry.full_url)
            try:
                model = parse_resource(res)
            except FhirInputError as exc:
                found = self.problem(exc, source)
                if ref:
                    self.context.failed[ref] = found
                return None
            if ref:
                self.context.add(model, ref, self.urn_map)
            return None
        if rtype not in CLINICAL_TYPES:
            if not isinstance(rtype, str) or not rtype:
                self.problem(
                    FhirInputError(None, "resourceType", "not a FHIR resource (no resourceType)"), source
                )
            else:
                self.skipped += 1
            return None
        holder = res.get("context") if rtype == "DocumentReference" else res
        encounter = raw_reference(
            holder.get("encounter") if isinstance(holder, dict) else None, "Encounter", self.urn_map
        )
        if encounter is not None and reference_type(encounter) != "Encounter":
            encounter = None
        patient = raw_reference(res.get("subject"), "Patient", self.urn_map)
        if patient is not None and reference_type(patient) != "Patient":
            patient = None
        return encounter or patient or "", encounter, patient

    # --- pass 2 --------------------------------------------------------------------------------------

    def assemble(
        self, encounter: str | None, patient: str | None, items: Iterable[tuple[int, Entry, str]]
    ) -> EncounterRecord:
        """The EncounterRecord of one group from its clinical resources (seq, entry, source)."""
        ctx = self.context
        record = EncounterRecord(encounter=encounter, patient=patient)
        info = ctx.encounters.get(encounter) if encounter else None
        if info is not None:
            record.patient = info.patient or patient
            record.class_code = info.class_code
            record.setting = setting_for(info.class_code, info.class_display)
            record.period_start = info.period_start
            record.period_end = info.period_end
            record.attending = ctx.attending(info, self.knowledge)
        record.patient_display = ctx.patients.get(record.patient) if record.patient else None
        for ref in (encounter, record.patient):
            if ref and ref in ctx.failed:
                record.problems.append(ctx.failed[ref])
        notes: list[tuple[int, Note]] = []
        observations: list[tuple[int, ObservationRecord]] = []
        for seq, entry, source in items:
            res = entry.resource
            ref = _resource_ref(res, entry.full_url) or f"{res.get('resourceType')}/anon-{seq}"
            try:
                model = parse_resource(res)
            except FhirInputError as exc:
                record.problems.append(self.problem(exc, source))
                continue
            rtype = model.get_resource_type()
            if rtype in ("DocumentReference", "Composition"):
                if getattr(model, "status", None) in SKIPPED_STATUSES:
                    self.skipped += 1
                    continue
                make = document_note if rtype == "DocumentReference" else composition_note
                note, errors = make(model, ref, ctx, self.knowledge, self.urn_map)
                for error in errors:
                    record.problems.append(self.problem(error, source, rejected=False))
                if note is not None:
                    notes.append((seq, note))
            elif rtype == "Condition":
                record.conditions.append(condition_record(model, ref, ctx, self.knowledge, self.urn_map))
            elif rtype == "Observation":
                observations.extend((seq, obs) for obs in observation_records(model, ref))
        # By time, undated last, input order among equals.
        notes.sort(key=lambda pair: (pair[1].date is None, pair[1].date or _FLOOR, pair[0]))
        observations.sort(key=lambda pair: (pair[1].time is None, pair[1].time or _FLOOR, pair[0]))
        record.notes = [note for _, note in notes]
        record.observations = [obs for _, obs in observations]
        return record


def has_content(record: EncounterRecord) -> bool:
    """A group whose resources all turned out empty (Observations without a value, notes marked
    entered-in-error) gives nothing to review."""
    return bool(record.notes or record.conditions or record.observations or record.problems)


def source_of(path: Path, fmt: str, line: int, entry_path: str) -> str:
    where = f"{path}:{line}" if fmt == "ndjson" else str(path)
    return f"{where} entry[{entry_path.replace('/', '].entry[')}]" if entry_path else where


def encounters_from_bundle(
    bundle: Any,
    problems: list[InputProblem] | None = None,
    source: str = "request",
    knowledge: InputKnowledge | None = None,
) -> list[EncounterRecord]:
    """EncounterRecords of a Bundle (or a single resource) already in memory, e.g. a POSTed Bundle.

    Raises FhirInputError only when the input as a whole is unusable (not a resource, or a Bundle whose
    ``entry`` is not a list); problems with single resources are collected on the records and, when
    ``problems`` is given, appended to it.
    """
    if not isinstance(bundle, dict):
        raise FhirInputError(None, None, "input is not a JSON object")
    rtype = bundle.get("resourceType")
    if not isinstance(rtype, str) or not rtype:
        raise FhirInputError(None, "resourceType", "input is not a FHIR resource (no resourceType)")
    if model_class(rtype) is None:
        raise FhirInputError(None, "resourceType", "input is not a FHIR R4 resource (unknown resourceType)")
    state = Assembler(knowledge or default_knowledge())
    errors: list[FhirInputError] = []
    entries = walk(bundle, resource_label(bundle) or "Bundle", errors)
    for error in errors:
        state.problem(error, source)
    state.register_urns(entries)
    groups: dict[str, tuple[str | None, list[str | None], list[tuple[int, Entry, str]]]] = {}
    for seq, entry in enumerate(entries, start=1):
        entry_source = source_of(Path(source), "json", 0, entry.path)
        key = state.collect(entry, entry_source)
        if key is None:
            continue
        gkey, enc, patient = key
        group = groups.setdefault(gkey, (enc, [], []))
        group[1].append(patient)
        group[2].append((seq, entry, entry_source))
    records = [
        state.assemble(enc, next((p for p in patients if p), None), items)
        for enc, patients, items in groups.values()
    ]
    records = [record for record in records if has_content(record)]
    if problems is not None:
        problems.extend(state.problems)
    return records
