"""The options a drafted query offers, with a code that says what each answer means.

Why codes: the answer loop (:mod:`cdi.answers`) must know what a physician's choice documents without
reading option wording, which a CDI specialist may edit. Every option carries a code:

==============================  ==========================================================================
``confirmed`` / ``ruled_out``   an uncertain diagnosis established / excluded
``present`` / ``absent``        a contradicted diagnosis is / is not present
``axis:<axis>:<value>``         a specificity value of an unspecified diagnosis (``axis:type:systolic``)
``conflict:<axis>:<value>``     one of two incompatible values found in the record (``conflict:type:type_1``)
``alternative:<n>``             the n-th alternative of the topic's ``uncertain_options`` (another diagnosis)
``undocumented:<n>``            the n-th answer of the topic's ``undocumented.options``
``other`` / ``unable``          "Other (please specify)" / "Unable to determine"
==============================  ==========================================================================

Which options: the topic's knowledge (axis values, alternatives, undocumented answers) plus "other" and
"unable to determine", always, in the knowledge file's order, none marked or moved forward. For an
unspecified diagnosis the axis values are narrowed to what is clinically reasonable: values whose
ICD-10-CM codes the stated specificity can still reach (``cdi.icd10``), minus values an indicator cited in
the query rules out (``not_offered_with`` in ``cdi/knowledge/query_options.yaml``). A value an indicator
supports is always kept, among the others, and an axis always keeps at least two values, so narrowing
never leaves a single option (leading) or only the severe end of a range.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from cdi import icd10
from cdi.catalog import KNOWLEDGE_DIR, Axis, AxisValue, Catalog, Topic, load_catalog, load_knowledge_file
from cdi.models import Finding, FindingKind, Setting

OPTION_RULES_PATH = KNOWLEDGE_DIR / "query_options.yaml"

OTHER_TEXT = "Other (please specify)"
UNABLE_TEXT = "Unable to determine"

CONFIRMED = "confirmed"
RULED_OUT = "ruled_out"
PRESENT = "present"
ABSENT = "absent"
OTHER = "other"
UNABLE = "unable"

# What an answer documents (AnswerOutcome.outcome in cdi.answers).
OUTCOME_DIAGNOSIS = "diagnosis"
OUTCOME_RULED_OUT = "ruled_out"
OUTCOME_UNABLE = "unable_to_determine"
OUTCOME_OTHER = "other"
OUTCOME_NO_CHANGE = "no_change"

MULTIPLE_CHOICE = "multiple_choice"


def axis_code(axis: str, value: str) -> str:
    return f"axis:{axis}:{value}"


def conflict_code(axis: str, value: str) -> str:
    return f"conflict:{axis}:{value}"


def alternative_code(n: int) -> str:
    return f"alternative:{n}"


def undocumented_code(n: int) -> str:
    return f"undocumented:{n}"


@dataclass(frozen=True)
class QueryOption:
    code: str
    text: str


# --- The rules file --------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AnswerReading(_Strict):
    no_change_phrases: tuple[str, ...]
    negation_words: tuple[str, ...] = ()


class OptionRules(_Strict):
    version: int
    # topic -> axis -> value -> indicator ids that rule the value out
    not_offered_with: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {}
    # topic -> axis -> value -> indicator ids that make the value a reasonable option
    offered_only_with: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {}
    answers: AnswerReading

    def check_against(self, catalog: Catalog) -> None:
        """Raise ``ValueError`` for a topic, axis, value or indicator id the catalogue does not know."""
        for section, table in (
            ("not_offered_with", self.not_offered_with),
            ("offered_only_with", self.offered_only_with),
        ):
            for topic_id, axes in table.items():
                if topic_id not in catalog.topics:
                    raise ValueError(f"{section}: unknown topic {topic_id!r}")
                topic = catalog[topic_id]
                indicator_ids = {i.id for i in topic.indicators}
                for axis_id, values in axes.items():
                    axis = topic.axis(axis_id)  # KeyError names the axis
                    for value_id, indicators in values.items():
                        axis.value(value_id)
                        unknown = sorted(set(indicators) - indicator_ids)
                        if unknown:
                            raise ValueError(f"{section} {topic_id}.{axis_id}.{value_id}: unknown {unknown}")

    def excluded(self, topic: str, axis: str, indicator_ids: set[str]) -> set[str]:
        """Values of the axis that a cited indicator rules out."""
        values = self.not_offered_with.get(topic, {}).get(axis, {})
        return {value for value, ruled_out_by in values.items() if indicator_ids & set(ruled_out_by)}

    def unindicated(self, topic: str, axis: str, indicator_ids: set[str]) -> set[str]:
        """Values of the axis offered only with an indicator, when none of theirs is cited."""
        values = self.offered_only_with.get(topic, {}).get(axis, {})
        return {value for value, needs in values.items() if not indicator_ids & set(needs)}


def load_option_rules(path: Path = OPTION_RULES_PATH, catalog: Catalog | None = None) -> OptionRules:
    rules = load_knowledge_file(path, OptionRules)
    try:
        rules.check_against(catalog or load_catalog())
    except (ValueError, KeyError) as exc:
        raise ValueError(f"{path.name}: {exc}") from exc
    return rules


@lru_cache(maxsize=2)
def option_rules(path: Path = OPTION_RULES_PATH) -> OptionRules:
    """The rules file, read once per process."""
    return load_option_rules(path)


# --- Building options ------------------------------------------------------------------------------


def _axis_prefix(axis: Axis, several: bool) -> str:
    return f"{axis.id.replace('_', ' ').capitalize()}: " if several else ""


def _reachable(
    topic: Topic, stated: Mapping[str, str], missing: Sequence[str], axis: Axis, v: AxisValue
) -> bool:
    """Whether choosing ``v`` still leads to an ICD-10-CM code, given what the record states."""
    if not v.icd10cm:
        return True
    others = [a for a in missing if a != axis.id]
    try:
        return bool(icd10.candidate_codes(topic, {**stated, axis.id: v.id}, others, limit=1))
    except KeyError:
        return True


def axis_values_offered(finding: Finding, topic: Topic, axis: Axis, rules: OptionRules) -> list[AxisValue]:
    """The values of one missing axis worth offering: reachable, not ruled out, never fewer than two."""
    values = list(axis.values)
    stated = {a: v for a, v in finding.stated if a != axis.id}
    reachable = [v for v in values if _reachable(topic, stated, finding.axes, axis, v)]
    if len(reachable) >= 2:
        values = reachable
    cited = {i.indicator_id for i in finding.indicators if i.indicator_id}
    supported = {
        rule.supports[axis.id] for rule in topic.indicators if rule.id in cited and axis.id in rule.supports
    }
    for ind in finding.indicators:
        if ind.indicator_id is None:  # "organism named in the record": the value is in the quoted words
            named = values_in_text(topic, ind.value, rules).get(axis.id)
            if named:
                supported.add(named)
    dropped = (
        rules.excluded(topic.id, axis.id, cited) | rules.unindicated(topic.id, axis.id, cited)
    ) - supported
    kept = [v for v in values if v.id not in dropped]
    return kept if len(kept) >= 2 else values


def _closing() -> list[QueryOption]:
    return [QueryOption(OTHER, OTHER_TEXT), QueryOption(UNABLE, UNABLE_TEXT)]


def build_options(
    finding: Finding, topic: Topic, setting: Setting, rules: OptionRules | None = None
) -> tuple[str, tuple[QueryOption, ...]]:
    """(format, options) for a finding: the clinically reasonable answers, none singled out.

    Multiple choice for every kind (DESIGN.md allows yes/no for conflicts, but a choice between the
    documented alternatives asks the same without suggesting either).
    """
    rules = rules or option_rules()
    label = topic.label
    opts: list[QueryOption] = []
    if finding.kind is FindingKind.UNCERTAIN:
        if setting is Setting.OUTPATIENT:
            opts = [
                QueryOption(CONFIRMED, f"{label} is established"),
                QueryOption(RULED_OUT, f"{label} is not present (ruled out)"),
            ]
        else:
            opts = [
                QueryOption(CONFIRMED, f"{label} was present and is confirmed"),
                QueryOption(RULED_OUT, f"{label} was ruled out"),
            ]
        opts += [QueryOption(alternative_code(n), t) for n, t in enumerate(topic.uncertain_options, 1)]
    elif finding.kind is FindingKind.UNSPECIFIED:
        axes = [topic.axis(a) for a in finding.axes if a in {ax.id for ax in topic.axes}]
        for axis in axes:
            prefix = _axis_prefix(axis, len(axes) > 1)
            opts += [
                QueryOption(axis_code(axis.id, v.id), f"{prefix}{v.label}")
                for v in axis_values_offered(finding, topic, axis, rules)
            ]
    elif finding.kind is FindingKind.CONFLICT:
        axis_ids = {ax.id for ax in topic.axes}
        if finding.conflicting_values and finding.axes and finding.axes[0] in axis_ids:
            axis = topic.axis(finding.axes[0])
            opts = [
                QueryOption(conflict_code(axis.id, v), f"{label}, {axis.value(v).label.lower()}")
                for v in finding.conflicting_values
            ]
        else:
            opts = [
                QueryOption(PRESENT, f"{label} is present"),
                QueryOption(ABSENT, f"{label} is not present"),
            ]
    else:
        texts = list(topic.undocumented.options) if topic.undocumented else []
        if len(texts) < 2:
            texts = [
                f"{label} (please specify)",
                "A different diagnosis explains the findings (please specify)",
            ]
        opts = [QueryOption(undocumented_code(n), t) for n, t in enumerate(texts, 1)]
    return MULTIPLE_CHOICE, (*opts, *_closing())


def infer_option_codes(finding: Finding, topic: Topic, options: Sequence[str]) -> tuple[str, ...]:
    """Codes for option texts that came without them (a stored or edited query).

    A text the drafter would write for this finding (in any setting, before narrowing) gets the drafter's
    code; "Other ..." and "Unable to determine" / "clinically undetermined" theirs; anything else
    ``option:<n>``, which the answer loop reads as "other".
    """
    known: dict[str, str] = {}
    unnarrowed = OptionRules(version=0, answers=AnswerReading(no_change_phrases=()))
    for setting in (Setting.INPATIENT, Setting.OUTPATIENT):
        for opt in build_options(finding, topic, setting, unnarrowed)[1]:
            known.setdefault(_key(opt.text), opt.code)
    codes: list[str] = []
    for n, text in enumerate(options, 1):
        key = _key(text)
        code = known.get(key)
        if code is None:
            if key.startswith("other"):
                code = OTHER
            elif "unable to determine" in key or "clinically undetermined" in key:
                code = UNABLE
            else:
                code = f"option:{n}"
        codes.append(code if code not in codes else f"option:{n}")
    return tuple(codes)


def _key(text: str) -> str:
    return " ".join(text.lower().split()).strip(" .")


# --- Reading an answer -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionMeaning:
    """What choosing an option documents: an outcome and the axis values it states."""

    outcome: str
    stated: tuple[tuple[str, str], ...] = ()


def option_meaning(
    topic: Topic, code: str, display: str, free_text: str | None = None, rules: OptionRules | None = None
) -> OptionMeaning:
    """The meaning of a chosen option (code first; the display only for undocumented answers)."""
    rules = rules or option_rules()
    if code in (CONFIRMED, PRESENT):
        return OptionMeaning(OUTCOME_DIAGNOSIS, _sorted(values_in_text(topic, free_text or "", rules)))
    if code in (RULED_OUT, ABSENT):
        return OptionMeaning(OUTCOME_RULED_OUT)
    if code == UNABLE:
        return OptionMeaning(OUTCOME_UNABLE)
    parts = code.split(":")
    if len(parts) == 3 and parts[0] in ("axis", "conflict"):
        return OptionMeaning(OUTCOME_DIAGNOSIS, ((parts[1], parts[2]),))
    if parts[0] == "undocumented":
        return _undocumented_meaning(topic, display, free_text, rules)
    return OptionMeaning(OUTCOME_OTHER)


def _undocumented_meaning(
    topic: Topic, display: str, free_text: str | None, rules: OptionRules
) -> OptionMeaning:
    text = " ".join(display.lower().split())
    if any(p.lower() in text for p in rules.answers.no_change_phrases):
        return OptionMeaning(OUTCOME_NO_CHANGE)
    head = text.split("(", 1)[0]
    if not names_topic(topic, head):
        return OptionMeaning(OUTCOME_OTHER)
    stated = values_in_text(topic, head, rules)
    stated.update(values_in_text(topic, free_text or "", rules))
    return OptionMeaning(OUTCOME_DIAGNOSIS, _sorted(stated))


def _sorted(values: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(values.items()))


def _phrase_pattern(phrase: str) -> str:
    return r"(?<!\w)" + r"[\s-]+".join(re.escape(t) for t in phrase.lower().split()) + r"(?!\w)"


def names_topic(topic: Topic, text: str) -> bool:
    """True when ``text`` starts with the topic's diagnosis: a term, possibly after axis phrases."""
    lowered = " ".join(text.lower().split())
    phrases = sorted({topic.label.lower(), *(t.phrase.lower() for t in topic.terms)}, key=len, reverse=True)
    axis_phrases = sorted(
        {p.lower() for a in topic.axes for v in a.values for p in (v.phrases + (v.label,))},
        key=len,
        reverse=True,
    )
    for phrase in phrases:
        m = re.search(_phrase_pattern(phrase), lowered)
        if m is None:
            continue
        before = lowered[: m.start()]
        for ap in axis_phrases:
            before = re.sub(_phrase_pattern(ap), " ", before)
        if not re.search(r"[a-z0-9]", before):
            return True
    return False


def values_in_text(topic: Topic, text: str, rules: OptionRules | None = None) -> dict[str, str]:
    """Axis values a short answer states, by the axis phrases; an axis named with two values is dropped."""
    rules = rules or option_rules()
    lowered = " ".join(text.lower().split())
    if not lowered:
        return {}
    negations = {w.lower() for w in rules.answers.negation_words}
    found: dict[str, set[str]] = {}
    taken: list[tuple[int, int]] = []
    candidates = [
        (p.lower(), a.id, v.id)
        for a in topic.axes
        for v in a.values
        for p in (*v.phrases, v.label)
        if p.strip()
    ]
    for phrase, axis_id, value_id in sorted(candidates, key=lambda c: len(c[0]), reverse=True):
        for m in re.finditer(_phrase_pattern(phrase), lowered):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            words = re.findall(r"[a-z]+", lowered[: m.start()])
            if words and words[-1] in negations:
                continue
            taken.append((m.start(), m.end()))
            found.setdefault(axis_id, set()).add(value_id)
    return {axis: next(iter(values)) for axis, values in found.items() if len(values) == 1}
