"""Analysing a POSTed Bundle off the event loop, and storing the result.

The medspaCy pipeline is CPU-bound and shared by the whole process: analyses run in a worker thread, one
at a time per process (a capacity limiter of one), so requests that only read the store keep being served
while a large Bundle is analysed. A hospital scales by running more worker processes.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread

from cdi.analysis import Analyzer
from cdi.fhir_input import FhirInputError, encounters_from_bundle
from cdi.models import EncounterRecord, EncounterResult, InputProblem
from cdi.service.errors import ServiceError
from cdi.service.validation import validate_resource
from cdi.store import AnalysisOutcome, Store

log = logging.getLogger(__name__)

SAMPLES_ACTOR = "cdi-serve:load-samples"


@dataclass(frozen=True)
class Analysed:
    """One analysed Bundle: results per encounter, input problems, and what the store did with each."""

    results: list[EncounterResult]
    problems: list[InputProblem]
    content_hash: str
    stored: dict[str, AnalysisOutcome] = field(default_factory=dict)  # record key -> outcome (persisted)


def content_hash(data: Any) -> str:
    """SHA-256 of the input's canonical JSON (sorted keys, no spaces): the same content, the same hash,
    whatever the client's key order or indentation."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def encounter_statuses(bundle: dict[str, Any]) -> dict[str, str]:
    """``Encounter/<id>`` -> Encounter.status from the Bundle's Encounters, nested Bundles included (the
    worklist ranks discharged encounters first; the EncounterRecord does not carry the status)."""
    found: dict[str, str] = {}

    def visit(resource: Any) -> None:
        if not isinstance(resource, dict):
            return
        rtype = resource.get("resourceType")
        if rtype == "Encounter" and isinstance(resource.get("id"), str):
            if isinstance(resource.get("status"), str):
                found[f"Encounter/{resource['id']}"] = resource["status"]
        elif rtype == "Bundle" and isinstance(resource.get("entry"), list):
            for entry in resource["entry"]:
                if isinstance(entry, dict):
                    visit(entry.get("resource"))

    visit(bundle)
    return found


def _keep(record: EncounterRecord, patient: str | None, encounter: str | None) -> bool:
    if encounter is not None:
        return record.encounter == encounter
    return patient is None or record.patient == patient


def analyse_bundle(
    analyzer: Analyzer,
    bundle: dict[str, Any],
    *,
    store: Store | None = None,
    actor: str | None = None,
    validate: bool = True,
    patient: str | None = None,
    encounter: str | None = None,
) -> Analysed:
    """Validate (422 with paths), read, analyse and, given a store, persist one Bundle. Blocking.

    ``patient`` / ``encounter`` keep only that patient's or that encounter's records (CDS Hooks context).
    Persisting is idempotent (:meth:`Store.upsert_analysis`): every encounter of the Bundle is recorded,
    including those without findings, so that findings the new documentation resolves are closed.
    """
    if validate:
        validate_resource(bundle)
    problems: list[InputProblem] = []
    try:
        records = encounters_from_bundle(bundle, problems, source="request")
    except FhirInputError as exc:
        raise ServiceError(
            422, "invalid", exc.message, (f"Bundle.{exc.field}" if exc.field else "Bundle",)
        ) from None
    records = [r for r in records if _keep(r, patient, encounter)]
    results = list(analyzer.analyze_many(records))
    digest = content_hash(bundle)
    stored: dict[str, AnalysisOutcome] = {}
    if store is not None:
        if actor is None:
            raise ValueError("persisting an analysis needs an actor")
        statuses = encounter_statuses(bundle)
        for result in results:
            rec = result.record
            if rec.encounter is None and rec.patient is None:
                continue
            status = statuses.get(rec.encounter or "")
            stored[rec.key] = store.upsert_analysis(
                rec.encounter,
                rec.patient,
                digest,
                result.findings,
                actor,
                encounter_status=status,
                # A period end without a status still means the stay is over; an end on an encounter
                # that says it is in progress is a planned date.
                discharged_at=rec.period_end if status in (None, "finished") else None,
            )
    return Analysed(results, problems, digest, stored)


class AnalysisRunner:
    """The process's analyzer behind a one-at-a-time worker thread."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self._limiter = anyio.CapacityLimiter(1)

    async def run(self, bundle: dict[str, Any], **options: Any) -> Analysed:
        work: Callable[[], Analysed] = partial(analyse_bundle, self.analyzer, bundle, **options)
        return await anyio.to_thread.run_sync(work, limiter=self._limiter)


def load_samples(analyzer: Analyzer, store: Store, folder: Path) -> int:
    """Analyse and store every FHIR Bundle in ``folder`` (other JSON files are skipped); the encounter
    count. Idempotent: loading twice changes nothing but ``last_seen``."""
    count = 0
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("sample %s is not readable JSON; skipped", path.name)
            continue
        if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
            continue
        analysed = analyse_bundle(analyzer, data, store=store, actor=SAMPLES_ACTOR, validate=False)
        count += len(analysed.stored)
    log.info("samples loaded: %d encounters", count)
    return count
