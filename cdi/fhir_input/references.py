"""Normalising FHIR references to ``Type/id`` so that resources from any source meet in one key.

A reference may be relative (``Encounter/1``), absolute (``http://host/fhir/Encounter/1/_history/2``),
a Bundle-local ``urn:uuid:`` (resolved through the Bundle's fullUrls), or conditional
(``Practitioner?identifier=system|value``, as in Synthea bulk exports; kept as written and resolved
later against the identifiers of the Practitioners read).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_LITERAL = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?/?$")
_URN = ("urn:uuid:", "urn:oid:")


def normalise_reference(
    reference: str | None,
    expected_type: str | None = None,
    urn_map: Mapping[str, str] | None = None,
) -> str | None:
    """``Type/id`` for a literal reference, the mapped ``Type/id`` for a known urn, else a best effort.

    An unmapped ``urn:uuid:x`` becomes ``<expected_type>/x`` when the referring field says which type it
    points to; contained (``#x``) references give None: they have no identity outside their resource.
    """
    if not reference:
        return None
    ref = reference.strip()
    if not ref or ref.startswith("#"):
        return None
    if ref.startswith(_URN):
        if urn_map is not None and ref in urn_map:
            return urn_map[ref]
        if expected_type:
            return f"{expected_type}/{ref.split(':')[-1]}"
        return ref
    if "?" in ref:  # conditional reference: Type?identifier=system|value
        return ref.rsplit("/", 1)[-1] if ref.startswith(("http://", "https://")) else ref
    match = _LITERAL.search(ref)
    if match:
        return f"{match.group(1)}/{match.group(2)}"
    return ref


def reference_type(reference: str | None) -> str | None:
    """The resource type a normalised reference points to ("Encounter" for "Encounter/1")."""
    if not reference:
        return None
    head = reference.split("?", 1)[0].split("/", 1)[0]
    return head if head[:1].isupper() else None


def raw_reference(value: Any, expected_type: str | None, urn_map: Mapping[str, str] | None) -> str | None:
    """Normalise a Reference given as a raw JSON dict (before validation), tolerating odd shapes."""
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict):
        return None
    ref = value.get("reference")
    if isinstance(ref, str):
        rtype = value.get("type") if isinstance(value.get("type"), str) else expected_type
        return normalise_reference(ref, rtype, urn_map)
    ident = value.get("identifier")
    if isinstance(ident, dict) and expected_type:
        return identifier_reference(expected_type, ident.get("system"), ident.get("value"))
    return None


def identifier_reference(rtype: str, system: Any, value: Any) -> str | None:
    """The conditional form ``Type?identifier=system|value`` used to match logical references."""
    if not isinstance(value, str) or not value:
        return None
    sys_part = system if isinstance(system, str) else ""
    return f"{rtype}?identifier={sys_part}|{value}"
