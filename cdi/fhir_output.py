"""Findings and queries as FHIR R4 resources (``fhir.resources.R4B``): DetectedIssue, Questionnaire, Task,
Provenance, and the collection Bundle ``cdi analyze --format fhir`` prints.

Why FHIR: an EHR or a CDI worklist already speaks it. A finding is a ``DetectedIssue`` (code: the finding
kind; evidence: the notes, Conditions and Observations it rests on; implicated: the Condition in question).
Its query is a ``Questionnaire`` (one choice item whose answer options carry the option codes of
:mod:`cdi.query_options`, so an answer says what it means) and a ``Task`` addressed to the provider, which
carries the query's lifecycle: draft -> requested -> completed, or cancelled / on-hold (escalated).
``Provenance`` says what produced them. The contract with the service is in
``/work/briefs/fhir_contract.md``; the shapes follow the R4 examples (detectedissue-example-dup,
task-example1, questionnaire-example-bluebook, provenance-example).

Every structure is built as fhir.resources models, never as JSON text through a template, and every
builder returns a model that validates and round-trips (model -> JSON -> equal model). The query text is
plain text here: the drafter's autoescaped HTML entities are undone, because escaping belongs to whoever
renders the resource.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.detectedissue import DetectedIssue, DetectedIssueEvidence
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.provenance import Provenance, ProvenanceAgent, ProvenanceEntity
from fhir.resources.R4B.questionnaire import (
    Questionnaire,
    QuestionnaireItem,
    QuestionnaireItemAnswerOption,
    QuestionnaireItemEnableWhen,
)
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.resource import Resource
from fhir.resources.R4B.task import Task, TaskInput

from cdi.catalog import load_catalog
from cdi.models import EncounterResult, Finding, Query
from cdi.query_options import OTHER, infer_option_codes

SITE = "https://cdi-query-assistant.org"
FHIR_BASE = f"{SITE}/fhir"  # base of the fullUrls in a findings Bundle
KIND_SYSTEM = f"{SITE}/finding-kind"
TOPIC_SYSTEM = f"{SITE}/topic"
AXIS_SYSTEM = f"{SITE}/specificity-axis"
OPTION_SYSTEM = f"{SITE}/query-option"
FINDING_ID_SYSTEM = f"{SITE}/finding"
QUESTIONNAIRE_URL = f"{SITE}/Questionnaire"
TOPIC_EXTENSION = f"{SITE}/fhir/StructureDefinition/finding-topic"
AXIS_EXTENSION = f"{SITE}/fhir/StructureDefinition/finding-axis"
DEVICE = "Device/cdi-query-assistant"
DEVICE_DISPLAY = "CDI query assistant"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"

ANSWER_LINK = "answer"
OTHER_TEXT_LINK = "other-text"

KIND_DISPLAY = {
    "uncertain": "Diagnosis documented only with uncertainty",
    "unspecified": "Diagnosis documented without its specificity",
    "conflict": "Conflicting documentation",
    "undocumented": "Clinical indicators without a documented diagnosis",
}
ISSUE_STATUSES = ("registered", "preliminary", "final", "amended", "cancelled")
# Store / lifecycle states -> FHIR Task.status; "escalated" is on-hold with businessStatus "escalated".
TASK_STATUS = {
    "draft": "draft",
    "requested": "requested",
    "completed": "completed",
    "cancelled": "cancelled",
    "escalated": "on-hold",
}
ESCALATED = "escalated"
FHIR_TASK_STATUSES = frozenset(
    {
        "draft",
        "requested",
        "received",
        "accepted",
        "rejected",
        "ready",
        "cancelled",
        "in-progress",
        "on-hold",
        "failed",
        "completed",
        "entered-in-error",
    }
)


def _ref(reference: str | None, display: str | None = None) -> Reference | None:
    if not reference:
        return None
    return Reference(reference=reference, display=display or None)


def _instant(value: datetime) -> datetime:
    """FHIR dateTimes with a time need a zone: a naive datetime is taken as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _topic_label(topic_id: str) -> str:
    catalog = load_catalog()
    return catalog[topic_id].label if topic_id in catalog.topics else topic_id.replace("_", " ")


def questionnaire_url(questionnaire_id: str) -> str:
    """The canonical URL of a query's Questionnaire."""
    return f"{QUESTIONNAIRE_URL}/{questionnaire_id}"


def questionnaire_canonical(questionnaire: Questionnaire) -> str:
    """``url|version``: what Task.input and QuestionnaireResponse.questionnaire point at."""
    if not questionnaire.url:
        raise ValueError("the Questionnaire has no url")
    return f"{questionnaire.url}|{questionnaire.version}" if questionnaire.version else str(questionnaire.url)


def _require_query(finding: Finding) -> Query:
    if finding.query is None:
        raise ValueError(f"finding {finding.id} has no drafted query")
    return finding.query


# --- DetectedIssue ---------------------------------------------------------------------------------


def detected_issue(
    finding: Finding,
    *,
    issue_id: str | None = None,
    status: str = "preliminary",
    identified: datetime | None = None,
) -> DetectedIssue:
    """The finding as a DetectedIssue: ``preliminary`` while open, ``final`` once answered, ``cancelled``.

    ``code`` is the finding kind, ``detail`` the summary, ``evidence`` one entry per source (the quoted
    note, the Condition, each Observation, with what it shows as the entry's text), ``implicated`` the
    Condition at issue. The topic and the missing axes ride in two extensions.
    """
    if status not in ISSUE_STATUSES:
        raise ValueError(f"DetectedIssue.status must be one of {', '.join(ISSUE_STATUSES)}")
    kind = finding.kind.value
    label = _topic_label(finding.topic)
    extensions = [
        Extension(
            url=TOPIC_EXTENSION, valueCoding=Coding(system=TOPIC_SYSTEM, code=finding.topic, display=label)
        )
    ]
    extensions += [Extension(url=AXIS_EXTENSION, valueCode=axis) for axis in finding.axes]
    return DetectedIssue(
        id=issue_id or finding.id,
        extension=extensions,
        identifier=[Identifier(system=FINDING_ID_SYSTEM, value=finding.id)],
        status=status,
        code=CodeableConcept(
            coding=[Coding(system=KIND_SYSTEM, code=kind, display=KIND_DISPLAY.get(kind, kind))],
            text=f"{label}: {kind}",
        ),
        patient=_ref(finding.patient),
        identifiedDateTime=_instant(identified) if identified else None,
        author=Reference(reference=DEVICE, display=DEVICE_DISPLAY),
        implicated=[Reference(reference=finding.implicated_condition)]
        if finding.implicated_condition
        else None,
        evidence=_evidence(finding) or None,
        detail=finding.summary or None,
    )


def _evidence(finding: Finding) -> list[DetectedIssueEvidence]:
    """One evidence entry per (source, what it shows), in the finding's order, without repeats."""
    out: list[DetectedIssueEvidence] = []
    seen: set[tuple[str, str]] = set()
    items: list[tuple[str, str]] = []
    for ev in finding.evidence:
        what = "problem list entry" if ev.document.startswith("Condition/") else "documentation"
        if ev.section:
            what += f" ({ev.section.replace('_', ' ')})"
        items.append((ev.document, what))
    for ind in finding.indicators:
        shows = ind.name if ind.source.startswith("DocumentReference/") else f"{ind.name}: {ind.value}"
        items.append((ind.source, shows))
    for source, what in items:
        if (source, what) in seen:
            continue
        seen.add((source, what))
        out.append(
            DetectedIssueEvidence(code=[CodeableConcept(text=what)], detail=[Reference(reference=source)])
        )
    return out


# --- Questionnaire ---------------------------------------------------------------------------------


def option_codes(finding: Finding, query: Query) -> tuple[str, ...]:
    """The query's option codes: as drafted, or inferred from the texts (a stored or edited query)."""
    if len(query.option_codes) == len(query.options) and len(set(query.option_codes)) == len(
        query.option_codes
    ):
        return query.option_codes
    catalog = load_catalog()
    if finding.topic not in catalog.topics:
        return tuple(OTHER if _is_other(o) else f"option:{n}" for n, o in enumerate(query.options, 1))
    return infer_option_codes(finding, catalog[finding.topic], query.options)


def _is_other(text: str) -> bool:
    return text.strip().lower().startswith("other")


def _needs_text(code: str, display: str) -> bool:
    return code == OTHER or "please specify" in display.lower()


def _question_text(query: Query) -> str:
    """The query as plain text, without its "[ ] option" lines: a form shows the answer options itself."""
    boxes = {f"[ ] {o}".strip() for o in query.options}
    lines = [line for line in html.unescape(query.text).strip().split("\n") if line.strip() not in boxes]
    return "\n".join(lines)


def questionnaire(
    finding: Finding, *, questionnaire_id: str | None = None, version: int = 1
) -> Questionnaire:
    """The finding's query as a Questionnaire.

    Item ``answer`` (choice, required) offers the options as ``valueCoding`` (system
    :data:`OPTION_SYSTEM`, code = option code, display = option text); it repeats when the query asks
    several axes at once (one answer per axis). Item ``other-text`` (string) is enabled when "Other
    (please specify)" or any option asking to specify is chosen. The item text is the query as the
    physician reads it, less the option lines (the form shows the answer options).
    """
    query = _require_query(finding)
    qid = questionnaire_id or finding.id
    codes = option_codes(finding, query)
    options = [
        QuestionnaireItemAnswerOption(valueCoding=Coding(system=OPTION_SYSTEM, code=code, display=text))
        for code, text in zip(codes, query.options, strict=True)
    ]
    enabling = [(c, t) for c, t in zip(codes, query.options, strict=True) if _needs_text(c, t)]
    items = [
        QuestionnaireItem(
            linkId=ANSWER_LINK,
            text=_question_text(query),
            type="choice",
            required=True,
            repeats=len(finding.axes) > 1 or None,
            answerOption=options or None,
        )
    ]
    if enabling:
        items.append(
            QuestionnaireItem(
                linkId=OTHER_TEXT_LINK,
                text="Please specify",
                type="string",
                required=False,
                enableWhen=[
                    QuestionnaireItemEnableWhen(
                        question=ANSWER_LINK,
                        operator="=",
                        answerCoding=Coding(system=OPTION_SYSTEM, code=code, display=text),
                    )
                    for code, text in enabling
                ],
                enableBehavior="any" if len(enabling) > 1 else None,
            )
        )
    label = _topic_label(finding.topic)
    to = query.to_display or query.to or "the attending provider"
    return Questionnaire(
        id=qid,
        url=questionnaire_url(qid),
        identifier=[Identifier(system=FINDING_ID_SYSTEM, value=finding.id)],
        version=str(version),
        title=f"Clinical documentation query: {label}",
        status="active",
        subjectType=["Patient"],
        description=f"Clinical documentation query about {label.lower()}, addressed to {to}.",
        code=[
            Coding(system=KIND_SYSTEM, code=finding.kind.value, display=KIND_DISPLAY.get(finding.kind.value))
        ],
        item=items,
    )


# --- Task ------------------------------------------------------------------------------------------


def task(
    finding: Finding,
    *,
    task_id: str | None = None,
    status: str = "draft",
    questionnaire_ref: str | None = None,
    owner: str | None = None,
    authored_on: datetime | None = None,
    status_reason: str | None = None,
    owner_display: str | None = None,
    last_modified: datetime | None = None,
) -> Task:
    """The query as a Task for its provider: intent ``order``, focus the DetectedIssue, input the
    Questionnaire.

    ``status`` is a store state (draft, requested, completed, cancelled, escalated) or a FHIR Task
    status; ``escalated`` becomes ``on-hold`` with businessStatus "escalated". ``owner`` defaults to the
    query's addressee, ``questionnaire_ref`` to the canonical of :func:`questionnaire` version 1.
    """
    query = _require_query(finding)
    fhir_status = TASK_STATUS.get(status, status)
    if fhir_status not in FHIR_TASK_STATUSES:
        raise ValueError("unknown Task status")
    who = owner or query.to or None
    display = owner_display if owner_display is not None else (query.to_display if who == query.to else None)
    canonical = questionnaire_ref or f"{questionnaire_url(finding.id)}|1"
    label = _topic_label(finding.topic)
    return Task(
        id=task_id or finding.id,
        identifier=[Identifier(system=FINDING_ID_SYSTEM, value=finding.id)],
        status=fhir_status,
        statusReason=CodeableConcept(text=status_reason) if status_reason else None,
        businessStatus=CodeableConcept(text=ESCALATED) if status == ESCALATED else None,
        intent="order",
        code=CodeableConcept(text="Clinical documentation query"),
        description=f"Answer the clinical documentation query about {label.lower()}.",
        focus=Reference(reference=f"DetectedIssue/{finding.id}"),
        for_fhir=_ref(finding.patient),  # type: ignore[call-arg]  # Task.for, by its field name
        encounter=_ref(finding.encounter),
        authoredOn=_instant(authored_on) if authored_on else None,
        lastModified=_instant(last_modified) if last_modified else None,
        owner=_ref(who, display),
        input=[TaskInput(type=CodeableConcept(text="questionnaire"), valueCanonical=canonical)],
    )


# --- Provenance ------------------------------------------------------------------------------------


def provenance(
    targets: Sequence[str],
    *,
    agent: str,
    activity: str,
    recorded: datetime,
    entity: Sequence[str] = (),
    provenance_id: str | None = None,
    agent_display: str | None = None,
) -> Provenance:
    """Who (``agent``: a Device or Practitioner reference) did what (``activity``: a v3-DataOperation code
    such as CREATE or UPDATE) to ``targets``, when, from which sources (``entity``, role ``source``).

    The id defaults to a UUID derived from the content, so the same call gives the same resource.
    """
    if not targets:
        raise ValueError("a Provenance needs at least one target")
    pid = provenance_id or str(
        uuid.uuid5(uuid.NAMESPACE_URL, "|".join([*targets, agent, activity, _instant(recorded).isoformat()]))
    )
    is_device = agent.startswith("Device/")
    return Provenance(
        id=pid,
        target=[Reference(reference=t) for t in targets],
        recorded=_instant(recorded),
        activity=CodeableConcept(coding=[Coding(system=DATA_OPERATION, code=activity)]),
        agent=[
            ProvenanceAgent(
                type=CodeableConcept(
                    coding=[
                        Coding(
                            system=PARTICIPATION,
                            code="assembler" if is_device else "author",
                            display="Assembler" if is_device else "Author",
                        )
                    ]
                ),
                who=Reference(
                    reference=agent, display=agent_display or (DEVICE_DISPLAY if agent == DEVICE else None)
                ),
            )
        ],
        entity=[ProvenanceEntity(role="source", what=Reference(reference=e)) for e in entity] or None,
    )


# --- Bundle ----------------------------------------------------------------------------------------


def _entry(resource: Resource) -> BundleEntry:
    return BundleEntry(fullUrl=f"{FHIR_BASE}/{resource.get_resource_type()}/{resource.id}", resource=resource)


def findings_bundle(results: Iterable[EncounterResult], *, recorded: datetime | None = None) -> Bundle:
    """A collection Bundle: per finding its DetectedIssue, and per drafted query a Questionnaire and a draft
    Task; one Provenance (agent the assistant as ``Device/cdi-query-assistant``, activity CREATE) targets
    them all, with the documents, Conditions and Observations used as its source entities."""
    when = _instant(recorded or datetime.now(UTC))
    resources: list[Resource] = []
    sources: dict[str, None] = {}
    for result in results:
        for finding in result.findings:
            resources.append(detected_issue(finding, identified=when))
            if finding.query is not None:
                resources.append(questionnaire(finding))
                resources.append(task(finding, authored_on=when))
            for ev in finding.evidence:
                sources.setdefault(ev.document, None)
            for ind in finding.indicators:
                sources.setdefault(ind.source, None)
    targets = [f"{r.get_resource_type()}/{r.id}" for r in resources]
    if targets:
        resources.append(
            provenance(targets, agent=DEVICE, activity="CREATE", recorded=when, entity=list(sources))
        )
    bundle_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join([FHIR_BASE, *targets, when.isoformat()])))
    return Bundle(
        id=bundle_id,
        type="collection",
        timestamp=when,
        entry=[_entry(r) for r in resources] or None,
    )


def answer_period(start: datetime | None, end: datetime) -> Period:
    """Task.executionPeriod from sending to answering."""
    return Period(start=_instant(start) if start else None, end=_instant(end))
