"""The NLP stage: notes in, :class:`~cdi.models.Hit` tuples out.

One spaCy pipeline, built once per process (:func:`get_pipeline`) and never at import time:

``medspaCy tokenizer -> cdi_sentences -> cdi_target_matcher -> cdi_sectionizer -> cdi_context``

* sentences: fast rules for newline-structured clinical text (:mod:`cdi.nlp.sentences`), not PyRuSH;
* targets: medspaCy's TargetMatcher with one rule per distinct catalogue phrase (:mod:`cdi.nlp.targets`),
  matched by :class:`~cdi.nlp.matching.FastMatcher`, results in a span group;
* sections: medspaCy's Sectionizer with our additions and header filter (:mod:`cdi.nlp.sections`);
* ConText: medspaCy's default rules with our removals and additions (:mod:`cdi.nlp.context_rules`),
  run by medspaCy's ConText with its overlap defects fixed (:mod:`cdi.nlp.context`).

A hit's flags are its ConText modifiers' (negated, uncertain, historical, hypothetical, family) plus its
section's (a family history section makes every mention in it a family mention, and so on).
``value_pattern`` indicators are regexes over the note text; their hits take their sentence and
section from the same Doc, and their flags from the section only.
"""

from __future__ import annotations

import re
import string
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from cdi.catalog import Catalog, load_catalog
from cdi.models import Hit, HitKind, Note, NoteAnalysis
from cdi.nlp.context import register_context
from cdi.nlp.context_rules import build_context_rules, context_flags, load_context_additions
from cdi.nlp.sections import (
    SectionFlags,
    load_section_additions,
    register_sectionizer,
    section_at,
    section_rule_dicts,
)
from cdi.nlp.targets import (
    TARGET_FACTORY,
    TargetIndex,
    build_target_index,
    register_target_matcher,
    value_matches,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

    from cdi.nlp.sentences import SentenceIndex

SPAN_GROUP = "cdi_targets"
TEXT_REFERENCE = "DocumentReference/analyze-text"  # the dummy reference of analyze_text()
_KIND_ORDER = {HitKind.TOPIC: 0, HitKind.AXIS: 1, HitKind.INDICATOR: 2}


def _section_of(doc: Doc, token_index: int) -> str | None:
    return section_at(doc, token_index)


class NotePipeline:
    """The spaCy/medspaCy pipeline and the target index built from the catalogue; reuse one per process."""

    def __init__(
        self,
        nlp: Language,
        index: TargetIndex,
        section_flags: SectionFlags,
        catalog: Catalog,
        yields_to: dict[str, tuple[str, ...]] | None = None,
    ):
        self.nlp = nlp
        self.index = index
        self.section_flags = section_flags
        self.catalog = catalog
        self.yields_to = yields_to or {}

    @classmethod
    def build(cls, catalog: Catalog | None = None) -> NotePipeline:
        """Load everything once: tokenizer, rules, matchers (catalog default: ``load_catalog()``)."""
        import medspacy  # noqa: F401  (registers medspaCy's factories and extensions)
        import spacy
        from medspacy.custom_tokenizer import create_medspacy_tokenizer
        from medspacy.section_detection import SectionRule

        from cdi.nlp import sentences  # noqa: F401  (registers cdi_sentences)

        catalog = catalog if catalog is not None else load_catalog()
        nlp = spacy.blank("en")
        nlp.tokenizer = create_medspacy_tokenizer(nlp)
        # medspaCy's infixes (every ASCII punctuation mark but the period), plus a period before a comma:
        # MTSamples glues line breaks as ".," and "CHF.,POSTOPERATIVE" must give the token "CHF".
        punctuation = re.escape(string.punctuation.replace(".", ""))
        infixes = [*list(nlp.Defaults.infixes or ()), f"[{punctuation}]", r"\.(?=[,;:])"]
        nlp.tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
        nlp.add_pipe("cdi_sentences")

        index = build_target_index(catalog, nlp.tokenizer)
        matcher: Any = nlp.add_pipe(
            register_target_matcher(), config={"result_type": "group", "span_group_name": SPAN_GROUP}
        )
        matcher.add(index.rules)

        section_additions = load_section_additions()
        sectionizer: Any = nlp.add_pipe(register_sectionizer())
        sectionizer.add([SectionRule.from_dict(d) for d in section_rule_dicts(section_additions)])

        context_additions = load_context_additions()
        context: Any = nlp.add_pipe(
            register_context(),
            config={
                "rules": None,
                "span_attrs": None,
                "input_span_type": "group",
                "span_group_name": SPAN_GROUP,
                "prune_on_target_overlap": True,
                "terminating_types": {k: list(v) for k, v in context_additions.terminating_types.items()},
            },
        )
        context.add(build_context_rules(context_additions))
        return cls(nlp, index, SectionFlags(section_additions), catalog, dict(context_additions.yields_to))

    # --- public API -------------------------------------------------------------------------------

    def analyze(self, notes: Iterable[Note], batch_size: int = 32) -> Iterator[NoteAnalysis]:
        """Hits for each note, in the order given (``nlp.pipe`` under the hood)."""
        pairs = ((note.text, note) for note in notes)
        for doc, note in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            yield NoteAnalysis(note, self._hits(doc, note.text, note.date.year if note.date else None))

    def analyze_text(self, text: str) -> tuple[Hit, ...]:
        """Hits of one text (a Note with a dummy reference and no date): for tests and the eval harness."""
        note = Note(TEXT_REFERENCE, text, None, None, None, "other", None)
        return next(self.analyze([note])).hits

    def assertion_flags(self, text: str, spans: Sequence[tuple[int, int]]) -> list[frozenset[str]]:
        """ConText and section flags for given character spans of ``text`` instead of catalogue targets.

        For evaluation kits that name the concept in each sentence (the NegEx kit): the same pipeline
        runs, with the given spans as the targets. One entry per span (empty for a blank span).
        """
        doc = self.nlp.make_doc(text)
        targets = [doc.char_span(s, e, alignment_mode="expand") for s, e in spans]
        for name, proc in self.nlp.pipeline:
            if name == TARGET_FACTORY:
                doc.spans[SPAN_GROUP] = [t for t in targets if t is not None and len(t)]
                continue
            doc = proc(doc)
        return [self._flags(t, None) if t is not None and len(t) else frozenset() for t in targets]

    # --- internals --------------------------------------------------------------------------------

    def _flags(self, span: Span, note_year: int | None) -> frozenset[str]:
        return frozenset(context_flags(span, note_year, self.yields_to)) | self.section_flags(
            _section_of(span.doc, span.start)
        )

    def _hits(self, doc: Doc, text: str, note_year: int | None) -> tuple[Hit, ...]:
        from cdi.nlp.sentences import SentenceIndex

        sentences = SentenceIndex(doc)
        hits: list[Hit] = []
        for span in doc.spans.get(SPAN_GROUP, ()):
            meanings = self.index.meanings(t.text for t in span)
            if not meanings:
                continue  # a not_terms phrase
            flags = self._flags(span, note_year)
            s_start, s_end = sentences.char_bounds(sentences.of_token(span.start))
            section = _section_of(doc, span.start)
            for m in meanings:
                hits.append(
                    Hit(
                        kind=m.kind,
                        topic=m.topic,
                        text=span.text,
                        start=span.start_char,
                        end=span.end_char,
                        sentence_start=s_start,
                        sentence_end=s_end,
                        section=section,
                        axis=m.axis,
                        value=m.value,
                        indicator=m.indicator,
                        implies=m.implies,
                        negated="negated" in flags,
                        uncertain="uncertain" in flags,
                        historical="historical" in flags,
                        hypothetical="hypothetical" in flags,
                        family="family" in flags,
                    )
                )
        if self.index.value_patterns:
            hits.extend(self._value_hits(doc, text, sentences))
        hits.sort(
            key=lambda h: (
                h.start,
                h.end,
                _KIND_ORDER[h.kind],
                h.topic,
                h.axis or "",
                h.value or "",
                h.indicator or "",
            )
        )
        return tuple(hits)

    def _value_hits(self, doc: Doc, text: str, sentences: SentenceIndex) -> Iterator[Hit]:
        for vp, m, number in value_matches(self.index, text):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is None or not len(span):
                continue
            s_start, s_end = sentences.char_bounds(sentences.of_token(span.start))
            section = _section_of(doc, span.start)
            flags = self.section_flags(section)
            yield Hit(
                kind=HitKind.INDICATOR,
                topic=vp.topic,
                text=m.group(0),
                start=m.start(),
                end=m.end(),
                sentence_start=s_start,
                sentence_end=s_end,
                section=section,
                value=number,
                indicator=vp.indicator,
                historical="historical" in flags,
                hypothetical="hypothetical" in flags,
                family="family" in flags,
            )


_PIPELINE: NotePipeline | None = None
_LOCK = threading.Lock()


def get_pipeline() -> NotePipeline:
    """The process-wide pipeline, built on first use (never at import time)."""
    global _PIPELINE
    if _PIPELINE is None:
        with _LOCK:
            if _PIPELINE is None:
                _PIPELINE = NotePipeline.build()
    return _PIPELINE
