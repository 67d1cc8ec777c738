"""Target rules built from the topic catalogue: which phrases to find, and what each one means.

Every ``Term.phrase`` names a topic (TOPIC), every axis value phrase states a value (AXIS), every text
indicator phrase is a clinical indicator (INDICATOR), and every ``not_terms`` phrase is a pseudo target:
a longer phrase that wins the overlap with the term inside it and yields no hit ("heart failure clinic");
it is dropped right after matching, so ConText treats its words like any other words.

The same phrase often has several meanings ("acute" is an acuity value of several topics, "HFrEF" is a
term and a type value). Each distinct phrase becomes one TargetRule, so it is matched once, and the
:class:`TargetIndex` gives all its meanings for the one span. When target matches overlap, medspaCy's
matcher keeps the longest ("acute on chronic" over "acute" and "chronic", "chronic kidney disease" over
"chronic"), which is what a reader does too.

Phrases are matched by :class:`~cdi.nlp.matching.FastMatcher`, which ignores line breaks and runs of
spaces between words (a wrapped "congestive heart\\nfailure" is one mention). Case-sensitive terms
(abbreviations that are ordinary words in lower case) match on the exact text.

``value_pattern`` indicators are regular expressions over the note text, kept beside the phrases here
and run by the pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cdi.catalog import Catalog, IndicatorRule
from cdi.models import HitKind

TARGET_LABEL = "CDI_TARGET"
NOT_TERM_LABEL = "CDI_NOT_TERM"  # matched to win the overlap, then dropped: ConText never sees it
TARGET_FACTORY = "cdi_target_matcher"


@dataclass(frozen=True)
class Meaning:
    """What a matched phrase says: a topic term, an axis value or an indicator."""

    kind: HitKind
    topic: str
    axis: str | None = None
    value: str | None = None
    indicator: str | None = None
    implies: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ValuePattern:
    """A ``value_pattern`` text indicator: a regex whose first group is a number compared with the limits."""

    topic: str
    indicator: str
    regex: re.Pattern[str]
    above: float | None
    below: float | None

    def passes(self, number: float) -> bool:
        if self.above is not None and not number > self.above:
            return False
        return not (self.below is not None and not number < self.below)


@dataclass
class TargetIndex:
    """Phrase keys -> meanings, and the TargetRules that find the phrases.

    Keys are the phrase's non-space tokens joined by one space: lower-cased for case-insensitive phrases,
    as written for case-sensitive ones, so a matched span finds its meanings whatever its whitespace.
    """

    insensitive: dict[str, list[Meaning]] = field(default_factory=dict)
    sensitive: dict[str, list[Meaning]] = field(default_factory=dict)
    value_patterns: list[ValuePattern] = field(default_factory=list)
    rules: list[Any] = field(default_factory=list)

    def meanings(self, tokens: Iterable[str]) -> tuple[Meaning, ...]:
        words = [t for t in tokens if t.strip()]
        found = set(self.insensitive.get(" ".join(w.lower() for w in words), ()))
        found.update(self.sensitive.get(" ".join(words), ()))
        return tuple(
            sorted(
                found,
                key=lambda m: (m.kind, m.topic, m.axis or "", m.value or "", m.indicator or "", m.implies),
            )
        )


def _words(tokenizer: Any, phrase: str) -> list[str]:
    return [t.text for t in tokenizer(phrase) if not t.is_space]


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def build_target_index(catalog: Catalog, tokenizer: Any) -> TargetIndex:
    """Collect every phrase of the catalogue with its meanings and make one TargetRule per phrase."""
    from medspacy.target_matcher import TargetRule

    index = TargetIndex()
    # key -> (words, case_sensitive) for the rule to build
    phrases: dict[tuple[str, bool], list[str]] = {}

    def add(phrase: str, meaning: Meaning | None, case_sensitive: bool = False) -> None:
        words = _words(tokenizer, phrase)
        if not words:
            return
        if case_sensitive:
            key = " ".join(words)
            bucket = index.sensitive.setdefault(key, [])
        else:
            key = " ".join(w.lower() for w in words)
            bucket = index.insensitive.setdefault(key, [])
        if meaning is not None and meaning not in bucket:
            bucket.append(meaning)
        phrases.setdefault((key, case_sensitive), words)

    for topic in catalog:
        for term in topic.terms:
            implies = tuple(sorted(term.implies.items()))
            add(term.phrase, Meaning(HitKind.TOPIC, topic.id, implies=implies), term.case_sensitive)
        for phrase in topic.not_terms:
            add(phrase, None)
        for axis in topic.axes:
            for value in axis.values:
                for phrase in value.phrases:
                    add(phrase, Meaning(HitKind.AXIS, topic.id, axis=axis.id, value=value.id))
        for ind in topic.indicators:
            if ind.source != "text":
                continue
            for phrase in ind.phrases:
                add(phrase, Meaning(HitKind.INDICATOR, topic.id, indicator=ind.id))
            if ind.value_pattern:
                index.value_patterns.append(_value_pattern(topic.id, ind))

    for (key, case_sensitive), words in phrases.items():
        if case_sensitive and key.lower() in index.insensitive:
            continue  # the case-insensitive rule finds it; meanings() merges both
        if case_sensitive:
            has_meaning = bool(index.sensitive[key])
            pattern: list[dict[str, Any]] | None = [{"ORTH": w} for w in words]
        else:
            has_meaning = bool(index.insensitive[key]) or any(
                k.lower() == key and v for k, v in index.sensitive.items()
            )
            # Words as the tokenizer splits the phrase as written: lower-casing first can split it
            # differently ("T2DM" is one token, "t2dm" two), and notes are matched as written.
            pattern = [{"LOWER": w.lower()} for w in words]
        label = TARGET_LABEL if has_meaning else NOT_TERM_LABEL
        index.rules.append(TargetRule(key, label, pattern=pattern))
    return index


def register_target_matcher() -> str:
    """Register ``cdi_target_matcher``: medspaCy's TargetMatcher matching through FastMatcher."""
    from medspacy.target_matcher import TargetMatcher, TargetRule
    from spacy.language import Language
    from spacy.tokens import Span

    from cdi.nlp.matching import FastMatcher

    if Language.has_factory(TARGET_FACTORY):
        return TARGET_FACTORY

    class CdiTargetMatcher(TargetMatcher):
        def _fast(self) -> FastMatcher:
            if not hasattr(self, "_fast_matcher"):
                self._fast_matcher = FastMatcher(self.nlp, prune=self._prune)
            return self._fast_matcher

        @property
        def rules(self) -> list[Any]:
            return self._fast().rules

        def add(self, rules: Any) -> None:
            if isinstance(rules, TargetRule):
                rules = [rules]
            self._fast().add(rules)

        def __call__(self, doc: Any) -> Any:
            matcher = self._fast()
            spans = []
            for match_id, start, end in matcher(doc):
                rule = matcher.rule_map[self.nlp.vocab.strings[match_id]]
                if rule.category == NOT_TERM_LABEL:
                    continue  # it has blocked the shorter term inside it; it is no mention
                span = Span(doc, start=start, end=end, label=rule.category)
                span._.target_rule = rule
                spans.append(span)
            if not self.result_type:
                return spans
            if self.result_type.lower() != "group":
                raise ValueError("cdi_target_matcher writes a span group (result_type='group')")
            doc.spans[self.span_group_name] = spans
            return doc

    Language.factory(TARGET_FACTORY)(CdiTargetMatcher)
    return TARGET_FACTORY


def _value_pattern(topic: str, ind: IndicatorRule) -> ValuePattern:
    assert ind.value_pattern is not None  # checked by the caller
    # compiled as written: a pattern that should ignore case says so with (?i)
    return ValuePattern(topic, ind.id, re.compile(ind.value_pattern), ind.above, ind.below)


def value_matches(index: TargetIndex, text: str) -> list[tuple[ValuePattern, re.Match[str], str]]:
    """(rule, match, number as captured without thousands separators) for each passing value match."""
    out = []
    for vp in index.value_patterns:
        for m in vp.regex.finditer(text):
            captured = m.group(1)
            if captured is None:
                continue
            number = _number(captured)
            if number is not None and vp.passes(number):
                out.append((vp, m, captured.replace(",", "")))
    return out
