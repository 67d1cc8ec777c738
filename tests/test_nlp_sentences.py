"""Sentence splitting on clinical text: the cases that decide how far a negation reaches."""

from __future__ import annotations

import pytest

from cdi.nlp.sentences import sentence_starts


def sentences(text: str) -> list[str]:
    cuts = [0, *sentence_starts(text), len(text)]
    return [text[a:b].strip() for a, b in zip(cuts, cuts[1:], strict=False) if text[a:b].strip()]


def test_numbered_assessment_list_on_lines() -> None:
    text = "ASSESSMENT AND PLAN\n1. Acute on chronic systolic CHF. Diurese.\n2. AKI, likely prerenal.\n3. UTI"
    assert sentences(text) == [
        "ASSESSMENT AND PLAN",
        "1. Acute on chronic systolic CHF.",
        "Diurese.",
        "2. AKI, likely prerenal.",
        "3. UTI",
    ]


def test_numbered_items_sharing_a_line_are_split() -> None:
    # one "no" in the exam must not reach every diagnosis of the list
    text = "Extremities: no edema 1. CHF exacerbation 2. AKI 3. UTI"
    assert sentences(text) == ["Extremities: no edema", "1. CHF exacerbation", "2. AKI", "3. UTI"]


def test_hash_numbered_items() -> None:
    assert sentences("Denies chest pain; #1 CHF #2 AKI") == ["Denies chest pain;", "#1 CHF", "#2 AKI"]


def test_wrapped_prose_is_not_split_mid_sentence() -> None:
    text = (
        "The patient is a 75 year old man with a history of\n"
        "congestive heart failure who presents with shortness\n"
        "of breath and was found to have pneumonia on chest\n"
        "X-ray. He was started on antibiotics."
    )
    out = sentences(text)
    assert len(out) == 2
    assert out[0].endswith("X-ray.") and "history of\ncongestive heart failure" in out[0]


def test_header_and_exam_lines() -> None:
    text = "Dx: CHF\nDx: COPD\nExtremities: No clubbing, cyanosis or edema.\nNeuro: alert"
    assert sentences(text) == [
        "Dx: CHF",
        "Dx: COPD",
        "Extremities: No clubbing, cyanosis or edema.",
        "Neuro: alert",
    ]


def test_vitals_run_on_short_lines() -> None:
    assert sentences("Vitals:\nBP 100/60\nHR 110\nRR 24\nSpO2 88% on RA") == [
        "Vitals:",
        "BP 100/60",
        "HR 110",
        "RR 24",
        "SpO2 88% on RA",
    ]


def test_short_caps_header_line() -> None:
    assert sentences("HEENT\nNormocephalic") == ["HEENT", "Normocephalic"]


def test_mtsamples_glued_headers() -> None:
    text = (
        "PREOPERATIVE DIAGNOSIS:,  Acute appendicitis.,POSTOPERATIVE DIAGNOSIS:,  Perforated appendicitis."
        ",PLAN:,1.  She will try Zyrtec.  Another option.,2.  Return if worse."
    )
    assert sentences(text) == [
        "PREOPERATIVE DIAGNOSIS:,",
        "Acute appendicitis.,",
        "POSTOPERATIVE DIAGNOSIS:,",
        "Perforated appendicitis.,",
        "PLAN:,",
        "1.  She will try Zyrtec.",
        "Another option.,",
        "2.  Return if worse.",
    ]


def test_mtsamples_comma_glued_to_a_header() -> None:
    text = "does not think it is flaring up.,MEDICATIONS: , Her only medication.,Vitals:  Weight 130."
    assert sentences(text) == [
        "does not think it is flaring up.,",
        "MEDICATIONS: ,",
        "Her only medication.,",
        "Vitals:  Weight 130.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Seen by Dr. Smith today.",
        "Meds, e.g., aspirin and statin.",
        "Pneumonia vs. atelectasis on imaging.",
        "Lasix 40 mg given, creatinine 1.5 today.",
        "? pneumonia on the film.",
    ],
)
def test_no_split_after_abbreviations_decimals_or_a_leading_question_mark(text: str) -> None:
    assert sentences(text) == [text]


def test_sentence_punctuation_and_blank_lines() -> None:
    assert sentences("No fever. CHF is stable! Any edema? None.\n\nPlan") == [
        "No fever.",
        "CHF is stable!",
        "Any edema?",
        "None.",
        "Plan",
    ]


def test_wide_gap_before_a_header() -> None:
    # line breaks flattened to runs of spaces, as in the NegEx kit
    assert sentences("Date: 3:45 PM   HISTORY: right-sided weakness") == [
        "Date: 3:45 PM",
        "HISTORY: right-sided weakness",
    ]


def test_boundaries_land_on_tokens(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Patient in no acute distress.\n\n1. CHF  2. AKI\nPLAN:,1.  Diurese."
    doc = nlp.nlp(text)
    assert [s.text.strip() for s in doc.sents] == [
        "Patient in no acute distress.",
        "1. CHF",
        "2. AKI",
        "PLAN:,",
        "1.  Diurese.",
    ]


def test_section_headers_are_their_own_sentence(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp.nlp("FAMILY HISTORY: Mother with CHF.\nAssessment: CHF exacerbation.")
    assert [s.text.strip() for s in doc.sents] == [
        "FAMILY HISTORY:",
        "Mother with CHF.",
        "Assessment:",
        "CHF exacerbation.",
    ]
