"""Context resources (Patient, Encounter, Practitioner, PractitionerRole) kept small in memory.

Every clinical resource of every input file may need them (an author's role, an encounter's class),
so they are read in a first pass over all inputs and reduced to the few fields the stage uses. The
authors of notes and Conditions are resolved here, in the order author_roles.yaml documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cdi.fhir_input.knowledge import OTHER_NOTE, InputKnowledge, NoteTypeEntry, RoleMatch
from cdi.fhir_input.parse import as_datetime
from cdi.fhir_input.references import identifier_reference, normalise_reference, reference_type
from cdi.models import Author, AuthorKind, InputProblem

CONTEXT_TYPES = frozenset({"Patient", "Encounter", "Practitioner", "PractitionerRole"})
_PERSON_TYPES = frozenset({"Practitioner", "PractitionerRole"})


def human_name(names: Any, with_prefix: bool = True) -> str | None:
    """A display name: the official (else first) HumanName's text, else prefix given family, suffixes."""
    if not names:
        return None
    chosen = next((n for n in names if getattr(n, "use", None) in ("official", "usual")), names[0])
    if chosen.text:
        return str(chosen.text)
    words = [*(chosen.prefix or [] if with_prefix else []), *(chosen.given or []), chosen.family or ""]
    name = " ".join(w for w in words if w)
    if chosen.suffix and with_prefix:
        name = ", ".join([name, *chosen.suffix]) if name else ", ".join(chosen.suffix)
    return name or None


def concept_codes(concepts: Iterable[Any] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(codes, texts) of CodeableConcepts: every coding's code, and texts and displays."""
    codes: list[str] = []
    texts: list[str] = []
    for concept in concepts or ():
        if concept is None:
            continue
        for coding in concept.coding or ():
            if coding.code:
                codes.append(str(coding.code))
            if coding.display:
                texts.append(str(coding.display))
        if concept.text:
            texts.append(str(concept.text))
    return tuple(codes), tuple(texts)


@dataclass(slots=True, frozen=True)
class PractitionerInfo:
    reference: str
    display: str | None
    codes: tuple[str, ...]
    texts: tuple[str, ...]


@dataclass(slots=True, frozen=True)
class RoleInfo:
    reference: str
    practitioner: str | None  # normalised or conditional reference
    practitioner_display: str | None
    codes: tuple[str, ...]
    texts: tuple[str, ...]


@dataclass(slots=True, frozen=True)
class Participant:
    type_codes: tuple[str, ...]
    individual: str | None
    display: str | None


@dataclass(slots=True, frozen=True)
class EncounterInfo:
    reference: str
    patient: str | None
    class_code: str | None
    class_display: str | None
    period_start: datetime | None
    period_end: datetime | None
    participants: tuple[Participant, ...]


@dataclass
class Context:
    """What the first pass learned about people and encounters, shared by every group."""

    patients: dict[str, str | None] = field(default_factory=dict)
    encounters: dict[str, EncounterInfo] = field(default_factory=dict)
    practitioners: dict[str, PractitionerInfo] = field(default_factory=dict)
    roles: dict[str, RoleInfo] = field(default_factory=dict)
    by_identifier: dict[str, str] = field(default_factory=dict)  # "Practitioner?identifier=s|v" -> ref
    failed: dict[str, InputProblem] = field(default_factory=dict)  # context resources that did not validate
    _roles_of: dict[str, list[RoleInfo]] | None = None

    # --- collecting ----------------------------------------------------------------------------------

    def add(self, model: Any, ref: str, urn_map: Mapping[str, str]) -> None:
        """Keep the few fields of a validated context resource under its normalised reference."""
        rtype = model.get_resource_type()
        if rtype == "Patient":
            self.patients[ref] = human_name(model.name, with_prefix=False)
        elif rtype == "Practitioner":
            quals = [q.code for q in model.qualification or ()]
            codes, texts = concept_codes(quals)
            self.practitioners[ref] = PractitionerInfo(ref, human_name(model.name), codes, texts)
            for ident in model.identifier or ():
                key = identifier_reference("Practitioner", ident.system, ident.value)
                if key:
                    self.by_identifier[key] = ref
        elif rtype == "PractitionerRole":
            codes, texts = concept_codes([*(model.code or ()), *(model.specialty or ())])
            prac = model.practitioner
            prac_ref = None
            if prac is not None:
                prac_ref = normalise_reference(prac.reference, "Practitioner", urn_map)
                if prac_ref is None and prac.identifier is not None:
                    prac_ref = identifier_reference(
                        "Practitioner", prac.identifier.system, prac.identifier.value
                    )
            display = prac.display if prac is not None else None
            self.roles[ref] = RoleInfo(ref, prac_ref, display, codes, texts)
            self._roles_of = None
        elif rtype == "Encounter":
            self.encounters[ref] = _encounter_info(model, ref, urn_map)

    # --- lookups -------------------------------------------------------------------------------------

    def practitioner_ref(self, ref: str | None) -> str | None:
        """A conditional Practitioner reference resolved through the identifiers read, else unchanged."""
        if ref and "?identifier=" in ref:
            return self.by_identifier.get(ref, ref)
        return ref

    def roles_of(self, practitioner: str) -> list[RoleInfo]:
        if self._roles_of is None:
            index: dict[str, list[RoleInfo]] = {}
            for role in self.roles.values():
                key = self.practitioner_ref(role.practitioner)
                if key:
                    index.setdefault(key, []).append(role)
            self._roles_of = index
        return self._roles_of.get(practitioner, [])

    def author(
        self,
        reference: Any,
        knowledge: InputKnowledge,
        note: NoteTypeEntry = OTHER_NOTE,
        default: RoleMatch | None = None,
        urn_map: Mapping[str, str] | None = None,
    ) -> Author | None:
        """Resolve a Reference (R4B model) to an Author with a kind; None for no reference."""
        if reference is None:
            return None
        ref = normalise_reference(reference.reference, reference.type, urn_map)
        if ref is None and reference.identifier is not None:
            ref = identifier_reference(
                reference.type or "Practitioner", reference.identifier.system, reference.identifier.value
            )
        return self.author_for(ref, reference.display, knowledge, note, default)

    def author_for(
        self,
        ref: str | None,
        ref_display: str | None,
        knowledge: InputKnowledge,
        note: NoteTypeEntry = OTHER_NOTE,
        default: RoleMatch | None = None,
    ) -> Author | None:
        """Resolve a normalised reference (and the display written beside it) to an Author.

        The kind comes from, in order: the PractitionerRole's code and specialty, the Practitioner's
        qualifications, credentials after the name, then ``default`` or the note type's default.
        """
        rtype = reference_type(ref)
        if rtype is not None and rtype not in _PERSON_TYPES:
            # A patient, relative, device or organisation: no clinical role; no person's name kept.
            return Author(reference=ref, display=None, role=rtype.lower(), kind=AuthorKind.UNKNOWN)
        roles: list[RoleInfo] = []
        prac_ref = ref
        if rtype == "PractitionerRole" and ref in self.roles:
            role_info = self.roles[ref]
            roles = [role_info]
            prac_ref = self.practitioner_ref(role_info.practitioner) or ref
        else:
            prac_ref = self.practitioner_ref(ref)
            if prac_ref:
                roles = self.roles_of(prac_ref)
        prac = self.practitioners.get(prac_ref) if prac_ref else None
        display = (
            (prac.display if prac else None)
            or next((r.practitioner_display for r in roles if r.practitioner_display), None)
            or ref_display
        )
        role_codes = [c for r in roles for c in r.codes]
        role_texts = [t for r in roles for t in r.texts]
        match = (
            knowledge.role_from_codes(role_codes, note)
            or knowledge.role_from_texts(role_texts, note)
            or (knowledge.role_from_codes(prac.codes, note) if prac else None)
            or (knowledge.role_from_texts(prac.texts, note) if prac else None)
            or _credentials(knowledge, note, display, ref_display)
            or default
            or knowledge.default_for(note)
        )
        if ref is None and display is None:
            # Nothing identifies the author; the note type may still say whose word it carries.
            return Author(None, None, match.role, match.kind) if match else None
        raw_role = next(iter([*role_texts, *(prac.texts if prac else ())]), None)
        role = match.role if match else (raw_role.lower() if raw_role else None)
        return Author(
            reference=prac_ref or ref,
            display=display,
            role=role,
            kind=match.kind if match else AuthorKind.UNKNOWN,
        )

    def attending(self, encounter: EncounterInfo, knowledge: InputKnowledge) -> Author | None:
        """The encounter's attender (participant type ATND), else its first fallback participant."""
        chosen = next(
            (p for p in encounter.participants if knowledge.attending_types.intersection(p.type_codes)), None
        ) or next(
            (p for p in encounter.participants if knowledge.attending_fallback.intersection(p.type_codes)),
            None,
        )
        if chosen is None or (chosen.individual is None and chosen.display is None):
            return None
        author = self.author_for(
            chosen.individual, chosen.display, knowledge, default=RoleMatch("attending", AuthorKind.PROVIDER)
        )
        if author is None:
            return None
        # The encounter names the role; the person's own role only tells their kind.
        kind = author.kind if author.kind is not AuthorKind.UNKNOWN else AuthorKind.PROVIDER
        return replace(author, role="attending", kind=kind)


def _credentials(knowledge: InputKnowledge, note: NoteTypeEntry, *names: str | None) -> RoleMatch | None:
    for name in names:
        if name:
            found = knowledge.role_from_credentials(name, note)
            if found is not None:
                return found
    return None


def _encounter_info(model: Any, ref: str, urn_map: Mapping[str, str]) -> EncounterInfo:
    klass = model.class_fhir
    participants = []
    for part in model.participant or ():
        codes, texts = concept_codes(part.type)
        individual = part.individual
        ind_ref = None
        display = None
        if individual is not None:
            ind_ref = normalise_reference(individual.reference, individual.type or "Practitioner", urn_map)
            if ind_ref is None and individual.identifier is not None:
                ind_ref = identifier_reference(
                    "Practitioner", individual.identifier.system, individual.identifier.value
                )
            display = individual.display
        participants.append(Participant(tuple(c.lower() for c in (*codes, *texts)), ind_ref, display))
    period = model.period
    subject = model.subject
    return EncounterInfo(
        reference=ref,
        patient=normalise_reference(subject.reference, "Patient", urn_map) if subject else None,
        class_code=klass.code if klass is not None else None,
        class_display=klass.display if klass is not None else None,
        period_start=as_datetime(period.start) if period else None,
        period_end=as_datetime(period.end) if period else None,
        participants=tuple(participants),
    )
