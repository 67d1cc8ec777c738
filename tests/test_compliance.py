"""Tests of the query compliance check (cdi/compliance.py).

The example queries are data: tests/data/compliance/noncompliant.yaml (each labelled with the rule it
must trigger, and any other rule it cannot help triggering) and compliant.yaml (must trigger none).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from cdi.compliance import (
    RULES,
    VOCABULARY_PATH,
    Violation,
    check_query,
    lint_rendered,
    load_vocabulary,
    plain_text,
)
from cdi.models import Evidence, Finding, FindingKind, Indicator, Query

DATA = Path(__file__).parent / "data" / "compliance"


def _time(value: object) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _finding(example_id: str, data: dict[str, Any]) -> Finding:
    return Finding(
        id=example_id,
        kind=FindingKind(data["kind"]),
        topic=data["topic"],
        encounter="Encounter/1",
        patient="Patient/1",
        axes=tuple(data.get("axes", ())),
        evidence=tuple(
            Evidence(
                document=e["document"],
                section=e.get("section"),
                text=e["text"],
                start=None,
                end=None,
                date=_time(e.get("date")),
            )
            for e in data.get("evidence", ())
        ),
        indicators=tuple(
            Indicator(source=i["source"], name=i["name"], value=str(i["value"]), time=_time(i.get("time")))
            for i in data.get("indicators", ())
        ),
        conflicting_values=tuple(data.get("conflicting_values", ())),
    )


def _query(data: dict[str, Any]) -> Query:
    return Query(
        format=data["format"],
        to=data.get("to") or "",
        to_display=data.get("to_display"),
        text=data["text"],
        options=tuple(str(o) for o in data.get("options") or ()),
        template=data.get("template", "example"),
    )


def _examples(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        examples: list[dict[str, Any]] = yaml.safe_load(fh)
    return examples


NONCOMPLIANT = _examples("noncompliant.yaml")
COMPLIANT = _examples("compliant.yaml")


def _check(example: dict[str, Any]) -> list[Violation]:
    finding = _finding(example["id"], example["finding"]) if example.get("finding") else None
    return check_query(
        _query(example["query"]), finding, diagnosis_in_record=example.get("diagnosis_in_record")
    )


# --- The example sets --------------------------------------------------------------------------------


def test_example_sets_are_large_enough_and_cover_every_rule() -> None:
    assert len(NONCOMPLIANT) >= 40
    assert len(COMPLIANT) >= 15
    ids = [e["id"] for e in NONCOMPLIANT + COMPLIANT]
    assert len(ids) == len(set(ids)), "example ids must be unique"
    for rule in RULES:
        labelled = [e["id"] for e in NONCOMPLIANT if e["rule"] == rule]
        assert len(labelled) >= 2, f"rule {rule} has {len(labelled)} non-compliant example(s); need 2"
    for e in NONCOMPLIANT:
        assert e["rule"] in RULES, f"{e['id']}: unknown rule {e['rule']}"
        for other in e.get("also", ()):
            assert other in RULES, f"{e['id']}: unknown rule {other}"
    formats = {e["query"]["format"] for e in COMPLIANT}
    kinds = {e["finding"]["kind"] for e in COMPLIANT}
    assert formats == {"multiple_choice", "yes_no", "open_ended"}
    assert kinds == {k.value for k in FindingKind}


@pytest.mark.parametrize("example", NONCOMPLIANT, ids=[e["id"] for e in NONCOMPLIANT])
def test_noncompliant_example_triggers_its_rule(example: dict[str, Any]) -> None:
    fired = {v.rule for v in _check(example)}
    expected = {example["rule"], *example.get("also", ())}
    assert example["rule"] in fired, f"{example['id']} should trigger {example['rule']}, got {sorted(fired)}"
    assert fired == expected, f"{example['id']}: expected {sorted(expected)}, got {sorted(fired)}"


@pytest.mark.parametrize("example", COMPLIANT, ids=[e["id"] for e in COMPLIANT])
def test_compliant_example_triggers_nothing(example: dict[str, Any]) -> None:
    violations = _check(example)
    assert violations == [], f"{example['id']} should be compliant, got {violations}"


def test_reasons_are_one_line_and_never_quote_the_query() -> None:
    for example in NONCOMPLIANT:
        query = example["query"]
        quoted = [o for o in query.get("options") or () if len(o) > 12]
        for v in _check(example):
            assert "\n" not in v.reason and v.reason
            for option in quoted:
                assert option not in v.reason, f"{example['id']}: reason quotes an option"
            assert (query.get("to") or "@@") not in v.reason, f"{example['id']}: reason echoes the addressee"


# --- Unit tests of single rules ----------------------------------------------------------------------

FINDING = Finding(id="f1", kind=FindingKind.UNSPECIFIED, topic="heart_failure", encounter=None, patient=None)
UNDOCUMENTED = replace(FINDING, kind=FindingKind.UNDOCUMENTED, topic="hyponatremia")
INDICATORS = "Clinical indicators:\n- Sodium 124 mmol/L (source: Observation/na-1, 2024-02-11)\n\n"
OPTIONS = ("Acute", "Chronic", "Acute on chronic", "Other (please specify)", "Unable to determine")


def _q(
    text: str, options: tuple[str, ...] = OPTIONS, fmt: str = "multiple_choice", to: str = "Practitioner/1"
) -> Query:
    return Query(format=fmt, to=to, to_display=None, text=text, options=options, template="t.j2")


def _rules(query: Query, finding: Finding | None = FINDING, **kw: Any) -> set[str]:
    return {v.rule for v in check_query(query, finding, **kw)}


def test_a_well_formed_query_passes() -> None:
    assert _rules(_q(INDICATORS + "Please clarify the acuity of the heart failure:")) == set()


@pytest.mark.parametrize(
    "line",
    [
        "- BNP 1450 pg/mL (source: Observation/7)",
        "- Echo LVEF 25% (DiagnosticReport/echo-1)",
        "- Edema (source: DocumentReference/55, 2024-03-02)",
        "- Edema (H&P, 03/02/2024)",
        "- Edema (progress note, Dr. Lee, Mar 2, 2024)",
        "- IV furosemide (source: MAR, 2 March 2024)",
    ],
)
def test_indicator_sources_accepted(line: str) -> None:
    text = f"Clinical indicators:\n{line}\n\nPlease clarify the acuity:"
    assert "indicator-without-source" not in _rules(_q(text))


@pytest.mark.parametrize(
    "line",
    [
        "- BNP 1450 pg/mL",
        "- Edema (source: DocumentReference/55)",  # a document needs a date
        "- Edema on 2024-03-02",  # a date needs a document
        "- IV furosemide (source: MAR)",
        "- Edema (Mar 2, 2024)",  # "Mar" of a date is not the MAR
    ],
)
def test_indicator_sources_refused(line: str) -> None:
    text = f"Clinical indicators:\n{line}\n\nPlease clarify the acuity:"
    assert "indicator-without-source" in _rules(_q(text))


def test_indicator_list_layout() -> None:
    # heading variants, blank lines between bullets, an indented continuation line
    text = (
        "## Supporting clinical indicators:\n\n"
        "- BNP 1450 pg/mL\n"
        "  (source: Observation/7)\n\n"
        "* LVEF 25% (source: DiagnosticReport/2)\n"
        "Please clarify the acuity:\n"
        "- Acute\n"
    )
    assert _rules(_q(text)) == set()
    # a heading without a colon when it stands alone (an HTML heading)
    html = "<h3>Clinical indicators</h3><ul><li>BNP 1450 pg/mL</li></ul><p>Please clarify:</p>"
    assert _rules(_q(html)) == {"indicator-without-source"}
    # a bullet repeating an option ends the list instead of being read as an indicator
    text = INDICATORS + "- Acute\n- Chronic\nPlease clarify the acuity."
    assert _rules(_q(text)) == set()


def test_no_indicator_whether_or_not_the_finding_has_some() -> None:
    text = "Please clarify the acuity of the heart failure."
    with_evidence = replace(FINDING, evidence=(Evidence("DocumentReference/1", None, "CHF", None, None),))
    assert "no-indicator" in _rules(_q(text), FINDING)
    assert "no-indicator" in _rules(_q(text), with_evidence)
    assert "no-indicator" in _rules(_q(text), None)
    # a sourced line outside an indicator list counts as a citation
    text = "CHF is documented in the progress note of 2024-03-02 (DocumentReference/5). Please clarify:"
    assert "no-indicator" not in _rules(_q(text))


def test_option_rules() -> None:
    text = INDICATORS + "Please clarify the acuity:"
    assert _rules(_q(text, ("Acute", "Chronic", "Unable to determine"))) == {"missing-other"}
    assert _rules(_q(text, ("Acute", "Chronic", "Other (please specify)"))) == {"missing-unable"}
    for other in ("Other:", "other - please specify", "Another cause (please specify)", "a) Other"):
        assert "missing-other" not in _rules(_q(text, ("Acute", "Chronic", other, "Cannot be determined")))
    for unable in ("Clinically undetermined", "Cannot be determined", "[ ] Unable to determine"):
        assert "missing-unable" not in _rules(_q(text, ("Acute", "Chronic", "Other", unable)))
    assert _rules(_q(text, ("Chronic", "Other", "Unable to determine"))) == {"too-few-options"}
    # open-ended and yes/no queries have no option list to check
    assert _rules(_q(text, (), fmt="open_ended")) == set()
    assert _rules(_q(text.replace(":", "?"), ("Yes", "No"), fmt="yes_no")) == set()


def test_yes_no_only_for_documented_diagnoses() -> None:
    text = INDICATORS + "Does the patient have hyponatremia?"
    yes_no = _q(text, ("Yes", "No"), fmt="yes_no")
    assert _rules(yes_no, UNDOCUMENTED) == {"yes-no-new-diagnosis"}
    assert _rules(yes_no, UNDOCUMENTED, diagnosis_in_record=True) == {"yes-no-new-diagnosis"}
    assert _rules(yes_no, FINDING) == set()
    assert _rules(yes_no, FINDING, diagnosis_in_record=False) == {"yes-no-new-diagnosis"}
    assert _rules(yes_no, None, diagnosis_in_record=False) == {"yes-no-new-diagnosis"}
    assert _rules(yes_no, None) == set()


def test_new_diagnosis_option_needs_an_indicator() -> None:
    options = ("Hyponatremia", "Not clinically significant", "Other (please specify)", "Unable to determine")
    bare = _q("Please clarify the sodium values.", options)
    assert _rules(bare, UNDOCUMENTED) == {"no-indicator", "unsupported-new-diagnosis"}
    assert _rules(_q(INDICATORS + "Please clarify.", options), UNDOCUMENTED) == set()
    # options naming no diagnosis are not a new diagnosis
    neutral = ("Not clinically significant", "No additional diagnosis", "Other", "Unable to determine")
    assert _rules(_q("Please clarify the sodium values.", neutral), UNDOCUMENTED) == {"no-indicator"}
    # a documented diagnosis is not new
    assert "unsupported-new-diagnosis" not in _rules(bare, FINDING)


@pytest.mark.parametrize(
    "sentence",
    [
        "Please document acute on chronic heart failure.",
        "Consider adding the acuity.",
        "The patient meets criteria for acute heart failure.",
        "The patient meets Sepsis-3 criteria.",
        "It appears that the patient has acute heart failure.",
        "We need the acuity.",
        "Would you agree that it is acute?",
        "Don't you think this is acute?",
        "Don’t you think this is acute?",
        "Can you confirm that the patient has acute heart failure?",
        "This should be documented as acute heart failure.",
    ],
)
def test_leading_wording(sentence: str) -> None:
    assert "leading-wording" in _rules(_q(INDICATORS + sentence + " Please clarify:"))


def test_leading_wording_spares_neutral_requests_and_quoted_note_text() -> None:
    ok = [
        "Please document your clinical judgment in the progress notes.",
        "Please document any associated diagnosis, or its absence.",
        'The H&P of 2024-03-01 (DocumentReference/1) reads "meets criteria for sepsis". Please clarify:',
    ]
    for sentence in ok:
        assert "leading-wording" not in _rules(_q(INDICATORS + sentence)), sentence
    # the record's words in the indicator list are not the query's
    text = "Clinical indicators:\n- Meets 3 of 4 SIRS criteria (source: Observation/9)\n\nPlease clarify:"
    assert _rules(_q(text)) == set()


def test_single_option_singled_out() -> None:
    text = INDICATORS + "Please clarify the acuity:"
    base = list(OPTIONS)
    for marked in ("Acute (most likely)", "Acute (preferred)", "ACUTE", "*Acute", "Acute ✓", "<b>Acute</b>"):
        opts = tuple([marked, *base[1:]])
        assert _rules(_q(text, opts)) == {"single-option-singled-out"}, marked
    # abbreviations in capitals are not shouting, nor is a list all in capitals
    abbreviations = ("COPD with acute exacerbation", "COPD, MRSA pneumonia", "Other", "Unable to determine")
    assert _rules(_q(text, abbreviations)) == set()
    assert _rules(_q(text, ("ACUTE", "CHRONIC", "Other", "Unable to determine"))) == set()
    assert _rules(_q(INDICATORS + "The recommended answer is acute. Please clarify:")) == {
        "single-option-singled-out"
    }


def test_only_severe_options() -> None:
    text = INDICATORS + "Please clarify:"
    sepsis = replace(FINDING, topic="sepsis")
    severe_only = ("Severe sepsis", "Septic shock", "Other (please specify)", "Unable to determine")
    assert _rules(_q(text, severe_only), sepsis) == {"only-severe-options"}
    balanced = ("Sepsis", "Severe sepsis", "Septic shock", "Other (please specify)", "Unable to determine")
    assert _rules(_q(text, balanced), sepsis) == set()
    graded = ("Mild", "Moderate", "Severe", "Other (please specify)", "Unable to determine")
    assert _rules(_q(text, graded)) == set()
    # "acute" in the topic's own name does not make every option severe
    aki = replace(FINDING, topic="acute_kidney_injury")
    etiologies = ("Acute tubular necrosis", "Prerenal acute kidney injury", "Other", "Unable to determine")
    assert _rules(_q(text, etiologies), aki) == set()
    assert _rules(_q(text, etiologies), FINDING) == {"only-severe-options"}
    # an acuity the provider already documented is not the query steering
    acute_chf = replace(FINDING, evidence=(Evidence("DocumentReference/1", None, "acute CHF", None, None),))
    types = ("Acute systolic (HFrEF)", "Acute diastolic (HFpEF)", "Other", "Unable to determine")
    assert _rules(_q(text, types), acute_chf) == set()
    assert _rules(_q(text, types), FINDING) == {"only-severe-options"}
    # a negated severe word is a milder alternative
    negated = ("Severe sepsis", "Sepsis without septic shock", "Other", "Unable to determine")
    assert _rules(_q(text, negated), sepsis) == set()


@pytest.mark.parametrize(
    "sentence",
    [
        "This affects reimbursement.",
        "It changes the MS-DRG.",
        "An MCC applies.",
        "It counts as a CC for this stay.",
        "Your answer changes the SOI and ROM.",
        "The CMI of the unit is low.",
        "Payment depends on it.",
        "We will get paid more.",
        "This is a PSI.",
        "HCC capture matters.",
        "A $4,000 difference.",
        "It impacts severity of illness scores.",
        "It lowers audit risk.",
    ],
)
def test_financial_words(sentence: str) -> None:
    assert "financial-word" in _rules(_q(INDICATORS + sentence + " Please clarify:"))


@pytest.mark.parametrize(
    ("line", "tail"),
    [
        ("- BP 88/50 mmHg (source: Observation/3)", "Please clarify the range of motion:"),
        ("- Urine output 400 cc in 8 h (source: Observation/4)", "Please clarify:"),
        ("- CC: dyspnea (source: ED note, 2024-03-01)", "Please clarify:"),
        ("- PSI class IV (source: ED note, 2024-03-01)", "Please clarify:"),
        ("- History of HCC (source: H&P, 2024-03-01)", "Please clarify:"),
        ("- Costophrenic angle blunting (source: DiagnosticReport/1)", "Payload? Please clarify:"),
        ("- Edema (source: H&P, 2024-03-01)", 'The H&P reads "CC: chest pain". Please clarify:'),
    ],
)
def test_financial_words_spare_clinical_text(line: str, tail: str) -> None:
    assert _rules(_q(f"Clinical indicators:\n{line}\n\n{tail}")) == set()


def test_addressee() -> None:
    text = INDICATORS + "Please clarify:"
    for to in ("Practitioner/3", "PractitionerRole/attending-2", "Practitioner/3/_history/2"):
        assert _rules(_q(text, to=to)) == set()
    for to in ("", "Patient/9", "Organization/1", "Dr. Lee", "Practitioner/"):
        assert _rules(_q(text, to=to)) == {"not-addressed-to-provider"}, to
    reason = check_query(_q(text, to="Patient/9"), FINDING)[0].reason
    assert "Patient" in reason and "9" not in reason


def test_no_question() -> None:
    assert _rules(_q(INDICATORS + "Heart failure is documented.")) == {"no-question"}
    assert _rules(_q(INDICATORS + "Is the heart failure acute?")) == set()
    # a question mark inside quoted note text is not the query asking
    assert _rules(_q(INDICATORS + 'The note says "acute?".')) == {"no-question"}


def test_unknown_format() -> None:
    assert _rules(_q(INDICATORS + "Please clarify:", fmt="checkboxes")) == {"unknown-format"}


def test_html_escaped_text_is_read_like_plain_text() -> None:
    html_text = (
        "<p>Clinical indicators:</p>\n<ul>\n  <li>Sodium &lt;125 mmol/L (source: Observation/na-1)</li>\n"
        "  <li>&quot;confused&quot; (source: nursing note, 2024-02-12)</li>\n</ul>\n"
        "<p>Don&#39;t you think this is hyponatremia? Please clarify.</p>"
    )
    assert _rules(_q(html_text), FINDING) == {"leading-wording"}
    plain = plain_text(html_text)
    assert "- Sodium <125 mmol/L" in plain and "<p>" not in plain
    # a "<" of a value is not taken for a tag
    assert "Na < 130 and K > 5" in plain_text("Na < 130 and K > 5")


def test_violations_come_in_rule_order() -> None:
    query = _q("Please document acute heart failure for the DRG.", ("ACUTE",), to="Patient/1")
    rules = [v.rule for v in check_query(query, FINDING)]
    assert rules == sorted(rules, key=RULES.index)
    assert rules[0] == "not-addressed-to-provider"


def test_lint_rendered_names_the_template() -> None:
    good = _q(INDICATORS + "Please clarify:")
    bad = replace(_q("Heart failure."), template="unspecified/heart_failure.txt.j2")
    found = lint_rendered([(good, FINDING), (bad, FINDING)])
    assert found and {name for name, _ in found} == {"unspecified/heart_failure.txt.j2"}
    assert {v.rule for _, v in found} == {"no-indicator", "no-question"}


def test_vocabulary_refuses_unknown_keys(tmp_path: Path) -> None:
    data = yaml.safe_load(VOCABULARY_PATH.read_text(encoding="utf-8"))
    data["leading"]["phrasess"] = ["please document"]
    bad = tmp_path / "compliance.yaml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ValueError, match="phrasess"):
        load_vocabulary(bad)
    data = yaml.safe_load(VOCABULARY_PATH.read_text(encoding="utf-8"))
    data["financial"]["terms"].append({"phrase": "DRG", "pattern": "DRG"})
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ValueError, match="exactly one"):
        load_vocabulary(bad)
