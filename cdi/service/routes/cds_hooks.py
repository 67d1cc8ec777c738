"""CDS Hooks 2.0: discovery, the ``encounter-discharge`` and ``patient-view`` services, feedback.

The EHR sends the hook's context and the prefetched FHIR data (the Encounter, the notes, Conditions and
Observations); the service analyses them and answers one card per open finding. A card's suggestion
carries the query: accepting it creates the Questionnaire and the Task addressed to the physician, and the
feedback call marks the stored query as sent.

At discharge the record is complete, so that hook stores its analysis (idempotent, like
``POST /$analyze?persist=true``); ``patient-view`` fires on every chart opening with whatever the EHR
prefetched, so it only reads: a partial prefetch must never close a finding as "resolved by documentation".
The service does not call the EHR's FHIR server: without the prefetch it answers 412, as the
specification allows.
"""

from __future__ import annotations

import html
import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.concurrency import run_in_threadpool

from cdi.fhir_output import KIND_DISPLAY, KIND_SYSTEM, questionnaire, task
from cdi.models import Finding, FindingKind
from cdi.service.auth import CdsClient
from cdi.service.body import read_json
from cdi.service.errors import ServiceError
from cdi.service.fhir import dump, questionnaire_resource, task_resource
from cdi.service.state import RunnerDep, StoreDep
from cdi.service.validation import fhir_path, validate_resource
from cdi.store import IllegalTransition, NotFound, Store

log = logging.getLogger(__name__)
router = APIRouter(tags=["CDS Hooks"])

SOURCE_LABEL = "CDI query assistant"
OVERRIDE_SYSTEM = "https://cdi-query-assistant.org/override-reason"
SUMMARY_MAX = 140
CARD_NAMESPACE = uuid.UUID("6f1f5b1e-2a57-4c1b-9a53-4f0b8f6d2c10")
"""Card and suggestion uuids are uuid5 of the finding id: the same finding gives the same card."""

INDICATOR = {
    FindingKind.CONFLICT: "warning",
    FindingKind.UNCERTAIN: "warning",
    FindingKind.UNDOCUMENTED: "warning",
    FindingKind.UNSPECIFIED: "info",
}
"""A gap that decides whether a diagnosis is coded at all is a warning; a missing specificity is info."""


OVERRIDE_REASONS = [
    {
        "code": "already-documented",
        "system": OVERRIDE_SYSTEM,
        "display": "Already addressed in the documentation",
    },
    {"code": "not-clinically-supported", "system": OVERRIDE_SYSTEM, "display": "Not clinically supported"},
    {"code": "address-later", "system": OVERRIDE_SYSTEM, "display": "Will address in the discharge summary"},
]


@dataclass(frozen=True)
class HookService:
    id: str
    hook: str
    title: str
    description: str
    prefetch: Mapping[str, str]
    required: tuple[str, ...]  # prefetch keys without which the analysis would be wrong (412)
    persist: bool
    encounter_scoped: bool
    usage: str = field(
        default="Needs the prefetch below; the service does not query the EHR's FHIR server (412 without it)."
    )

    def discovery(self) -> dict[str, Any]:
        return {
            "hook": self.hook,
            "title": self.title,
            "description": self.description,
            "id": self.id,
            "prefetch": dict(self.prefetch),
            "usageRequirements": self.usage,
        }


_P = "{{context.patientId}}"
_E = "{{context.encounterId}}"
SERVICES: dict[str, HookService] = {
    s.id: s
    for s in (
        HookService(
            id="cdi-encounter-discharge",
            hook="encounter-discharge",
            title="CDI documentation queries at discharge",
            description=(
                "Reads the encounter's notes, Conditions and Observations and returns one card per "
                "documentation gap (uncertain, unspecified, conflicting or undocumented diagnosis) with a "
                "compliant query."
            ),
            prefetch={
                "patient": f"Patient/{_P}",
                "encounter": f"Encounter/{_E}",
                "notes": f"DocumentReference?patient={_P}&encounter={_E}",
                "conditions": f"Condition?patient={_P}&encounter={_E}",
                "observations": f"Observation?patient={_P}&encounter={_E}",
            },
            required=("encounter", "notes"),
            persist=True,
            encounter_scoped=True,
        ),
        HookService(
            id="cdi-patient-view",
            hook="patient-view",
            title="Open CDI documentation queries",
            description=(
                "Shows the documentation gaps found in the patient's current notes, Conditions and "
                "Observations, one card per finding with its query."
            ),
            prefetch={
                "patient": f"Patient/{_P}",
                "encounters": f"Encounter?patient={_P}&status=in-progress",
                "notes": f"DocumentReference?patient={_P}&status=current",
                "conditions": f"Condition?patient={_P}",
                "observations": f"Observation?patient={_P}&category=laboratory,vital-signs",
            },
            required=("notes",),
            persist=False,
            encounter_scoped=False,
        ),
    )
}


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


class HookRequest(_Loose):
    hook: str
    hookInstance: str
    fhirServer: str | None = None
    fhirAuthorization: dict[str, Any] | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None


class AcceptedSuggestion(_Loose):
    id: str


class FeedbackItem(_Loose):
    card: str
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] = []
    overrideReason: dict[str, Any] | None = None
    outcomeTimestamp: str


class Feedback(_Loose):
    feedback: list[FeedbackItem]


def _parse(model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        paths = [
            fhir_path("request", tuple(e.get("loc", ()))).removeprefix("request.") for e in exc.errors()[:10]
        ]
        raise ServiceError(
            400, "invalid", f"not a valid CDS Hooks request: {', '.join(paths)}", paths
        ) from None


def _service(service_id: str) -> HookService:
    service = SERVICES.get(service_id)
    if service is None:
        raise ServiceError(404, "not-found", "no CDS service with this id")
    return service


# --- cards ------------------------------------------------------------------------------------------------


def short_summary(text: str) -> str:
    """At most 139 characters (the specification: fewer than 140), cut at a word."""
    text = " ".join(text.split())
    if len(text) < SUMMARY_MAX:
        return text
    cut = text[: SUMMARY_MAX - 2].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


_MARKDOWN_ACTIVE = re.compile(r"([\[\]<>!`])")


def _markdown(text: str) -> str:
    """Query text for a card's markdown detail: HTML-unescaped, with the characters that would make a link,
    an image or HTML out of quoted note text escaped."""
    return _MARKDOWN_ACTIVE.sub(r"\\\1", html.unescape(text)).replace("\n", "  \n")


def card(
    finding: Finding, questionnaire: dict[str, Any], task: dict[str, Any], suggestion_id: str
) -> dict[str, Any]:
    kind = FindingKind(finding.kind)
    query = finding.query
    addressee = (query.to_display or query.to) if query else None
    return {
        "uuid": str(uuid.uuid5(CARD_NAMESPACE, finding.id)),
        "summary": short_summary(
            finding.summary or f"{KIND_DISPLAY[kind.value]}: {finding.topic.replace('_', ' ')}"
        ),
        "indicator": INDICATOR[kind],
        "detail": _markdown(query.text) if query else finding.summary,
        "source": {
            "label": SOURCE_LABEL,
            "topic": {"system": KIND_SYSTEM, "code": kind.value, "display": KIND_DISPLAY[kind.value]},
        },
        "suggestions": [
            {
                "label": "Create the documentation query" + (f" for {addressee}" if addressee else ""),
                "uuid": suggestion_id,
                "actions": [
                    {
                        "type": "create",
                        "description": "The query and its answer options",
                        "resource": questionnaire,
                    },
                    {
                        "type": "create",
                        "description": "The query task addressed to the physician",
                        "resource": task,
                    },
                ],
            }
        ],
        "selectionBehavior": "at-most-one",
        "overrideReasons": OVERRIDE_REASONS,
    }


def _prefetch_bundle(service: HookService, request: HookRequest) -> dict[str, Any]:
    prefetch = request.prefetch or {}
    missing = [key for key in service.required if not prefetch.get(key)]
    if missing:
        raise ServiceError(
            412,
            "processing",
            "the prefetch is missing "
            + ", ".join(missing)
            + " (this service does not query the FHIR server)",
            [f"prefetch.{key}" for key in missing],
        )
    entries = []
    for key, value in prefetch.items():
        if value is None:
            continue
        if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
            raise ServiceError(
                422, "invalid", "a prefetch value must be a FHIR resource or Bundle", (f"prefetch.{key}",)
            )
        validate_resource(value, root=f"prefetch.{key}")
        entries.append({"resource": value})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _cards(store: Store, analysed_findings: list[Finding]) -> list[dict[str, Any]]:
    """Cards for the findings that are new or still open in the store (with the stored query's ids)."""
    cards = []
    for finding in analysed_findings:
        if finding.query is None:
            continue
        try:
            stored = store.get_finding(finding.id)
        except NotFound:
            stored = None
        if stored is not None and stored.status != "open":
            continue  # answered or withdrawn: no card, no second query
        if stored is not None and stored.query_id is not None:
            view = store.get_task(stored.query_id)
            q_json = questionnaire_resource(view, stored)
            t_json = task_resource(view, stored)
            suggestion_id = view.id
        else:
            suggestion_id = str(uuid.uuid5(CARD_NAMESPACE, "suggestion:" + finding.id))
            q_json = dump(questionnaire(finding))
            canonical = f"{q_json['url']}|{q_json['version']}"
            t_json = dump(
                task(finding, status="requested", questionnaire_ref=canonical, owner=finding.query.to or None)
            )
        t_json["status"] = (
            "requested"  # what accepting the suggestion creates: a query placed with the physician
        )
        t_json.pop("businessStatus", None)
        cards.append(card(finding, q_json, t_json, suggestion_id))
    return cards


@router.get("/cds-services")
def discovery() -> JSONResponse:
    """The CDS Hooks discovery document (no token needed: it carries no patient data)."""
    return JSONResponse({"services": [s.discovery() for s in SERVICES.values()]})


@router.post("/cds-services/{service_id}")
async def call_service(
    service_id: str,
    request: Request,
    principal: CdsClient,
    runner: RunnerDep,
    store: StoreDep,
) -> JSONResponse:
    """Cards for one hook call: one per open finding, its query as the suggestion."""
    service = _service(service_id)
    hook = _parse(HookRequest, await read_json(request))
    if hook.hook != service.hook:
        raise ServiceError(400, "invalid", f"this service answers the {service.hook} hook", ("hook",))
    patient_id = hook.context.get("patientId")
    encounter_id = hook.context.get("encounterId")
    if not isinstance(patient_id, str) or not patient_id:
        raise ServiceError(400, "required", "context.patientId is required", ("context.patientId",))
    if service.encounter_scoped and (not isinstance(encounter_id, str) or not encounter_id):
        raise ServiceError(400, "required", "context.encounterId is required", ("context.encounterId",))
    bundle = await run_in_threadpool(_prefetch_bundle, service, hook)
    analysed = await runner.run(
        bundle,
        validate=False,
        store=store if service.persist else None,
        actor=principal.actor,
        patient=f"Patient/{patient_id.removeprefix('Patient/')}",
        encounter=f"Encounter/{encounter_id.removeprefix('Encounter/')}"
        if isinstance(encounter_id, str) and encounter_id
        else None,
    )
    findings = [f for result in analysed.results for f in result.findings]
    cards = await run_in_threadpool(_cards, store, findings)
    return JSONResponse({"cards": cards})


def _apply_feedback(store: Store, feedback: Feedback, actor: str) -> tuple[int, int]:
    sent = overridden = 0
    for item in feedback.feedback:
        if item.outcome == "overridden":
            overridden += 1
            continue
        for suggestion in item.acceptedSuggestions:
            try:
                view = store.get_task(suggestion.id)
                if view.state == "draft":
                    store.transition(view.id, "requested", actor, "accepted in the EHR (CDS Hooks)")
                    sent += 1
            except (NotFound, IllegalTransition):
                continue  # a suggestion that was never stored, or a query already moved on
    return sent, overridden


@router.post("/cds-services/{service_id}/feedback")
async def feedback(
    service_id: str,
    request: Request,
    principal: CdsClient,
    store: StoreDep,
) -> JSONResponse:
    """What the clinician did with the cards: an accepted suggestion sends its stored query
    (draft -> requested); an override is acknowledged."""
    _service(service_id)
    parsed = _parse(Feedback, await read_json(request))
    sent, overridden = await run_in_threadpool(_apply_feedback, store, parsed, principal.actor)
    log.info("cds feedback: %d queries sent, %d cards overridden", sent, overridden)
    return JSONResponse({})
