"""Store views -> FHIR resources (through :mod:`cdi.fhir_output`), searchset Bundles with paging links.

Identity: a DetectedIssue's id is the finding id; a query's Task, Questionnaire and QuestionnaireResponse
all carry the query's uuid (one query, one Questionnaire, at most one answer), so a client that holds any
of them can reach the others. The Questionnaire's ``version`` is the query text's version in the store.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from cdi.fhir_output import detected_issue, provenance, questionnaire, questionnaire_url, task
from cdi.models import Finding, FindingKind, Query
from cdi.store import AuditEntry, FindingView, QueryVersionView, TaskView
from cdi.store.lifecycle import ANSWERED, RESOLVED_BY_DOCUMENTATION

TASK_STATUS = {
    "draft": "draft",
    "requested": "requested",
    "completed": "completed",
    "cancelled": "cancelled",
    "escalated": "on-hold",  # with businessStatus "escalated"
}
"""Store query state -> FHIR Task.status."""

STATE_OF_STATUS = {**{status: state for state, status in TASK_STATUS.items()}, "escalated": "escalated"}
"""FHIR Task.status (search parameter) -> store state; "escalated" is accepted as a synonym of on-hold."""


def dump(resource: Any) -> dict[str, Any]:
    """A fhir.resources model as FHIR JSON (no nulls)."""
    data: dict[str, Any] = resource.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _query(view: TaskView, version: QueryVersionView | None = None) -> Query:
    current = version or view.versions[-1]
    return Query(
        format=view.format,
        to=view.addressed_to or "",
        to_display=view.addressed_to_display,
        text=current.text,
        options=current.options,
        template=current.template or "",
    )


def finding_for(
    view: TaskView, finding: FindingView | None = None, version: QueryVersionView | None = None
) -> Finding:
    """The pipeline's Finding for a query: the stored finding when given (evidence, summary), with this
    query's text (``version``, else the current one) as its query."""
    query = _query(view, version)
    if finding is not None:
        return replace(finding.to_finding(), query=query)
    return Finding(
        id=view.finding_id,
        kind=FindingKind(view.kind),
        topic=view.topic,
        encounter=view.encounter,
        patient=view.patient,
        query=query,
    )


def questionnaire_canonical(query_id: str, version: int) -> str:
    """``<url>|<version>`` of a stored query's Questionnaire (what Task.input and an answer point at)."""
    return f"{questionnaire_url(query_id)}|{version}"


def task_resource(view: TaskView, finding: FindingView | None = None) -> dict[str, Any]:
    """The stored query as a Task: status from the store (escalated = on-hold + businessStatus), last
    modification time, and once answered its output pointing at the QuestionnaireResponse."""
    model = task(
        finding_for(view, finding),
        task_id=view.id,
        status=view.state,
        questionnaire_ref=questionnaire_canonical(view.id, view.version),
        owner=view.addressed_to,
        authored_on=view.created_at,
        status_reason=view.close_reason if view.state == "cancelled" else None,
    )
    data = dump(model)
    data["status"] = TASK_STATUS[view.state]
    if view.state == "escalated":
        data.setdefault("businessStatus", {"text": "escalated"})
    data["lastModified"] = iso(view.updated_at)
    if view.answer is not None and not data.get("output"):
        data["output"] = [
            {
                "type": {"text": "QuestionnaireResponse"},
                "valueReference": {"reference": f"QuestionnaireResponse/{view.id}"},
            }
        ]
    return data


def questionnaire_resource(
    view: TaskView, finding: FindingView | None = None, version: int | None = None
) -> dict[str, Any]:
    """The query as a Questionnaire: its current text, or the text of ``version``."""
    chosen = (
        view.versions[-1]
        if version is None
        else next((v for v in view.versions if v.version == version), None)
    )
    if chosen is None:
        raise LookupError(version)
    model = questionnaire(
        finding_for(view, finding, chosen), questionnaire_id=view.id, version=chosen.version
    )
    data = dump(model)
    data.setdefault("meta", {})["versionId"] = str(chosen.version)
    data["date"] = iso(chosen.created_at)
    return data


def issue_status(finding: FindingView) -> str:
    """open -> preliminary; closed by an answer or by later documentation -> final; withdrawn -> cancelled."""
    if finding.status == "open":
        return "preliminary"
    return "final" if finding.close_reason in (ANSWERED, RESOLVED_BY_DOCUMENTATION) else "cancelled"


def detected_issue_resource(finding: FindingView) -> dict[str, Any]:
    data = dump(detected_issue(finding.to_finding(), issue_id=finding.id))
    data["status"] = issue_status(finding)
    if finding.status == "closed" and finding.close_reason:
        data["mitigation"] = [{"action": {"text": finding.close_reason}, "date": iso(finding.closed_at)}]
    return data


_DATA_OPERATION = {"created": "CREATE", "added": "CREATE", "analysed": "EXECUTE"}
"""Audit actions -> v3-DataOperation codes; every other action (transition, answered, edited, closed,
reopened, redrafted, updated) is an UPDATE. The action itself stays readable in ``activity.text``."""

_REFERENCE = re.compile(r"^[A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64}$")


def provenance_resources(entries: Sequence[AuditEntry], target: str) -> list[dict[str, Any]]:
    """One Provenance per audit entry about ``target``: who did what, when (and from which state to which).

    An actor that is not a FHIR reference (a token's role and name) is the agent's display."""
    out = []
    for entry in entries:
        code = _DATA_OPERATION.get(entry.action, "UPDATE")
        is_reference = bool(_REFERENCE.match(entry.actor))
        data = dump(
            provenance(
                [target],
                agent=entry.actor if is_reference else "Device/unknown",
                activity=code,
                recorded=entry.at,
            )
        )
        data["id"] = f"audit-{entry.id}"
        text = entry.action
        if entry.from_state or entry.to_state:
            text += f" ({entry.from_state or '-'} -> {entry.to_state or '-'})"
        if reason := entry.detail.get("reason"):
            text += f": {reason}"
        data["activity"]["text"] = text
        if not is_reference:
            data["agent"][0]["who"] = {"display": entry.actor}
        out.append(data)
    return out


def collection(base: str, resources: Sequence[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A collection Bundle whose entries' fullUrls are absolute on this server (``base``)."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        **fields,
        "entry": [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r} for r in resources],
    }


# --- searchset Bundles ------------------------------------------------------------------------------------


def _page_url(request: Request, offset: int, count: int) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("_offset", "_count")]
    params += [("_count", str(count)), ("_offset", str(offset))]
    return f"{request.url.replace(query='')}?{urlencode(params)}"


def searchset(
    request: Request,
    resources: Sequence[dict[str, Any]],
    *,
    offset: int | None = None,
    count: int | None = None,
    has_more: bool = False,
) -> dict[str, Any]:
    """A searchset Bundle. Paged (``offset`` and ``count`` given): self / previous / next links that keep
    the other parameters; unpaged: the whole result with a self link."""
    base = str(request.base_url).rstrip("/")
    if offset is None or count is None:
        links = [{"relation": "self", "url": str(request.url)}]
    else:
        links = [{"relation": "self", "url": _page_url(request, offset, count)}]
        if offset > 0:
            links.append({"relation": "previous", "url": _page_url(request, max(0, offset - count), count)})
        if has_more:
            links.append({"relation": "next", "url": _page_url(request, offset + count, count)})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset"}
    if offset is None:
        bundle["total"] = len(resources)  # unpaged: the count is known
    return {
        **bundle,
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }
