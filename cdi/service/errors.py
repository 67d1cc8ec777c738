"""Every error the service answers is a FHIR OperationOutcome with a 4xx status, or a bare 500.

Messages name fields and states, never values: a value may be note text, a name or an identifier, and error
bodies end up in client logs. The FHIRPath of the offending element goes in ``issue.expression``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from cdi.store import IllegalTransition, ImmutableRecord, NotFound, StoreError

FHIR_JSON = "application/fhir+json"

_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    412: "processing",
    413: "too-long",
    415: "not-supported",
    422: "invalid",
    500: "exception",
}


class FhirResponse(JSONResponse):
    """JSON with the FHIR media type."""

    media_type = FHIR_JSON


class ServiceError(Exception):
    """An error the service answers on purpose: status, OperationOutcome issue code, safe message, paths."""

    def __init__(
        self,
        status: int,
        code: str | None,
        message: str,
        expression: Sequence[str] = (),
        *,
        more: Sequence[dict[str, Any]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "processing")
        self.message = message
        self.expression = tuple(expression)
        self.more = tuple(more)  # further OperationOutcome issues (see :func:`issue`)
        self.headers = headers


def issue(
    code: str, message: str | None, expression: Sequence[str] = (), severity: str = "error"
) -> dict[str, Any]:
    """One OperationOutcome.issue."""
    found: dict[str, Any] = {"severity": severity, "code": code}
    if message:
        found["diagnostics"] = message
    if expression:
        found["expression"] = list(expression)
    return found


def operation_outcome(
    code: str,
    message: str | None,
    expression: Sequence[str] = (),
    severity: str = "error",
    more: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [issue(code, message, expression, severity), *more]}


def error_response(
    status: int,
    code: str | None,
    message: str | None,
    expression: Sequence[str] = (),
    headers: dict[str, str] | None = None,
    more: Sequence[dict[str, Any]] = (),
) -> FhirResponse:
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer", **(headers or {})}
    body = operation_outcome(code or _CODES.get(status, "processing"), message, expression, more=more)
    return FhirResponse(body, status_code=status, headers=headers)


def internal_error() -> FhirResponse:
    """The 500 answer: no detail at all, the cause is in the server log (type and frames, no values)."""
    return error_response(500, "exception", None)


def _param_path(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("query", "path", "header", "body")]
    return ".".join(parts) or "request"


async def _service_error(request: Request, exc: Exception) -> FhirResponse:
    assert isinstance(exc, ServiceError)
    return error_response(exc.status, exc.code, exc.message, exc.expression, exc.headers, exc.more)


async def _http_error(request: Request, exc: Exception) -> FhirResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    return error_response(exc.status_code, None, detail, headers=getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: Exception) -> FhirResponse:
    """Bad query or path parameters: 400 naming each parameter and the kind of error, not its value."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    paths = [_param_path(e.get("loc", ())) for e in errors]
    reasons = "; ".join(f"{p}: {str(e.get('type', 'invalid'))}" for p, e in zip(paths, errors, strict=True))
    return error_response(400, "invalid", f"invalid parameter ({reasons})", paths)


async def _store_error(request: Request, exc: Exception) -> FhirResponse:
    if isinstance(exc, NotFound):
        return error_response(404, "not-found", f"{exc.entity} not found")
    if isinstance(exc, IllegalTransition):
        return error_response(
            409, "conflict", f"the query is {exc.from_state}: {exc.to_state} is not allowed from there"
        )
    if isinstance(exc, ImmutableRecord):
        return error_response(409, "conflict", "that record is part of the permanent business record")
    return error_response(409, "conflict", "the store refused the change")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StoreError, _store_error)
