"""Targets from the catalogue: one match per phrase, one hit per meaning, implies, not_terms, values."""

from __future__ import annotations

import pytest

from cdi.catalog import Catalog, Topic
from cdi.models import HitKind
from cdi.nlp import NotePipeline


def _topic(topic_id: str, **extra: object) -> Topic:
    data: dict[str, object] = {
        "id": topic_id,
        "label": topic_id.replace("_", " "),
        "icd10cm": {"category": "X00", "unspecified": "X00.9"},
        "terms": [],
    }
    data.update(extra)
    return Topic.model_validate(data)


ACUITY = {
    "id": "acuity",
    "question": "the acuity",
    "values": [
        {"id": "acute", "label": "Acute", "phrases": ["acute", "exacerbation"]},
        {"id": "chronic", "label": "Chronic", "phrases": ["chronic"]},
        {"id": "acute_on_chronic", "label": "Acute on chronic", "phrases": ["acute on chronic"]},
    ],
}


@pytest.fixture(scope="module")
def small() -> NotePipeline:
    """A pipeline over a hand-made catalogue, independent of the shipped topic files."""
    hf = _topic(
        "heart_failure",
        terms=[
            "heart failure",
            "CHF",
            {"phrase": "HFpEF", "implies": {"type": "diastolic", "acuity": "chronic"}},
            {"phrase": "diastolic heart failure", "implies": {"type": "diastolic"}},
        ],
        not_terms=["heart failure clinic"],
        axes=[
            ACUITY,
            {
                "id": "type",
                "question": "the type",
                "values": [
                    {"id": "diastolic", "label": "Diastolic", "phrases": ["diastolic", "HFpEF"]},
                    {"id": "systolic", "label": "Systolic", "phrases": ["systolic"]},
                ],
            },
        ],
        indicators=[
            {"id": "iv_diuretic", "name": "IV diuretic", "source": "text", "phrases": ["IV lasix"]},
            {
                "id": "bnp_text",
                "name": "BNP in notes",
                "source": "text",
                "value_pattern": r"(?i)\bBNP\s*(?:of|was|is|=|:)?\s*([\d,]+)",
                "above": 400,
            },
        ],
    )
    kidney = _topic(
        "acute_kidney_injury",
        terms=["AKI", "acute kidney injury", {"phrase": "ARF", "case_sensitive": True}],
        not_terms=["risk of AKI"],
        axes=[ACUITY],
    )
    copd = _topic(
        "copd",
        terms=["COPD"],
        axes=[
            {
                "id": "acuity",
                "question": "the acuity",
                "values": [
                    {"id": "acute", "label": "Acute", "phrases": ["acute", "exacerbation"]},
                    {"id": "stable", "label": "Stable", "phrases": ["no exacerbation"]},
                ],
            }
        ],
        indicators=[{"id": "smoking", "name": "Smoking", "source": "text", "phrases": ["former smoker"]}],
    )
    return NotePipeline.build(Catalog([hf, kidney, copd]))


def kinds(hits) -> list[tuple[str, str, str, str | None]]:  # type: ignore[no-untyped-def]
    return [(h.kind.value, h.topic, h.text, h.value or h.indicator) for h in hits]


def test_one_span_one_hit_per_meaning(small: NotePipeline) -> None:
    hits = small.analyze_text("Acute renal issues.")
    assert kinds(hits) == [
        ("axis", "acute_kidney_injury", "Acute", "acute"),
        ("axis", "copd", "Acute", "acute"),
        ("axis", "heart_failure", "Acute", "acute"),
    ]
    assert {(h.start, h.end) for h in hits} == {(0, 5)}


def test_longest_phrase_wins(small: NotePipeline) -> None:
    hits = small.analyze_text("Acute on chronic diastolic heart failure.")
    assert [(h.kind.value, h.text) for h in hits if h.topic == "heart_failure"] == [
        ("axis", "Acute on chronic"),
        ("topic", "diastolic heart failure"),
    ]
    term = next(h for h in hits if h.kind is HitKind.TOPIC)
    assert term.implies == (("type", "diastolic"),)


def test_implies_is_a_sorted_tuple_of_pairs_and_the_term_is_also_an_axis_value(small: NotePipeline) -> None:
    hits = small.analyze_text("HFpEF")
    topic = next(h for h in hits if h.kind is HitKind.TOPIC)
    assert topic.implies == (("acuity", "chronic"), ("type", "diastolic"))
    assert [(h.kind.value, h.axis, h.value) for h in hits] == [
        ("topic", None, None),
        ("axis", "type", "diastolic"),
    ]


def test_not_terms_block_the_term_inside_and_yield_nothing(small: NotePipeline) -> None:
    assert small.analyze_text("Follow up in heart failure clinic.") == ()
    assert [h.text for h in small.analyze_text("Heart failure, seen in heart failure clinic.")] == [
        "Heart failure"
    ]


def test_case_sensitive_term(small: NotePipeline) -> None:
    assert [h.text for h in small.analyze_text("ARF on admission.")] == ["ARF"]
    assert small.analyze_text("Send arf labs.") == ()


def test_text_indicator_with_context(small: NotePipeline) -> None:
    hit = next(h for h in small.analyze_text("Given IV Lasix 40 mg.") if h.kind is HitKind.INDICATOR)
    assert (hit.topic, hit.indicator, hit.text, hit.negated) == (
        "heart_failure",
        "iv_diuretic",
        "IV Lasix",
        False,
    )
    hit = next(h for h in small.analyze_text("No IV lasix given.") if h.kind is HitKind.INDICATOR)
    assert hit.negated


def test_value_pattern_hits_carry_the_number_sentence_and_section(small: NotePipeline) -> None:
    text = "HPI: dyspnea.\nLabs: BNP of 1,450 today. BNP 120 last year.\nFamily history: BNP 900 in mother."
    hits = [h for h in small.analyze_text(text) if h.indicator == "bnp_text"]
    assert [(h.text, h.value) for h in hits] == [("BNP of 1,450", "1450"), ("BNP 900", "900")]
    first, family = hits
    assert text[first.start : first.end] == "BNP of 1,450"
    assert text[first.sentence_start : first.sentence_end] == "BNP of 1,450 today."
    assert (first.section, first.family, first.negated) == ("labs_and_studies", False, False)
    assert (family.section, family.family) == ("family_history", True)


def test_offsets_point_at_the_text(small: NotePipeline) -> None:
    text = "Assessment:\n1. Acute on chronic CHF\n2. AKI, possible.\n3. COPD exacerbation"
    for h in small.analyze_text(text):
        assert text[h.start : h.end] == h.text
        sentence = text[h.sentence_start : h.sentence_end]
        assert h.text in sentence and sentence == sentence.strip()
        assert h.section == "assessment_and_plan"
    copd = next(h for h in small.analyze_text(text) if h.text == "COPD")
    assert text[copd.sentence_start : copd.sentence_end] == "3. COPD exacerbation"


def test_wrapped_phrase_is_one_mention(small: NotePipeline) -> None:
    text = "Known diastolic heart\nfailure, stable."
    hit = next(h for h in small.analyze_text(text) if h.kind is HitKind.TOPIC)
    assert (hit.text, hit.implies) == ("diastolic heart\nfailure", (("type", "diastolic"),))


def test_hits_of_the_shipped_catalogue(nlp) -> None:  # type: ignore[no-untyped-def]
    # every topic file in cdi/knowledge/topics loads into the pipeline; heart failure is the worked example
    hits = nlp.analyze_text("Acute on chronic systolic CHF exacerbation, on IV lasix.")
    topics = {(h.kind.value, h.topic) for h in hits}
    assert ("topic", "heart_failure") in topics
    assert ("indicator", "heart_failure") in topics
    assert len(nlp.catalog) >= 1


def test_a_trigger_inside_a_target_phrase_stays_in_it(small: NotePipeline) -> None:
    # "no exacerbation" is a phrase of the catalogue: its "no" must not negate the COPD after it
    hits = small.analyze_text("No exacerbation of COPD.")
    assert [(h.text, h.negated) for h in hits] == [("No exacerbation", False), ("COPD", False)]
    copd = [h for h in small.analyze_text("Former smoker with COPD.") if h.kind is HitKind.TOPIC]
    assert [(h.text, h.historical) for h in copd] == [("COPD", False)]


def test_a_not_term_still_lends_its_words_to_context(small: NotePipeline) -> None:
    hits = small.analyze_text("Risk of AKI and heart failure.")
    assert [(h.text, h.hypothetical) for h in hits] == [("heart failure", True)]
