"""ConText rules: medspaCy 1.3.1's defaults, minus the removals and plus the CDI rules kept as data.

``cdi/knowledge/context_additions.yaml`` holds the additions and removals; this module validates it
(pydantic, unknown keys refused), checks it against medspaCy's defaults (removing a literal medspaCy does
not have, or adding one it already has without removing it first, is an error) and turns it into
``ConTextRule`` objects. Two small extensions are interpreted here because ConTextRule has no field for
them:

* ``stop_at``: tokens a modifier may not reach past (becomes the rule's ``on_modifies`` callback), so
  "pneumonia vs atelectasis" stays within the comparison and "VTE prophylaxis" does not reach back over
  a comma to "morbid obesity";
* ``past_year``: the match holds a year that dates a mention only when it is before the note's year
  (checked in :func:`context_flags`, which knows the note).

:func:`context_flags` turns a target's modifiers into our flag names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, StringConstraints, model_validator

from cdi.catalog import KNOWLEDGE_DIR, load_knowledge_file

CONTEXT_ADDITIONS_PATH = KNOWLEDGE_DIR / "context_additions.yaml"

# A rule's category: one of CATEGORY_FLAGS' keys, or (for PSEUDO / TERMINATE rules, or a rule that only
# ends others through ``terminating_types``) any other upper-case name.
Category = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z_]*$")]
Direction = Literal["FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"]

# medspaCy's modifier categories (and ours) -> flag names. A Hit carries the first five; "resolved" (the
# condition existed and is gone: "AKI, now resolved") is only reported by ``assertion_flags``: for coding
# a resolved condition was present during the stay, so a Hit keeps it affirmed, while an assertion kit
# that asks "present at the time of the report?" reads it as absent.
CATEGORY_FLAGS: dict[str, str] = {
    "NEGATED_EXISTENCE": "negated",
    "POSSIBLE_EXISTENCE": "uncertain",
    "HISTORICAL": "historical",
    "HYPOTHETICAL": "hypothetical",
    "FAMILY": "family",
    "RESOLVED_EXISTENCE": "resolved",
    # a differential ("atelectasis or pneumonia"): uncertain, unless the target is negated or hypothetical
    # anyway (see ``yields_to``): "no clubbing, cyanosis or CHF" is a negated list, not a differential
    "DIFFERENTIAL": "uncertain",
}

_YEAR = re.compile(r"^(?:19|20)\d\d$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Removal(_Strict):
    literal: str
    why: str


class ContextRuleSpec(_Strict):
    """One ConText rule as written in context_additions.yaml."""

    literal: str
    category: Category | None = None
    direction: Direction
    pattern: list[dict[str, Any]] | str | None = None
    max_scope: PositiveInt | None = None
    max_targets: PositiveInt | None = None
    stop_at: tuple[str, ...] = ()
    past_year: bool = False
    why: str | None = None

    @model_validator(mode="after")
    def _category_needed(self) -> ContextRuleSpec:
        if self.direction in ("TERMINATE", "PSEUDO"):
            return self
        if self.category not in CATEGORY_FLAGS:
            raise ValueError(
                f"rule {self.literal!r}: a {self.direction} rule needs one of {', '.join(CATEGORY_FLAGS)}"
            )
        return self


class ContextAdditions(_Strict):
    """Schema of ``context_additions.yaml``."""

    version: int
    remove: tuple[Removal, ...] = ()
    terminating_types: dict[Category, tuple[Category, ...]] = Field(default_factory=dict)
    yields_to: dict[Category, tuple[Category, ...]] = Field(default_factory=dict)
    rules: tuple[ContextRuleSpec, ...] = ()

    @model_validator(mode="after")
    def _yielding_categories_exist(self) -> ContextAdditions:
        for category, stronger in self.yields_to.items():
            unknown = [c for c in (category, *stronger) if c not in CATEGORY_FLAGS]
            if unknown:
                raise ValueError(f"yields_to: unknown categories {unknown}")
        return self

    @model_validator(mode="after")
    def _terminators_exist(self) -> ContextAdditions:
        ours = {r.category for r in self.rules}
        for category, enders in self.terminating_types.items():
            unknown = [e for e in enders if e not in ours]
            if category not in CATEGORY_FLAGS or unknown:
                raise ValueError(f"terminating_types: unknown category {category!r} or enders {unknown}")
        return self


@lru_cache(maxsize=2)
def load_context_additions(path: Path = CONTEXT_ADDITIONS_PATH) -> ContextAdditions:
    return load_knowledge_file(path, ContextAdditions)


def default_rules_path() -> Path:
    """medspaCy's packaged ConText rules (``resources/en/context_rules.json``)."""
    import medspacy

    return Path(medspacy.__file__).resolve().parents[1] / "resources" / "en" / "context_rules.json"


def _stop_at(tokens: frozenset[str]) -> Callable[[Any, Any, Any], bool]:
    """An ``on_modifies`` callback: the modifier does not reach a target past one of ``tokens``.

    medspaCy's own ``span_between`` includes the modifier for targets before it, so the gap is computed
    here from the two spans.
    """

    def on_modifies(target: Any, modifier: Any, _between: Any) -> bool:
        doc = target.doc
        gap = (
            doc[target.end : modifier.start]
            if target.end <= modifier.start
            else doc[modifier.end : target.start]
        )
        return not any(t.lower_ in tokens for t in gap)

    return on_modifies


def build_context_rules(additions: ContextAdditions) -> list[Any]:
    """medspaCy's default ConTextRules without the removed ones, plus ours (``ConTextRule`` objects)."""
    from medspacy.context import ConTextRule

    defaults = ConTextRule.from_json(str(default_rules_path()))
    removed = {r.literal for r in additions.remove}
    missing = removed - {r.literal for r in defaults}
    if missing:
        raise ValueError(f"context_additions.yaml removes literals medspaCy does not have: {sorted(missing)}")
    kept = [r for r in defaults if r.literal not in removed]
    seen = {r.literal.lower() for r in kept}
    rules = list(kept)
    for spec in additions.rules:
        key = spec.literal.lower()
        if key in seen:
            raise ValueError(
                f"context_additions.yaml adds {spec.literal!r} twice, or a medspaCy default of that literal "
                "without removing it first"
            )
        seen.add(key)
        rules.append(
            ConTextRule(
                literal=spec.literal,
                category=spec.category or spec.direction,
                pattern=spec.pattern,
                direction=spec.direction,
                on_modifies=_stop_at(frozenset(t.lower() for t in spec.stop_at)) if spec.stop_at else None,
                max_scope=spec.max_scope,
                max_targets=spec.max_targets,
                metadata={"past_year": True} if spec.past_year else None,
            )
        )
    return rules


def _modifier_year(doc: Any, modifier: Any) -> int | None:
    start, end = modifier.modifier_span
    for token in doc[start:end]:
        if _YEAR.match(token.text):
            return int(token.text)
    return None


def context_flags(
    span: Any, note_year: int | None = None, yields_to: Mapping[str, Iterable[str]] | None = None
) -> set[str]:
    """Flag names ("negated", "uncertain", ...) from the ConText modifiers of a target span.

    A ``past_year`` modifier ("in 2019") counts only when its year is before ``note_year``; without a
    note date any year counts as past. A modifier whose category ``yields_to`` others counts only when
    none of those modifies the span too.
    """
    flags: set[str] = set()
    categories = {m.category for m in span._.modifiers}
    for modifier in span._.modifiers:
        flag = CATEGORY_FLAGS.get(modifier.category)
        if flag is None:
            continue
        if yields_to and categories.intersection(yields_to.get(modifier.category, ())):
            continue
        meta = modifier.rule.metadata
        if meta and meta.get("past_year") and note_year is not None:
            year = _modifier_year(span.doc, modifier)
            if year is not None and year >= note_year:
                continue
        flags.add(flag)
    return flags
