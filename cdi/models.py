"""Value objects that travel along the data flow.

FHIR in -> :class:`EncounterRecord` -> :class:`Hit` (NLP) -> :class:`Finding` -> :class:`Query`.

They are small frozen dataclasses so that every stage can be tested on its own with hand-made values,
and so that nothing downstream depends on fhir.resources or spaCy objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Setting(StrEnum):
    """Coding setting from Encounter.class: it decides how uncertain diagnoses are coded."""

    INPATIENT = "inpatient"
    OUTPATIENT = "outpatient"
    UNKNOWN = "unknown"


class AuthorKind(StrEnum):
    """Whose word a note carries, for coding purposes.

    PROVIDER: physician, NP, PA who treats the patient (attending, consultant, resident, hospitalist):
    their documentation establishes a diagnosis.
    DIAGNOSTIC: radiologist or pathologist: a physician whose interpretation is a clinical indicator,
    but whose diagnosis a coder cannot take on its own.
    OTHER_CLINICIAN: nurse, dietitian, wound care, therapist, pharmacist: may supply a stage or a BMI,
    never the diagnosis.
    """

    PROVIDER = "provider"
    DIAGNOSTIC = "diagnostic"
    OTHER_CLINICIAN = "other_clinician"
    UNKNOWN = "unknown"


class FindingKind(StrEnum):
    """The four finding kinds of DESIGN.md (contract)."""

    UNCERTAIN = "uncertain"
    UNSPECIFIED = "unspecified"
    CONFLICT = "conflict"
    UNDOCUMENTED = "undocumented"


class Assertion(StrEnum):
    """What a note (or a Condition) says of a diagnosis."""

    AFFIRMED = "affirmed"
    UNCERTAIN = "uncertain"
    NEGATED = "negated"


@dataclass(frozen=True)
class Author:
    """A note's or Condition's author, resolved from Practitioner / PractitionerRole / note type."""

    reference: str | None  # "Practitioner/3", or None when only a display name is known
    display: str | None
    role: str | None  # free-text role as found: "attending", "nurse", "dietitian", LOINC-derived...
    kind: AuthorKind = AuthorKind.UNKNOWN

    @property
    def key(self) -> str:
        """Identity used to tell providers apart (reference, else display)."""
        return self.reference or self.display or "unknown"


@dataclass(frozen=True)
class Note:
    """A decoded clinical note (DocumentReference)."""

    reference: str  # "DocumentReference/55"
    text: str
    date: datetime | None
    type_code: str | None  # LOINC code of DocumentReference.type
    type_display: str | None
    note_kind: str  # normalised: discharge_summary, history_and_physical, progress_note, consult_note,
    # ed_note, operative_note, radiology_report, nursing_note, dietitian_note, other
    author: Author | None

    @property
    def is_discharge_summary(self) -> bool:
        return self.note_kind == "discharge_summary"


@dataclass(frozen=True)
class Coding:
    system: str | None
    code: str | None
    display: str | None


@dataclass(frozen=True)
class ConditionRecord:
    """A Condition resource, reduced to what the detectors read."""

    reference: str  # "Condition/12"
    codings: tuple[Coding, ...]
    text: str | None  # code.text, else the first coding display
    clinical_status: str | None  # active, resolved, ...
    # confirmed, provisional, differential, unconfirmed, refuted, entered-in-error
    verification_status: str | None
    recorded: datetime | None
    asserter: Author | None = None


@dataclass(frozen=True)
class ObservationRecord:
    """An Observation with a numeric or coded value."""

    reference: str  # "Observation/7"
    loinc: tuple[str, ...]  # LOINC codes of Observation.code (and of components when split)
    name: str
    value: float | None
    value_text: str | None  # valueString / valueCodeableConcept text when not numeric
    unit: str | None
    time: datetime | None


@dataclass(frozen=True)
class InputProblem:
    """One piece of input that could not be used. Never carries note text or identifiers of a person."""

    source: str  # file path (and line for ndjson)
    resource: str | None  # "DocumentReference/55" or resource type when there is no id
    field: str | None  # "content[0].attachment.data"
    message: str


@dataclass
class EncounterRecord:
    """Everything known about one encounter (or, without an encounter, one patient)."""

    encounter: str | None  # "Encounter/123"; None when resources had no encounter
    patient: str | None  # "Patient/9"
    setting: Setting = Setting.UNKNOWN
    class_code: str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    patient_display: str | None = None
    attending: Author | None = None
    notes: list[Note] = field(default_factory=list)
    conditions: list[ConditionRecord] = field(default_factory=list)
    observations: list[ObservationRecord] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.encounter or self.patient or "unknown"


# --- NLP output -----------------------------------------------------------------------------------


class HitKind(StrEnum):
    TOPIC = "topic"  # a phrase naming a topic's diagnosis
    AXIS = "axis"  # a phrase stating a value of a specificity axis
    INDICATOR = "indicator"  # a textual clinical indicator (treatment, finding, value)


@dataclass(frozen=True)
class Hit:
    """A matched phrase in a note with its ConText attributes.

    The target rules' categories are built from the knowledge catalogue, so a hit says which topic,
    axis value or indicator it is; the detectors never look at spaCy objects.

    ``value`` has two uses: for AXIS hits the axis value id; for INDICATOR hits of a ``value_pattern``
    rule the number the pattern captured (as written, without thousands separators, e.g. "1450"),
    which passed the rule's ``above`` / ``below``. Such a hit's ``text`` is the whole match, and its
    family / historical / hypothetical flags come from its section only (no ConText).
    """

    kind: HitKind
    topic: str
    text: str
    start: int  # character offsets in Note.text
    end: int
    sentence_start: int
    sentence_end: int
    section: str | None  # medspaCy section category, e.g. "assessment_and_plan"
    axis: str | None = None  # for AXIS hits
    value: str | None = None  # AXIS: the axis value id; value_pattern INDICATOR: the captured number
    indicator: str | None = None  # for INDICATOR hits: the indicator id
    implies: tuple[tuple[str, str], ...] = ()  # for TOPIC hits: axis values the term itself states
    negated: bool = False
    uncertain: bool = False
    historical: bool = False
    hypothetical: bool = False
    family: bool = False

    @property
    def assertion(self) -> Assertion:
        if self.negated:
            return Assertion.NEGATED
        if self.uncertain:
            return Assertion.UNCERTAIN
        return Assertion.AFFIRMED

    @property
    def is_about_patient_now(self) -> bool:
        """False for family, historical and hypothetical mentions: they never make a finding."""
        return not (self.family or self.historical or self.hypothetical)


@dataclass(frozen=True)
class NoteAnalysis:
    note: Note
    hits: tuple[Hit, ...]


# --- Findings and queries ------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    document: str  # "DocumentReference/55" or "Condition/3"
    section: str | None
    text: str
    start: int | None
    end: int | None
    date: datetime | None = None
    author: str | None = None  # display name of the author
    author_reference: str | None = None
    assertion: Assertion | None = None
    sentence: str | None = None  # the sentence the phrase stands in, for quoting


@dataclass(frozen=True)
class Indicator:
    source: str  # "Observation/7" or "DocumentReference/55"
    name: str
    value: str  # human-readable value with unit, or the quoted phrase
    time: datetime | None
    indicator_id: str | None = None
    section: str | None = None


@dataclass(frozen=True)
class Query:
    format: str  # multiple_choice | yes_no | open_ended
    to: str  # "Practitioner/3"
    to_display: str | None
    text: str
    options: tuple[str, ...]
    template: str  # template file name that rendered it
    option_codes: tuple[str, ...] = ()  # per option, what the answer means (cdi.query_options); may be empty
    violations: tuple[str, ...] = ()  # compliance rule ids the drafted text breaks (cdi.compliance)


@dataclass(frozen=True)
class Finding:
    id: str
    kind: FindingKind
    topic: str
    encounter: str | None
    patient: str | None
    axes: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    summary: str = ""
    conflicting_values: tuple[str, ...] = ()  # for conflicts on a specific axis: the values at odds
    implicated_condition: str | None = None  # "Condition/12"
    unspecified_code: str | None = None  # ICD-10-CM code the diagnosis falls to as documented
    candidate_codes: tuple[str, ...] = ()  # more specific codes an answer could reach
    stated: tuple[tuple[str, str], ...] = ()  # (axis, value) the record already states for the diagnosis
    query: Query | None = None


@dataclass
class EncounterResult:
    record: EncounterRecord
    findings: list[Finding]
