"""JSON form of the value objects kept in JSON columns (evidence, indicators, finding details).

Datetimes are ISO 8601 strings and enums their values, so the same JSON reads back the same on SQLite and
PostgreSQL and compares equal after a round trip (that is how an unchanged finding is recognised).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum
from typing import Any

from cdi.models import Assertion, Evidence, Indicator


def to_json(value: Any) -> Any:
    """A JSON-ready copy of ``value``: dataclasses become dicts, tuples lists, datetimes ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def evidence_from_json(data: dict[str, Any]) -> Evidence:
    assertion = data.get("assertion")
    return Evidence(
        document=data["document"],
        section=data.get("section"),
        text=data["text"],
        start=data.get("start"),
        end=data.get("end"),
        date=_time(data.get("date")),
        author=data.get("author"),
        author_reference=data.get("author_reference"),
        assertion=Assertion(assertion) if assertion else None,
        sentence=data.get("sentence"),
    )


def indicator_from_json(data: dict[str, Any]) -> Indicator:
    return Indicator(
        source=data["source"],
        name=data["name"],
        value=data["value"],
        time=_time(data.get("time")),
        indicator_id=data.get("indicator_id"),
        section=data.get("section"),
    )
