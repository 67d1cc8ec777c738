"""Reading FHIR R4 input files into one EncounterRecord per encounter, streaming.

Inputs are Bundles (any type), single-resource JSON files, ndjson files (a bulk export, possibly split
by resource type across files) or folders of these. Two passes:

1. every input is read once; context resources (Patient, Encounter, Practitioner, PractitionerRole) are
   kept in memory in compact form, and each clinical resource (DocumentReference, Composition,
   Condition, Observation) is recorded only by its location (file, byte offset of its ndjson line,
   Bundle entry path) under its group key (encounter, else patient) in a temporary SQLite file;
2. group by group, the clinical resources are read again from their locations, validated with the
   fhir.resources R4B models and turned into an EncounterRecord.

So memory holds the context and one encounter at a time, never a whole bulk export; a Bundle or a
single-resource file is one JSON document and is parsed whole.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

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
JSON_SUFFIXES = frozenset({".json"})
NDJSON_SUFFIXES = frozenset({".ndjson", ".jsonl"})
MAX_LINE_PROBLEMS = 20  # per file: unreadable lines beyond this are counted in one summary problem

# The top-level resourceType when it is the first key, as bulk exports write it: lets pass 1 skip the
# lines of types it does not read (MedicationRequest, Procedure...) without parsing them.
_FIRST_TYPE = re.compile(rb'^\s*\{\s*"resourceType"\s*:\s*"([A-Za-z]+)"')
_FLOOR = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class _Entry:
    """A resource found in a document, with where it is."""

    path: str  # "" for the document itself, "3" or "3/1" for (nested) Bundle entries
    resource: dict[str, Any]
    full_url: str | None


def _walk(data: dict[str, Any], label: str, problems: list[FhirInputError], prefix: str = "") -> list[_Entry]:
    """The resources of a document: itself, or a Bundle's entries (nested Bundles included)."""
    if data.get("resourceType") != "Bundle":
        return [_Entry(prefix.rstrip("/"), data, None)]
    entries = data.get("entry")
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise FhirInputError(resource_label(data) or "Bundle", "entry", "should be a list")
    found: list[_Entry] = []
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
            found.extend(_walk(resource, resource_label(resource) or "Bundle", problems, f"{prefix}{i}/"))
        else:
            found.append(_Entry(f"{prefix}{i}", resource, full_url))
    return found


def _follow(data: dict[str, Any], path: str) -> tuple[dict[str, Any], str | None]:
    """The resource (and its fullUrl) at an entry path found by :func:`_walk`."""
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


class _Assembler:
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

    def register_urns(self, entries: Iterable[_Entry]) -> None:
        for entry in entries:
            if entry.full_url and entry.full_url.startswith("urn:"):
                ref = _resource_ref(entry.resource, entry.full_url)
                if ref:
                    self.urn_map[entry.full_url] = ref

    def collect(self, entry: _Entry, source: str) -> tuple[str, str | None, str | None] | None:
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
        self, encounter: str | None, patient: str | None, items: Iterable[tuple[int, _Entry, str]]
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


# --- the on-disk index of clinical resources ------------------------------------------------------------


class _Index:
    """Group key -> locations of clinical resources, in a temporary SQLite file (stdlib sqlite3)."""

    _BATCH = 5000

    def __init__(self, directory: str) -> None:
        self.db = sqlite3.connect(str(Path(directory) / "index.sqlite"))
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE grp (gkey TEXT PRIMARY KEY, first_seq INTEGER, enc TEXT, patient TEXT);
            CREATE TABLE item (seq INTEGER PRIMARY KEY, gkey TEXT, file_id INTEGER, offset INTEGER,
                               line INTEGER, path TEXT);
            """
        )
        self._items: list[tuple[int, str, int, int, int, str]] = []
        self._groups: list[tuple[str, int, str | None, str | None]] = []
        self._seq = 0

    def add(
        self, key: tuple[str, str | None, str | None], file_id: int, offset: int, line: int, path: str
    ) -> None:
        self._seq += 1
        gkey, enc, patient = key
        self._items.append((self._seq, gkey, file_id, offset, line, path))
        self._groups.append((gkey, self._seq, enc, patient))
        if len(self._items) >= self._BATCH:
            self._flush()

    def _flush(self) -> None:
        self.db.executemany("INSERT INTO item VALUES (?, ?, ?, ?, ?, ?)", self._items)
        self.db.executemany(
            "INSERT INTO grp VALUES (?, ?, ?, ?) ON CONFLICT(gkey) DO UPDATE SET"
            " patient = COALESCE(grp.patient, excluded.patient)",
            self._groups,
        )
        self._items.clear()
        self._groups.clear()

    def groups(self) -> Iterator[tuple[str | None, str | None, list[tuple[int, int, int, int, str]]]]:
        """(encounter, patient, [(seq, file_id, offset, line, path)]) per group, in input order."""
        self._flush()
        self.db.execute("CREATE INDEX item_gkey ON item (gkey, seq)")
        groups = self.db.execute("SELECT gkey, enc, patient FROM grp ORDER BY first_seq")
        for gkey, enc, patient in groups:
            rows = self.db.execute(
                "SELECT seq, file_id, offset, line, path FROM item WHERE gkey = ? ORDER BY seq", (gkey,)
            ).fetchall()
            yield enc, patient, rows

    def close(self) -> None:
        self.db.close()


class _Files:
    """Re-reads resources by location: ndjson lines by byte offset, JSON documents parsed (LRU)."""

    _OPEN = 16
    _PARSED = 2

    def __init__(self, files: list[tuple[Path, str]]) -> None:
        self.files = files
        self._handles: OrderedDict[int, IO[bytes]] = OrderedDict()
        self._parsed: OrderedDict[tuple[int, int], dict[str, Any]] = OrderedDict()

    def _handle(self, file_id: int) -> IO[bytes]:
        handle = self._handles.pop(file_id, None)
        if handle is None:
            handle = self.files[file_id][0].open("rb")
            if len(self._handles) >= self._OPEN:
                self._handles.popitem(last=False)[1].close()
        self._handles[file_id] = handle
        return handle

    def document(self, file_id: int, offset: int, whole: bool) -> dict[str, Any]:
        key = (file_id, offset)
        cached = self._parsed.pop(key, None)
        if cached is None:
            handle = self._handle(file_id)
            handle.seek(0 if whole else offset)
            cached = json.loads(handle.read() if whole else handle.readline())
        if whole or cached.get("resourceType") == "Bundle":  # a plain ndjson line is not worth keeping
            self._parsed[key] = cached
            while len(self._parsed) > self._PARSED:
                self._parsed.popitem(last=False)
        return cached

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()
        self._parsed.clear()


def _source(path: Path, fmt: str, line: int, entry_path: str) -> str:
    where = f"{path}:{line}" if fmt == "ndjson" else str(path)
    return f"{where} entry[{entry_path.replace('/', '].entry[')}]" if entry_path else where


def _looks_like_ndjson(path: Path) -> bool:
    """A .json file whose first line is a whole JSON object and which has more lines is ndjson."""
    with path.open("rb") as fh:
        first = fh.readline()
        try:
            json.loads(first)
        except ValueError:
            return False
        return any(line.strip() for line in fh)


class FhirReader:
    """Reads FHIR R4 files and folders; ``encounters()`` streams one EncounterRecord per encounter.

    After (or during) iteration, ``problems`` lists every piece of input that could not be used (those
    tied to an encounter are also in its ``EncounterRecord.problems``), ``rejected`` counts resources and
    lines that could not be read at all, and ``skipped`` counts resources of types this stage does not
    read and notes marked entered-in-error.
    """

    def __init__(
        self, paths: Iterable[str | Path] | str | Path, knowledge: InputKnowledge | None = None
    ) -> None:
        self.paths = [paths] if isinstance(paths, str | Path) else list(paths)
        self.knowledge = knowledge or default_knowledge()
        self.problems: list[InputProblem] = []
        self.rejected = 0
        self.skipped = 0
        self._state: _Assembler | None = None

    def _sync(self) -> None:
        if self._state is not None:
            self.problems = self._state.problems
            self.rejected = self._state.rejected
            self.skipped = self._state.skipped

    def files(self, state: _Assembler | None = None) -> list[tuple[Path, str]]:
        """The input files with their format ("json" or "ndjson"), folders walked in sorted order."""
        found: list[tuple[Path, str]] = []
        seen: set[Path] = set()

        def add(path: Path, explicit: bool) -> None:
            suffix = path.suffix.lower()
            fmt = "ndjson" if suffix in NDJSON_SUFFIXES else "json" if suffix in JSON_SUFFIXES else None
            if fmt is None:
                if explicit and state is not None:
                    state.problem(
                        FhirInputError(None, None, "not a .json, .ndjson or .jsonl file"), str(path)
                    )
                return
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                found.append((path, fmt))

        for raw in self.paths:
            path = Path(raw)
            if path.is_dir():
                for child in sorted(path.rglob("*")):
                    if child.is_file() and not any(p.startswith(".") for p in child.relative_to(path).parts):
                        add(child, explicit=False)
            elif path.is_file():
                add(path, explicit=True)
            elif state is not None:
                state.problem(FhirInputError(None, None, "no such file or folder"), str(path))
        return found

    def encounters(self) -> Iterator[EncounterRecord]:
        state = _Assembler(self.knowledge)
        self._state = state
        self._sync()
        files = self.files(state)
        with tempfile.TemporaryDirectory(prefix="cdi-fhir-") as tmp:
            index = _Index(tmp)
            reader = _Files(files)
            try:
                for file_id, (path, fmt) in enumerate(files):
                    if fmt == "json" and _looks_like_ndjson(path):
                        fmt = "ndjson"
                        files[file_id] = (path, fmt)
                    if fmt == "ndjson":
                        self._pass1_ndjson(state, index, file_id, path)
                    else:
                        self._pass1_json(state, index, file_id, path)
                    self._sync()
                for enc, patient, rows in index.groups():
                    items = self._reload(state, reader, files, rows)
                    record = state.assemble(enc, patient, items)
                    self._sync()
                    if _has_content(record):
                        yield record
            finally:
                reader.close()
                index.close()
                self._sync()

    # --- pass 1 per file format ----------------------------------------------------------------------

    def _pass1_document(
        self, state: _Assembler, index: _Index, data: Any, where: tuple[int, Path, str, int, int]
    ) -> None:
        """Collect one parsed document (a JSON file or an ndjson line).

        ``where`` is (file id, path, format, byte offset, line number) of the document."""
        file_id, path, fmt, offset, line = where
        source = _source(path, fmt, line, "")
        if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
            state.problem(
                FhirInputError(None, "resourceType", "not a FHIR resource (no resourceType)"), source
            )
            return
        errors: list[FhirInputError] = []
        label = resource_label(data) or "Bundle"
        try:
            entries = _walk(data, label, errors)
        except FhirInputError as exc:
            state.problem(exc, source)
            return
        for error in errors:
            state.problem(error, source)
        state.register_urns(entries)
        for entry in entries:
            key = state.collect(entry, _source(path, fmt, line, entry.path))
            if key is not None:
                index.add(key, file_id, offset, line, entry.path)

    def _pass1_json(self, state: _Assembler, index: _Index, file_id: int, path: Path) -> None:
        try:
            data = json.loads(path.read_bytes())
        except ValueError as exc:
            state.problem(FhirInputError(None, None, _json_reason(exc)), str(path))
            return
        except OSError:
            state.problem(FhirInputError(None, None, "file cannot be read"), str(path))
            return
        self._pass1_document(state, index, data, (file_id, path, "json", 0, 0))

    def _pass1_ndjson(self, state: _Assembler, index: _Index, file_id: int, path: Path) -> None:
        bad_lines = 0
        offset = 0
        with path.open("rb") as fh:
            for line_no, line in enumerate(fh, start=1):
                start = offset
                offset += len(line)
                if not line.strip():
                    continue
                sniffed = _FIRST_TYPE.match(line)
                if sniffed and sniffed.group(1).decode() not in READ_TYPES and sniffed.group(1) != b"Bundle":
                    state.skipped += 1
                    continue
                source = f"{path}:{line_no}"
                try:
                    data = json.loads(line)
                except ValueError as exc:
                    bad_lines += 1
                    if bad_lines <= MAX_LINE_PROBLEMS:
                        state.problem(FhirInputError(None, None, _json_reason(exc)), source)
                    else:
                        state.rejected += 1
                    continue
                if not isinstance(data, dict) or "resourceType" not in data:
                    bad_lines += 1
                    if bad_lines <= MAX_LINE_PROBLEMS:
                        state.problem(FhirInputError(None, "resourceType", "not a FHIR resource"), source)
                    else:
                        state.rejected += 1
                    continue
                self._pass1_document(state, index, data, (file_id, path, "ndjson", start, line_no))
        if bad_lines > MAX_LINE_PROBLEMS:
            state.problems.append(
                InputProblem(
                    str(path), None, None, f"{bad_lines - MAX_LINE_PROBLEMS} more lines could not be read"
                )
            )

    # --- pass 2 --------------------------------------------------------------------------------------

    @staticmethod
    def _reload(
        state: _Assembler,
        reader: _Files,
        files: list[tuple[Path, str]],
        rows: list[tuple[int, int, int, int, str]],
    ) -> list[tuple[int, _Entry, str]]:
        items = []
        for seq, file_id, offset, line, entry_path in rows:
            path, fmt = files[file_id]
            source = _source(path, fmt, line, entry_path)
            try:
                document = reader.document(file_id, offset, whole=(fmt == "json"))
                resource, full_url = _follow(document, entry_path)
            except (OSError, ValueError, LookupError, TypeError):
                state.problem(FhirInputError(None, None, "input changed while it was read"), source)
                continue
            items.append((seq, _Entry(entry_path, resource, full_url), source))
        return items


def _has_content(record: EncounterRecord) -> bool:
    """A group whose resources all turned out empty (Observations without a value, notes marked
    entered-in-error) gives nothing to review."""
    return bool(record.notes or record.conditions or record.observations or record.problems)


def _json_reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
    if isinstance(exc, UnicodeDecodeError):
        return "invalid JSON (not UTF-8 text)"
    return "invalid JSON"


def read_encounters(paths: Iterable[str | Path] | str | Path) -> Iterator[EncounterRecord]:
    """One EncounterRecord per encounter (or per patient for resources without one), streamed."""
    return FhirReader(paths).encounters()


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
    state = _Assembler(knowledge or default_knowledge())
    errors: list[FhirInputError] = []
    entries = _walk(bundle, resource_label(bundle) or "Bundle", errors)
    for error in errors:
        state.problem(error, source)
    state.register_urns(entries)
    groups: dict[str, tuple[str | None, list[str | None], list[tuple[int, _Entry, str]]]] = {}
    for seq, entry in enumerate(entries, start=1):
        entry_source = _source(Path(source), "json", 0, entry.path)
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
    records = [record for record in records if _has_content(record)]
    if problems is not None:
        problems.extend(state.problems)
    return records
