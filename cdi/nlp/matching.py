"""A drop-in for medspaCy's MedspacyMatcher that is fast on long notes and blind to line wrapping.

medspaCy matches rules with spaCy's PhraseMatcher (literals), Matcher (token patterns) and its own
RegexMatcher. Two costs come with that on clinical notes:

* Token patterns with ``{"LOWER": {"IN": [...]}}`` are evaluated in Python for every token and every
  pattern: with medspaCy's ~100 ConText rules plus ours that was about 40 ms per MTSamples note, most of
  the pipeline's time.
* A line break or a run of spaces is a token of its own in spaCy, so "negative\\n for DVT" or a wrapped
  "congestive heart\\nfailure" matched nothing.

So rules are compiled once into:

* one PhraseMatcher (and one on exact text for case-sensitive rules) holding every literal and every
  token pattern that is a finite choice of words (``LOWER``/``ORTH`` equal or ``IN``, optionally
  ``OP: "?"``), expanded into its phrases; it runs on a copy of the note's tokens without the
  whitespace tokens, and matches are mapped back;
* spaCy's Matcher for the few patterns that need it (``REGEX``, ``IS_PUNCT``, ``IS_SENT_START``...),
  with optional whitespace tokens allowed between elements;
* regular expressions (case-insensitive, as medspaCy's RegexMatcher) over the note text, read once
  per note, each match widened to whole tokens.

Overlapping matches are pruned as medspaCy does (the longest wins).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import numpy as np

MAX_EXPANSIONS = 5000  # a pattern with more phrases than this stays a token pattern
_SPACES: dict[str, Any] = {"IS_SPACE": True, "OP": "*"}


def _options(element: dict[str, Any]) -> tuple[list[str], bool] | None:
    """(word choices, case_sensitive) of one pattern element, or None if it is not a finite word choice."""
    keys = set(element) - {"OP"}
    if len(keys) != 1 or element.get("OP") not in (None, "?"):
        return None
    attr = keys.pop()
    if attr not in ("LOWER", "ORTH", "TEXT"):
        return None
    value = element[attr]
    if isinstance(value, str):
        words = [value]
    elif isinstance(value, dict) and set(value) == {"IN"}:
        words = [str(w) for w in value["IN"]]
    else:
        return None
    cased = attr != "LOWER" and any(w != w.lower() for w in words)
    return (words if cased else [w.lower() for w in words]), cased


def expand(pattern: list[dict[str, Any]]) -> tuple[list[tuple[str, ...]], bool] | None:
    """Every phrase (as a word tuple) a finite token pattern matches, and whether case matters."""
    choices: list[list[str | None]] = []
    any_cased, all_cased = False, True
    for element in pattern:
        opt = _options(element)
        if opt is None:
            return None
        words, cased = opt
        if cased:
            any_cased = True
        elif any(c.isalpha() for w in words for c in w):
            all_cased = False
        choice: list[str | None] = list(words)
        if element.get("OP") == "?":
            choice.append(None)
        choices.append(choice)
    if any_cased and not all_cased:
        return None  # mixed: case matters for some words only
    total = 1
    for c in choices:
        total *= len(c)
        if total > MAX_EXPANSIONS:
            return None
    phrases = {tuple(w for w in combo if w is not None) for combo in itertools.product(*choices)}
    phrases.discard(())
    return sorted(phrases), any_cased


_COMPACT_KEY = "cdi_compact"


def without_space_tokens(doc: Any) -> tuple[Any, np.ndarray | None]:
    """The Doc's tokens without whitespace tokens, as a Doc, and each one's index in ``doc``.

    Returns ``(doc, None)`` when there is no whitespace token. Cached in ``doc.user_data`` so that the
    target matcher and ConText build it once per note.
    """
    from spacy.attrs import IS_SPACE
    from spacy.tokens import Doc

    cached = doc.user_data.get(_COMPACT_KEY)
    if cached is not None and cached[0] == len(doc):
        return cached[1], cached[2]
    spaces = doc.to_array([IS_SPACE]).reshape(-1)
    if not spaces.any():
        result: tuple[Any, np.ndarray | None] = (doc, None)
    else:
        keep = np.flatnonzero(spaces == 0)
        words = [t.text for t in doc]
        result = (Doc(doc.vocab, words=[words[i] for i in keep]), keep)
    doc.user_data[_COMPACT_KEY] = (len(doc), *result)
    return result


def space_tolerant(pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pattern with optional whitespace tokens allowed between its elements."""
    out: list[dict[str, Any]] = []
    for i, element in enumerate(pattern):
        if i:
            out.append(_SPACES)
        out.append(element)
    return out


class FastMatcher:
    """Matches medspaCy rules (ConTextRule, TargetRule, ...): ``add(rules)``, then ``matcher(doc)``.

    Returns (match_id, start, end) tuples like MedspacyMatcher, with ``rule_map`` from the match id's
    string to the rule.
    """

    def __init__(self, nlp: Any, prune: bool = True):
        from spacy.matcher import Matcher, PhraseMatcher

        self.vocab = nlp.vocab
        self.tokenizer = nlp.tokenizer
        self.prune = prune
        self.rule_map: dict[str, Any] = {}
        self._lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._matcher = Matcher(nlp.vocab)
        self._regex: list[tuple[str, re.Pattern[str]]] = []
        self._has_phrases = self._has_tokens = self._has_regex = False
        self._count = 0

    @property
    def rules(self) -> list[Any]:
        return list(self.rule_map.values())

    def _phrase_docs(self, phrases: list[tuple[str, ...]]) -> list[Any]:
        from spacy.tokens import Doc

        return [Doc(self.vocab, words=list(words)) for words in phrases]

    def add(self, rules: Any) -> None:
        for rule in rules:
            rule_id = f"{rule.category}_{self._count}"
            self._count += 1
            rule._rule_id = rule_id
            self.rule_map[rule_id] = rule
            pattern = rule.pattern
            if isinstance(pattern, str):
                self.vocab.strings.add(rule_id)
                self._regex.append((rule_id, re.compile(pattern, re.IGNORECASE)))
                self._has_regex = True
                continue
            if pattern is None:
                words = tuple(t.text.lower() for t in self.tokenizer(rule.literal) if not t.is_space)
                expanded: tuple[list[tuple[str, ...]], bool] | None = ([words], False) if words else None
            else:
                expanded = expand(pattern)
            if expanded is None:
                assert pattern is not None
                self._matcher.add(rule_id, [space_tolerant(pattern)], on_match=rule.on_match)
                self._has_tokens = True
            else:
                phrases, cased = expanded
                (self._exact if cased else self._lower).add(
                    rule_id, self._phrase_docs(phrases), on_match=rule.on_match
                )
                self._has_phrases = True

    def __call__(self, doc: Any) -> list[tuple[int, int, int]]:
        from medspacy.common.util import prune_overlapping_matches

        matches: list[tuple[int, int, int]] = []
        if self._has_phrases and len(doc):
            compact, mapped = without_space_tokens(doc)
            found = self._lower(compact) + self._exact(compact)
            if mapped is None:
                matches.extend(found)
            else:
                matches.extend((m, int(mapped[s]), int(mapped[e - 1]) + 1) for m, s, e in found)
        if self._has_tokens:
            matches.extend(self._matcher(doc))
        if self._has_regex:
            matches.extend(self._regex_matches(doc))
        if self.prune and matches:
            matches = prune_overlapping_matches(matches)
        return matches

    def _regex_matches(self, doc: Any) -> list[tuple[int, int, int]]:
        from cdi.nlp.sentences import doc_text

        text = doc_text(doc)
        out = []
        for rule_id, rx in self._regex:
            key = self.vocab.strings[rule_id]
            for m in rx.finditer(text):
                span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                if span is not None and len(span):
                    out.append((key, span.start, span.end))
        return out
