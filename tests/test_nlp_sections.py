"""Sections: medspaCy's rules plus ours, headers only where headers stand, and our section -> flag map."""

from __future__ import annotations

import pytest

from cdi.models import HitKind
from cdi.nlp.sections import SectionAdditions, load_section_additions, section_rule_dicts


def topic_hit(nlp, text: str, target: str = "CHF"):  # type: ignore[no-untyped-def]
    return next(h for h in nlp.analyze_text(text) if h.kind is HitKind.TOPIC and h.text == target)


@pytest.mark.parametrize(
    ("text", "section", "flag"),
    [
        ("FAMILY HISTORY:\nCHF in several relatives.", "family_history", "family"),
        ("Family history: CHF.", "family_history", "family"),
        ("PAST MEDICAL HISTORY: CHF, COPD.", "past_medical_history", "historical"),
        ("PMH: CHF", "past_medical_history", "historical"),
        ("Past surgical history: CABG for CHF.", "past_surgical_history", "historical"),
        ("PSH: CABG, CHF", "past_surgical_history", "historical"),  # medspaCy files PSH under social history
        ("Discharge instructions: Weigh daily for CHF.", "patient_instructions", "hypothetical"),
        ("Patient instructions:\nLow salt diet for CHF.", "patient_instructions", "hypothetical"),
        ("Return precautions: worsening CHF.", "patient_instructions", "hypothetical"),
    ],
)
def test_section_gives_its_flag(nlp, text: str, section: str, flag: str) -> None:  # type: ignore[no-untyped-def]
    hit = topic_hit(nlp, text)
    assert hit.section == section
    assert getattr(hit, flag) is True


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("Assessment/plan: CHF exacerbation.", "assessment_and_plan"),
        ("A/P: CHF exacerbation.", "assessment_and_plan"),
        ("Impression: CHF.", "assessment_and_plan"),
        ("ASSESSMENT:\nCHF", "assessment_and_plan"),  # medspaCy's observation_and_plan, renamed
        ("Final diagnoses:\n1. CHF", "discharge_diagnoses"),
        ("Discharge diagnoses: CHF", "discharge_diagnoses"),
        ("Hospital course: CHF treated with diuretics.", "hospital_course"),
        ("ROS: no CHF symptoms", "review_of_systems"),
        ("Data: BNP high, CHF.", "labs_and_studies"),
        ("HPI: 70 yo with CHF.", "history_of_present_illness"),
        ("Social history: no tobacco. Brother had CHF.", "social_history"),
        (
            "PREOPERATIVE DIAGNOSIS:,  CHF.,POSTOPERATIVE DIAGNOSIS:,  Heart failure.",
            "preoperative_diagnoses",
        ),
    ],
)
def test_section_category(nlp, text: str, section: str) -> None:  # type: ignore[no-untyped-def]
    assert topic_hit(nlp, text).section == section


def test_assessment_sections_add_no_flag(nlp) -> None:  # type: ignore[no-untyped-def]
    hit = topic_hit(nlp, "Assessment and plan:\n1. CHF exacerbation")
    assert (hit.section, hit.is_about_patient_now, hit.assertion.value) == (
        "assessment_and_plan",
        True,
        "affirmed",
    )


def test_mtsamples_glued_header_starts_a_section(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "PREOPERATIVE DIAGNOSIS:,  CHF.,POSTOPERATIVE DIAGNOSIS:,  Heart failure.,PLAN:,  Diurese."
    hit = topic_hit(nlp, text, "Heart failure")
    assert hit.section == "postoperative_diagnoses"


@pytest.mark.parametrize(
    "text",
    [
        "Cardiology was asked to consult on his CHF.",  # medspaCy's bare "Consult" header
        "Overall impression is CHF.",
        "The family history is unknown; CHF on exam.",
    ],
)
def test_words_in_prose_are_not_headers(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    hit = topic_hit(nlp, text)
    assert hit.section is None
    assert not (hit.family or hit.historical or hit.hypothetical)


def test_a_new_header_ends_the_previous_section(nlp) -> None:  # type: ignore[no-untyped-def]
    hits = [h for h in nlp.analyze_text("Family history: CHF.\nAssessment: CHF.") if h.kind is HitKind.TOPIC]
    assert [(h.section, h.family) for h in hits] == [("family_history", True), ("assessment_and_plan", False)]


def test_every_flagged_category_exists_and_defaults_are_checked() -> None:
    rules = section_rule_dicts(load_section_additions())
    categories = {r["category"] for r in rules}
    assert {
        "family_history",
        "past_medical_history",
        "patient_instructions",
        "assessment_and_plan",
    } <= categories
    assert "observation_and_plan" not in categories  # renamed
    with pytest.raises(ValueError, match="Nope:"):
        section_rule_dicts(
            SectionAdditions.model_validate({"version": 1, "remove": [{"literal": "Nope:", "why": "x"}]})
        )
    with pytest.raises(ValueError, match="nowhere"):
        section_rule_dicts(
            SectionAdditions.model_validate({"version": 1, "attributes": {"nowhere": ["family"]}})
        )
    with pytest.raises(ValueError):
        SectionAdditions.model_validate({"version": 1, "attributes": {"family_history": ["relative"]}})
