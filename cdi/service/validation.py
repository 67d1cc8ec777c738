"""Strict validation of what clients POST, with the FHIRPath of every offending element.

The FHIR input stage is lenient on purpose (a bulk export with one bad resource is still worth analysing);
a client of the API instead gets a 422 naming the element to fix, so nothing it sent is silently dropped.
Messages say what kind of error it is, never the value.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from cdi.fhir_input.parse import model_class, validation_reason
from cdi.service.errors import ServiceError

MAX_ISSUES = 10


def fhir_path(root: str, loc: tuple[Any, ...] | list[Any]) -> str:
    path = root
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def require_resource(data: Any, expected: str) -> dict[str, Any]:
    """``data`` as a resource of type ``expected``: 400 when it is not a JSON object, 422 otherwise."""
    if not isinstance(data, dict):
        raise ServiceError(400, "structure", f"the body must be a FHIR {expected} (a JSON object)")
    rtype = data.get("resourceType")
    if not isinstance(rtype, str) or not rtype:
        raise ServiceError(
            422, "required", "the body is not a FHIR resource (no resourceType)", ("resourceType",)
        )
    if model_class(rtype) is None:
        raise ServiceError(422, "not-supported", "unknown resource type", (f"{expected}.resourceType",))
    if rtype != expected:
        raise ServiceError(422, "invalid", f"expected a {expected}", (f"{expected}.resourceType",))
    return data


def _unknown_types(data: dict[str, Any], path: str) -> list[str]:
    """Paths of nested resources whose resourceType is missing or not an R4 type (the models cannot even
    start on them)."""
    found: list[str] = []
    for i, item in enumerate(data.get("contained") or [] if isinstance(data.get("contained"), list) else []):
        found.extend(_check_nested(item, f"{path}.contained[{i}]"))
    entries = data.get("entry")
    if data.get("resourceType") == "Bundle" and isinstance(entries, list):
        for i, entry in enumerate(entries):
            if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
                found.extend(_check_nested(entry["resource"], f"{path}.entry[{i}].resource"))
    return found


def _check_nested(resource: dict[str, Any], path: str) -> list[str]:
    if not isinstance(resource, dict):
        return []
    rtype = resource.get("resourceType")
    if not isinstance(rtype, str) or model_class(rtype) is None:
        return [f"{path}.resourceType"]
    return _unknown_types(resource, path)


def validate_resource(data: dict[str, Any], root: str | None = None) -> None:
    """Validate a resource (a Bundle with everything in it) with the R4B models; 422 with paths if invalid.

    ``root`` names the resource in the paths (default its type: ``Bundle.entry[3].resource.status``).
    """
    rtype = data["resourceType"]
    root = root or rtype
    if unknown := _unknown_types(data, root):
        raise ServiceError(
            422,
            "not-supported",
            "unknown or missing resource type in a nested resource",
            unknown[:MAX_ISSUES],
        )
    cls = get_fhir_model_class(rtype)
    try:
        cls.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        paths = [fhir_path(root, tuple(e.get("loc", ()))) for e in errors[:MAX_ISSUES]]
        first = validation_reason(errors[0]) if errors else "invalid"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ServiceError(
            422, "invalid", f"not valid FHIR R4: {paths[0] if paths else root}: {first}{more}", paths
        ) from None
    except (TypeError, KeyError, ValueError, AttributeError):
        raise ServiceError(422, "invalid", "not valid FHIR R4", (root,)) from None
