"""The four detectors on hand-made statements: the domain rules of DESIGN.md, one test each."""

from dataclasses import replace

from cdi.detectors import detect_topic
from cdi.detectors.context import TopicContext, finding_id
from cdi.indicators import evaluate
from cdi.models import (
    Coding,
    ConditionRecord,
    EncounterRecord,
    FindingKind,
    HitKind,
    NoteAnalysis,
    ObservationRecord,
    Setting,
)
from cdi.statements import collect
from tests.factories import ATTENDING, CONSULTANT, NURSE, analysed, catalog, day, hit, note, topic

ENC = "Encounter/e1"


def run(analyses: list[NoteAnalysis], setting: Setting = Setting.INPATIENT, conditions=(), observations=()):  # type: ignore[no-untyped-def]
    t = topic()
    record = EncounterRecord(ENC, "Patient/p1", setting, notes=[a.note for a in analyses])
    record.observations = list(observations)
    st = collect(catalog(t), analyses, [(c, ()) for c in conditions])[t.id]
    return detect_topic(TopicContext(record, t, st, evaluate(t, record.observations, analyses)))


def mention(ref: str, text: str, when, phrase: str, author=ATTENDING, kind="progress_note", **flags):  # type: ignore[no-untyped-def]
    n = note(ref, text, when, author=author, kind=kind)
    return analysed(n, hit(text, phrase, **flags))


def test_unresolved_uncertainty_inpatient_is_a_query() -> None:
    f = run(
        [
            mention("DocumentReference/1", "possible heart failure", day(1), "heart failure", uncertain=True),
            note_without_mention("DocumentReference/2", day(3), kind="discharge_summary"),
        ]
    )
    assert f is not None and f.kind is FindingKind.UNCERTAIN
    assert f.id == finding_id(ENC, FindingKind.UNCERTAIN, "heart_failure")


def note_without_mention(ref: str, when, kind="progress_note"):  # type: ignore[no-untyped-def]
    return analysed(note(ref, "Dyspnea improved.", when, kind=kind))


def test_later_confirmation_or_rule_out_resolves_uncertainty() -> None:
    confirmed = run(
        [
            mention("DocumentReference/1", "possible heart failure", day(1), "heart failure", uncertain=True),
            mention("DocumentReference/2", "acute systolic heart failure", day(2), "heart failure"),
        ]
    )
    assert confirmed is None or confirmed.kind is not FindingKind.UNCERTAIN
    ruled_out = run(
        [
            mention("DocumentReference/1", "rule out heart failure", day(1), "heart failure", uncertain=True),
            mention("DocumentReference/2", "heart failure ruled out", day(2), "heart failure", negated=True),
        ]
    )
    assert ruled_out is None


def test_uncertain_in_the_discharge_diagnoses_is_codable_inpatient_but_not_outpatient() -> None:
    notes = [
        mention(
            "DocumentReference/1",
            "probable heart failure",
            day(2),
            "heart failure",
            kind="discharge_summary",
            uncertain=True,
        )
    ]
    inpatient = run(notes, Setting.INPATIENT)  # coded as if established, so only its specificity is asked
    assert inpatient is not None and inpatient.kind is FindingKind.UNSPECIFIED
    f = run(notes, Setting.OUTPATIENT)
    assert f is not None and f.kind is FindingKind.UNCERTAIN


def test_same_note_rule_out_then_ruled_out_is_resolved() -> None:
    text = "Admitted to rule out heart failure. Echo normal; heart failure ruled out."
    n = note("DocumentReference/1", text, day(2), kind="discharge_summary")
    a = analysed(
        n, hit(text, "heart failure", uncertain=True), hit(text, "heart failure", occurrence=1, negated=True)
    )
    assert run([a]) is None


def test_two_providers_disagree_is_a_conflict_but_one_changing_mind_is_not() -> None:
    conflict = run(
        [
            mention("DocumentReference/1", "acute systolic heart failure", day(1), "heart failure"),
            mention(
                "DocumentReference/2",
                "no heart failure",
                day(2),
                "heart failure",
                author=CONSULTANT,
                kind="consult_note",
                negated=True,
            ),
            mention(
                "DocumentReference/3",
                "acute systolic heart failure",
                day(3),
                "heart failure",
                kind="discharge_summary",
            ),
        ]
    )
    assert conflict is not None and conflict.kind is FindingKind.CONFLICT
    assert {e.document for e in conflict.evidence} == {"DocumentReference/2", "DocumentReference/3"}
    changed_mind = run(
        [
            mention("DocumentReference/1", "heart failure", day(1), "heart failure"),
            mention(
                "DocumentReference/2",
                "no heart failure",
                day(2),
                "heart failure",
                kind="discharge_summary",
                negated=True,
            ),
        ]
    )
    assert changed_mind is None


def test_discharge_summary_ruling_out_is_the_final_word() -> None:
    f = run(
        [
            mention("DocumentReference/1", "heart failure", day(1), "heart failure", author=CONSULTANT),
            mention(
                "DocumentReference/2",
                "heart failure ruled out",
                day(2),
                "heart failure",
                kind="discharge_summary",
                negated=True,
            ),
        ]
    )
    assert f is None


def test_incompatible_axis_values_between_providers_is_a_conflict() -> None:
    t1, t2 = "chronic systolic heart failure", "chronic diastolic heart failure"
    a1 = analysed(
        note("DocumentReference/1", t1, day(1)),
        hit(t1, "heart failure"),
        hit(t1, "systolic", HitKind.AXIS, axis="type", value="systolic"),
        hit(t1, "chronic", HitKind.AXIS, axis="acuity", value="chronic"),
    )
    a2 = analysed(
        note("DocumentReference/2", t2, day(2), author=CONSULTANT),
        hit(t2, "heart failure"),
        hit(t2, "diastolic", HitKind.AXIS, axis="type", value="diastolic"),
        hit(t2, "chronic", HitKind.AXIS, axis="acuity", value="chronic"),
    )
    f = run([a1, a2])
    assert f is not None and f.kind is FindingKind.CONFLICT
    assert f.axes == ("type",) and f.conflicting_values == ("diastolic", "systolic")


def test_condition_at_odds_with_notes_is_a_conflict() -> None:
    cond = ConditionRecord(
        "Condition/1",
        (Coding("http://hl7.org/fhir/sid/icd-10-cm", "I50.9", None),),
        "Heart failure",
        "active",
        "confirmed",
        day(1, 0),
    )
    f = run(
        [mention("DocumentReference/1", "no heart failure", day(2), "heart failure", negated=True)],
        conditions=[cond],
    )
    assert f is not None and f.kind is FindingKind.CONFLICT and f.implicated_condition == "Condition/1"


def test_affirmed_without_required_axis_is_unspecified() -> None:
    text = "acute heart failure"
    a = analysed(
        note("DocumentReference/1", text, day(1)),
        hit(text, "heart failure"),
        hit(text, "acute", HitKind.AXIS, axis="acuity", value="acute"),
    )
    f = run([a])
    assert f is not None and f.kind is FindingKind.UNSPECIFIED and f.axes == ("type",)
    assert f.unspecified_code == "I50.9"


def test_nurse_mention_only_is_undocumented_and_a_negating_provider_silences_it() -> None:
    nurse_only = run(
        [
            mention(
                "DocumentReference/1",
                "heart failure teaching",
                day(1),
                "heart failure",
                author=NURSE,
                kind="nursing_note",
            )
        ]
    )
    assert nurse_only is not None and nurse_only.kind is FindingKind.UNDOCUMENTED
    addressed = run(
        [
            mention(
                "DocumentReference/1",
                "heart failure",
                day(1),
                "heart failure",
                author=NURSE,
                kind="nursing_note",
            ),
            mention("DocumentReference/2", "no heart failure", day(2), "heart failure", negated=True),
        ]
    )
    assert addressed is None


def test_indicators_without_any_provider_mention_make_an_undocumented_finding() -> None:
    bnp = [
        ObservationRecord("Observation/1", ("42637-9",), "BNP", 1200, None, "pg/mL", day(1)),
    ]
    text = "Given IV furosemide 40 mg."
    n = note("DocumentReference/1", text, day(1))
    a = analysed(n, hit(text, "IV furosemide", HitKind.INDICATOR, indicator="iv_diuretic"))
    f = run([a], observations=bnp)
    assert f is not None and f.kind is FindingKind.UNDOCUMENTED
    assert {i.source for i in f.indicators} == {"Observation/1", "DocumentReference/1"}
    # the same value alone is below the rule's points: no query on one abnormal lab
    assert run([note_without_mention("DocumentReference/1", day(1))], observations=bnp) is None


def test_family_and_hypothetical_mentions_never_make_a_finding() -> None:
    f = run(
        [
            mention("DocumentReference/1", "mother had heart failure", day(1), "heart failure", family=True),
            mention(
                "DocumentReference/2",
                "return if heart failure symptoms",
                day(2),
                "heart failure",
                hypothetical=True,
            ),
        ]
    )
    assert f is None


def test_finding_ids_are_stable() -> None:
    a = [mention("DocumentReference/1", "possible heart failure", day(1), "heart failure", uncertain=True)]
    assert run(a).id == run([replace(a[0])]).id  # type: ignore[union-attr]


def test_uncertainty_recounted_only_in_the_hospital_course_is_still_a_query() -> None:
    text = "She was treated for possible heart failure and improved."
    n = note("DocumentReference/1", text, day(3), kind="discharge_summary")
    a = analysed(n, replace(hit(text, "heart failure", uncertain=True), section="hospital_course"))
    f = run([a])
    assert f is not None and f.kind is FindingKind.UNCERTAIN


def test_values_of_an_established_uncertain_diagnosis_count() -> None:
    text = "Probable acute systolic heart failure."
    n = note("DocumentReference/1", text, day(3), kind="discharge_summary")
    a = analysed(
        n,
        hit(text, "heart failure", uncertain=True),
        hit(text, "acute", HitKind.AXIS, axis="acuity", value="acute"),
        hit(text, "systolic", HitKind.AXIS, axis="type", value="systolic"),
    )
    assert run([a]) is None
