"""ConText: medspaCy's defaults, their known defects fixed, and the CDI additions, one sentence each.

Targets are heart-failure terms ("CHF", "heart failure") from the shipped catalogue.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cdi.models import HitKind
from cdi.nlp.context_rules import ContextAdditions, build_context_rules

FLAGS = ("negated", "uncertain", "historical", "hypothetical", "family")


def flags_of(nlp, text: str, target: str = "CHF") -> set[str]:  # type: ignore[no-untyped-def]
    hits = [h for h in nlp.analyze_text(text) if h.kind is HitKind.TOPIC and h.text == target]
    assert hits, f"no TOPIC hit {target!r} in {text!r}"
    return {f for f in FLAGS if getattr(hits[0], f)}


NEGATED = [
    # defects of medspaCy 1.3.1's defaults
    "Blood cultures are negative for CHF.",  # "is negative" (backward) beat "negative for"
    "Extremities: No clubbing, cyanosis or CHF.",  # ": no" (backward) beat "no"
    "Findings not consistent with CHF.",  # "not" + "consistent with" both fired
    # additions
    "He no longer has CHF.",
    "CHF no longer present.",
    "CHF not present.",
    "Does not meet criteria for CHF.",
    "Without evidence of CHF.",
    "Not suggestive of CHF.",
    "CHF unlikely.",
    "CHF was ruled out.",
    "CHF was excluded.",
    "CHF has been excluded.",
    "No chest pain or CHF.",
    "Edema: no. CHF: no.",
    "Denies CHF.",
    "No further episodes of CHF.",
    "Echo negative\n   for CHF.",  # a line break inside the trigger
    "CHF was not detected.",
    "Never been diagnosed with CHF.",
    "Screen: CHF negative, COPD positive.",
]


@pytest.mark.parametrize("text", NEGATED)
def test_negated(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert flags_of(nlp, text) == {"negated"}


UNCERTAIN = [
    "Probable CHF.",
    "Suspected CHF.",
    "CHF is suspected.",
    "Questionable CHF.",
    "Concern for CHF.",
    "Pneumonia versus CHF.",
    "CHF vs pneumonia.",
    "CHF vs. COPD.",
    "Consistent with CHF.",
    "Compatible with CHF.",
    "Presumed CHF.",
    "CHF cannot be excluded.",
    "Cannot exclude CHF.",
    "Cannot rule out CHF.",  # "can not" used to negate it
    "Differential includes CHF.",
    "Differential diagnosis: CHF.",
    "Rule out CHF.",
    "r/o CHF",
    "Likely CHF.",
    "Possible CHF.",
    "?CHF",
    "? CHF exacerbation",
    # a work-up names a suspected condition: uncertain, never negated
    "Echo to evaluate for CHF.",
    "Assess for CHF.",
    "Work-up for CHF.",
    "Pneumonia; CHF is also in the differential.",
]


@pytest.mark.parametrize("text", UNCERTAIN)
def test_uncertain(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert flags_of(nlp, text) == {"uncertain"}


@pytest.mark.parametrize(
    "text",
    [
        "CHF, resolved.",  # a resolved condition existed during the stay
        "CHF resolved with diuresis.",
        "No edema; CHF.",
        "No edema, but CHF noted.",
        "No edema, however CHF is present.",
        "No fever although CHF is present.",
        "Lives with his wife and has CHF.",  # medspaCy's "family" fired on any relative
        "75-year-old man with CHF.",
        "History of present illness: CHF exacerbation.",
        "Denies chest pain. CHF exacerbation.",
        "No evidence of bleeding, the patient remained in CHF.",
    ],
)
def test_affirmed(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert flags_of(nlp, text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Mother's CHF.",
        "Brother's CHF.",
        "Sister's CHF",
        "Grandfather with CHF.",
        "Family history of CHF.",
        "CHF in his father.",
    ],
)
def test_family(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert flags_of(nlp, text) == {"family"}


def test_family_possessive_heart_failure(nlp) -> None:  # type: ignore[no-untyped-def]
    assert flags_of(nlp, "Father's heart failure.", "heart failure") == {"family"}


@pytest.mark.parametrize(
    "text",
    [
        "History of CHF.",
        "Diagnosed with CHF in 2019.",
        "Prior CHF.",
        "Remote CHF.",
        "Hx of CHF.",
        "CHF 5 years ago.",
        "She last had CHF in her thirties.",
    ],
)
def test_historical(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert flags_of(nlp, text) == {"historical"}


def test_history_ends_at_a_word_of_the_present(nlp) -> None:  # type: ignore[no-untyped-def]
    hits = [
        h
        for h in nlp.analyze_text("History of CHF, now with acute exacerbation of heart failure.")
        if h.kind is HitKind.TOPIC
    ]
    assert [(h.text, h.historical) for h in hits] == [("CHF", True), ("heart failure", False)]


def test_past_year_is_relative_to_the_note(nlp) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    from cdi.models import Note

    def historical(year: int) -> bool:
        note = Note(
            "DocumentReference/1",
            "Diagnosed with CHF in 2019.",
            datetime(year, 5, 1),
            None,
            None,
            "other",
            None,
        )
        hit = next(h for h in next(nlp.analyze([note])).hits if h.kind is HitKind.TOPIC)
        return hit.historical

    assert historical(2024) is True
    assert historical(2019) is False


@pytest.mark.parametrize(
    "text",
    [
        "Call if CHF symptoms worsen.",
        "Return if CHF symptoms recur.",
        "Should you develop CHF, call.",
        "Risk of CHF.",
        "At risk for CHF.",
        "CHF prophylaxis.",
        "Monitor for CHF.",
    ],
)
def test_hypothetical(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert flags_of(nlp, text) == {"hypothetical"}


def test_prophylaxis_does_not_negate_what_comes_before(nlp) -> None:  # type: ignore[no-untyped-def]
    # medspaCy's backward "prophylaxis" negated the whole sentence before it
    assert flags_of(nlp, "CHF, on enoxaparin for VTE prophylaxis.") == set()


def test_negation_does_not_cross_a_numbered_list(nlp) -> None:  # type: ignore[no-untyped-def]
    hits = nlp.analyze_text("Extremities: no edema 1. CHF exacerbation 2. heart failure clinic follow-up")
    chf = next(h for h in hits if h.text == "CHF")
    assert not chf.negated


def test_semicolon_ends_a_negation(nlp) -> None:  # type: ignore[no-untyped-def]
    assert flags_of(nlp, "No fever; CHF exacerbation.") == set()


def test_removing_an_unknown_default_is_an_error() -> None:
    additions = ContextAdditions.model_validate(
        {"version": 1, "remove": [{"literal": "no such trigger", "why": "typo"}]}
    )
    with pytest.raises(ValueError, match="no such trigger"):
        build_context_rules(additions)


def test_adding_a_default_again_without_removing_it_is_an_error() -> None:
    additions = ContextAdditions.model_validate(
        {"version": 1, "rules": [{"literal": "no", "category": "NEGATED_EXISTENCE", "direction": "FORWARD"}]}
    )
    with pytest.raises(ValueError, match="'no'"):
        build_context_rules(additions)


def test_schema_refuses_unknown_keys_and_missing_categories() -> None:
    with pytest.raises(ValueError):
        ContextAdditions.model_validate(
            {
                "version": 1,
                "rules": [{"literal": "x", "category": "FAMILY", "direction": "FORWARD", "scope": 3}],
            }
        )
    with pytest.raises(ValueError):
        ContextAdditions.model_validate({"version": 1, "rules": [{"literal": "x", "direction": "FORWARD"}]})


def test_shipped_additions_load() -> None:
    from cdi.nlp.context_rules import CONTEXT_ADDITIONS_PATH, load_context_additions

    additions = load_context_additions(Path(CONTEXT_ADDITIONS_PATH))
    literals = {r.literal for r in additions.remove}
    assert {": no", "prophylaxis", "resolved", "evaluate for"} <= literals
    assert len(build_context_rules(additions)) > 150
