"""Section detection: medspaCy's Sectionizer with its default rules, our additions, and our flag map.

The rules are data (``cdi/knowledge/section_additions.yaml``); this module reads them, checks them
against medspaCy's defaults (a removal or rename naming something medspaCy does not have is an error),
and builds the Sectionizer.

Two things differ from ``medspacy.load(enable=["medspacy_sectionizer"])``:

* A header counts only where a header stands (line start, after a run of spaces that stands for a
  flattened line break, or MTSamples' glued ``.,HEADER:``) and is
  followed by a colon or the end of the line; medspaCy's defaults otherwise match "consult" or
  "impression" anywhere in prose. The colon (and MTSamples' comma after it) becomes part of the header,
  and the header is its own sentence, so "FAMILY HISTORY:" never shares a sentence with its content.
* medspaCy's section -> attribute map names categories its own rules never produce
  ("sexual_and_social_history", "education"), so some mappings never fire. We do not hand the map to
  the Sectionizer: :func:`section_flags` applies ours, for target spans and for regex value hits alike.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cdi.catalog import KNOWLEDGE_DIR, load_knowledge_file

SECTION_ADDITIONS_PATH = KNOWLEDGE_DIR / "section_additions.yaml"

Flag = Literal["family", "historical", "hypothetical"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Removal(_Strict):
    literal: str
    why: str


class SectionRuleSpec(_Strict):
    literal: str
    category: str
    pattern: list[dict[str, Any]] | None = None


class SectionAdditions(_Strict):
    """Schema of ``section_additions.yaml``."""

    version: int
    rename: dict[str, str] = Field(default_factory=dict)
    remove: tuple[Removal, ...] = ()
    rules: tuple[SectionRuleSpec, ...] = ()
    attributes: dict[str, tuple[Flag, ...]] = Field(default_factory=dict)


def default_rules_path() -> Path:
    """medspaCy's packaged section rules (``resources/en/section_patterns.json``)."""
    import medspacy

    return Path(medspacy.__file__).resolve().parents[1] / "resources" / "en" / "section_patterns.json"


@lru_cache(maxsize=2)
def load_section_additions(path: Path = SECTION_ADDITIONS_PATH) -> SectionAdditions:
    return load_knowledge_file(path, SectionAdditions)


def section_rule_dicts(additions: SectionAdditions) -> list[dict[str, Any]]:
    """medspaCy's default section rules, renamed and pruned, plus ours, as SectionRule dicts."""
    with default_rules_path().open(encoding="utf-8") as fh:
        defaults: list[dict[str, Any]] = json.load(fh)["section_rules"]
    default_categories = {r["category"] for r in defaults}
    unknown = set(additions.rename) - default_categories
    if unknown:
        raise ValueError(f"section_additions.yaml renames unknown medspaCy categories: {sorted(unknown)}")
    removed = {r.literal for r in additions.remove}
    missing = removed - {r["literal"] for r in defaults}
    if missing:
        raise ValueError(f"section_additions.yaml removes literals medspaCy does not have: {sorted(missing)}")
    rules = []
    for r in defaults:
        if r["literal"] in removed:
            continue
        rule = dict(r)
        rule["category"] = additions.rename.get(r["category"], r["category"])
        rules.append(rule)
    for spec in additions.rules:
        rules.append(spec.model_dump(exclude_none=True))
    categories = {r["category"] for r in rules}
    unmapped = set(additions.attributes) - categories
    if unmapped:
        raise ValueError(f"section_additions.yaml gives attributes to unknown categories: {sorted(unmapped)}")
    return rules


class SectionFlags:
    """Category -> ConText flags, from the ``attributes`` map of section_additions.yaml."""

    def __init__(self, additions: SectionAdditions):
        self._map = {cat: frozenset(flags) for cat, flags in additions.attributes.items()}

    def __call__(self, category: str | None) -> frozenset[str]:
        if category is None:
            return frozenset()
        return self._map.get(category, frozenset())


def _line_start_before(text: str, pos: int) -> bool:
    """Only whitespace or a bullet between the previous line break (or the text's start) and ``pos``."""
    i = pos - 1
    while i >= 0 and text[i] in " \t-*•#>":
        i -= 1
    return i < 0 or text[i] in "\n\r"


def _gap_before(text: str, pos: int) -> bool:
    """Three or more spaces before ``pos``: a line break flattened into spaces."""
    return pos >= 3 and text[pos - 3 : pos].isspace() and "\n" not in text[pos - 3 : pos]


def _glued_before(text: str, pos: int) -> bool:
    """MTSamples writes line breaks as commas: "...flaring up.,MEDICATIONS: ," or "hernia. ,PROCEDURE:"."""
    i = pos - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i >= 0 and text[i] in ",.;:"


def filter_header_matches(doc: Any, matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Keep header matches that stand where a header stands; take a following colon into the header.

    ``doc`` is a spaCy Doc; matches are (match_id, start, end) token tuples as medspaCy's matcher gives.
    """
    from cdi.nlp.sentences import doc_text

    text = doc_text(doc)
    n = len(doc)
    kept = []
    for match_id, start, end in matches:
        span = doc[start:end]
        if not span.text.strip():
            continue
        start_char = span.start_char
        has_colon = span.text.rstrip().endswith(":")
        new_end = end
        if not has_colon and new_end < n and doc[new_end].text == ":":
            has_colon = True
            new_end += 1
        if has_colon and new_end < n and doc[new_end].text == ",":
            new_end += 1  # MTSamples: "HEADER:,"
        at_line_start = _line_start_before(text, start_char)
        if at_line_start:
            end_char = doc[new_end - 1].idx + len(doc[new_end - 1].text)
            line_end = text.find("\n", end_char)
            rest = text[end_char : line_end if line_end >= 0 else len(text)]
            if not (has_colon or not rest.strip()):
                continue
        elif not has_colon or not (
            (span.text.isupper() and _glued_before(text, start_char)) or _gap_before(text, start_char)
        ):
            continue
        kept.append((match_id, start, new_end))
    return kept


def section_at(doc: Any, token_index: int) -> str | None:
    """The category of the section a token stands in (None before the first header)."""
    sections = doc._.sections
    k = bisect_right([sec.title_start for sec in sections], token_index) - 1
    if k < 0 or token_index >= sections[k].body_end:
        return None
    category: str | None = sections[k].category
    return category


def register_sectionizer() -> str:
    """Register the ``cdi_sectionizer`` factory (medspaCy's Sectionizer with our header filter)."""
    from medspacy.section_detection import Sectionizer
    from spacy.language import Language

    name = "cdi_sectionizer"
    if Language.has_factory(name):
        return name

    class CdiSectionizer(Sectionizer):
        """medspaCy's Sectionizer whose start-line filter is :func:`filter_header_matches`."""

        def filter_start_lines(
            self, doc: Any, matches: list[tuple[int, int, int]]
        ) -> list[tuple[int, int, int]]:
            return filter_header_matches(doc, matches)

        def __call__(self, doc: Any) -> Any:
            """medspaCy's sectioning without writing ``token._.section`` on every token, which was most of
            its time (a Python attribute write per token): the sections stay on ``doc._.sections`` and
            :func:`section_at` finds a token's by position. Our rules have no parents and no scope
            limits, so a section runs from its header to the next one, as in medspaCy."""
            from medspacy.section_detection import Section

            matcher = self._Sectionizer__matcher  # medspaCy keeps it name-mangled
            matches = self.filter_start_lines(doc, matcher(doc))
            first = matches[0][1] if matches else len(doc)
            sections = [Section(None, 0, 0, 0, first)] if first or not matches else []
            for i, (match_id, start, end) in enumerate(matches):
                doc[start].sent_start = True  # the header is its own sentence
                if end < len(doc):
                    doc[end].sent_start = True
                rule = matcher.rule_map[self.nlp.vocab.strings[match_id]]
                body_end = matches[i + 1][1] if i + 1 < len(matches) else len(doc)
                sections.append(Section(rule.category, start, end, end, body_end, None, rule))
            doc._.sections = sections
            return doc

    Language.factory(
        name,
        default_config={
            "rules": None,
            "max_section_length": None,
            "phrase_matcher_attr": "LOWER",
            "require_start_line": True,
            "require_end_line": False,
            "newline_pattern": r"[\n\r]+[\s]*$",
            "input_span_type": "ents",
            "span_group_name": "medspacy_spans",
            "span_attrs": None,
            "apply_sentence_boundary": True,
        },
    )(CdiSectionizer)
    return name
