"""The answer loop: a physician's QuestionnaireResponse to a query, checked, recorded and turned into the
documentation outcome.

Why a library function: the service (``POST /QuestionnaireResponse``), a batch import of answers and the
tests all go through :func:`apply_answer`, so the rules below hold everywhere:

- The response must answer this query (its Questionnaire, the Task that carries it, the finding the Task
  is about), with one of the query's options in the ``answer`` item, from the provider the Task is
  addressed to, while the Task is open (sent or escalated). "Other (please specify)" needs its text.
  Anything else is an :class:`AnswerError` with a stable ``code``; its message names the rule and the
  item, never the words of a note or of the answer.
- What the answer means comes from the option's code (:mod:`cdi.query_options`), not its wording: a
  confirmed or specified diagnosis becomes a proposed ``Condition`` (verificationStatus confirmed, asserted
  by the answering provider) with the most specific ICD-10-CM code the answer reaches (heart failure
  documented as acute, answered "systolic": I50.21); "ruled out", "unable to determine" and "not clinically
  significant" change nothing; another answer is left to the CDI specialist ("other").
- The Task is completed (output: the response), and a ``Provenance`` records who answered and when.

Nothing is stored here: the caller keeps the resources (the store keeps query versions, the answer and the
audit log; a sent query's text is never changed, an edit is a new version).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from os.path import commonprefix
from typing import Any

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.condition import Condition, ConditionEvidence
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.provenance import Provenance
from fhir.resources.R4B.questionnaire import Questionnaire, QuestionnaireItem
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse, QuestionnaireResponseItem
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.task import Task, TaskOutput
from pydantic import ValidationError

from cdi import icd10
from cdi.catalog import Topic, load_catalog
from cdi.fhir_output import (
    ANSWER_LINK,
    ICD10CM,
    OPTION_SYSTEM,
    OTHER_TEXT_LINK,
    provenance,
    questionnaire_canonical,
)
from cdi.models import Finding
from cdi.query_options import (
    OTHER,
    OUTCOME_DIAGNOSIS,
    OUTCOME_NO_CHANGE,
    OUTCOME_OTHER,
    OUTCOME_RULED_OUT,
    OUTCOME_UNABLE,
    option_meaning,
)

log = logging.getLogger(__name__)

OPEN_TASK_STATUSES = frozenset({"requested", "received", "accepted", "ready", "in-progress", "on-hold"})
ANSWERED_STATUSES = frozenset({"completed", "amended"})
OUTCOMES = (OUTCOME_DIAGNOSIS, OUTCOME_RULED_OUT, OUTCOME_UNABLE, OUTCOME_OTHER, OUTCOME_NO_CHANGE)
# AnswerOutcome.outcome -> the store's outcome (cdi.store.AnswerOutcome), which counts agreement.
STORE_OUTCOME = {
    OUTCOME_DIAGNOSIS: "diagnosis",
    OUTCOME_RULED_OUT: "ruled_out",
    OUTCOME_UNABLE: "unable_to_determine",
    OUTCOME_OTHER: "disagree",
    OUTCOME_NO_CHANGE: "disagree",
}
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
MAX_ID = 64
# ICD-10-CM categories coded in addition to the condition ("use additional code"): the organism of an
# infection (B95-B97) and severe sepsis / septic shock (R65.2-). They come after the condition's code.
ADDITIONAL_CODE_CATEGORIES = frozenset({"B95", "B96", "B97", "R65"})


class AnswerError(ValueError):
    """An answer the loop refuses. ``code`` is stable (the service maps it to an OperationOutcome):

    ``invalid-response`` not a valid R4 QuestionnaireResponse; ``unknown-query`` it answers another
    Questionnaire, or the Task is not this query's; ``wrong-version`` it answers a version that is not the
    current one; ``not-open`` the Task is not waiting for an answer; ``not-addressee`` the answering
    person is not the provider the Task is addressed to; ``not-completed`` the response is in progress;
    ``wrong-subject`` another patient or encounter; ``no-answer`` the answer item is missing or empty;
    ``wrong-item`` an item the Questionnaire does not have, a repeated or disabled item, a value of the
    wrong type, several options where one is asked; ``unknown-option`` an option the query does not offer;
    ``other-without-text`` "Other (please specify)" without the text.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class AnswerOutcome:
    task: Task  # completed copy of the input Task (status completed, output -> the response)
    response: (
        QuestionnaireResponse  # as validated (status completed, questionnaire canonical, author, authored)
    )
    provenance: Provenance  # targets the Task and the response; agent = the answering Practitioner
    outcome: str  # "diagnosis" | "ruled_out" | "unable_to_determine" | "other" | "no_change"
    chosen_code: str  # the option code; several (one per axis) joined with ","
    chosen_display: str  # the option text; several joined with "; "
    free_text: str | None
    proposed_condition: Condition | None  # the clarified diagnosis, when the answer documents one

    @property
    def store_outcome(self) -> str:
        """The outcome as the store counts it (diagnosis, ruled_out, unable_to_determine, disagree)."""
        return STORE_OUTCOME[self.outcome]


def _instant(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _bare(reference: str | None) -> str | None:
    """ "Practitioner/3/_history/2" -> "Practitioner/3"."""
    if not reference:
        return None
    return reference.split("/_history/", 1)[0].strip()


# --- Reading and checking the response ------------------------------------------------------------


def _parse(response: Mapping[str, Any] | QuestionnaireResponse) -> QuestionnaireResponse:
    if isinstance(response, QuestionnaireResponse):
        return response
    if not isinstance(response, Mapping) or response.get("resourceType") != "QuestionnaireResponse":
        raise AnswerError("invalid-response", "the body is not a QuestionnaireResponse")
    try:
        return QuestionnaireResponse.model_validate(dict(response))
    except ValidationError as exc:
        where = sorted({".".join(str(p) for p in err["loc"]) for err in exc.errors()})[:5]
        raise AnswerError(
            "invalid-response",
            f"the QuestionnaireResponse is not valid FHIR R4 "
            f"({len(exc.errors())} problem(s) at: {', '.join(where)})",
        ) from None


def _check_identity(
    finding: Finding, questionnaire: Questionnaire, task: Task, qr: QuestionnaireResponse
) -> None:
    if task.focus is None or _bare(task.focus.reference) != f"DetectedIssue/{finding.id}":
        raise AnswerError("unknown-query", "the Task is not about this finding")
    url = str(questionnaire.url or "")
    inputs = [str(i.valueCanonical) for i in (task.input or []) if i.valueCanonical]
    if not any(i.split("|", 1)[0] == url for i in inputs):
        raise AnswerError("unknown-query", "the Task does not carry this Questionnaire")
    if not qr.questionnaire:
        raise AnswerError("unknown-query", "the response names no Questionnaire")
    target, _, version = str(qr.questionnaire).partition("|")
    if target not in (url, f"Questionnaire/{questionnaire.id}"):
        raise AnswerError("unknown-query", "the response answers another Questionnaire")
    if version and version != (questionnaire.version or ""):
        raise AnswerError(
            "wrong-version",
            f"the response answers version {version}; the query's current version is {questionnaire.version}",
        )


def _check_open_and_addressee(task: Task, qr: QuestionnaireResponse, answered_by: str) -> None:
    if task.status not in OPEN_TASK_STATUSES:
        raise AnswerError("not-open", f"the query is {task.status}, not waiting for an answer")
    owner = _bare(task.owner.reference if task.owner else None)
    if owner is None:
        raise AnswerError("not-addressee", "the query is addressed to no provider")
    if _bare(answered_by) != owner:
        raise AnswerError(
            "not-addressee", "the answer does not come from the provider the query is addressed to"
        )
    author = _bare(qr.author.reference if qr.author else None)
    if author is not None and author != owner:
        raise AnswerError(
            "not-addressee", "the response's author is not the provider the query is addressed to"
        )


def _check_status_and_subject(finding: Finding, qr: QuestionnaireResponse) -> None:
    if qr.status not in ANSWERED_STATUSES:
        raise AnswerError("not-completed", "the response is not completed (status completed or amended)")
    subject = _bare(qr.subject.reference if qr.subject else None)
    if subject is not None and finding.patient and subject != finding.patient:
        raise AnswerError("wrong-subject", "the response is about another patient")
    encounter = _bare(qr.encounter.reference if qr.encounter else None)
    if encounter is not None and finding.encounter and encounter != finding.encounter:
        raise AnswerError("wrong-subject", "the response is about another encounter")


def _items(questionnaire: Questionnaire) -> dict[str, QuestionnaireItem]:
    return {str(item.linkId): item for item in questionnaire.item or []}


def _options(item: QuestionnaireItem) -> dict[str, str]:
    """code -> display of the answer options."""
    out: dict[str, str] = {}
    for opt in item.answerOption or []:
        if opt.valueCoding is not None and opt.valueCoding.code:
            out[str(opt.valueCoding.code)] = str(opt.valueCoding.display or opt.valueCoding.code)
    return out


def _enabling_codes(item: QuestionnaireItem | None) -> set[str]:
    if item is None:
        return set()
    return {str(w.answerCoding.code) for w in item.enableWhen or [] if w.answerCoding is not None}


def _answers_of(
    qr: QuestionnaireResponse, questionnaire: Questionnaire
) -> dict[str, QuestionnaireResponseItem]:
    known = _items(questionnaire)
    given: dict[str, QuestionnaireResponseItem] = {}
    for item in qr.item or []:
        link = str(item.linkId)
        if link not in known:
            raise AnswerError("wrong-item", "the response has an item the query does not have")
        if link in given:
            raise AnswerError("wrong-item", f"item '{link}' is answered twice")
        if item.item:
            raise AnswerError("wrong-item", f"item '{link}' has nested items the query does not have")
        given[link] = item
    return given


def _chosen(
    questionnaire: Questionnaire, given: Mapping[str, QuestionnaireResponseItem]
) -> list[tuple[str, str]]:
    """The chosen options, (code, display) from the Questionnaire, checked against the item."""
    item = _items(questionnaire).get(ANSWER_LINK)
    if item is None:
        raise AnswerError("unknown-query", "the Questionnaire has no answer item")
    answered = given.get(ANSWER_LINK)
    if answered is None or not answered.answer:
        raise AnswerError("no-answer", f"item '{ANSWER_LINK}' is not answered")
    offered = _options(item)
    chosen: list[tuple[str, str]] = []
    for answer in answered.answer:
        coding = answer.valueCoding
        if coding is None or not coding.code:
            raise AnswerError(
                "wrong-item", f"item '{ANSWER_LINK}' takes one of the query's options (a Coding)"
            )
        if (coding.system and coding.system != OPTION_SYSTEM) or coding.code not in offered:
            raise AnswerError("unknown-option", "the chosen option is not one of the query's options")
        if any(code == coding.code for code, _ in chosen):
            raise AnswerError("wrong-item", "the same option is chosen twice")
        chosen.append((str(coding.code), offered[str(coding.code)]))
    if len(chosen) > 1:
        if not item.repeats:
            raise AnswerError("wrong-item", f"item '{ANSWER_LINK}' takes one option")
        codes = [code for code, _ in chosen]
        if not all(code.startswith("axis:") for code in codes):
            raise AnswerError("wrong-item", "only specificity options combine (one per axis)")
        axes = [code.split(":")[1] for code in codes]
        if len(set(axes)) != len(axes):
            raise AnswerError("wrong-item", "two options of the same axis are chosen")
    return chosen


def _free_text(
    questionnaire: Questionnaire,
    given: Mapping[str, QuestionnaireResponseItem],
    chosen: list[tuple[str, str]],
) -> str | None:
    answered = given.get(OTHER_TEXT_LINK)
    text: str | None = None
    if answered is not None and answered.answer:
        if len(answered.answer) > 1 or answered.answer[0].valueString is None:
            raise AnswerError("wrong-item", f"item '{OTHER_TEXT_LINK}' takes one text")
        text = str(answered.answer[0].valueString).strip() or None
    enabling = _enabling_codes(_items(questionnaire).get(OTHER_TEXT_LINK))
    if text is not None and not any(code in enabling for code, _ in chosen):
        raise AnswerError("wrong-item", f"item '{OTHER_TEXT_LINK}' is not enabled by the chosen option")
    if text is None and any(code == OTHER for code, _ in chosen):
        raise AnswerError("other-without-text", "'Other (please specify)' is chosen without the text")
    return text


# --- The documentation outcome --------------------------------------------------------------------


def _common_code(codes: list[str]) -> str | None:
    """The most specific ICD-10-CM code every code of the list falls under (E10 for all type 1 codes)."""
    if not codes:
        return None
    prefix = commonprefix(codes).rstrip(".")
    while len(prefix) >= 3:
        if icd10.exists(prefix):
            return prefix
        prefix = prefix[:-1].rstrip(".")
    return None


def _axis_families(topic: Topic) -> dict[str, frozenset[str]]:
    """Per axis, the three-character categories its values' codes fall in (its domain in cdi.icd10)."""
    return {
        a.id: frozenset(c[:3] for v in a.values for p in v.icd10cm for c in icd10.matching_leaves(p))
        for a in topic.axes
    }


def _one_code(topic: Topic, stated: Mapping[str, str], leaves: list[str]) -> str | None:
    """One code for alternative leaves: the leaf; the one not specific on an axis nobody stated (a heel
    ulcer without a side); across categories, the one ICD-10-CM calls unspecified (E43 for severe
    malnutrition); else the code they all share (E10 for type 1 diabetes, complications not stated)."""
    if len(leaves) == 1:
        return leaves[0]
    unstated = [p for a in topic.axes if a.id not in stated for v in a.values for p in v.icd10cm]
    general = [c for c in leaves if not any(fnmatchcase(c, p.upper()) for p in unstated)] or leaves
    if len(general) == 1:
        return general[0]
    if len({c[:3] for c in general}) > 1:  # alternative categories: E40-E43 for severe malnutrition
        unspecified = [c for c in general if "unspecified" in icd10.describe(c).lower()]
        if len(unspecified) == 1:
            return unspecified[0]
    return _common_code(general)


def answer_codes(topic: Topic, finding: Finding, answered: Mapping[str, str]) -> list[str]:
    """The ICD-10-CM codes the diagnosis reaches with the answer, the condition's own code first.

    The axis values are those the record states (``Finding.stated``) plus the answered ones. Without
    stated values (a finding read back from the store keeps only its candidate codes), the candidate the
    answered value narrows to. Otherwise the leaves consistent with the values, grouped by the axes whose
    codes they are: one code per group, so that values coded together each give theirs (cystitis due to
    E. coli: N30.- and, ICD-10-CM's "use additional code", B96.2-; sepsis with shock: A41.- and R65.21).
    For a bare confirmation, the topic's unspecified code. Empty when nothing fits.
    """
    valid = {a.id: {v.id for v in a.values} for a in topic.axes}
    answer = {a: v for a, v in answered.items() if v in valid.get(a, set())}
    stated = {a: v for a, v in finding.stated if v in valid.get(a, set())}
    combined = {**stated, **answer}
    if not combined:
        return [finding.unspecified_code or topic.icd10cm.unspecified]
    if len(answer) == 1 and finding.candidate_codes and not stated:
        patterns = [p for a, v in answer.items() for p in topic.axis(a).value(v).icd10cm]
        hits = [c for c in finding.candidate_codes if any(fnmatchcase(c, p.upper()) for p in patterns)]
        if len(hits) == 1:
            return hits
    try:
        leaves = icd10.candidate_codes(topic, combined, (), limit=100_000)
    except KeyError:
        return []
    families = _axis_families(topic)
    groups: dict[frozenset[str], list[str]] = {}
    for leaf in leaves:
        owners = frozenset(a for a in combined if leaf[:3] in families.get(a, frozenset()))
        groups.setdefault(owners, []).append(leaf)
    codes = [c for group in groups.values() if (c := _one_code(topic, combined, group))]
    return sorted(codes, key=lambda c: (c[:3] in ADDITIONAL_CODE_CATEGORIES, c))


def answer_code(topic: Topic, finding: Finding, answered: Mapping[str, str]) -> str | None:
    """The first of :func:`answer_codes` (the condition's own code), or None."""
    codes = answer_codes(topic, finding, answered)
    return codes[0] if codes else None


def _condition(
    finding: Finding,
    topic: Topic,
    codes: list[str],
    text: str,
    *,
    condition_id: str,
    asserter: str,
    response_ref: str,
    now: datetime | None,
) -> Condition | None:
    if not finding.patient:
        return None  # a Condition needs a subject
    coding = [
        Coding(system=ICD10CM, code=c, display=icd10.describe(c)) for c in codes if icd10.exists(c)
    ] or None
    return Condition(
        id=condition_id,
        clinicalStatus=CodeableConcept(
            coding=[Coding(system=CONDITION_CLINICAL, code="active", display="Active")]
        ),
        verificationStatus=CodeableConcept(
            coding=[Coding(system=CONDITION_VERIFICATION, code="confirmed", display="Confirmed")]
        ),
        category=[
            CodeableConcept(
                coding=[
                    Coding(
                        system=CONDITION_CATEGORY, code="encounter-diagnosis", display="Encounter Diagnosis"
                    )
                ]
            )
        ],
        code=CodeableConcept(coding=coding, text=text),
        subject=Reference(reference=finding.patient),
        encounter=Reference(reference=finding.encounter) if finding.encounter else None,
        recordedDate=now,
        asserter=Reference(reference=asserter),
        evidence=[ConditionEvidence(detail=[Reference(reference=response_ref)])],
    )


def _condition_text(topic: Topic, chosen: list[tuple[str, str]], free_text: str | None) -> str:
    parts = [display for _, display in chosen]
    text = f"{topic.label}: {'; '.join(parts)}"
    return f"{text} ({free_text})" if free_text else text


def _id(base: str, suffix: str) -> str:
    return f"{base[: MAX_ID - len(suffix)]}{suffix}"


# --- The loop ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadAnswer:
    """What a response says, read against its Questionnaire: the chosen options and what they document."""

    chosen: tuple[tuple[str, str], ...]  # (option code, option text as the Questionnaire offers it)
    free_text: str | None
    outcome: str
    answered: tuple[tuple[str, str], ...]  # axis values the answer states


def read_answer(
    finding: Finding, questionnaire: Questionnaire, response: Mapping[str, Any] | QuestionnaireResponse
) -> ReadAnswer:
    """Check a response's items against the Questionnaire and read its meaning (no Task or addressee checks:
    also for a response read back from the store)."""
    qr = _parse(response)
    given = _answers_of(qr, questionnaire)
    chosen = _chosen(questionnaire, given)
    free_text = _free_text(questionnaire, given, chosen)
    topic = _topic(finding)
    meanings = [option_meaning(topic, code, display, free_text) for code, display in chosen]
    outcome = meanings[0].outcome if len(meanings) == 1 else OUTCOME_DIAGNOSIS
    answered = {axis: value for m in meanings for axis, value in m.stated}
    return ReadAnswer(tuple(chosen), free_text, outcome, tuple(sorted(answered.items())))


def _topic(finding: Finding) -> Topic:
    catalog = load_catalog()
    if finding.topic not in catalog.topics:
        raise AnswerError("unknown-query", "the finding's topic is not in the catalogue")
    return catalog[finding.topic]


def proposed_condition(
    finding: Finding,
    questionnaire: Questionnaire,
    response: Mapping[str, Any] | QuestionnaireResponse,
    *,
    task_id: str,
    asserter: str,
) -> Condition | None:
    """The diagnosis a (validated) response documents, as a confirmed Condition; None when it documents none.

    Deterministic from the response, so the service can rebuild it from a stored answer: id
    ``<task id>-condition``, recorded when the response was authored, evidence the response.
    """
    qr = _parse(response)
    read = read_answer(finding, questionnaire, qr)
    if read.outcome != OUTCOME_DIAGNOSIS:
        return None
    topic = _topic(finding)
    recorded = _instant(qr.authored) if qr.authored else None
    return _condition(
        finding,
        topic,
        answer_codes(topic, finding, dict(read.answered)),
        _condition_text(topic, list(read.chosen), read.free_text),
        condition_id=_id(task_id, "-condition"),
        asserter=_bare(asserter) or asserter,
        response_ref=f"QuestionnaireResponse/{qr.id or _id(task_id, '-response')}",
        now=recorded,
    )


def answer_provenance(
    finding: Finding,
    questionnaire: Questionnaire,
    *,
    task_id: str,
    response_id: str,
    condition_id: str | None,
    answered_by: str,
    recorded: datetime,
) -> Provenance:
    """Who answered and when: targets the Task, the response (and the proposed Condition); sources the
    Questionnaire and the DetectedIssue; activity UPDATE (the Task); agent the answering provider."""
    targets = [f"Task/{task_id}", f"QuestionnaireResponse/{response_id}"]
    if condition_id is not None:
        targets.append(f"Condition/{condition_id}")
    return provenance(
        targets,
        agent=_bare(answered_by) or answered_by,
        activity="UPDATE",
        recorded=recorded,
        entity=[f"Questionnaire/{questionnaire.id}", f"DetectedIssue/{finding.id}"],
    )


def apply_answer(
    finding: Finding,
    questionnaire: Questionnaire,
    task: Task,
    response: Mapping[str, Any] | QuestionnaireResponse,
    *,
    answered_by: str,
    now: datetime | None = None,
) -> AnswerOutcome:
    """Check a response against its query and return the completed Task, the response, the Provenance and
    the documentation outcome; :class:`AnswerError` when the response cannot be accepted."""
    when = _instant(now or datetime.now(UTC))
    qr = _parse(response)
    _check_identity(finding, questionnaire, task, qr)
    _check_open_and_addressee(task, qr, answered_by)
    _check_status_and_subject(finding, qr)
    read = read_answer(finding, questionnaire, qr)

    task_id = str(task.id or finding.id)
    qr_id = str(qr.id or _id(task_id, "-response"))
    owner = _bare(answered_by) or answered_by
    authored = _instant(qr.authored) if qr.authored else when
    response_out = QuestionnaireResponse.model_validate(
        {
            **qr.model_dump(mode="json", exclude_none=True),
            "id": qr_id,
            "questionnaire": questionnaire_canonical(questionnaire),
            "status": "completed",
            "author": (
                qr.author.model_dump(mode="json", exclude_none=True) if qr.author else {"reference": owner}
            ),
            "authored": authored.isoformat(),
            **({} if qr.subject or not finding.patient else {"subject": {"reference": finding.patient}}),
            **(
                {}
                if qr.encounter or not finding.encounter
                else {"encounter": {"reference": finding.encounter}}
            ),
        }
    )
    response_ref = f"QuestionnaireResponse/{qr_id}"
    proposed = proposed_condition(finding, questionnaire, response_out, task_id=task_id, asserter=owner)

    start = (
        task.executionPeriod.start if task.executionPeriod and task.executionPeriod.start else task.authoredOn
    )
    task_data = task.model_dump(mode="json", exclude_none=True)
    task_data.pop("businessStatus", None)
    task_data.pop("statusReason", None)
    task_data.update(
        {
            "status": "completed",
            "lastModified": when.isoformat(),
            "executionPeriod": Period(start=start, end=authored).model_dump(mode="json", exclude_none=True),
            "output": [
                TaskOutput(
                    type=CodeableConcept(text="response"), valueReference=Reference(reference=response_ref)
                ).model_dump(mode="json", exclude_none=True)
            ],
        }
    )
    completed = Task.model_validate(task_data)
    record = answer_provenance(
        finding,
        questionnaire,
        task_id=task_id,
        response_id=qr_id,
        condition_id=str(proposed.id) if proposed is not None else None,
        answered_by=owner,
        recorded=when,
    )
    log.info("query answered: outcome %s, %d option(s)", read.outcome, len(read.chosen))
    return AnswerOutcome(
        task=completed,
        response=response_out,
        provenance=record,
        outcome=read.outcome,
        chosen_code=",".join(code for code, _ in read.chosen),
        chosen_display="; ".join(display for _, display in read.chosen),
        free_text=read.free_text,
        proposed_condition=proposed,
    )


__all__ = [
    "OUTCOMES",
    "AnswerError",
    "AnswerOutcome",
    "ReadAnswer",
    "answer_code",
    "answer_codes",
    "answer_provenance",
    "apply_answer",
    "proposed_condition",
    "read_answer",
]
