"""Search and operation parameters shared by the routes: references, statuses, reasons, paging."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Query

from cdi.service.errors import ServiceError

MAX_COUNT = 100
DEFAULT_COUNT = 20
MAX_REASON = 1000
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")

Count = Annotated[int, Query(alias="_count", ge=1, le=MAX_COUNT, description="Page size (1-100).")]
Offset = Annotated[
    int, Query(alias="_offset", ge=0, description="Entries to skip (the `next` link sets it).")
]


def reference(value: str | None, rtype: str, param: str) -> str | None:
    """A search parameter naming a resource: ``Type/id`` or a bare ``id``; 400 for anything else."""
    if value is None:
        return None
    value = value.strip()
    rid = value.removeprefix(f"{rtype}/")
    if "/" in rid or not _ID.match(rid):
        raise ServiceError(400, "invalid", f"{param} must be {rtype}/<id> or <id>", (param,))
    return f"{rtype}/{rid}"


def statuses(value: str | None, allowed: dict[str, str], param: str = "status") -> list[str] | None:
    """A comma-separated list of codes (FHIR "or") mapped through ``allowed``; 400 for an unknown code."""
    if value is None or not value.strip():
        return None
    found: list[str] = []
    for code in (part.strip() for part in value.split(",")):
        if code not in allowed:
            raise ServiceError(
                400, "code-invalid", f"unknown {param} (one of {', '.join(allowed)})", (param,)
            )
        found.append(allowed[code])
    return found


def reason_of(body: Any, *, required: bool) -> str | None:
    """The ``reason`` of an operation: a Parameters resource (valueString, or valueCodeableConcept.text)
    or a plain ``{"reason": "..."}``; 422 when required and absent."""
    reason: Any = None
    if isinstance(body, dict) and body.get("resourceType") == "Parameters":
        for parameter in body.get("parameter") or []:
            if isinstance(parameter, dict) and parameter.get("name") == "reason":
                concept = parameter.get("valueCodeableConcept")
                reason = parameter.get("valueString") or (
                    concept.get("text") if isinstance(concept, dict) else None
                )
                break
        where = "Parameters.parameter.where(name='reason')"
    elif isinstance(body, dict):
        reason = body.get("reason")
        where = "reason"
    elif body is not None:
        raise ServiceError(400, "structure", "the body must be a Parameters resource or a JSON object")
    else:
        where = "reason"
    if reason is not None and not isinstance(reason, str):
        raise ServiceError(422, "invalid", "the reason must be text", (where,))
    reason = (reason or "").strip() or None
    if reason is None and required:
        raise ServiceError(422, "required", "a reason is required", (where,))
    if reason is not None and len(reason) > MAX_REASON:
        raise ServiceError(422, "too-long", f"the reason is longer than {MAX_REASON} characters", (where,))
    return reason
