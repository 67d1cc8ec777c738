"""Validating one resource with the fhir.resources R4B models, and reporting why it failed.

fhir.resources 8 defaults to R5, which rejects R4 DocumentReferences (``context`` changed shape); the
R4B models accept R4 content. A failure is reported with the resource's reference and the pydantic
field path, never with the offending value: it may be note text, a name or an identifier.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from cdi.models import InputProblem


class FhirInputError(ValueError):
    """Input that cannot be used, named by resource and field; the message never quotes a value."""

    def __init__(self, resource: str | None, field: str | None, message: str) -> None:
        self.resource = resource
        self.field = field
        self.message = message
        where = " ".join(part for part in (resource, field) if part)
        super().__init__(f"{where}: {message}" if where else message)

    def to_problem(self, source: str) -> InputProblem:
        return InputProblem(source=source, resource=self.resource, field=self.field, message=self.message)


@cache
def model_class(resource_type: str) -> type[Resource] | None:
    try:
        cls = get_fhir_model_class(resource_type)
    except (KeyError, ValueError, ImportError, AttributeError):
        return None
    return cls if isinstance(cls, type) and issubclass(cls, Resource) else None


def resource_label(data: Any) -> str | None:
    """The resource's "Type/id" when it has a usable id, else its type (for problems only)."""
    if not isinstance(data, dict):
        return None
    rtype = data.get("resourceType")
    if not isinstance(rtype, str) or not rtype.isalpha():
        return None
    rid = data.get("id")
    if isinstance(rid, str) and rid and len(rid) <= 64 and all(c.isalnum() or c in "-." for c in rid):
        return f"{rtype}/{rid}"
    return rtype


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + part
    return path


_REASONS = {
    "missing": "required field is missing",
    "model_field_validation.missing": "required field is missing",
    "json_invalid": "should be an object",
    "extra_forbidden": "unknown field",
    "base64_decode": "not valid base64",
    "base64_type": "not valid base64",
    "string_pattern_mismatch": "value does not have the required format",
    "list_type": "should be a list",
    "dict_type": "should be an object",
    "model_type": "should be an object",
    "model_attributes_type": "should be an object",
    "string_type": "should be a string",
    "bool_type": "should be true or false",
    "bool_parsing": "should be true or false",
    "int_type": "should be an integer",
    "int_parsing": "should be an integer",
    "float_type": "should be a number",
    "float_parsing": "should be a number",
    "decimal_type": "should be a number",
    "decimal_parsing": "should be a number",
    "literal_error": "value is not one of the allowed codes",
    "enum": "value is not one of the allowed codes",
}


def validation_reason(error: Any) -> str:
    """A short reason from the error's type; the pydantic message only when it cannot quote the value."""
    etype = str(error.get("type", ""))
    if etype in _REASONS:
        return _REASONS[etype]
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    value = error.get("input")
    if isinstance(value, str | int | float) and len(str(value)) >= 2 and str(value) in message:
        return "invalid value"
    return message[:120]


def problem_from_validation(exc: ValidationError, label: str | None) -> FhirInputError:
    errors = exc.errors()
    if not errors:
        return FhirInputError(label, None, "does not validate as FHIR R4")
    first = errors[0]
    field = _field_path(tuple(first.get("loc", ())))
    message = validation_reason(first)
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
    return FhirInputError(label, field or None, message)


def parse_resource(data: Any) -> Resource:
    """The fhir.resources R4B model of a resource given as parsed JSON; FhirInputError when invalid."""
    if not isinstance(data, dict):
        raise FhirInputError(None, None, "not a JSON object")
    rtype = data.get("resourceType")
    if not isinstance(rtype, str) or not rtype:
        raise FhirInputError(None, "resourceType", "not a FHIR resource (no resourceType)")
    cls = model_class(rtype)
    label = resource_label(data)
    if cls is None:
        raise FhirInputError(label if rtype.isalpha() else None, "resourceType", "unknown resource type")
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise problem_from_validation(exc, label) from None


# --- values --------------------------------------------------------------------------------------------


def as_datetime(value: Any) -> datetime | None:
    """A timezone-aware datetime from a FHIR date, dateTime or instant (partial dates start the period;
    no timezone means UTC), with a standard-library tzinfo."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        offset = value.utcoffset() or timedelta(0)
        return value.replace(tzinfo=UTC if offset == timedelta(0) else timezone(offset))
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        parts = value.strip().split("-")
        try:
            year = int(parts[0])
            month = int(parts[1]) if len(parts) > 1 else 1
            day = int(parts[2][:2]) if len(parts) > 2 else 1
            return datetime(year, month, day, tzinfo=UTC)
        except (ValueError, IndexError):
            return None
    return None
