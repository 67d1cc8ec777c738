"""The FHIR input stage's knowledge: note types (LOINC) and author roles, read from YAML.

The facts live in ``cdi/knowledge/note_types.yaml`` and ``cdi/knowledge/author_roles.yaml`` so that a CDI
specialist can extend them; this module only gives them a schema (unknown keys refused, so a typo fails
at load time) and the small matching rules those files document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cdi.catalog import KNOWLEDGE_DIR, load_knowledge_file
from cdi.models import AuthorKind

NoteKind = Literal[
    "discharge_summary",
    "history_and_physical",
    "progress_note",
    "consult_note",
    "ed_note",
    "operative_note",
    "procedure_note",
    "radiology_report",
    "pathology_report",
    "nursing_note",
    "dietitian_note",
    "therapy_note",
    "other",
]
KindName = Literal["provider", "diagnostic", "other_clinician", "unknown"]
RoleKindName = Literal["provider", "diagnostic", "other_clinician", "physician"]

_NON_WORD = re.compile(r"[^a-z0-9&+]+")


def normalise_words(text: str) -> str:
    """Lower case, punctuation to single spaces, padded with spaces so whole words match by ``in``."""
    return " " + _NON_WORD.sub(" ", text.lower()).strip() + " "


def _has_term(padded_text: str, term: str) -> bool:
    return normalise_words(term) in padded_text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoteTypeEntry(_Strict):
    """One row of the note-type table: LOINC codes and words for a note kind, with its author default."""

    kind: NoteKind
    author_kind: KindName = "unknown"
    author_role: str | None = None
    physician_kind: Literal["provider", "diagnostic"] = "provider"
    loinc: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()

    def matches_text(self, padded_text: str) -> bool:
        if any(_has_term(padded_text, phrase) for phrase in self.unless):
            return False
        return any(_has_term(padded_text, term) for term in self.terms)


class NoteTypes(_Strict):
    version: int
    entries: tuple[NoteTypeEntry, ...]

    @model_validator(mode="after")
    def _unique_codes(self) -> NoteTypes:
        seen: set[str] = set()
        for entry in self.entries:
            for code in entry.loinc:
                if code in seen:
                    raise ValueError(f"LOINC code {code} is listed twice")
                seen.add(code)
        return self


OTHER_NOTE = NoteTypeEntry(kind="other")


class Role(_Strict):
    """A role an author may hold, with the words, codes and credentials that reveal it."""

    role: str
    kind: RoleKindName
    terms: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    credentials: tuple[str, ...] = ()


class AttendingTypes(_Strict):
    types: tuple[str, ...]
    fallback: tuple[str, ...] = ()


class AuthorRoles(_Strict):
    version: int
    roles: tuple[Role, ...]
    attending: AttendingTypes = Field(default_factory=lambda: AttendingTypes(types=("ATND", "attender")))


# When an author has several roles, the licence that lets one diagnose dominates: a nurse who is also
# a nurse practitioner is a provider; a physician who is a radiologist is diagnostic.
_RANK = {"provider": 0, "diagnostic": 1, "physician": 2, "other_clinician": 3}


def _rank(role: Role) -> int:
    return _RANK[role.kind]


@dataclass(frozen=True)
class RoleMatch:
    """The role found for an author; ``kind`` is already resolved for the note type at hand."""

    role: str | None
    kind: AuthorKind


class InputKnowledge:
    """Note types and author roles with the lookups the input stage needs; built once per process."""

    def __init__(self, note_types: NoteTypes, author_roles: AuthorRoles) -> None:
        self.note_types = note_types
        self.author_roles = author_roles
        self._by_loinc = {code: entry for entry in note_types.entries for code in entry.loinc}
        self._by_code: dict[str, Role] = {}
        self._by_credential: dict[str, Role] = {}
        self._by_credential_exact: dict[str, Role] = {}
        for role in author_roles.roles:
            for code in role.codes:
                self._by_code.setdefault(code.upper(), role)
            for cred in role.credentials:
                self._by_credential.setdefault(cred.upper(), role)
                self._by_credential_exact.setdefault(cred, role)
        # Longest term first, so that "nurse practitioner" is tried before "nurse".
        self._terms = sorted(
            ((normalise_words(term), role) for role in author_roles.roles for term in role.terms),
            key=lambda pair: -len(pair[0]),
        )
        self.attending_types = {t.lower() for t in author_roles.attending.types}
        self.attending_fallback = {t.lower() for t in author_roles.attending.fallback}

    # --- note types --------------------------------------------------------------------------------

    def note_type(self, loinc_codes: Iterable[str], texts: Iterable[str]) -> NoteTypeEntry:
        """The note-type entry for a document type: LOINC code first, then words, else ``other``."""
        for code in loinc_codes:
            entry = self._by_loinc.get(code)
            if entry is not None:
                return entry
        padded = normalise_words(" | ".join(t for t in texts if t))
        if padded.strip():
            for entry in self.note_types.entries:
                if entry.matches_text(padded):
                    return entry
        return OTHER_NOTE

    # --- author roles ------------------------------------------------------------------------------

    def role_from_codes(self, codes: Iterable[str], note: NoteTypeEntry) -> RoleMatch | None:
        """The role named by codes (v2-0360 degrees, NUCC taxonomy); the highest-ranked wins."""
        found = [
            role
            for code in codes
            if (role := self._by_code.get(code.upper()) or self._by_credential.get(code.upper())) is not None
        ]
        return self._resolve(min(found, key=_rank), note) if found else None

    def role_from_texts(self, texts: Iterable[str], note: NoteTypeEntry) -> RoleMatch | None:
        """The role named by texts: in each text its longest term, else a credential ("RN", "Family NP");
        across texts the highest-ranked role, then the longer term."""
        found: list[tuple[int, int, Role]] = []
        for text in texts:
            if not text or not text.strip():
                continue
            padded = normalise_words(text)
            match = next(((term, role) for term, role in self._terms if term in padded), None)
            if match is not None:
                found.append((_rank(match[1]), -len(match[0]), match[1]))
            elif (credential := self._credential_role(text)) is not None:
                found.append((_rank(credential), 0, credential))
        return self._resolve(min(found, key=lambda item: item[:2])[2], note) if found else None

    def role_from_credentials(self, name: str, note: NoteTypeEntry) -> RoleMatch | None:
        """The role named by credentials after a name ("Lee Park, RN, CWOCN", "Sam Cole PA-C")."""
        role = self._credential_role(name)
        return self._resolve(role, note) if role is not None else None

    def _credential_role(self, name: str) -> Role | None:
        """Credentials after a name: tokens after commas (any case), else the last word written exactly
        as a credential ("Sam Cole PA-C"; "Minh Do" is not a DO). A single word is read in any case."""
        parts = [p.strip() for p in name.split(",")]
        found = [
            role
            for part in parts[1:]
            for tok in part.split()
            if (role := self._by_credential.get(tok.strip(".").upper())) is not None
        ]
        if found:
            # The highest-ranked ("RN, MSN, FNP-BC" is a nurse practitioner); among equals the last,
            # most specific one ("RN, CWOCN" is a wound care nurse).
            return min(reversed(found), key=_rank)
        words = parts[0].split()
        if len(words) == 1 and len(parts) == 1:
            return self._by_credential.get(words[0].strip(".").upper())
        if len(words) > 1:
            return self._by_credential_exact.get(words[-1].rstrip("."))
        return None

    @staticmethod
    def _resolve(role: Role, note: NoteTypeEntry) -> RoleMatch:
        kind_name = note.physician_kind if role.kind == "physician" else role.kind
        return RoleMatch(role=role.role, kind=AuthorKind(kind_name))

    @staticmethod
    def default_for(note: NoteTypeEntry) -> RoleMatch | None:
        if note.author_kind == "unknown":
            return None
        return RoleMatch(role=note.author_role, kind=AuthorKind(note.author_kind))


def load_note_types(path: Path | None = None) -> NoteTypes:
    return load_knowledge_file(path or KNOWLEDGE_DIR / "note_types.yaml", NoteTypes)


def load_author_roles(path: Path | None = None) -> AuthorRoles:
    return load_knowledge_file(path or KNOWLEDGE_DIR / "author_roles.yaml", AuthorRoles)


@lru_cache(maxsize=1)
def default_knowledge() -> InputKnowledge:
    """The packaged knowledge, loaded once per process."""
    return InputKnowledge(load_note_types(), load_author_roles())
