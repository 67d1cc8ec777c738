"""For CDI specialists: the worklist (encounters with open findings, ranked) and program metrics."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from cdi.models import FindingKind
from cdi.service.auth import Reviewer
from cdi.service.params import DEFAULT_COUNT, Count, Offset, reference
from cdi.service.priority import rank
from cdi.service.state import StoreDep
from cdi.store import Store, WorklistItem

router = APIRouter(tags=["worklist and metrics"])

WORKLIST_SCAN = 500
WORKLIST_MAX = 20_000
"""The worklist ranks every encounter with open findings (read in pages of 500, up to 20,000)."""


def _all_items(store: Store, patient: str | None) -> list[WorklistItem]:
    items: list[WorklistItem] = []
    while len(items) < WORKLIST_MAX:
        page = store.worklist(limit=WORKLIST_SCAN, offset=len(items), patient=patient)
        items.extend(page)
        if len(page) < WORKLIST_SCAN:
            break
    return items


@router.get("/worklist")
def worklist(
    principal: Reviewer,
    store: StoreDep,
    patient: str | None = None,
    discharged: Annotated[
        bool | None, Query(description="true: discharged only; false: in house only")
    ] = None,
    kind: Annotated[
        FindingKind | None, Query(description="only encounters with an open finding of this kind")
    ] = None,
    min_score: Annotated[int, Query(ge=0, description="only encounters at or above this priority")] = 0,
    count: Count = DEFAULT_COUNT,
    offset: Offset = 0,
) -> JSONResponse:
    """Encounters with open findings, highest priority first; each item lists the points behind its score."""
    items = _all_items(store, reference(patient, "Patient", "patient"))
    if discharged is not None:
        items = [i for i in items if bool(i.discharged) is discharged]
    if kind is not None:
        items = [i for i in items if i.by_kind.get(kind.value)]
    ranked = [(item, p) for item, p in rank(items) if p.score >= min_score]
    page = ranked[offset : offset + count]
    body: dict[str, Any] = {
        "total": len(ranked),
        "offset": offset,
        "count": len(page),
        "items": [{**jsonable_encoder(asdict(item)), "priority": p.to_json()} for item, p in page],
    }
    return JSONResponse(body)


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@router.get("/metrics")
def metrics(
    principal: Reviewer,
    store: StoreDep,
    since: Annotated[
        datetime | None, Query(description="created at or after (ISO 8601; UTC if no offset)")
    ] = None,
    until: Annotated[datetime | None, Query(description="created before")] = None,
) -> JSONResponse:
    """Query volume, response rate, agreement rate and median turnaround (hours), overall, by topic and by
    provider. Agreement: answers documenting a diagnosis / answers."""
    found = store.metrics(_aware(since), _aware(until))
    return JSONResponse(jsonable_encoder(asdict(found)))
