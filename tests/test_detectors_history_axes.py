"""A chronic disease's type may be stated in the past history ("PMH: diabetes mellitus type 2")."""

from cdi.detectors import detect_topic
from cdi.detectors.context import TopicContext
from cdi.indicators import evaluate
from cdi.models import EncounterRecord, FindingKind, HitKind, Setting
from cdi.statements import collect
from tests.factories import analysed, catalog, day, hit, note, topic

TEXT = "PMH: chronic systolic heart failure\nA/P: heart failure, acute exacerbation"


def run(chronic: bool):  # type: ignore[no-untyped-def]
    t = topic(chronic=chronic)
    n = note("DocumentReference/1", TEXT, day(1))
    a = analysed(
        n,
        hit(TEXT, "heart failure", historical=True),
        hit(TEXT, "chronic", HitKind.AXIS, axis="acuity", value="chronic", historical=True),
        hit(TEXT, "systolic", HitKind.AXIS, axis="type", value="systolic", historical=True),
        hit(TEXT, "heart failure", occurrence=1),
        hit(TEXT, "acute", HitKind.AXIS, axis="acuity", value="acute"),
    )
    record = EncounterRecord("Encounter/e1", "Patient/p1", Setting.INPATIENT, notes=[n])
    st = collect(catalog(t), [a], [])[t.id]
    return detect_topic(TopicContext(record, t, st, evaluate(t, [], [a])))


def test_a_chronic_diseases_type_in_the_past_history_counts() -> None:
    assert run(chronic=True) is None


def test_an_acute_conditions_past_episode_does_not_specify_this_one() -> None:
    f = run(chronic=False)
    assert f is not None and f.kind is FindingKind.UNSPECIFIED and f.axes == ("type",)
