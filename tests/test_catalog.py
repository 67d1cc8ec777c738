"""The shipped topic catalogue: it loads, keeps the contract, resolves every code, and encodes the clinical
choices the detectors rely on (which axes are asked, which phrases state them, when indicators suffice)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from cdi import icd10
from cdi.catalog import TOPIC_IDS, Catalog, Topic, load_catalog, load_topic

CATALOG: Catalog = load_catalog()
TOPICS = list(CATALOG)

# Words a query must never carry (ACDIS/AHIMA compliant-query practice): nothing financial.
FINANCIAL = re.compile(
    r"reimburs|payment|\bpaid\b|\bDRG\b|\bMS-DRG\b|\bCC\b|\bMCC\b|\bCC/MCC\b|severity of illness|\bSOI\b|"
    r"risk of mortality|\bHCC\b|quality|revenue|financ|billing|\bcase mix\b",
    re.IGNORECASE,
)
# Value phrases too generic to stand beside a diagnosis as a stated value.
TOO_GENERIC = {
    "negative",
    "positive",
    "viral",
    "bacterial",
    "normal",
    "abnormal",
    "iv",
    "gas",
    "cons",
    "history",
}


def by_id(topic_id: str) -> Topic:
    return CATALOG[topic_id]


def test_catalogue_has_exactly_the_contract_topics() -> None:
    assert sorted(t.id for t in TOPICS) == sorted(TOPIC_IDS)
    assert len(CATALOG) == 16


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_categories_and_unspecified_codes_exist(topic: Topic) -> None:
    assert icd10.exists(topic.icd10cm.category)
    assert icd10.exists(topic.icd10cm.unspecified)
    # The fall-back is a reportable leaf under the topic's own category.
    assert topic.icd10cm.unspecified in icd10.leaves_under(topic.icd10cm.category)


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_every_axis_value_pattern_matches_a_code(topic: Topic) -> None:
    for axis in topic.axes:
        for value in axis.values:
            for pattern in value.icd10cm:
                assert icd10.matching_leaves(pattern), (
                    f"{topic.id}.{axis.id}.{value.id}: {pattern} matches nothing"
                )


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_no_financial_word_anywhere_in_a_topic_file(topic: Topic) -> None:
    text = (Path(__file__).parents[1] / "cdi" / "knowledge" / "topics" / f"{topic.id}.yaml").read_text(
        "utf-8"
    )
    assert not FINANCIAL.search(text)
    options = list(topic.uncertain_options) + (list(topic.undocumented.options) if topic.undocumented else [])
    options += [v.label for a in topic.axes for v in a.values] + [a.question for a in topic.axes]
    assert not [o for o in options if FINANCIAL.search(o)]


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_every_when_indicated_axis_can_be_indicated(topic: Topic) -> None:
    for axis in topic.axes:
        if axis.required == "when_indicated":
            assert axis.indicated_by or axis.indicated_by_own_values, (
                f"{topic.id}.{axis.id} can never be asked"
            )
        if axis.indicated_by_own_values:
            assert any(v.phrases for v in axis.values), f"{topic.id}.{axis.id} has no phrase to find"


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_value_phrases_are_specific_and_unambiguous(topic: Topic) -> None:
    for axis in topic.axes:
        seen: dict[str, str] = {}
        for value in axis.values:
            for phrase in value.phrases:
                key = phrase.lower()
                assert key not in TOO_GENERIC, f"{topic.id}.{axis.id}: {phrase!r} is too generic"
                assert seen.setdefault(key, value.id) == value.id, (
                    f"{topic.id}.{axis.id}: {phrase!r} in two values"
                )


def test_no_term_belongs_to_two_topics() -> None:
    owner: dict[str, str] = {}
    for topic in TOPICS:
        for term in topic.terms:
            assert owner.setdefault(term.phrase.lower(), topic.id) == topic.id, term.phrase


@pytest.mark.parametrize("topic", [t for t in TOPICS if t.undocumented], ids=lambda t: t.id)
def test_undocumented_rules_never_fire_on_one_indicator_and_offer_several_answers(topic: Topic) -> None:
    rule = topic.undocumented
    assert rule is not None
    assert max(i.points for i in topic.indicators) < rule.min_points
    assert rule.requires_any, "an undocumented query needs a defining indicator"
    # Reachable at all: the required indicators plus everything else can reach the threshold.
    assert sum(i.points for i in topic.indicators) >= rule.min_points
    assert len(rule.options) >= 2


def points(topic: Topic, *indicator_ids: str) -> int:
    return sum(topic.indicator(i).points for i in indicator_ids)


def meets(topic: Topic, *indicator_ids: str) -> bool:
    rule = topic.undocumented
    assert rule is not None
    return points(topic, *indicator_ids) >= rule.min_points and any(
        i in indicator_ids for i in rule.requires_any
    )


def test_sepsis_needs_hypoperfusion_and_infection_not_fever_and_tachycardia() -> None:
    s = by_id("sepsis")
    sirs = ("temp_high", "heart_rate_high", "resp_rate_high", "wbc_high")
    assert not meets(s, *sirs, "iv_antibiotics", "blood_culture_positive")  # everything but hypoperfusion
    assert not meets(s, "temp_high", "heart_rate_high", "lactate_high")  # no treated or proven infection
    assert not meets(s, "temp_high", "lactate_high", "iv_antibiotics")  # one SIRS criterion
    assert meets(s, "temp_high", "heart_rate_high", "lactate_high", "iv_antibiotics")
    assert meets(s, "wbc_high", "resp_rate_high", "sbp_low", "blood_culture_positive")


def test_undocumented_thresholds_follow_the_clinical_picture() -> None:
    hypo = by_id("hyponatremia")
    assert not meets(hypo, "sodium_below_135")
    assert not meets(hypo, "sodium_below_135", "sodium_text_low", "fluid_restriction")  # 133 and restricted
    assert meets(hypo, "sodium_below_135", "sodium_below_130", "sodium_text_low")  # 124, restated
    aki = by_id("acute_kidney_injury")
    assert not meets(aki, "renal_protection", "contrast_exposure", "oliguria", "creatinine_fall")
    assert meets(aki, "creatinine_rise_absolute", "creatinine_rise_ratio")
    anemia = by_id("anemia")
    assert not meets(anemia, "hgb_below_10")
    assert meets(anemia, "hgb_drop", "hgb_below_10")
    assert meets(anemia, "hgb_below_10", "transfusion")
    arf = by_id("acute_respiratory_failure")
    assert not meets(arf, "spo2_below_91", "spo2_below_88")  # one spot SpO2 of 87%
    assert not meets(
        arf, "noninvasive_ventilation", "resp_rate_high", "work_of_breathing"
    )  # no gas exchange value
    assert meets(arf, "pco2_high", "noninvasive_ventilation")
    obesity = by_id("obesity")
    assert meets(obesity, "bmi_30", "bmi_35", "bmi_40")  # one BMI of 41
    assert not meets(obesity, "bmi_30", "bmi_35")  # BMI 36 alone
    assert not meets(obesity, "bmi_30", "weight_related_care")  # class 1 range never
    ckd = by_id("chronic_kidney_disease")
    assert not meets(ckd, "egfr_below_60", "egfr_text_below_60")
    assert meets(ckd, "egfr_below_60", "egfr_below_45", "egfr_text_below_60", "uacr_text_high")
    copd = by_id("copd")
    assert meets(copd, "fev1_fvc_low", "lama_maintenance")
    assert meets(copd, "lama_maintenance", "emphysema_imaging")
    assert not meets(copd, "fev1_fvc_low", "laba_maintenance")  # asthma on an ICS/LABA
    assert not meets(copd, "emphysema_imaging", "smoking_history", "home_oxygen")  # no obstruction or LAMA
    diabetes = by_id("diabetes")
    assert not meets(diabetes, "glucose_high", "diabetes_medication")  # stress hyperglycemia on insulin
    assert meets(diabetes, "a1c_high", "glucose_high")


def required(topic_id: str) -> dict[str, str]:
    return {a.id: a.required for a in by_id(topic_id).axes}


def test_which_axes_are_asked_follows_icd10cm() -> None:
    assert required("heart_failure") == {"acuity": "always", "type": "always"}
    assert required("acute_respiratory_failure") == {"acuity": "always", "type": "always"}
    assert all(r == "never" for r in required("acute_kidney_injury").values())
    assert all(r == "never" for r in required("hyponatremia").values())
    assert required("chronic_kidney_disease") == {"stage": "always"}
    assert required("pneumonia") == {"organism": "when_indicated"}
    assert required("anemia") == {"type": "always"}
    assert required("malnutrition") == {"severity": "always"}
    assert required("encephalopathy") == {"type": "always"}
    assert required("diabetes") == {"type": "always", "complication": "never"}
    assert required("pressure_injury")["stage"] == required("pressure_injury")["site"] == "always"
    assert required("obesity") == {"severity": "always"}
    assert required("copd")["acuity"] == "when_indicated"
    assert required("urinary_tract_infection") == {"site": "when_indicated", "organism": "when_indicated"}
    assert required("atrial_fibrillation") == {"type": "always"}
    assert required("sepsis") == {"organism": "when_indicated", "organ_dysfunction": "when_indicated"}


def test_only_a_pressure_injury_stage_or_side_may_come_from_other_clinicians() -> None:
    others = {(t.id, a.id) for t in TOPICS for a in t.axes if a.from_other_clinicians}
    assert others == {("pressure_injury", "stage"), ("pressure_injury", "laterality")}


def implied(topic_id: str, phrase: str) -> dict[str, str]:
    for term in by_id(topic_id).terms:
        if term.phrase.lower() == phrase.lower():
            return dict(term.implies)
    raise KeyError(phrase)


def value_of(topic_id: str, axis_id: str, phrase: str) -> str | None:
    for value in by_id(topic_id).axis(axis_id).values:
        if phrase.lower() in (p.lower() for p in value.phrases):
            return value.id
    return None


def test_terms_state_what_the_classification_says_they_state() -> None:
    assert implied("heart_failure", "HFpEF") == {"type": "diastolic"}
    assert implied("heart_failure", "HFmrEF") == {"type": "systolic"}  # Coding Clinic 3Q 2020
    assert implied("anemia", "ABLA") == {"type": "acute_blood_loss"}
    assert implied("urinary_tract_infection", "pyelonephritis") == {"site": "pyelonephritis"}
    assert implied("pneumonia", "aspiration pneumonia") == {"organism": "aspiration"}
    assert implied("pneumonia", "viral pneumonia") == {"organism": "viral_unspecified"}
    assert implied("obesity", "morbid obesity") == {"severity": "class_3"}  # one value with class 3
    assert implied("sepsis", "septic shock") == {"organ_dysfunction": "shock"}
    assert implied("diabetes", "IDDM") == {}  # insulin use does not make diabetes type 1
    with pytest.raises(KeyError):
        implied("sepsis", "urosepsis")  # no code: a query of its own
    with pytest.raises(KeyError):
        implied("urinary_tract_infection", "urosepsis")


def test_value_phrases_clinicians_write_state_the_axis() -> None:
    assert value_of("chronic_kidney_disease", "stage", "3b") == "stage_3b"
    assert value_of("chronic_kidney_disease", "stage", "stage IIIa") == "stage_3a"
    assert value_of("chronic_kidney_disease", "stage", "stage 3") == "stage_3"
    assert value_of("chronic_kidney_disease", "stage", "IV") is None  # usually intravenous
    assert value_of("atrial_fibrillation", "type", "chronic") is None  # I48.20 is not a type
    assert value_of("atrial_fibrillation", "type", "longstanding persistent") == "longstanding_persistent"
    assert value_of("copd", "acuity", "not in exacerbation") == "stable"
    assert value_of("copd", "acuity", "without exacerbation") == "stable"
    assert value_of("sepsis", "organ_dysfunction", "no organ dysfunction") == "none"
    assert value_of("acute_respiratory_failure", "type", "hypercarbic") == "hypercapnic"
    assert value_of("pressure_injury", "site", "coccyx") == "sacral"
    assert value_of("pneumonia", "organism", "Legionella") == "legionella"
    assert value_of("sepsis", "organism", "Klebsiella") == "klebsiella"
    assert value_of("malnutrition", "severity", "non-severe") == "moderate"


def test_phrases_that_contain_a_term_but_name_no_diagnosis_are_not_terms() -> None:
    assert "sepsis bundle" in by_id("sepsis").not_terms
    assert "pneumonia vaccine" in by_id("pneumonia").not_terms
    assert "DM education" in by_id("diabetes").not_terms
    assert "diabetes insipidus" in by_id("diabetes").not_terms
    assert "at risk for malnutrition" in by_id("malnutrition").not_terms
    # Longer phrases that name an organism without finding it win the overlap with the organism value.
    assert {"influenza vaccine", "MRSA nares", "COVID screen"} <= set(by_id("pneumonia").not_terms)
    assert "no septic shock" in by_id("sepsis").not_terms  # a negated shock is not a negated sepsis


def test_value_patterns_read_the_numbers_clinicians_write() -> None:
    def read(topic_id: str, indicator_id: str, text: str) -> float | None:
        rule = by_id(topic_id).indicator(indicator_id)
        assert rule.value_pattern is not None
        m = re.search(rule.value_pattern, text)
        return float(m.group(1)) if m else None

    assert read("hyponatremia", "sodium_text_low", "serum sodium 124 (was 133 in January)") == 124
    assert read("hyponatremia", "sodium_text_low", "Na 126, K 3.4") == 126
    assert read("hyponatremia", "sodium_text_low", "2 g sodium diet") is None
    assert read("obesity", "bmi_text_40", "BMI 47.3 kg/m2") == 47.3
    assert read("chronic_kidney_disease", "egfr_text_below_60", "eGFR 41-44 over the past year") == 41
    assert read("chronic_kidney_disease", "egfr_text_below_60", "eGFR >60") is None
    assert read("copd", "fev1_fvc_low", "FEV1/FVC 0.58 post-bronchodilator") == 0.58
    assert read("copd", "fev1_fvc_low", "FEV1 61% predicted") is None
    assert read("acute_respiratory_failure", "pco2_text_high", "ABG 7.21, PaCO2 72") == 72
    assert read("acute_respiratory_failure", "po2_text_low", "SpO2 88%") is None


def test_the_schema_refuses_a_typo_in_a_topic_file(tmp_path: Path) -> None:
    good = (Path(__file__).parents[1] / "cdi" / "knowledge" / "topics" / "obesity.yaml").read_text("utf-8")
    assert load_topic(_write(tmp_path, "ok.yaml", good)).id == "obesity"
    typo = good.replace("    required: always", "    requird: always", 1)
    with pytest.raises(ValueError, match="requird"):
        load_topic(_write(tmp_path, "typo.yaml", typo))
    with pytest.raises(ValidationError):
        Topic.model_validate(
            {
                "id": "x",
                "label": "X",
                "icd10cm": {"category": "E66", "unspecified": "E66.9"},
                "terms": [{"phrase": "obese", "case_sensitve": True}],
            }
        )


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, "utf-8")
    return path
