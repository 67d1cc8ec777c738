"""medspaCy's ConText component with two defects of 1.3.1 fixed and its work kept per sentence.

The defects: medspaCy's ``tuple_overlaps`` only sees partial overlaps, not containment. So

* a modifier inside a target's own words modified it (the kit concept "lungs show no opacities" was
  negated by its own "no");
* a terminating modifier whose (sentence-wide) scope contains another modifier's already-shortened scope
  did not end it, so termination depended on the order in which modifiers were compared ("history of
  ESRD ... and recent diagnosis of PE, who ..." kept the PE historical).

``CdiConTextModifier`` uses a correct overlap test in ``limit_scope`` and ``modifies``. ``CdiConText``
builds the same ConTextGraph as medspaCy but

* matches its rules with :class:`~cdi.nlp.matching.FastMatcher` (phrase matching, blind to line
  breaks) instead of medspaCy's Matcher, which spent ~40 ms per note on Python set predicates;
* compares modifiers only with modifiers and targets of the same sentence (scopes never leave a
  sentence here), which keeps a long note linear instead of quadratic;
* skips matching altogether when a note has no target;
* with ``prune_on_target_overlap`` (as medspaCy documents it, with a correct overlap test) drops a
  modifier inside a target phrase altogether: "no exacerbation" (a COPD acuity phrase) must not negate
  the COPD after it, nor "former" in "former smoker" make the COPD historical. Only a modifier wholly
  inside a target goes: "history of" sharing its "of" with the anemia phrase "of chronic kidney
  disease" still dates the mentions after it (it never modifies a target it overlaps).
"""

from __future__ import annotations

from typing import Any

FACTORY = "cdi_context"


def spans_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Token ranges [start, end) share at least one token (containment included)."""
    return a[0] < b[1] and b[0] < a[1]


def _reach(doc: Any, frm: int, limit: int, step: int, words: int) -> int:
    """The token index ``words`` words away from ``frm`` (exclusive bound), not past ``limit``.

    Whitespace tokens (a flattened line break: "appears have   resolved") are not words, so they do
    not use up a modifier's reach.
    """
    i, seen = frm, 0
    while i != limit and seen < words:
        if not doc[i if step > 0 else i - 1].is_space:
            seen += 1
        i += step
    return i


def _scope(rule: Any, start: int, end: int, s_start: int, s_end: int, doc: Any = None) -> tuple[int, int]:
    """A modifier's scope within its sentence, as medspaCy's ``ConTextModifier.__set_scope`` computes it,
    with ``max_scope`` counted in words (whitespace tokens left out) when ``doc`` is given."""
    direction, max_scope = rule.direction.lower(), rule.max_scope

    def forward() -> int:
        if max_scope is None:
            return s_end
        if doc is None:
            return min(s_end, end + max_scope)
        return _reach(doc, end, s_end, 1, max_scope)

    def backward() -> int:
        if max_scope is None:
            return s_start
        if doc is None:
            return max(s_start, start - max_scope)
        return _reach(doc, start, s_start, -1, max_scope)

    if direction == "forward":
        return end, forward()
    if direction == "backward":
        return backward(), start
    return backward(), forward()


def register_context() -> str:
    """Register the ``cdi_context`` factory (idempotent) and return its name."""
    from medspacy.context import ConText, ConTextGraph, ConTextModifier, ConTextRule
    from spacy.language import Language

    from cdi.nlp.matching import FastMatcher
    from cdi.nlp.sentences import SentenceIndex

    if Language.has_factory(FACTORY):
        return FACTORY

    class CdiConTextModifier(ConTextModifier):
        def limit_scope(self, other: Any) -> bool:
            if not spans_overlap(self.scope_span, other.scope_span):
                return False
            if self.direction.upper() == "TERMINATE":
                return False
            if (
                other.direction.upper() != "TERMINATE"
                and other.category.upper() not in self.rule.terminated_by
                and other.category.upper() != self.category.upper()
            ):
                return False
            if self.category == other.category and (
                self.allowed_types != other.allowed_types or self.excluded_types != other.excluded_types
            ):
                return False
            orig: tuple[int, int] = self.scope_span
            start, end = orig
            if self.direction.lower() in ("forward", "bidirectional") and other > self:
                end = min(end, other.modifier_span[0])
            if self.direction.lower() in ("backward", "bidirectional") and other < self:
                start = max(start, other.modifier_span[1])
            self._scope_start, self._scope_end = start, end
            return (start, end) != orig

        def modifies(self, target: Any) -> bool:
            span = (target.start, target.end)
            if spans_overlap(self.modifier_span, span):
                return False
            if self.direction in ("TERMINATE", "PSEUDO"):
                return False
            if not self.allows(target.label_.upper()):
                return False
            return spans_overlap(self.scope_span, span) and bool(self.on_modifies(target))

    class CdiConText(ConText):
        terminating_types: dict[str, Any]

        def _fast(self) -> FastMatcher:
            if not hasattr(self, "_fast_matcher"):
                self._fast_matcher = FastMatcher(self.nlp, prune=self.prune_on_modifier_overlap)
                # spaCy's config hands lists over as one-shot iterators; medspaCy keeps them as given
                given: dict[str, Any] = dict(self.terminating_types)
                self.terminating_types = {
                    k.upper(): tuple(v.upper() for v in enders) for k, enders in given.items()
                }
            return self._fast_matcher

        @property
        def rules(self) -> list[Any]:
            return self._fast().rules

        def add(self, rules: Any) -> None:
            """As medspaCy's ``ConText.add`` (global limits, ``terminating_types``), into the FastMatcher."""
            matcher = self._fast()
            if isinstance(rules, ConTextRule):
                rules = [rules]
            for rule in rules:
                if not isinstance(rule, ConTextRule):
                    raise TypeError(f"Rules must type ConTextRule, not {type(rule)}.")
                for attr in ("allowed_types", "excluded_types", "max_scope", "max_targets"):
                    value = getattr(self, attr)
                    if value is not None and getattr(rule, attr) is None:
                        setattr(rule, attr, value)
                for other in self.terminating_types.get(rule.category.upper(), ()):
                    rule.terminated_by.add(other.upper())
            matcher.add(rules)

        def __call__(self, doc: Any, targets: str | None = None) -> Any:
            if targets:
                spans = list(getattr(doc._, targets))
            elif self.input_span_type == "ents":
                spans = list(doc.ents)
            else:
                spans = list(doc.spans[self.span_group_name]) if self.span_group_name in doc.spans else []
            graph = ConTextGraph(prune_on_modifier_overlap=self.prune_on_target_overlap)
            graph.targets = spans
            if not spans:
                doc._.context_graph = graph
                return doc
            matcher = self._fast()
            sentences = SentenceIndex(doc)
            targets_by_sentence: dict[int, list[tuple[int, int]]] = {}
            for target in spans:
                targets_by_sentence.setdefault(sentences.of_token(target.start), []).append(
                    (target.start, target.end)
                )
            by_sentence: dict[int, list[Any]] = {}
            for match_id, start, end in matcher(doc):
                k = sentences.of_token(start)
                if self.prune_on_target_overlap and any(
                    t[0] <= start and end <= t[1] for t in targets_by_sentence.get(k, ())
                ):
                    continue  # a trigger inside a target phrase belongs to the phrase
                rule = matcher.rule_map[self.nlp.vocab.strings[match_id]]
                if self.max_scope:  # a global window instead of sentences: medspaCy computes it
                    modifier = CdiConTextModifier(rule, start, end, doc, max_scope=self.max_scope)
                else:
                    a, b = _scope(rule, start, end, sentences.starts[k], sentences.ends[k], doc)
                    modifier = CdiConTextModifier(rule, start, end, doc, scope_start=a, scope_end=b)
                by_sentence.setdefault(k, []).append(modifier)
            for group in by_sentence.values():
                for i, m1 in enumerate(group):
                    for m2 in group[i + 1 :]:
                        m1.limit_scope(m2)
                        m2.limit_scope(m1)
            for target in spans:
                for modifier in by_sentence.get(sentences.of_token(target.start), ()):
                    if modifier.modifies(target):
                        modifier.modify(target)
            edges: list[tuple[Any, Any]] = []
            modifiers = [m for group in by_sentence.values() for m in group]
            for modifier in modifiers:
                modifier.reduce_targets()
                edges.extend((target, modifier) for target in modifier._targets)
            graph.modifiers = modifiers
            graph.edges = edges
            for target, modifier in edges:
                target._.modifiers += (modifier,)
            if self.context_attributes_mapping:
                self.set_context_attributes(edges)
            doc._.context_graph = graph
            return doc

    Language.factory(FACTORY)(CdiConText)
    return FACTORY
