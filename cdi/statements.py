"""Statements: what each source in an encounter says about a topic.

A *statement* is one mention of a topic's diagnosis (a TOPIC hit in a note, or a Condition resource) with
who said it, when, with what assertion (affirmed / uncertain / negated), and which specificity axis values
it states. The detectors reason over statements, never over raw NLP hits, so the rules of the domain
(whose word counts, which axis words belong to which mention) live here in one place.

Axis binding: an axis value counts for a mention only when its phrase stands next to the mention in the
same sentence and clause (a few words apart, no clause punctuation between), or when the term itself
implies it ("HFpEF"). "Viral panel negative" three lines below "pneumonia" is not an organism.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatch

from cdi import icd10
from cdi.catalog import Catalog, Topic
from cdi.detection_rules import detection_rules
from cdi.models import (
    Assertion,
    Author,
    AuthorKind,
    ConditionRecord,
    Evidence,
    Hit,
    HitKind,
    NoteAnalysis,
)

# Clause punctuation that separates an axis phrase from a mention. Periods, colons and dashes are left to
# the sentence splitter: "E. coli", "CKD: stage 3b" and "CHF - acute on chronic" bind.
_CLAUSE_BREAK = re.compile(r"[;\n]|\bbut\b|\bhowever\b|\bwhereas\b|\bvs\.?(?!\w)|\bversus\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9]+")

CONDITION_ASSERTIONS = {
    "confirmed": Assertion.AFFIRMED,
    "provisional": Assertion.UNCERTAIN,
    "differential": Assertion.UNCERTAIN,
    "unconfirmed": Assertion.UNCERTAIN,
    "refuted": Assertion.NEGATED,
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Statement:
    """One source's word on one topic."""

    topic: str
    assertion: Assertion
    source: str  # "DocumentReference/1" or "Condition/2"
    source_kind: str  # "note" or "condition"
    author: Author | None
    author_kind: AuthorKind
    date: datetime | None
    order: tuple[datetime, int, int]  # sort key: date, note position, char offset
    axis_values: tuple[tuple[str, str], ...]  # (axis, value) stated with this mention
    evidence: Evidence
    note_kind: str | None = None
    is_current: bool = True  # False for historical mentions (kept only to know a chronic topic was addressed)

    @property
    def source_key(self) -> str:
        """Whose stance this is: the author for notes, the structured record for Conditions."""
        if self.source_kind == "condition":
            return "structured"
        return self.author.key if self.author else self.source

    def values_of(self, axis: str) -> set[str]:
        return {v for a, v in self.axis_values if a == axis}


@dataclass
class TopicRecord:
    """Everything an encounter says about one topic, split by whose word it is."""

    topic: Topic
    provider: list[Statement] = field(default_factory=list)  # treating providers' notes and Conditions
    others: list[Statement] = field(default_factory=list)  # nurses, dietitians, radiology, pathology
    historical: list[Statement] = field(default_factory=list)  # past mentions by providers
    # axis values mentioned anywhere in the record (any author, bound or not), for when_indicated axes
    loose_axis_values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    loose_axis_evidence: dict[str, list[Evidence]] = field(default_factory=lambda: defaultdict(list))


def _gap_ok(text: str, a_end: int, b_start: int, skip: Sequence[tuple[int, int]]) -> bool:
    """True when the text between two spans is a short run of words with no clause break."""
    if b_start < a_end:
        return False
    gap = text[a_end:b_start]
    if _CLAUSE_BREAK.search(gap):
        return False
    words = 0
    for m in _WORD.finditer(gap):
        pos = a_end + m.start()
        if any(s <= pos < e for s, e in skip):
            continue
        words += 1
    return words <= detection_rules().max_axis_gap_words


def bind_axis_values(text: str, mention: Hit, axis_hits: Sequence[Hit]) -> set[tuple[str, str]]:
    """Axis values stated with one TOPIC mention: implied by the term, or written right next to it."""
    values: set[tuple[str, str]] = set(mention.implies)
    same_sentence = [
        h
        for h in axis_hits
        if h.topic == mention.topic
        and h.sentence_start == mention.sentence_start
        and not h.negated
        and h.axis
        and h.value
    ]
    spans = [(h.start, h.end) for h in same_sentence]
    for h in same_sentence:
        if h.end <= mention.start:
            ok = _gap_ok(text, h.end, mention.start, spans)
        elif h.start >= mention.end:
            ok = _gap_ok(text, mention.end, h.start, spans)
        else:  # overlapping: the phrase is part of the mention
            ok = True
        if ok:
            assert h.axis and h.value
            values.add((h.axis, h.value))
    return values


def negates_specificity(text: str, mention: Hit, axis_hits: Sequence[Hit]) -> bool:
    """True when a negated mention denies a specific form, not the diagnosis: "not HFrEF" (the term implies
    a type), "not paroxysmal AF" (a negated axis phrase stands right before the term). The provider says
    which kind it is not; the diagnosis itself may well be present."""
    if not mention.negated:
        return False
    if mention.implies:
        return True
    before = [
        h
        for h in axis_hits
        if h.topic == mention.topic
        and h.negated
        and h.sentence_start == mention.sentence_start
        and h.end <= mention.start
    ]
    spans = [(h.start, h.end) for h in before]
    return any(_gap_ok(text, h.end, mention.start, spans) for h in before)


def _note_order(note_date: datetime | None, position: int, offset: int) -> tuple[datetime, int, int]:
    return (note_date or _EPOCH, position, offset)


def _evidence_for_hit(analysis: NoteAnalysis, hit: Hit) -> Evidence:
    note = analysis.note
    return Evidence(
        document=note.reference,
        section=hit.section,
        text=hit.text,
        start=hit.start,
        end=hit.end,
        date=note.date,
        author=note.author.display if note.author else None,
        author_reference=note.author.reference if note.author else None,
        assertion=hit.assertion,
        sentence=note.text[hit.sentence_start : hit.sentence_end].strip(),
    )


def condition_axis_values(
    topic: Topic, condition: ConditionRecord, hits: Iterable[Hit]
) -> set[tuple[str, str]]:
    """Axis values a Condition states, from its ICD-10-CM code and from the words of its text."""
    values: set[tuple[str, str]] = set()
    codes = [c.code for c in condition.codings if c.code and c.system and "icd-10" in c.system.lower()]
    for axis in topic.axes:
        for value in axis.values:
            if any(fnmatch(code, pat) for code in codes for pat in value.icd10cm):
                values.add((axis.id, value.id))
    text = condition.text or ""
    hits = list(hits)
    axis_hits = [h for h in hits if h.kind is HitKind.AXIS and not h.negated]
    for h in hits:
        if h.kind is HitKind.TOPIC and h.topic == topic.id:
            values |= bind_axis_values(text, h, axis_hits)
    return values


def condition_topics(catalog: Catalog, condition: ConditionRecord, hits: Sequence[Hit]) -> set[str]:
    """Topics a Condition names: by ICD-10-CM category, else by the words of its text."""
    topics: set[str] = set()
    for c in condition.codings:
        if c.code and c.system and "icd-10" in c.system.lower():
            topics |= {t.id for t in catalog if icd10.covers(t, c.code)}
    topics |= {h.topic for h in hits if h.kind is HitKind.TOPIC and not h.negated}
    return topics


def collect(
    catalog: Catalog,
    analyses: Sequence[NoteAnalysis],
    conditions: Sequence[tuple[ConditionRecord, Sequence[Hit]]],
) -> dict[str, TopicRecord]:
    """Gather statements per topic from analysed notes and Conditions (each with the hits of its text)."""
    records: dict[str, TopicRecord] = {t.id: TopicRecord(t) for t in catalog}
    for position, analysis in enumerate(analyses):
        note = analysis.note
        author_kind = note.author.kind if note.author else AuthorKind.UNKNOWN
        axis_hits = [h for h in analysis.hits if h.kind is HitKind.AXIS]
        for hit in analysis.hits:
            rec = records.get(hit.topic)
            if rec is None:
                continue
            if hit.kind is HitKind.AXIS:
                if hit.is_about_patient_now and not hit.negated and hit.axis and hit.value:
                    rec.loose_axis_values[hit.axis].add(hit.value)
                    rec.loose_axis_evidence[hit.axis].append(_evidence_for_hit(analysis, hit))
                continue
            if hit.kind is not HitKind.TOPIC or hit.family or hit.hypothetical:
                continue
            if negates_specificity(note.text, hit, axis_hits):
                continue  # "not paroxysmal AF" says nothing against AF; its type comes from elsewhere
            st = Statement(
                topic=hit.topic,
                assertion=hit.assertion,
                source=note.reference,
                source_kind="note",
                author=note.author,
                author_kind=author_kind,
                date=note.date,
                order=_note_order(note.date, position, hit.start),
                axis_values=tuple(sorted(bind_axis_values(note.text, hit, axis_hits))),
                evidence=_evidence_for_hit(analysis, hit),
                note_kind=note.note_kind,
                is_current=not hit.historical,
            )
            if hit.historical:
                if author_kind in (AuthorKind.PROVIDER, AuthorKind.UNKNOWN):
                    rec.historical.append(st)
            elif author_kind in (AuthorKind.PROVIDER, AuthorKind.UNKNOWN):
                rec.provider.append(st)
            else:
                rec.others.append(st)
    for condition, hits in conditions:
        status = (condition.verification_status or "confirmed").lower()
        if status == "entered-in-error":
            continue
        assertion = CONDITION_ASSERTIONS.get(status, Assertion.AFFIRMED)
        for topic_id in condition_topics(catalog, condition, hits):
            topic = catalog[topic_id]
            st = Statement(
                topic=topic_id,
                assertion=assertion,
                source=condition.reference,
                source_kind="condition",
                author=condition.asserter,
                author_kind=AuthorKind.PROVIDER,
                date=condition.recorded,
                order=_note_order(condition.recorded, -1, 0),
                axis_values=tuple(sorted(condition_axis_values(topic, condition, hits))),
                evidence=Evidence(
                    document=condition.reference,
                    section=None,
                    text=condition.text or topic.label,
                    start=None,
                    end=None,
                    date=condition.recorded,
                    author=condition.asserter.display if condition.asserter else None,
                    author_reference=condition.asserter.reference if condition.asserter else None,
                    assertion=assertion,
                ),
            )
            records[topic_id].provider.append(st)
    for rec in records.values():
        rec.provider.sort(key=lambda s: s.order)
        rec.others.sort(key=lambda s: s.order)
    return records
