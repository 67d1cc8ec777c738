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
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from cdi.fhir_input.assemble import (
    READ_TYPES,
    Assembler,
    Entry,
    encounters_from_bundle,
    follow,
    has_content,
    source_of,
    walk,
)
from cdi.fhir_input.index import DocumentFiles, Location, LocationIndex, looks_like_ndjson
from cdi.fhir_input.knowledge import InputKnowledge, default_knowledge
from cdi.fhir_input.parse import FhirInputError, resource_label
from cdi.models import EncounterRecord, InputProblem

JSON_SUFFIXES = frozenset({".json"})
NDJSON_SUFFIXES = frozenset({".ndjson", ".jsonl"})
MAX_LINE_PROBLEMS = 20  # per file: unreadable lines beyond this are counted in one summary problem

# The top-level resourceType when it is the first key, as bulk exports write it: lets pass 1 skip the
# lines of types it does not read (MedicationRequest, Procedure...) without parsing them.
_FIRST_TYPE = re.compile(rb'^\s*\{\s*"resourceType"\s*:\s*"([A-Za-z]+)"')


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
        self._state: Assembler | None = None
        self._explicit: set[Path] = set()

    def _sync(self) -> None:
        if self._state is not None:
            self.problems = self._state.problems
            self.rejected = self._state.rejected
            self.skipped = self._state.skipped

    def _files(self, state: Assembler | None = None) -> list[tuple[Path, str]]:
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
                self._explicit.add(path.resolve())
                add(path, explicit=True)
            elif state is not None:
                state.problem(FhirInputError(None, None, "no such file or folder"), str(path))
        return found

    def encounters(self) -> Iterator[EncounterRecord]:
        state = Assembler(self.knowledge)
        self._state = state
        self._sync()
        files = self._files(state)
        with tempfile.TemporaryDirectory(prefix="cdi-fhir-") as tmp:
            index = LocationIndex(tmp)
            reader = DocumentFiles(files)
            try:
                for file_id, (path, fmt) in enumerate(files):
                    try:
                        if fmt == "json" and looks_like_ndjson(path):
                            fmt = "ndjson"
                            files[file_id] = (path, fmt)
                        if fmt == "ndjson":
                            self._pass1_ndjson(state, index, file_id, path)
                        else:
                            self._pass1_json(state, index, file_id, path)
                    except OSError:
                        state.problem(FhirInputError(None, None, "file cannot be read"), str(path))
                    self._sync()
                for enc, patient, rows in index.groups():
                    items = self._reload(state, reader, files, rows)
                    record = state.assemble(enc, patient, items)
                    self._sync()
                    if has_content(record):
                        yield record
            finally:
                reader.close()
                index.close()
                self._sync()

    # --- pass 1 per file format ----------------------------------------------------------------------

    def _pass1_document(
        self, state: Assembler, index: LocationIndex, data: Any, where: tuple[int, Path, str, int, int]
    ) -> None:
        """Collect one parsed document (a JSON file or an ndjson line).

        ``where`` is (file id, path, format, byte offset, line number) of the document."""
        file_id, path, fmt, offset, line = where
        source = source_of(path, fmt, line, "")
        if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
            state.problem(
                FhirInputError(None, "resourceType", "not a FHIR resource (no resourceType)"), source
            )
            return
        errors: list[FhirInputError] = []
        label = resource_label(data) or "Bundle"
        try:
            entries = walk(data, label, errors)
        except FhirInputError as exc:
            state.problem(exc, source)
            return
        for error in errors:
            state.problem(error, source)
        state.register_urns(entries)
        for entry in entries:
            key = state.collect(entry, source_of(path, fmt, line, entry.path))
            if key is not None:
                index.add(key, file_id, offset, line, entry.path)

    def _pass1_json(self, state: Assembler, index: LocationIndex, file_id: int, path: Path) -> None:
        try:
            data = json.loads(path.read_bytes())
        except ValueError as exc:
            state.problem(FhirInputError(None, None, _json_reason(exc)), str(path))
            return
        is_resource = isinstance(data, dict) and "resourceType" in data
        if not is_resource and path.resolve() not in self._explicit:
            # A folder may hold JSON that is not FHIR (a bulk-export manifest, an expected-findings file):
            # skip it quietly; a file named on the command line is still reported.
            state.skipped += 1
            return
        self._pass1_document(state, index, data, (file_id, path, "json", 0, 0))

    def _pass1_ndjson(self, state: Assembler, index: LocationIndex, file_id: int, path: Path) -> None:
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
                    if line_no == 1 and isinstance(data, dict) and path.resolve() not in self._explicit:
                        # An ndjson file in a folder whose first record is not FHIR (a bulk-export
                        # log) is not part of the export's resources: skip it quietly.
                        state.skipped += 1
                        return
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
        state: Assembler,
        reader: DocumentFiles,
        files: list[tuple[Path, str]],
        rows: list[Location],
    ) -> list[tuple[int, Entry, str]]:
        items = []
        for seq, file_id, offset, line, entry_path in rows:
            path, fmt = files[file_id]
            source = source_of(path, fmt, line, entry_path)
            try:
                document = reader.document(file_id, offset, whole=(fmt == "json"))
                resource, full_url = follow(document, entry_path)
            except (OSError, ValueError, LookupError, TypeError):
                state.problem(FhirInputError(None, None, "input changed while it was read"), source)
                continue
            items.append((seq, Entry(entry_path, resource, full_url), source))
        return items


def _json_reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
    if isinstance(exc, UnicodeDecodeError):
        return "invalid JSON (not UTF-8 text)"
    return "invalid JSON"


def read_encounters(paths: Iterable[str | Path] | str | Path) -> Iterator[EncounterRecord]:
    """One EncounterRecord per encounter (or per patient for resources without one), streamed."""
    return FhirReader(paths).encounters()


__all__ = ["FhirReader", "encounters_from_bundle", "read_encounters"]
