"""The physician's answer: a QuestionnaireResponse in, the completed Task and the proposed Condition out.

The response names its query by ``basedOn: Task/<id>`` or by its ``questionnaire`` canonical
(``.../Questionnaire/<id>|<version>``). :func:`cdi.answers.apply_answer` checks it against the query (the
item, a known option, free text with "other", the addressee); the store then records it and completes the
query in one transaction, so an answer is never half-recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from cdi.answers import STORE_OUTCOME, AnswerError, apply_answer
from cdi.fhir_output import questionnaire, task
from cdi.service.access import check_visible
from cdi.service.auth import Answerer, Principal, Reader
from cdi.service.body import read_json
from cdi.service.errors import FhirResponse, ServiceError
from cdi.service.fhir import collection, dump, finding_for, iso, questionnaire_canonical
from cdi.service.state import StoreDep
from cdi.service.validation import require_resource, validate_resource
from cdi.store import NotFound, Store, TaskView

router = APIRouter(tags=["answers (QuestionnaireResponse)"])
_FHIR: dict[str, Any] = {"content": {"application/fhir+json": {}}}

_ANSWER_ERRORS = {
    "invalid-response": (422, "invalid", "QuestionnaireResponse"),
    "unknown-query": (422, "not-found", "QuestionnaireResponse.questionnaire"),
    "wrong-version": (409, "conflict", "QuestionnaireResponse.questionnaire"),
    "not-open": (409, "conflict", "QuestionnaireResponse.basedOn"),
    "not-addressee": (403, "forbidden", "QuestionnaireResponse.author"),
    "not-completed": (422, "invalid", "QuestionnaireResponse.status"),
    "wrong-subject": (422, "invalid", "QuestionnaireResponse.subject"),
    "no-answer": (422, "required", "QuestionnaireResponse.item"),
    "wrong-item": (422, "invalid", "QuestionnaireResponse.item"),
    "unknown-option": (422, "code-invalid", "QuestionnaireResponse.item.answer"),
    "other-without-text": (422, "required", "QuestionnaireResponse.item"),
}
""":class:`cdi.answers.AnswerError` codes -> HTTP status, OperationOutcome code, the element at fault."""

_EXAMPLE = {
    "resourceType": "QuestionnaireResponse",
    "status": "completed",
    "basedOn": [{"reference": "Task/<task id>"}],
    "questionnaire": "Questionnaire/<task id>|1",
    "item": [{"linkId": "answer", "answer": [{"valueCoding": {"code": "<option code>"}}]}],
}


def _target(qr: dict[str, Any]) -> tuple[str, int | None]:
    """(query id, questionnaire version or None) named by the response."""
    version: int | None = None
    canonical = qr.get("questionnaire")
    if isinstance(canonical, str) and "|" in canonical:
        tail = canonical.rsplit("|", 1)[1]
        version = int(tail) if tail.isdigit() else None
    for based in qr.get("basedOn") or []:
        ref = based.get("reference") if isinstance(based, dict) else None
        if isinstance(ref, str) and "Task/" in ref:
            return ref.rsplit("Task/", 1)[1].strip("/"), version
    if isinstance(canonical, str) and "Questionnaire/" in canonical:
        return canonical.split("|", 1)[0].rsplit("Questionnaire/", 1)[1].strip("/"), version
    raise ServiceError(
        422,
        "required",
        "the response must name its query (basedOn Task/<id>)",
        ("QuestionnaireResponse.basedOn",),
    )


def _answered_by(principal: Principal, qr: dict[str, Any], view: TaskView) -> str:
    """The answering Practitioner: the physician calling, else the response's author, else the addressee
    (a CDI specialist recording an answer given to them)."""
    if principal.practitioner is not None:
        return principal.practitioner
    author = qr.get("author")
    ref = author.get("reference") if isinstance(author, dict) else None
    if isinstance(ref, str) and ref.startswith("Practitioner/"):
        return ref
    return view.addressed_to or principal.actor


def _record(store: Store, principal: Principal, qr: dict[str, Any], base: str) -> tuple[str, dict[str, Any]]:
    query_id, version = _target(qr)
    try:
        view = store.get_task(query_id)
    except NotFound:
        raise ServiceError(
            422, "not-found", "the query this response answers is unknown", ("QuestionnaireResponse.basedOn",)
        ) from None
    check_visible(principal, view)
    if view.state not in ("requested", "escalated"):
        raise ServiceError(
            409, "conflict", f"the query is {view.state}: only a sent, open query can be answered"
        )
    if version is not None and version != view.version:
        raise ServiceError(
            409,
            "conflict",
            f"the query was revised (now version {view.version}); answer the current version",
            ("QuestionnaireResponse.questionnaire",),
        )
    finding = finding_for(view, store.get_finding(view.finding_id))
    the_questionnaire = questionnaire(finding, questionnaire_id=view.id, version=view.version)
    the_task = task(
        finding,
        task_id=view.id,
        status=view.state,
        questionnaire_ref=questionnaire_canonical(view.id, view.version),
        owner=view.addressed_to,
        authored_on=view.created_at,
    )
    answered_by = _answered_by(principal, qr, view)
    # The server assigns the response's id (the query's) and, when the client named the query only by
    # basedOn, the Questionnaire it answers (its current version).
    qr = {**qr, "id": view.id}
    qr.setdefault("questionnaire", questionnaire_canonical(view.id, view.version))
    now = datetime.now(UTC)
    try:
        outcome = apply_answer(finding, the_questionnaire, the_task, qr, answered_by=answered_by, now=now)
    except AnswerError as exc:
        status, code, where = _ANSWER_ERRORS.get(exc.code, (422, "invalid", "QuestionnaireResponse"))
        raise ServiceError(status, code, f"{exc.code}: {exc.message}", (where,)) from None
    response = dump(outcome.response)
    authored = getattr(outcome.response, "authored", None)
    stored = store.record_answer(
        view.id,
        response,
        answered_by,
        outcome.chosen_code,
        outcome.free_text,
        STORE_OUTCOME.get(outcome.outcome, "disagree"),
        principal.actor,
        answered_at=authored if isinstance(authored, datetime) and authored.tzinfo else None,
    )
    completed = dump(outcome.task)
    completed["lastModified"] = iso(stored.updated_at)
    entries = [response, completed]
    if outcome.proposed_condition is not None:
        entries.append(dump(outcome.proposed_condition))
    entries.append(dump(outcome.provenance))
    bundle = collection(base, entries, timestamp=iso(now))
    return view.id, bundle


@router.post(
    "/QuestionnaireResponse",
    status_code=201,
    response_class=FhirResponse,
    responses={201: _FHIR},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/fhir+json": {"schema": {"type": "object"}, "example": _EXAMPLE}},
        }
    },
)
async def answer_query(
    request: Request,
    principal: Answerer,
    store: StoreDep,
) -> FhirResponse:
    """Record a physician's answer: returns a collection Bundle with the stored QuestionnaireResponse, the
    completed Task, the proposed Condition (when the answer documents a codable diagnosis) and the
    Provenance of the answer. A physician may answer only the queries addressed to them."""
    qr = require_resource(await read_json(request), "QuestionnaireResponse")
    await run_in_threadpool(validate_resource, qr)
    base = str(request.base_url).rstrip("/")
    query_id, bundle = await run_in_threadpool(_record, store, principal, qr, base)
    return FhirResponse(
        bundle, status_code=201, headers={"Location": f"{base}/QuestionnaireResponse/{query_id}"}
    )


@router.get("/QuestionnaireResponse/{response_id}", response_class=FhirResponse, responses={200: _FHIR})
def read_answer(
    response_id: str,
    principal: Reader,
    store: StoreDep,
) -> FhirResponse:
    """The answer to a query, as recorded (its id is the query's)."""
    view = store.get_task(response_id)
    check_visible(principal, view)
    if view.answer is None:
        raise ServiceError(404, "not-found", "the query has no answer yet")
    return FhirResponse(view.answer.response)
