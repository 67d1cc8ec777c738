"""Tests of query drafting (cdi/queries.py) and query options (cdi/query_options.py).

Hand-made findings on the shipped catalogue: every kind for every topic, in both settings, must draft a
query the compliance checker passes; options carry codes, keep "other" and "unable to determine", and
narrow to the clinically reasonable without ever leaving one option or only the severe end.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from cdi.catalog import Topic, load_catalog
from cdi.compliance import check_query
from cdi.models import (
    Author,
    AuthorKind,
    EncounterRecord,
    Evidence,
    Finding,
    FindingKind,
    Indicator,
    Note,
    Setting,
)
from cdi.queries import TEMPLATES_DIR, QueryDrafter
from cdi.query_options import (
    ABSENT,
    CONFIRMED,
    OTHER,
    OUTCOME_DIAGNOSIS,
    OUTCOME_NO_CHANGE,
    OUTCOME_OTHER,
    OUTCOME_RULED_OUT,
    OUTCOME_UNABLE,
    PRESENT,
    RULED_OUT,
    UNABLE,
    axis_values_offered,
    build_options,
    infer_option_codes,
    load_option_rules,
    names_topic,
    option_meaning,
    option_rules,
    values_in_text,
)
from tests.factories import ATTENDING, NURSE, day

CATALOG = load_catalog()
TOPICS = list(CATALOG)
SECRET = "ZQX-SENTINEL-NOTE-WORDS"


@pytest.fixture(scope="module")
def drafter() -> QueryDrafter:
    return QueryDrafter(CATALOG)


def record(setting: Setting = Setting.INPATIENT, author: Author = ATTENDING) -> EncounterRecord:
    notes = [
        Note("DocumentReference/n1", f"1. {SECRET}", day(2), None, None, "progress_note", ATTENDING),
        Note("DocumentReference/n2", f"Wound: {SECRET}", day(3), None, None, "nursing_note", NURSE),
    ]
    return EncounterRecord(
        encounter="Encounter/e1", patient="Patient/p1", setting=setting, attending=ATTENDING, notes=notes
    )


def evidence(document: str = "DocumentReference/n1") -> tuple[Evidence, ...]:
    return (Evidence(document, "assessment_and_plan", SECRET, 3, 3 + len(SECRET), day(2), "Dr. A"),)


def indicators(topic: Topic, ids: tuple[str, ...] | None = None) -> tuple[Indicator, ...]:
    rules = [r for r in topic.indicators if ids is None or r.id in ids]
    return tuple(Indicator(f"Observation/{r.id}", r.name, "42", day(2), indicator_id=r.id) for r in rules)


def finding(topic: Topic, kind: FindingKind, **extra: object) -> Finding:
    data: dict[str, object] = {
        "id": f"cdi-{topic.id}-{kind.value}".replace("_", "-"),
        "kind": kind,
        "topic": topic.id,
        "encounter": "Encounter/e1",
        "patient": "Patient/p1",
        "evidence": evidence(
            "DocumentReference/n2" if kind is FindingKind.UNDOCUMENTED else "DocumentReference/n1"
        ),
        "indicators": indicators(topic)[:4],
        "summary": "test",
    }
    data.update(extra)
    return Finding(**data)  # type: ignore[arg-type]


def every_finding() -> list[Finding]:
    """Every kind for every topic: unspecified on each axis, conflicts on presence and on an axis."""
    out: list[Finding] = []
    for topic in TOPICS:
        out.append(finding(topic, FindingKind.UNCERTAIN))
        out.append(finding(topic, FindingKind.UNDOCUMENTED))
        out.append(finding(topic, FindingKind.CONFLICT))
        for axis in topic.axes:
            if axis.required == "never" or len(axis.values) < 2:
                continue  # never asked (e.g. COPD's single-value complication axis)
            out.append(finding(topic, FindingKind.UNSPECIFIED, axes=(axis.id,)))
            out.append(
                finding(
                    topic,
                    FindingKind.CONFLICT,
                    axes=(axis.id,),
                    conflicting_values=tuple(v.id for v in axis.values[:2]),
                )
            )
        asked = [a.id for a in topic.axes if a.required != "never"]
        if len(asked) > 1:
            out.append(finding(topic, FindingKind.UNSPECIFIED, axes=tuple(asked[:2])))
    return out


ALL_FINDINGS = every_finding()


@pytest.mark.parametrize("setting", [Setting.INPATIENT, Setting.OUTPATIENT])
def test_every_kind_and_topic_drafts_a_compliant_query(drafter: QueryDrafter, setting: Setting) -> None:
    bad = []
    for f in ALL_FINDINGS:
        for name in drafter.templates_for(f):
            q = drafter.draft(f, record(setting), template=name)
            found = check_query(q, f)
            if found or q.violations:
                bad.append((f.id, name, [v.rule for v in found]))
    assert not bad


def test_every_template_of_the_directory_is_exercised(drafter: QueryDrafter) -> None:
    used = {name for f in ALL_FINDINGS for name in drafter.templates_for(f)}
    assert set(drafter.template_names()) == used
    assert "undocumented_acute_kidney_injury.txt.j2" in used and "unspecified_pressure_injury.txt.j2" in used


def test_option_codes_travel_with_the_options(drafter: QueryDrafter) -> None:
    for f in ALL_FINDINGS:
        q = drafter.draft(f, record())
        assert len(q.option_codes) == len(q.options) == len(set(q.option_codes))
        assert q.option_codes[-2:] == (OTHER, UNABLE)
        assert q.options[-2:] == ("Other (please specify)", "Unable to determine")


def test_codes_per_kind() -> None:
    hf = CATALOG["heart_failure"]
    _, opts = build_options(finding(hf, FindingKind.UNCERTAIN), hf, Setting.INPATIENT)
    assert [o.code for o in opts][:2] == [CONFIRMED, RULED_OUT]
    af = CATALOG["atrial_fibrillation"]
    _, opts = build_options(finding(af, FindingKind.UNCERTAIN), af, Setting.OUTPATIENT)
    assert [o.code for o in opts] == [CONFIRMED, RULED_OUT, "alternative:1", "alternative:2", OTHER, UNABLE]
    assert opts[0].text == "Atrial fibrillation is established"
    _, opts = build_options(finding(hf, FindingKind.CONFLICT), hf, Setting.INPATIENT)
    assert [o.code for o in opts][:2] == [PRESENT, ABSENT]
    f = finding(af, FindingKind.CONFLICT, axes=("type",), conflicting_values=("paroxysmal", "persistent"))
    _, opts = build_options(f, af, Setting.INPATIENT)
    assert [o.code for o in opts][:2] == ["conflict:type:paroxysmal", "conflict:type:persistent"]
    assert opts[0].text == "Atrial fibrillation, paroxysmal"
    _, opts = build_options(finding(hf, FindingKind.UNDOCUMENTED), hf, Setting.INPATIENT)
    assert [o.code for o in opts][:3] == ["undocumented:1", "undocumented:2", "undocumented:3"]
    uti = CATALOG["urinary_tract_infection"]
    _, opts = build_options(
        finding(uti, FindingKind.UNSPECIFIED, axes=("site", "organism")), uti, Setting.INPATIENT
    )
    assert opts[0].code == "axis:site:cystitis" and opts[0].text.startswith("Site: ")
    assert any(o.code == "axis:organism:e_coli" and o.text.startswith("Organism: ") for o in opts)


def test_reduced_ejection_fraction_drops_diastolic_but_keeps_alternatives() -> None:
    hf = CATALOG["heart_failure"]
    axis = hf.axis("type")
    rules = option_rules()
    low_ef = finding(
        hf, FindingKind.UNSPECIFIED, axes=("type",), indicators=indicators(hf, ("ef_reduced", "bnp_high"))
    )
    offered = [v.id for v in axis_values_offered(low_ef, hf, axis, rules)]
    assert "systolic" in offered and "diastolic" not in offered and len(offered) >= 2
    high_ef = replace(low_ef, indicators=indicators(hf, ("ef_preserved",)))
    offered = [v.id for v in axis_values_offered(high_ef, hf, axis, rules)]
    assert "diastolic" in offered and "systolic" not in offered
    both = replace(low_ef, indicators=indicators(hf, ("ef_reduced", "ef_preserved")))
    offered = [v.id for v in axis_values_offered(both, hf, axis, rules)]
    assert {"systolic", "diastolic"} <= set(offered)  # a supported value is never dropped
    none = replace(low_ef, indicators=())
    assert [v.id for v in axis_values_offered(none, hf, axis, rules)] == [v.id for v in axis.values]


def test_uncommon_values_need_a_pointer() -> None:
    anemia = CATALOG["anemia"]
    axis = anemia.axis("type")
    rules = option_rules()
    plain = finding(
        anemia, FindingKind.UNSPECIFIED, axes=("type",), indicators=indicators(anemia, ("hgb_below_10",))
    )
    offered = {v.id for v in axis_values_offered(plain, anemia, axis, rules)}
    assert not offered & {"sickle_cell", "aplastic", "hemolytic", "folate"}
    assert {"acute_blood_loss", "iron_deficiency", "chronic_disease"} <= offered
    macro = replace(plain, indicators=indicators(anemia, ("mcv_high",)))
    assert "folate" in {v.id for v in axis_values_offered(macro, anemia, axis, rules)}
    named = replace(
        plain,
        indicators=(
            Indicator("DocumentReference/n1", "type named in the record", "known sickle cell disease", None),
        ),
    )
    assert "sickle_cell" in {v.id for v in axis_values_offered(named, anemia, axis, rules)}


def test_stated_values_narrow_to_reachable_codes() -> None:
    rules = option_rules()
    # ICD-10-CM has no type 1 code with hyperosmolarity (E10.0- does not exist): not an option.
    dm = CATALOG["diabetes"]
    f = finding(dm, FindingKind.UNSPECIFIED, axes=("type",), stated=(("complication", "hyperosmolarity"),))
    offered = {v.id for v in axis_values_offered(f, dm, dm.axis("type"), rules)}
    assert "type_1" not in offered and {"type_2", "drug_induced"} <= offered
    # A right-sided pressure injury is not on the sacrum.
    pi = CATALOG["pressure_injury"]
    f = finding(pi, FindingKind.UNSPECIFIED, axes=("site",), stated=(("laterality", "right"),))
    offered = {v.id for v in axis_values_offered(f, pi, pi.axis("site"), rules)}
    assert "sacral" not in offered and {"hip", "heel"} <= offered
    # Nothing stated: every value.
    f = finding(pi, FindingKind.UNSPECIFIED, axes=("site",))
    assert len(axis_values_offered(f, pi, pi.axis("site"), rules)) == len(pi.axis("site").values)


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_narrowing_never_leaves_one_option_or_drops_a_supported_value(topic: Topic) -> None:
    rules = option_rules()
    for axis in [a for a in topic.axes if len(a.values) > 1]:
        for rule in topic.indicators:
            f = finding(
                topic, FindingKind.UNSPECIFIED, axes=(axis.id,), indicators=indicators(topic, (rule.id,))
            )
            offered = [v.id for v in axis_values_offered(f, topic, axis, rules)]
            assert len(offered) >= 2
            if axis.id in rule.supports:
                assert rule.supports[axis.id] in offered


def test_drafter_records_violations_and_logs_rule_ids_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for src in TEMPLATES_DIR.glob("*.j2"):
        (tmp_path / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "uncertain.txt.j2").write_text(
        '{% extends "_layout.txt.j2" %}{% block question %}\n'
        "The patient meets criteria for {{ label_lower }}; please document it for the DRG.\n"
        "{% endblock %}\n",
        encoding="utf-8",
    )
    bad = QueryDrafter(CATALOG, templates_dir=tmp_path)
    f = finding(CATALOG["sepsis"], FindingKind.UNCERTAIN)
    with caplog.at_level(logging.WARNING, logger="cdi.queries"):
        q = bad.draft(f, record())
    assert {"leading-wording", "financial-word"} <= set(q.violations)
    assert "leading-wording" in caplog.text and "financial-word" in caplog.text
    assert SECRET not in caplog.text and "meets criteria" not in caplog.text
    good = QueryDrafter(CATALOG).draft(f, record())
    assert good.violations == ()


def test_addressee_is_the_provider_of_the_documentation(drafter: QueryDrafter) -> None:
    hf = CATALOG["heart_failure"]
    consultant = Author("Practitioner/con", "Dr. C", "consultant", AuthorKind.PROVIDER)
    rec = record()
    rec.notes.append(Note("DocumentReference/n3", "CHF", day(4), None, None, "consult_note", consultant))
    f = finding(hf, FindingKind.UNSPECIFIED, axes=("type",), evidence=evidence("DocumentReference/n3"))
    assert drafter.draft(f, rec).to == "Practitioner/con"
    undocumented = finding(hf, FindingKind.UNDOCUMENTED)  # a nurse's note: the attending is asked
    assert drafter.draft(undocumented, rec).to == ATTENDING.reference


def test_inferred_codes_match_the_drafted_ones(drafter: QueryDrafter) -> None:
    for f in ALL_FINDINGS:
        for setting in (Setting.INPATIENT, Setting.OUTPATIENT):
            q = drafter.draft(f, record(setting))
            assert infer_option_codes(f, CATALOG[f.topic], q.options) == q.option_codes
    hf = CATALOG["heart_failure"]
    f = finding(hf, FindingKind.UNSPECIFIED, axes=("type",))
    edited = (
        "Systolic (HFrEF)",
        "Something a specialist wrote",
        "Other: please specify",
        "Clinically undetermined",
    )
    assert infer_option_codes(f, hf, edited) == ("axis:type:systolic", "option:2", OTHER, UNABLE)


def test_option_meanings() -> None:
    hf = CATALOG["heart_failure"]
    assert option_meaning(hf, CONFIRMED, "x").outcome == OUTCOME_DIAGNOSIS
    assert option_meaning(hf, RULED_OUT, "x").outcome == OUTCOME_RULED_OUT
    assert option_meaning(hf, ABSENT, "x").outcome == OUTCOME_RULED_OUT
    assert option_meaning(hf, UNABLE, "x").outcome == OUTCOME_UNABLE
    assert option_meaning(hf, OTHER, "x", "amyloid").outcome == OUTCOME_OTHER
    assert option_meaning(hf, "alternative:1", "x").outcome == OUTCOME_OTHER
    assert option_meaning(hf, "option:3", "x").outcome == OUTCOME_OTHER
    m = option_meaning(hf, "axis:type:systolic", "Systolic (HFrEF)")
    assert (m.outcome, m.stated) == (OUTCOME_DIAGNOSIS, (("type", "systolic"),))
    m = option_meaning(hf, "conflict:acuity:chronic", "Heart failure, chronic")
    assert m.stated == (("acuity", "chronic"),)
    m = option_meaning(
        hf, "undocumented:1", "Heart failure (please specify acuity and type)", "acute diastolic"
    )
    assert (m.outcome, m.stated) == (OUTCOME_DIAGNOSIS, (("acuity", "acute"), ("type", "diastolic")))
    assert (
        option_meaning(hf, "undocumented:3", "Findings not clinically significant").outcome
        == OUTCOME_NO_CHANGE
    )
    assert (
        option_meaning(hf, "undocumented:2", "Volume overload due to another cause").outcome == OUTCOME_OTHER
    )
    sepsis = CATALOG["sepsis"]
    assert (
        option_meaning(sepsis, "undocumented:2", "Localized infection without sepsis").outcome
        == OUTCOME_OTHER
    )
    arf = CATALOG["acute_respiratory_failure"]
    m = option_meaning(
        arf, "undocumented:2", "Acute on chronic respiratory failure (please specify type)", "hypoxic"
    )
    assert m.stated == (("acuity", "acute_on_chronic"), ("type", "hypoxic"))


def test_names_topic_and_values_in_text() -> None:
    arf = CATALOG["acute_respiratory_failure"]
    assert names_topic(arf, "Acute on chronic respiratory failure")
    assert not names_topic(arf, "Hypoxemia or hypercapnia without respiratory failure")
    hf = CATALOG["heart_failure"]
    assert values_in_text(hf, "acute on chronic systolic") == {
        "acuity": "acute_on_chronic",
        "type": "systolic",
    }
    assert values_in_text(hf, "not acute, systolic") == {"type": "systolic"}
    assert values_in_text(hf, "acute or chronic") == {}  # two values of one axis: nothing stated
    assert values_in_text(hf, "") == {}


def test_option_rules_file_is_checked_against_the_catalogue(tmp_path: Path) -> None:
    assert option_rules().not_offered_with["heart_failure"]["type"]["diastolic"] == ("ef_reduced",)
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        "version: 1\nnot_offered_with: {heart_failure: {type: {diastolic: [no_such_indicator]}}}\n"
        "answers: {no_change_phrases: [x]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="no_such_indicator"):
        load_option_rules(bad)
    bad.write_text("version: 1\nanswers: {no_change_phrases: [x]}\ntypo: 1\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_option_rules(bad)
