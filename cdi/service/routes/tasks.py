"""Queries as FHIR Tasks: search, read, and the lifecycle operations $send, $cancel, $escalate.

Every move goes through the store's transition table, so an illegal one is a 409 OperationOutcome whatever
the route. Before a query is sent, the compliance checker reads it once more: a query that breaks a
compliant-query rule (e.g. after an edit) never reaches a physician.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from cdi.compliance import check_query
from cdi.service.access import PHYSICIAN_STATES, check_visible
from cdi.service.auth import Manager, Reader
from cdi.service.body import read_json
from cdi.service.errors import FhirResponse, ServiceError, issue
from cdi.service.fhir import STATE_OF_STATUS, finding_for, searchset, task_resource
from cdi.service.params import DEFAULT_COUNT, Count, Offset, reason_of, reference, statuses
from cdi.service.state import StoreDep
from cdi.store import Store, TaskView

router = APIRouter(tags=["queries (Task)"])

_FHIR: dict[str, Any] = {"content": {"application/fhir+json": {}}}
_OPS_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/fhir+json": {
                "schema": {"type": "object"},
                "example": {
                    "resourceType": "Parameters",
                    "parameter": [{"name": "reason", "valueString": "documented in the discharge summary"}],
                },
            }
        },
    }
}


def _task(store: Store, view: TaskView) -> dict[str, Any]:
    return task_resource(view, store.get_finding(view.finding_id))


@router.get("/Task", response_class=FhirResponse, responses={200: _FHIR})
def search_tasks(
    request: Request,
    principal: Reader,
    store: StoreDep,
    status: str | None = None,
    owner: str | None = None,
    encounter: str | None = None,
    patient: str | None = None,
    count: Count = DEFAULT_COUNT,
    offset: Offset = 0,
) -> FhirResponse:
    """Queries as a searchset Bundle, oldest first. `status` takes FHIR Task codes (comma-separated: draft,
    requested, completed, cancelled, on-hold = escalated). A physician sees only sent queries addressed
    to them."""
    states = statuses(status, STATE_OF_STATUS)
    owner_ref = reference(owner, "Practitioner", "owner")
    if (mine := principal.restricted_to) is not None:
        if owner_ref is not None and owner_ref != mine:
            raise ServiceError(
                403, "forbidden", "a physician sees only the queries addressed to them", ("owner",)
            )
        owner_ref = mine
        states = [s for s in (states or PHYSICIAN_STATES) if s in PHYSICIAN_STATES]
        if not states:
            return FhirResponse(searchset(request, [], offset=offset, count=count, has_more=False))
    views = store.list_tasks(
        states,
        owner_ref,
        reference(encounter, "Encounter", "encounter"),
        reference(patient, "Patient", "patient"),
        limit=count + 1,
        offset=offset,
    )
    if principal.restricted_to is not None:
        views = [v for v in views if v.sent_at is not None]
    page = [_task(store, v) for v in views[:count]]
    return FhirResponse(searchset(request, page, offset=offset, count=count, has_more=len(views) > count))


@router.get("/Task/{task_id}", response_class=FhirResponse, responses={200: _FHIR})
def read_task(
    task_id: str,
    principal: Reader,
    store: StoreDep,
) -> FhirResponse:
    view = store.get_task(task_id)
    check_visible(principal, view)
    return FhirResponse(_task(store, view))


def _send(store: Store, task_id: str, actor: str) -> dict[str, Any]:
    view = store.get_task(task_id)
    if view.state == "draft":
        finding = store.get_finding(view.finding_id)
        query = finding_for(view, finding).query
        assert query is not None
        violations = check_query(query, finding.to_finding())
        if violations:
            raise ServiceError(
                422,
                "business-rule",
                f"the query breaks {len(violations)} compliant-query rule(s); edit it before sending",
                more=[issue("business-rule", f"{v.rule}: {v.reason}") for v in violations],
            )
    return _task(store, store.transition(task_id, "requested", actor))


@router.post("/Task/{task_id}/$send", response_class=FhirResponse, responses={200: _FHIR})
def send_task(
    task_id: str,
    principal: Manager,
    store: StoreDep,
) -> FhirResponse:
    """Send a draft query to its physician (draft -> requested), after a last compliance check."""
    return FhirResponse(_send(store, task_id, principal.actor))


async def _optional_body(request: Request) -> Any:
    if request.headers.get("content-length") in (None, "0") and "transfer-encoding" not in request.headers:
        return None
    return await read_json(request)


@router.post(
    "/Task/{task_id}/$cancel", response_class=FhirResponse, responses={200: _FHIR}, openapi_extra=_OPS_BODY
)
async def cancel_task(
    task_id: str,
    request: Request,
    principal: Manager,
    store: StoreDep,
) -> FhirResponse:
    """Withdraw a query (draft, requested or escalated -> cancelled); a `reason` is required."""
    reason = reason_of(await _optional_body(request), required=True)
    view = await run_in_threadpool(store.transition, task_id, "cancelled", principal.actor, reason)
    return FhirResponse(await run_in_threadpool(_task, store, view))


@router.post(
    "/Task/{task_id}/$escalate", response_class=FhirResponse, responses={200: _FHIR}, openapi_extra=_OPS_BODY
)
async def escalate_task(
    task_id: str,
    request: Request,
    principal: Manager,
    store: StoreDep,
) -> FhirResponse:
    """Hand an unanswered query to a physician advisor (requested -> escalated, Task status on-hold);
    the `reason` is optional."""
    reason = reason_of(await _optional_body(request), required=False)
    view = await run_in_threadpool(store.transition, task_id, "escalated", principal.actor, reason)
    return FhirResponse(await run_in_threadpool(_task, store, view))
