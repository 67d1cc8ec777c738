"""Clinical shorthand: terms matched as written, and the ConText cues for note abbreviations."""

from __future__ import annotations

import pytest

from cdi.models import HitKind


def _topics(nlp, text: str) -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:  # type: ignore[no-untyped-def]
    return [(h.topic, h.text, h.implies) for h in nlp.analyze_text(text) if h.kind is HitKind.TOPIC]


@pytest.mark.parametrize(
    ("text", "topic", "implies"),
    [
        ("1. T2DM, on metformin.", "diabetes", (("type", "type_2"),)),
        ("T1DM on a pump.", "diabetes", (("type", "type_1"),)),
        ("2. AoCHF, diurese.", "heart_failure", (("acuity", "acute_on_chronic"),)),
        ("Acute resp failure, on BiPAP.", "acute_respiratory_failure", (("acuity", "acute"),)),
        ("Hypo-Na, fluid restrict.", "hyponatremia", ()),
    ],
)
def test_shorthand_terms_match_as_written(nlp, text: str, topic: str, implies) -> None:  # type: ignore[no-untyped-def]
    assert [(t, i) for t, _, i in _topics(nlp, text)] == [(topic, implies)]


def _flags(nlp, text: str) -> tuple[bool, bool, bool, bool]:  # type: ignore[no-untyped-def]
    (h,) = [h for h in nlp.analyze_text(text) if h.kind is HitKind.TOPIC]
    return h.negated, h.uncertain, h.historical, h.family


def test_history_and_family_shorthand(nlp) -> None:  # type: ignore[no-untyped-def]
    assert _flags(nlp, "Hx sepsis 2019.")[2]
    assert _flags(nlp, "Pneumonia: resolved 2022.")[2]
    assert not _flags(nlp, "Acute kidney injury, resolved.")[2]  # present during this stay
    assert _flags(nlp, "Sister w/ CKD on HD.")[3]


def test_clause_final_results_negate(nlp) -> None:  # type: ignore[no-untyped-def]
    assert _flags(nlp, "Sepsis - excluded.")[0]
    assert _flags(nlp, "Sepsis: not supported by the work-up.")[0]
    assert _flags(nlp, "Sepsis was considered on admission and ruled out.")[0]
    assert not _flags(nlp, "Pneumonia was suspected and treated.")[0]
