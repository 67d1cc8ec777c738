"""Reading a request body as JSON under the service's rules: a JSON media type (415), a size limit (413),
well-formed JSON (400). The body is read in chunks, so a client cannot make the server hold more than the
limit whatever ``Content-Length`` claims."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from cdi.service.errors import ServiceError

JSON_TYPES = frozenset({"application/json", "application/fhir+json"})


def media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


async def read_json(request: Request) -> Any:
    """The parsed body. The limit is ``app.state.settings.max_body_bytes``."""
    ctype = media_type(request.headers.get("content-type"))
    if ctype not in JSON_TYPES:
        raise ServiceError(
            415,
            "not-supported",
            "the body must be application/fhir+json or application/json",
            ("Content-Type",),
        )
    limit: int = request.app.state.settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise ServiceError(400, "invalid", "Content-Length is not a number") from None
        if size > limit:
            raise ServiceError(413, "too-long", f"the body is larger than {limit} bytes")
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise ServiceError(413, "too-long", f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise ServiceError(400, "structure", "the body is empty")
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise ServiceError(400, "structure", "the body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ServiceError(
            400, "structure", f"malformed JSON at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise ServiceError(400, "structure", "the JSON is nested too deeply") from None
