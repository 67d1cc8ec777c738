from cdi.models import Assertion, Coding, ConditionRecord, HitKind
from cdi.statements import bind_axis_values, collect
from tests.factories import NURSE, analysed, catalog, day, hit, note


def test_axis_phrase_next_to_the_mention_binds() -> None:
    text = "1. Acute on chronic systolic heart failure, diuresing."
    mention = hit(text, "heart failure")
    axes = [
        hit(text, "systolic", HitKind.AXIS, axis="type", value="systolic"),
        hit(text, "chronic", HitKind.AXIS, axis="acuity", value="chronic"),
    ]
    assert bind_axis_values(text, mention, axes) == {("type", "systolic"), ("acuity", "chronic")}


def test_axis_phrase_in_another_clause_or_far_away_does_not_bind() -> None:
    text = "Heart failure, on home regimen and followed in clinic by cardiology for years; chronic cough."
    mention = hit(text, "Heart failure")
    far = hit(text, "chronic", HitKind.AXIS, axis="acuity", value="chronic")
    assert bind_axis_values(text, mention, [far]) == set()


def test_negated_axis_phrase_does_not_bind_and_implied_values_do() -> None:
    text = "HFpEF, not systolic"
    mention = hit(text, "HFpEF", implies=(("type", "diastolic"),))
    negated = hit(text, "systolic", HitKind.AXIS, axis="type", value="systolic", negated=True)
    assert bind_axis_values(text, mention, [negated]) == {("type", "diastolic")}


def test_collect_splits_provider_other_and_historical_and_drops_family() -> None:
    t1 = "Heart failure exacerbation."
    t2 = "Mother with heart failure. History of heart failure."
    t3 = "Pt education on heart failure."
    a1 = analysed(note("DocumentReference/1", t1, day(1)), hit(t1, "Heart failure"))
    a2 = analysed(
        note("DocumentReference/2", t2, day(2)),
        hit(t2, "heart failure", family=True),
        hit(t2, "heart failure", occurrence=1, historical=True),
    )
    a3 = analysed(note("DocumentReference/3", t3, day(3), author=NURSE), hit(t3, "heart failure"))
    rec = collect(catalog(), [a1, a2, a3], [])["heart_failure"]
    assert [s.source for s in rec.provider] == ["DocumentReference/1"]
    assert [s.source for s in rec.historical] == ["DocumentReference/2"]
    assert [s.source for s in rec.others] == ["DocumentReference/3"]


def test_condition_statement_takes_verification_status_and_icd_axes() -> None:
    cond = ConditionRecord(
        "Condition/1",
        (Coding("http://hl7.org/fhir/sid/icd-10-cm", "I50.31", "Acute diastolic heart failure"),),
        "Acute diastolic heart failure",
        "active",
        "provisional",
        day(1, 0),
    )
    rec = collect(catalog(), [], [(cond, ())])["heart_failure"]
    (st,) = rec.provider
    assert st.assertion is Assertion.UNCERTAIN
    assert st.source_kind == "condition"


def test_refuted_and_entered_in_error_conditions() -> None:
    refuted = ConditionRecord(
        "Condition/1",
        (Coding("http://hl7.org/fhir/sid/icd-10-cm", "I50.9", None),),
        None,
        None,
        "refuted",
        None,
    )
    error = ConditionRecord(
        "Condition/2",
        (Coding("http://hl7.org/fhir/sid/icd-10-cm", "I50.9", None),),
        None,
        None,
        "entered-in-error",
        None,
    )
    rec = collect(catalog(), [], [(refuted, ()), (error, ())])["heart_failure"]
    assert [(s.source, s.assertion) for s in rec.provider] == [("Condition/1", Assertion.NEGATED)]


def test_negating_a_specific_form_is_not_negating_the_diagnosis() -> None:
    text = "This is not HFrEF. Not systolic heart failure either."
    implied = hit(text, "HFrEF", negated=True, implies=(("type", "systolic"),))
    n = note("DocumentReference/1", text, day(1))
    rec = collect(catalog(), [analysed(n, implied)], [])["heart_failure"]
    assert rec.provider == []
    text2 = "Not systolic heart failure."
    mention = hit(text2, "heart failure", negated=True)
    axis = hit(text2, "systolic", HitKind.AXIS, axis="type", value="systolic", negated=True)
    rec2 = collect(catalog(), [analysed(note("DocumentReference/2", text2, day(1)), mention, axis)], [])
    assert rec2["heart_failure"].provider == []
    text3 = "No heart failure."
    plain = hit(text3, "heart failure", negated=True)
    rec3 = collect(catalog(), [analysed(note("DocumentReference/3", text3, day(1)), plain)], [])
    assert [s.assertion for s in rec3["heart_failure"].provider] == [Assertion.NEGATED]
