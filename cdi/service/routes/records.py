"""Read-only FHIR views of the store: DetectedIssue (findings), Questionnaire (a query's text, every
version), Provenance (the audit log)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from cdi.service.access import PHYSICIAN_STATES, can_see, check_visible
from cdi.service.auth import Principal, Reader
from cdi.service.errors import FhirResponse, ServiceError
from cdi.service.fhir import (
    detected_issue_resource,
    issue_status,
    provenance_resources,
    questionnaire_resource,
    searchset,
)
from cdi.service.params import DEFAULT_COUNT, Count, Offset, reference, statuses
from cdi.service.state import StoreDep
from cdi.store import FindingView, Store

router = APIRouter(tags=["findings, questionnaires, provenance"])
_FHIR: dict[str, Any] = {"content": {"application/fhir+json": {}}}
_ISSUE_STATUS = {"preliminary": "open", "final": "closed", "cancelled": "closed"}


@router.get("/DetectedIssue", response_class=FhirResponse, responses={200: _FHIR})
def search_detected_issues(
    request: Request,
    principal: Reader,
    store: StoreDep,
    patient: str | None = None,
    encounter: str | None = None,
    status: Annotated[
        str | None, Query(description="preliminary (open), final (answered or resolved), cancelled")
    ] = None,
    count: Count = DEFAULT_COUNT,
    offset: Offset = 0,
) -> FhirResponse:
    """Findings as DetectedIssues. A physician sees the findings behind the queries addressed to them."""
    wanted = statuses(status, {code: code for code in _ISSUE_STATUS})
    patient_ref = reference(patient, "Patient", "patient")
    encounter_ref = reference(encounter, "Encounter", "encounter")
    store_status = None
    if wanted and len({_ISSUE_STATUS[w] for w in wanted}) == 1:
        store_status = _ISSUE_STATUS[wanted[0]]
    found: list[FindingView]
    if (mine := principal.restricted_to) is not None:
        tasks = store.list_tasks(
            list(PHYSICIAN_STATES), mine, encounter_ref, patient_ref, limit=count + 1, offset=offset
        )
        has_more = len(tasks) > count
        ids = list(dict.fromkeys(t.finding_id for t in tasks[:count] if t.sent_at is not None))
        found = [store.get_finding(i) for i in ids]
    else:
        found = store.list_findings(patient_ref, encounter_ref, store_status, limit=count + 1, offset=offset)
        has_more = len(found) > count
        found = found[:count]
    if wanted:
        found = [f for f in found if issue_status(f) in wanted]
    page = [detected_issue_resource(f) for f in found]
    return FhirResponse(searchset(request, page, offset=offset, count=count, has_more=has_more))


def _check_finding_visible(principal: Principal, store: Store, finding: FindingView) -> None:
    if principal.restricted_to is None:
        return
    mine = store.list_tasks(
        list(PHYSICIAN_STATES), principal.restricted_to, finding.encounter, finding.patient
    )
    if not any(t.finding_id == finding.id and can_see(principal, t) for t in mine):
        raise ServiceError(403, "forbidden", "no query about this finding is addressed to you")


@router.get("/DetectedIssue/{issue_id}", response_class=FhirResponse, responses={200: _FHIR})
def read_detected_issue(
    issue_id: str,
    principal: Reader,
    store: StoreDep,
) -> FhirResponse:
    finding = store.get_finding(issue_id)
    _check_finding_visible(principal, store, finding)
    return FhirResponse(detected_issue_resource(finding))


def _questionnaire(store: Store, principal: Principal, query_id: str, version: int | None) -> dict[str, Any]:
    view = store.get_task(query_id)
    check_visible(principal, view)
    try:
        return questionnaire_resource(view, store.get_finding(view.finding_id), version)
    except LookupError:
        raise ServiceError(404, "not-found", "the query has no such version") from None


@router.get("/Questionnaire/{questionnaire_id}", response_class=FhirResponse, responses={200: _FHIR})
def read_questionnaire(
    questionnaire_id: str,
    principal: Reader,
    store: StoreDep,
) -> FhirResponse:
    """A query as a Questionnaire (its id is the Task's); `version` is the current version of its text."""
    return FhirResponse(_questionnaire(store, principal, questionnaire_id, None))


@router.get(
    "/Questionnaire/{questionnaire_id}/_history/{version}",
    response_class=FhirResponse,
    responses={200: _FHIR},
)
def read_questionnaire_version(
    questionnaire_id: str,
    principal: Reader,
    store: StoreDep,
    version: Annotated[int, Path(ge=1)],
) -> FhirResponse:
    """An earlier version of a query's text: every version that reached a physician is kept."""
    return FhirResponse(_questionnaire(store, principal, questionnaire_id, version))


_TARGETS = ("Task", "QuestionnaireResponse", "DetectedIssue", "Encounter", "Patient")


@router.get("/Provenance", response_class=FhirResponse, responses={200: _FHIR})
def search_provenance(
    request: Request,
    principal: Reader,
    store: StoreDep,
    target: Annotated[
        str,
        Query(description="Task/, QuestionnaireResponse/, DetectedIssue/, Encounter/ or Patient/<id>"),
    ],
) -> FhirResponse:
    """The audit log of one query, answer, finding or encounter as Provenance resources, oldest first."""
    rtype, _, rid = target.strip().partition("/")
    if rtype not in _TARGETS or reference(rid, rtype, "target") is None:
        raise ServiceError(
            400, "invalid", f"target must be one of {', '.join(t + '/<id>' for t in _TARGETS)}", ("target",)
        )
    if rtype in ("Task", "QuestionnaireResponse"):
        check_visible(principal, store.get_task(rid))
        entries = store.audit_for(rid)
        if rtype == "QuestionnaireResponse":
            entries = [e for e in entries if e.action == "answered"]
    elif principal.restricted_to is not None:
        raise ServiceError(
            403, "forbidden", "a physician may read the provenance of their own queries only", ("target",)
        )
    else:
        if rtype == "DetectedIssue":
            store.get_finding(rid)
        entries = store.audit_for(rid if rtype == "DetectedIssue" else f"{rtype}/{rid}")
    page = provenance_resources(entries, f"{rtype}/{rid}")
    return FhirResponse(searchset(request, page))
