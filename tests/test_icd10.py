"""ICD-10-CM helpers against the CMS tabular list: descriptions, leaves, and the codes an answer can reach."""

from __future__ import annotations

import pytest

from cdi import icd10
from cdi.catalog import Topic, load_catalog

CATALOG = load_catalog()


def t(topic_id: str) -> Topic:
    return CATALOG[topic_id]


def test_describe_and_exists_accept_codes_with_or_without_the_dot() -> None:
    assert icd10.describe("I50.23") == "Acute on chronic systolic (congestive) heart failure"
    assert icd10.describe("i5023") == icd10.describe("I50.23")
    assert icd10.exists("N18.32") and icd10.exists("N1832") and icd10.exists("I50")
    assert not icd10.exists("I50.99")
    assert not icd10.exists("E40-E46")  # a block, not a code
    with pytest.raises(KeyError):
        icd10.describe("I50.99")


def test_leaves_under_a_category_and_a_leaf() -> None:
    assert icd10.leaves_under("I50.2") == ["I50.20", "I50.21", "I50.22", "I50.23"]
    assert icd10.leaves_under("N17.9") == ["N17.9"]
    assert "N18.31" in icd10.leaves_under("N18") and "N18.3" not in icd10.leaves_under("N18")
    with pytest.raises(KeyError):
        icd10.leaves_under("Q99.99")


def test_patterns_match_leaves_only() -> None:
    assert icd10.matching_leaves("I50.?3") == (
        "I50.23",
        "I50.33",
        "I50.43",
        "I50.83",
    )  # why HF names I50.[234]3
    assert icd10.matching_leaves("I50.[234]3") == ("I50.23", "I50.33", "I50.43")
    assert icd10.matching_leaves("E1[013].22") == ("E10.22", "E11.22", "E13.22")
    assert icd10.matching_leaves("L89.15*")[0] == "L89.150"
    assert icd10.matching_leaves("Z99.99*") == ()


def test_heart_failure_acute_on_chronic_with_type_missing() -> None:
    codes = icd10.candidate_codes(t("heart_failure"), {"acuity": "acute_on_chronic"}, ["type"])
    assert {"I50.23", "I50.33", "I50.43"} <= set(codes)
    assert "I50.9" not in codes and "I50.21" not in codes and "I50.20" not in codes
    assert codes == sorted(codes)


def test_code_for_is_the_one_code_the_stated_values_leave() -> None:
    hf = t("heart_failure")
    assert icd10.code_for(hf, {"acuity": "acute_on_chronic", "type": "diastolic"}) == "I50.33"
    assert icd10.code_for(hf, {"acuity": "acute"}) is None  # the type still decides
    assert icd10.code_for(hf, {}) is None
    assert icd10.code_for(t("chronic_kidney_disease"), {"stage": "stage_3b"}) == "N18.32"
    assert icd10.code_for(t("chronic_kidney_disease"), {"stage": "stage_3"}) == "N18.30"
    assert icd10.code_for(t("atrial_fibrillation"), {"type": "persistent"}) == "I48.19"
    assert icd10.code_for(t("copd"), {"acuity": "exacerbation"}) == "J44.1"
    assert icd10.code_for(t("obesity"), {"severity": "class_2"}) == "E66.812"
    assert icd10.code_for(t("malnutrition"), {"severity": "moderate"}) == "E44.0"
    assert icd10.code_for(t("encephalopathy"), {"type": "hepatic"}) == "K76.82"


def test_ckd_stage_candidates() -> None:
    codes = icd10.candidate_codes(t("chronic_kidney_disease"), {}, ["stage"])
    assert codes == ["N18.1", "N18.2", "N18.30", "N18.31", "N18.32", "N18.4", "N18.5", "N18.6"]


def test_pressure_injury_site_stage_and_side() -> None:
    pi = t("pressure_injury")
    assert icd10.code_for(pi, {"site": "sacral", "stage": "stage_3"}) == "L89.153"
    assert icd10.code_for(pi, {"site": "heel", "stage": "stage_2"}) == "L89.602"  # side not stated
    assert icd10.code_for(pi, {"site": "heel", "stage": "stage_2", "laterality": "left"}) == "L89.622"
    assert icd10.code_for(pi, {"site": "hip", "stage": "deep_tissue", "laterality": "right"}) == "L89.216"
    assert icd10.candidate_codes(pi, {"site": "sacral"}, ["stage"]) == [
        "L89.150",
        "L89.151",
        "L89.152",
        "L89.153",
        "L89.154",
        "L89.156",
    ]
    # A stage without a site: only codes with a site, never the unspecified-site ones.
    by_stage = icd10.candidate_codes(pi, {"stage": "stage_4"}, ["site"], limit=100)
    assert "L89.154" in by_stage and "L89.94" not in by_stage and all(c.endswith("4") for c in by_stage)


def test_axes_coded_outside_the_category_add_their_own_codes() -> None:
    sepsis = t("sepsis")
    assert icd10.candidate_codes(sepsis, {"organism": "e_coli"}, ["organ_dysfunction"]) == [
        "A41.51",
        "R65.20",
        "R65.21",
    ]
    assert icd10.code_for(sepsis, {"organism": "e_coli", "organ_dysfunction": "shock"}) == "A41.51"
    assert icd10.code_for(sepsis, {"organ_dysfunction": "none"}) is None
    organisms = icd10.candidate_codes(sepsis, {}, ["organism"], limit=100)
    assert "A40.3" in organisms and "A41.9" not in organisms and "R65.21" not in organisms
    pneumonia = t("pneumonia")
    assert icd10.code_for(pneumonia, {"organism": "legionella"}) == "A48.1"
    assert icd10.code_for(pneumonia, {"organism": "aspiration"}) == "J69.0"
    stated = icd10.candidate_codes(pneumonia, {"organism": "influenza"}, [], limit=100)
    assert stated and not any(c.startswith("J18") for c in stated)
    uti = t("urinary_tract_infection")
    assert set(icd10.candidate_codes(uti, {"organism": "e_coli"}, ["site"], limit=100)) >= {
        "N10",
        "N30.00",
        "B96.20",
    }


def test_atrial_fibrillation_type_candidates_leave_out_chronic_and_flutter() -> None:
    assert icd10.candidate_codes(t("atrial_fibrillation"), {}, ["type"]) == [
        "I48.0",
        "I48.11",
        "I48.19",
        "I48.21",
    ]


def test_diabetes_type_missing_with_a_stated_complication() -> None:
    dm = t("diabetes")
    codes = icd10.candidate_codes(dm, {"complication": "ketoacidosis"}, ["type"])
    assert {"E10.10", "E11.10", "E09.10", "E08.10", "E13.10"} <= set(codes)
    assert "E11.9" not in codes and "E11.65" not in codes
    assert icd10.code_for(dm, {"type": "type_2", "complication": "none"}) == "E11.9"
    # Answering "type 2" to an untyped diabetes without complications reaches E11.9: a real answer here.
    assert "E11.9" in icd10.candidate_codes(dm, {"complication": "none"}, ["type"])
    assert "N18.9" not in icd10.candidate_codes(t("chronic_kidney_disease"), {}, ["stage"])
    assert icd10.code_for(dm, {"type": "type_1", "complication": "kidney"}) is None  # E10.21/E10.22/E10.29


def test_candidates_are_capped_and_unknown_axes_refused() -> None:
    assert len(icd10.candidate_codes(t("anemia"), {}, ["type"])) == icd10.MAX_CANDIDATES
    with pytest.raises(KeyError):
        icd10.candidate_codes(t("anemia"), {"stage": "stage_1"}, [])
    with pytest.raises(KeyError):
        icd10.candidate_codes(t("anemia"), {"type": "no_such_value"}, [])


@pytest.mark.parametrize("topic", list(CATALOG), ids=lambda topic: topic.id)
def test_every_required_axis_has_reachable_codes_other_than_the_fall_back(topic: Topic) -> None:
    missing = [a.id for a in topic.axes if a.required != "never"]
    codes = icd10.candidate_codes(topic, {}, missing, limit=1000)
    named = any(
        topic.icd10cm.unspecified in icd10.matching_leaves(p)
        for a in topic.axes
        for v in a.values
        for p in v.icd10cm
    )
    if not named:  # the fall-back is an answer only where a value names it (E11.9, J44.9, E87.1)
        assert topic.icd10cm.unspecified not in codes
    if missing:
        assert codes, f"{topic.id}: no code for {missing}"


def test_covers_recognises_a_condition_code_of_the_topic() -> None:
    sepsis = t("sepsis")
    assert icd10.covers(sepsis, "A41.51") and icd10.covers(sepsis, "R65.21") and icd10.covers(sepsis, "A40")
    assert not icd10.covers(sepsis, "I50.9") and not icd10.covers(sepsis, "not-a-code")
    assert icd10.covers(t("malnutrition"), "E44.0")  # outside the E46 category, named by a severity
    assert "J12.82" in icd10.topic_codes(t("pneumonia"))
