"""``POST /$analyze``: a Bundle in; the JSON report or a FHIR Bundle of DetectedIssue, Questionnaire and Task
out, chosen by ``Accept``; ``?persist=true`` stores the findings and draft queries (idempotent)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from cdi.fhir_output import DEVICE, findings_bundle, provenance
from cdi.models import InputProblem
from cdi.report import report_json
from cdi.service.auth import Analyst
from cdi.service.body import read_json
from cdi.service.errors import FHIR_JSON, FhirResponse, ServiceError, issue
from cdi.service.fhir import collection, detected_issue_resource, dump, questionnaire_resource, task_resource
from cdi.service.runner import Analysed
from cdi.service.state import RunnerDep, StoreDep
from cdi.service.validation import require_resource
from cdi.store import Store

router = APIRouter(tags=["analysis"])

JSON = "application/json"


def negotiate(accept: str | None) -> str:
    """``application/json`` (the report) or ``application/fhir+json`` (the Bundle) from an Accept header;
    the report when the client takes anything; 406 when it takes neither."""
    if not accept or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        mtype = pieces[0].lower()
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        choice = {JSON: JSON, FHIR_JSON: FHIR_JSON, "*/*": JSON, "application/*": JSON}.get(mtype)
        if choice is None or q <= 0:
            continue
        exact = 1 if mtype in (JSON, FHIR_JSON) else 0
        key = (q, exact, choice)
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None:
        raise ServiceError(
            406,
            "not-supported",
            "this endpoint answers application/json or application/fhir+json",
            ("Accept",),
        )
    return best[2]


def _problems_outcome(problems: list[InputProblem]) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "id": "input-problems",
        "issue": [
            issue(
                "invalid",
                " ".join(x for x in (p.resource, p.field, p.message) if x),
                severity="warning",
            )
            for p in problems
        ],
    }


def _stored_json(analysed: Analysed) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "analysis_id": outcome.analysis_id,
            "added": list(outcome.added),
            "updated": list(outcome.updated),
            "unchanged": list(outcome.unchanged),
            "resolved": list(outcome.resolved),
            "reopened": list(outcome.reopened),
            "tasks": outcome.tasks,
        }
        for key, outcome in analysed.stored.items()
    ]


def _stored_resources(store: Store, analysed: Analysed) -> list[dict[str, Any]]:
    """What the store now holds for the analysed findings (and the ones this analysis resolved)."""
    out: list[dict[str, Any]] = []
    for result in analysed.results:
        outcome = analysed.stored.get(result.record.key)
        if outcome is None:
            continue
        ids = [f.id for f in result.findings] + list(outcome.resolved)
        for finding_id in ids:
            finding = store.get_finding(finding_id)
            out.append(detected_issue_resource(finding))
            if finding.query_id is not None:
                view = store.get_task(finding.query_id)
                out.append(questionnaire_resource(view, finding))
                out.append(task_resource(view, finding))
    return out


def fhir_bundle(analysed: Analysed, store: Store | None, base: str) -> dict[str, Any]:
    """The collection Bundle: DetectedIssue + Questionnaire + Task per finding and one Provenance.

    Not persisted: :func:`cdi.fhir_output.findings_bundle` (draft Tasks). Persisted: the resources as the
    store now has them, so Task ids are the stored query ids a client then $sends.
    """
    if store is None or not analysed.stored:
        bundle = dump(findings_bundle(analysed.results))
    else:
        resources = _stored_resources(store, analysed)
        if resources:
            targets = [f"{r['resourceType']}/{r['id']}" for r in resources]
            resources.append(
                dump(provenance(targets, agent=DEVICE, activity="CREATE", recorded=datetime.now(UTC)))
            )
        bundle = collection(base, resources)
    if analysed.problems:
        bundle.setdefault("entry", []).append({"resource": _problems_outcome(analysed.problems)})
    return bundle


@router.post(
    "/$analyze",
    responses={
        200: {
            "description": "The JSON report (application/json) or a FHIR Bundle (application/fhir+json)",
            "content": {JSON: {}, FHIR_JSON: {}},
        }
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FHIR_JSON: {"schema": {"type": "object", "description": "A FHIR R4 Bundle"}},
                JSON: {"schema": {"type": "object"}},
            },
        }
    },
)
async def analyze(
    request: Request,
    principal: Analyst,
    runner: RunnerDep,
    store: StoreDep,
    persist: Annotated[bool, Query(description="store the findings and draft queries (idempotent)")] = False,
) -> JSONResponse:
    """Analyse the encounters of a FHIR R4 Bundle (notes, Conditions, Observations, authors).

    Re-posting the same encounter is idempotent: unchanged findings keep their ids and queries, findings
    the new documentation resolves are closed ("resolved by documentation"), new ones are added.
    """
    wanted = negotiate(request.headers.get("accept"))
    bundle = require_resource(await read_json(request), "Bundle")
    analysed = await runner.run(bundle, store=store if persist else None, actor=principal.actor)
    if wanted == FHIR_JSON:
        return FhirResponse(
            await run_in_threadpool(
                fhir_bundle, analysed, store if persist else None, str(request.base_url).rstrip("/")
            )
        )
    body = report_json(analysed.results, analysed.problems)
    if persist:
        body["stored"] = _stored_json(analysed)
    return JSONResponse(body)
