"""The assertion rules added while measuring accuracy on data written by others (see benchmarks/accuracy.py).

Each case is a general clinical phrasing, written here, never a sentence of an evaluation set. Targets are
given spans (``NotePipeline.assertion_flags``) or catalogue terms (``analyze_text``), as the pipeline
runs on notes.
"""

from __future__ import annotations

import pytest

from cdi.models import HitKind


def flags(nlp, text: str, target: str) -> frozenset[str]:  # type: ignore[no-untyped-def]
    start = text.index(target)
    return nlp.assertion_flags(text, [(start, start + len(target))])[0]


CASES = [
    # resolved: gone now, reported apart from a negation
    ("His nausea and vomiting resolved.", "vomiting", {"resolved"}),
    ("AKI: resolved.", "AKI", {"resolved"}),
    ("Interval resolution of the atelectasis.", "atelectasis", {"resolved"}),
    ("The infection is resolving.", "infection", set()),
    # ruled out, either side of the mention, within its clause
    ("The CT ruled out appendicitis.", "appendicitis", {"negated"}),
    ("Acute MI ruled out, urinary tract infection treated.", "urinary tract infection", set()),
    ("Pneumothorax can be ruled out.", "Pneumothorax", {"negated"}),
    ("Was ruled out for myocardial infarction.", "myocardial infarction", {"negated"}),
    ("Sepsis is being ruled out.", "Sepsis", {"uncertain"}),
    ("Sepsis should be ruled out.", "Sepsis", {"uncertain"}),
    ("Pneumonia cannot be ruled out.", "Pneumonia", {"uncertain"}),
    ("Left lower chest pain. Rule-out pneumonia.", "pneumonia", {"uncertain"}),
    # more negations from the published NegEx / genConText / pyConTextNLP lexicons
    ("Chest pain was denied.", "Chest pain", {"negated"}),
    ("Pneumothorax is not seen.", "Pneumothorax", {"negated"}),
    ("Neither fever nor chills.", "chills", {"negated"}),
    ("Exam w/o evidence of cellulitis.", "cellulitis", {"negated"}),
    ("Nothing to suggest infection.", "infection", {"negated"}),
    ("Low probability for pulmonary embolism.", "pulmonary embolism", {"negated"}),
    # pseudo-triggers: words that look like a negation and are not
    ("No significant interval change in the effusion.", "effusion", set()),
    ("CT with and without contrast shows appendicitis.", "appendicitis", set()),
    # a new clause (conjunction, subject, verb) ends a negation
    ("He is not cooperative and he is confused.", "confused", set()),
    # hedges of imaging and consult reports
    ("Opacity which may represent pneumonia.", "pneumonia", {"uncertain"}),
    ("Thickening suggesting reactive airway disease.", "reactive airway disease", {"uncertain"}),
    ("Pneumonia is favored over atelectasis.", "atelectasis", {"uncertain"}),
    ("Pneumonia is favored over atelectasis.", "Pneumonia", {"uncertain"}),
    ("Airspace disease, either atelectasis or pneumonia.", "atelectasis", {"uncertain"}),
    ("Early infiltrate is not excluded.", "infiltrate", {"uncertain"}),
    ("Pelvic pain, probably secondary to endometriosis.", "endometriosis", {"uncertain"}),
    ("Dilatation that could be secondary to reflux.", "reflux", {"uncertain"}),
    # "or" between diagnoses is a differential, unless the list is negated or conditional
    ("Left lower lobe atelectasis or pneumonia.", "atelectasis", {"uncertain"}),
    ("Left lower lobe atelectasis or pneumonia.", "pneumonia", {"uncertain"}),
    ("No clubbing, cyanosis or edema.", "edema", {"negated"}),
    ("Taken to the OR for appendicitis.", "appendicitis", set()),
    # history
    ("Previous marrow report indicating subtle involvement by a lymphoproliferative disorder.",
     "lymphoproliferative disorder", {"historical"}),
    ("She had a urinary tract infection at two years of age.", "urinary tract infection", {"historical"}),
    ("Urinary tract infection three weeks ago.", "Urinary tract infection", {"historical"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "target", "expected"), CASES)
def test_assertion(nlp, text: str, target: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert flags(nlp, text, target) == expected


def test_max_scope_counts_words_not_flattened_line_breaks(nlp) -> None:  # type: ignore[no-untyped-def]
    # "resolved" reaches 8 words back; the runs of spaces (line breaks flattened) are not words
    text = "Her hyponatremia from last   week   appears   to   have   resolved."
    assert flags(nlp, text, "hyponatremia") == {"resolved"}


def test_a_modifier_sharing_a_word_with_a_target_still_applies(nlp) -> None:  # type: ignore[no-untyped-def]
    # "history of" shares "of" with the anemia phrase "of chronic kidney disease"
    text = "History of chronic kidney disease stage 2, chronic kidney disease stage 1, hypertension."
    ckd = [
        h for h in nlp.analyze_text(text) if h.kind is HitKind.TOPIC and h.topic == "chronic_kidney_disease"
    ]
    assert ckd and all(h.historical for h in ckd)


def test_a_resolved_condition_stays_affirmed_in_hits(nlp) -> None:  # type: ignore[no-untyped-def]
    # for coding, a condition that resolved during the stay was present: never a negation
    hits = [h for h in nlp.analyze_text("Acute kidney injury, now resolved.") if h.kind is HitKind.TOPIC]
    assert hits and not hits[0].negated and not hits[0].uncertain


def test_a_diabetes_care_plan_is_not_a_diabetes_diagnosis(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Prediabetes. The patient was placed on a careplan:\n- diabetes self management plan\n"
    assert not [h for h in nlp.analyze_text(text) if h.kind is HitKind.TOPIC and h.topic == "diabetes"]


def test_patient_history_header_is_the_indication_not_past_history(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "PATIENT HISTORY:  Cough and fever, rule out pneumonia.\nIMPRESSION:  Pneumonia.\n"
    start = text.index("Cough")
    assert nlp.assertion_flags(text, [(start, start + 5)])[0] == frozenset()


def test_consent_risk_lists_are_hypothetical(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "I explained complications including DVT, bleeding requiring transfusion, pneumonia, respiratory "
        "failure requiring mechanical ventilation, etc., were all discussed."
    )
    assert "hypothetical" in flags(nlp, text, "pneumonia")
    assert "hypothetical" in flags(nlp, text, "respiratory failure")


def topics_in(nlp, text: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {h.topic for h in nlp.analyze_text(text) if h.kind is HitKind.TOPIC}


def test_habitus_words_and_wound_dressings_are_not_diagnoses(nlp) -> None:  # type: ignore[no-untyped-def]
    assert "obesity" not in topics_in(nlp, "GENERAL: Obese 54-year-old lady in no distress.\nABDOMEN: Obese.")
    assert "obesity" in topics_in(nlp, "Assessment: 1. Obesity.")
    assert "obesity" in topics_in(nlp, "She is morbidly obese.")
    assert "pressure_injury" not in topics_in(nlp, "Negative pressure wound dressing applied.")


def test_risk_factors_and_stated_complications_are_the_patients(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Cardiac risk factors include hypertension and hyperlipidemia."
    assert flags(nlp, text, "hyperlipidemia") == frozenset()
    text = "Type 2 diabetes with complications including neuropathy."
    assert flags(nlp, text, "neuropathy") == frozenset()
    text = "Risks include bleeding, infection and pneumonia."
    assert flags(nlp, text, "pneumonia") == {"hypothetical"}


def test_former_and_noun_names_of_diabetes_carry_its_type(nlp) -> None:  # type: ignore[no-untyped-def]
    for text in (
        "1. NIDDM with improved control.",
        "She is a type 2 diabetic.",
        "Non-insulin-dependent diabetes.",
    ):
        hits = [h for h in nlp.analyze_text(text) if h.kind is HitKind.TOPIC and h.topic == "diabetes"]
        assert hits and ("type", "type_2") in hits[0].implies, text
