"""Whose reading a coder may take: a radiologist's diagnosis in an outpatient test-only encounter (IV.K)."""

from cdi.models import Author, AuthorKind, FindingKind, Setting
from tests.factories import day
from tests.test_detectors import mention, note_without_mention, run

RADIOLOGIST = Author("Practitioner/rad", "Dr. R", "radiologist", AuthorKind.DIAGNOSTIC)


def reading():  # type: ignore[no-untyped-def]
    return mention(
        "DocumentReference/1",
        "Impression: heart failure.",
        day(1),
        "heart failure",
        author=RADIOLOGIST,
        kind="radiology_report",
    )


def test_inpatient_a_radiologist_alone_naming_a_diagnosis_is_undocumented() -> None:
    f = run([reading()], setting=Setting.INPATIENT)
    assert f is not None and f.kind is FindingKind.UNDOCUMENTED


def test_outpatient_test_only_encounter_is_coded_from_the_reading() -> None:
    assert run([reading()], setting=Setting.OUTPATIENT) is None


def test_outpatient_visit_with_a_treating_provider_still_needs_the_providers_word() -> None:
    f = run([reading(), note_without_mention("DocumentReference/2", day(1))], setting=Setting.OUTPATIENT)
    assert f is not None and f.kind is FindingKind.UNDOCUMENTED
