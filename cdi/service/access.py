"""What a physician may see: the queries addressed to them, once sent (a draft is the CDI specialist's
working copy). Every other role sees everything its permissions allow."""

from __future__ import annotations

from cdi.service.auth import Principal
from cdi.service.errors import ServiceError
from cdi.store import TaskView

PHYSICIAN_STATES = ("requested", "escalated", "completed", "cancelled")


def can_see(principal: Principal, task: TaskView) -> bool:
    addressee = principal.restricted_to
    return addressee is None or (task.addressed_to == addressee and task.sent_at is not None)


def check_visible(principal: Principal, task: TaskView) -> None:
    if not can_see(principal, task):
        raise ServiceError(403, "forbidden", "this query is not addressed to you")
