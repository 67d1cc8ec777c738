"""The whole job for a stream of encounters: NLP, statements, indicators, detectors, drafted queries.

``Analyzer`` holds everything that is expensive to build (the medspaCy pipeline, the topic catalogue, the
query templates) and is built once per process; ``analyze_many`` batches the notes of several encounters
through ``nlp.pipe`` so that a bulk export streams through at full speed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from itertools import islice

from cdi import icd10, indicators, statements
from cdi.catalog import Catalog, load_catalog
from cdi.detectors import detect_topic
from cdi.detectors.context import TopicContext
from cdi.models import ConditionRecord, EncounterRecord, EncounterResult, Finding, Hit, NoteAnalysis
from cdi.nlp import NotePipeline, get_pipeline
from cdi.queries import QueryDrafter


class Analyzer:
    def __init__(
        self,
        catalog: Catalog | None = None,
        pipeline: NotePipeline | None = None,
        drafter: QueryDrafter | None = None,
    ):
        self.catalog = catalog or load_catalog()
        if pipeline is None:  # the process-wide pipeline serves the shipped catalogue
            pipeline = get_pipeline() if catalog is None else NotePipeline.build(self.catalog)
        self.pipeline = pipeline
        self.drafter = drafter or QueryDrafter(self.catalog)
        icd10.warm(self.catalog)
        self._condition_hits: dict[str, tuple[Hit, ...]] = {}

    def analyze(self, record: EncounterRecord) -> EncounterResult:
        return next(self.analyze_many([record]))

    def analyze_many(
        self, records: Iterable[EncounterRecord], encounters_per_batch: int = 16
    ) -> Iterator[EncounterResult]:
        """Analyse encounters in order, piping the notes of several encounters through the NLP at once."""
        it = iter(records)
        while chunk := list(islice(it, encounters_per_batch)):
            notes = [note for record in chunk for note in record.notes]
            analysed = list(self.pipeline.analyze(notes))
            start = 0
            for record in chunk:
                mine = analysed[start : start + len(record.notes)]
                start += len(record.notes)
                yield EncounterResult(record, self.detect(record, mine))

    def detect(self, record: EncounterRecord, analyses: Sequence[NoteAnalysis]) -> list[Finding]:
        """Findings for one encounter whose notes are already analysed, each with its drafted query."""
        conditions = [(c, self._hits_of(c)) for c in record.conditions]
        by_topic = statements.collect(self.catalog, analyses, conditions)
        findings: list[Finding] = []
        for topic in self.catalog:
            evaluated = indicators.evaluate(topic, record.observations, analyses)
            finding = detect_topic(TopicContext(record, topic, by_topic[topic.id], evaluated))
            if finding is not None:
                findings.append(replace(finding, query=self.drafter.draft(finding, record)))
        return findings

    def _hits_of(self, condition: ConditionRecord) -> tuple[Hit, ...]:
        text = condition.text or ""
        if text not in self._condition_hits:
            if len(self._condition_hits) > 10_000:
                self._condition_hits.clear()
            self._condition_hits[text] = self.pipeline.analyze_text(text) if text else ()
        return self._condition_hits[text]


@lru_cache(maxsize=1)
def get_analyzer() -> Analyzer:
    """The process-wide analyzer, built on first use (never at import time)."""
    return Analyzer()
