"""The accuracy harness's scoring code (benchmarks/accuracy.py, benchmarks/evalsets/) on tiny made-up inputs.

None of these reads ../shared: the evaluation data is research-use and never enters the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import accuracy  # noqa: E402
from evalsets import cmc2007, mtsamples, negex, scenarios, synthea  # noqa: E402
from evalsets.common import SetMissing, TextNote, prf, require, text_bundle  # noqa: E402

# --- common ------------------------------------------------------------------------------------------


def test_prf_counts_and_empty_denominators() -> None:
    assert prf(8, 2, 2) == pytest.approx((0.8, 0.8, 0.8))
    assert prf(0, 0, 5) == (0.0, 0.0, 0.0)
    assert prf(3, 0, 1) == pytest.approx((1.0, 0.75, 6 / 7))


def test_require_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(SetMissing, match="nowhere.csv"):
        require(tmp_path, tmp_path / "nowhere.csv")


def test_text_bundle_reads_back_as_one_encounter_with_its_note() -> None:
    from cdi.fhir_input import encounters_from_bundle
    from cdi.models import Setting

    records = encounters_from_bundle(text_bundle(TextNote("k1", "Pneumonia, résolving.", "EMER", "34111-5")))
    assert len(records) == 1
    (record,) = records
    assert record.setting is Setting.OUTPATIENT
    assert [n.text for n in record.notes] == ["Pneumonia, résolving."]
    assert record.notes[0].note_kind == "ed_note"
    assert record.notes[0].author is not None


# --- NegEx kit ---------------------------------------------------------------------------------------


def test_gold_flags_map_the_kit_labels() -> None:
    assert negex.gold_flags("Negated", "Recent", "Patient") == {"negated"}
    assert negex.gold_flags("Affirmed", "Historical", "Patient") == {"historical"}
    assert negex.gold_flags("Affirmed", "Not particular", "Other") == {"hypothetical", "family"}


def test_find_concept_prefers_the_upper_case_occurrence() -> None:
    s = "Edema of the legs, no EDEMA of the arms."
    assert negex.find_concept(s, "edema") == (22, 27)
    assert negex.find_concept("no ACUTE   DISEASE", "acute disease") == (3, 18)
    assert negex.find_concept("nothing here", "edema") is None


def _row(report: int, gold: set[str], sentence: str = "no EDEMA") -> negex.Row:
    return negex.Row(1, report, "edema", sentence, 3, 8, frozenset(gold))


def test_negex_half_metrics_scores_each_flag() -> None:
    rows = [
        _row(1, {"negated"}),
        _row(2, {"negated"}),
        _row(3, set()),
        _row(4, {"historical"}),
        _row(5, {"hypothetical"}),
    ]
    preds = [
        frozenset({"negated"}),
        frozenset(),  # a missed negation
        frozenset({"negated", "uncertain"}),  # a false negation (uncertain is not negated)
        frozenset({"historical"}),
        frozenset(),
    ]
    m = negex.half_metrics(rows, preds)
    assert m["n"] == 5
    assert (m["negation_p"], m["negation_r"], m["negation_f1"]) == (0.5, 0.5, 0.5)
    assert m["historical_f1"] == 1.0
    assert m["hypothetical_f1"] == 0.0
    assert m["counts"]["negated"] == {"gold": 2, "tp": 1, "fp": 1, "fn": 1}
    assert negex.score(rows, preds, "family") == (0, 0, 0)


def test_negex_rows_get_their_report_and_half(tmp_path: Path) -> None:
    header = "Report No.\tConcept\tSentence\tNegation\r\n"
    (tmp_path / "Annotations-1-120.txt").write_bytes(
        (
            header + "3\tedema\tNo EDEMA.\tNegated\r\n"
            "75\tedema\tNo EDEMA.\tNegated\r\n"
            "80\tcough\tHistory of COUGH.\tAffirmed\r\n"
        ).encode("latin-1")
    )
    (tmp_path / "rsAnnotations-1-120-random.txt").write_bytes(
        (
            "line\tCondition\tsentence\tnegation\ttemporality\texperiencer\n"
            "1\tedema\tNo EDEMA.\tNegated\tRecent\tPatient\n"
            "2\tcough\tHistory of COUGH.\tAffirmed\tHistorical\tPatient\n"
            "3\tedema\tNo EDEMA.\tNegated\tRecent\tPatient\n"
            "4\trash\tno such row\tAffirmed\tRecent\tPatient\n"
        ).encode("latin-1")
    )
    rows, dropped = negex.load_rows(tmp_path)
    assert dropped == 1
    assert [(r.line, r.report, r.half) for r in rows] == [(1, 3, "dev"), (2, 80, "test"), (3, 75, "test")]
    assert rows[1].gold == {"historical"} and rows[1].sentence[rows[1].start : rows[1].end] == "COUGH"


# --- CMC 2007 ----------------------------------------------------------------------------------------


def _concept(phrases: list[str], codes: tuple[str, ...] = ("593.7*",), not_: list[str] | None = None):  # type: ignore[no-untyped-def]
    return cmc2007.Concept(
        "593.70",
        "reflux",
        codes,
        cmc2007._phrases_rx(phrases),
        cmc2007._phrases_rx(not_) if not_ else None,
    )


def test_cmc_concept_spans_skip_the_not_phrases() -> None:
    c = _concept(["vesicoureteral reflux", "reflux"], not_=["gastroesophageal reflux"])
    text = "Gastroesophageal reflux. Grade 2 REFLUX, and vesicoureteral\n reflux."
    assert [text[a:b] for a, b in c.spans(text)] == ["REFLUX", "vesicoureteral\n reflux"]
    assert c.coded_in({"593.71", "786.2"}) and not c.coded_in({"591"})


def test_cmc_statuses_and_agreement() -> None:
    assert cmc2007.mention_status(frozenset({"negated", "historical"})) == "negated"
    assert cmc2007.mention_status(frozenset({"resolved"})) == "negated"
    assert cmc2007.mention_status(frozenset({"uncertain"})) == "uncertain"
    assert cmc2007.mention_status(frozenset({"historical"})) == "historical"
    assert cmc2007.mention_status(frozenset({"family"})) == "other"
    assert cmc2007.mention_status(frozenset()) == "affirmed"
    # one affirmed mention is enough for a coder; an uncertain one beats a negated one
    assert cmc2007.report_status(["negated", "affirmed", "uncertain"]) == "affirmed"
    assert cmc2007.report_status(["negated", "uncertain"]) == "uncertain"
    # a past acute episode is not coded, a chronic condition in the history is
    assert not cmc2007.predicted_coded("historical", chronic=False)
    assert cmc2007.predicted_coded("historical", chronic=True)
    result = cmc2007.agreement(
        [
            ("affirmed", False, True),
            ("historical", False, True),
            ("uncertain", True, True),
            ("negated", True, False),
        ]
    )
    assert result["agreement"] == 0.5 and result["n"] == 4
    assert result["confusion"]["uncertain"] == {"coded": 1, "not_coded": 0}


def test_cmc_judge_passes_every_mention_to_the_flagger_once() -> None:
    seen: list[list[tuple[int, int]]] = []

    def flagger(text: str, spans: list[tuple[int, int]]) -> list[frozenset[str]]:
        seen.append(spans)
        return [frozenset({"negated"}) if text[a - 3 : a] == "no " else frozenset() for a, _ in spans]

    report = cmc2007.Report(4, "Rule out pneumonia.", "No pneumonia. Atelectasis.", frozenset({"518.0"}))
    judged = {c.code: (status, coded) for _, c, status, coded in cmc2007.judge([report], flagger)}
    assert judged == {
        "486": ("affirmed", False),
        "518.0": ("affirmed", True),
    }  # our fake flagger misses "rule out"
    assert len(seen) == 1 and len(seen[0]) == 3
    assert report.half == "dev" and cmc2007.Report(5, "", "", frozenset()).half == "test"


# --- scenarios -----------------------------------------------------------------------------------------


def test_scenario_scoring_counts_like_score_py() -> None:
    expected = {
        "a": {
            "expected": [{"kind": "unspecified", "topic": "heart_failure", "axes": ["type"]}],
            "not_expected": [{"topic": "copd"}],
        },
        "b": {"expected": [{"kind": "uncertain", "topic": "sepsis"}], "not_expected": []},
    }
    report = {
        "encounters": [
            {
                "encounter": "Encounter/a-enc",
                "findings": [
                    {"kind": "unspecified", "topic": "heart_failure", "axes": ["type", "acuity"]},
                    {"kind": "unspecified", "topic": "copd", "axes": []},  # banned: FP
                    {"kind": "uncertain", "topic": "anemia"},  # neither list: unjudged
                ],
            },
            {
                "encounter": "Encounter/b-enc",
                "findings": [{"kind": "conflict", "topic": "sepsis"}],
            },  # wrong kind
        ]
    }
    s = scenarios.score_report(report, expected)
    assert (s["tp"], s["fn"], s["fp"], s["unjudged"]) == (1, 1, 2, 1)
    assert s["recall"] == 0.5 and s["precision"] == pytest.approx(0.333)
    assert s["axes_exact"] == 0.0 and s["axes"] == "0/1"
    assert s["per_kind"]["unspecified"]["precision"] == 0.5
    assert s["per_kind"]["uncertain"]["recall"] == 0.0
    assert scenarios.case_of("Encounter/dev-x-enc") == "dev-x"


# --- Synthea -------------------------------------------------------------------------------------------


def test_synthea_test_half_leaves_out_the_biggest_patient() -> None:
    notes = {"Patient/a": 5, "Patient/z": 700, "Patient/b": 9, "Patient/c": 1, "Patient/d": 3}
    assert synthea.test_patients(notes) == {"Patient/b", "Patient/c", "Patient/d"}


def test_synthea_summary_counts_encounters_with_a_finding() -> None:
    encs = [
        {
            "patient": "P/1",
            "findings": [
                {"kind": "unspecified", "topic": "anemia"},
                {"kind": "uncertain", "topic": "anemia"},
            ],
        },
        {"patient": "P/1", "findings": []},
        {"patient": "P/2", "findings": []},
        {"patient": "P/2", "findings": []},
    ]
    s = synthea.summarize(encs)
    assert (s["encounters"], s["with_findings"], s["spurious_rate"]) == (4, 1, 0.25)
    assert s["by_topic"] == {"anemia": {"uncertain": 1, "unspecified": 1}}


# --- MTSamples ----------------------------------------------------------------------------------------


def test_clause_heads_take_the_last_word_of_each_clause() -> None:
    dx = "1.  Torn ACL, right knee.,2.  Possible torn meniscus.,3.  Rule out appendicitis versus ileitis."
    assert [dx[a:b] for a, b in mtsamples.clause_heads(dx)] == [
        "ACL",
        "knee",
        "meniscus",
        "appendicitis",
        "ileitis",
    ]
    assert mtsamples.clause_heads("  ") == []


def test_pairs_count_flagged_preop_and_quiet_postop() -> None:
    def flagger(text: str, spans: list[tuple[int, int]]) -> list[frozenset[str]]:
        hedged = "possible" in text.lower()
        return [frozenset({"uncertain"}) if hedged else frozenset() for _ in spans]

    rows = [
        {
            "note_id": "1",
            "preop_dx": "Possible appendicitis.",
            "postop_dx": "Appendicitis.",
            "preop_has_hedge": "True",
            "postop_has_hedge": "False",
        },
        {
            "note_id": "2",
            "preop_dx": "Rule out mass.",
            "postop_dx": "Possible mass.",
            "preop_has_hedge": "True",
            "postop_has_hedge": "False",
        },
        {
            "note_id": "3",
            "preop_dx": "Hernia.",
            "postop_dx": "Hernia.",
            "preop_has_hedge": "False",
            "postop_has_hedge": "False",
        },
    ]
    out = mtsamples.pairs(rows, {"1": "dev", "2": "dev", "3": "test"}, flagger)
    assert out["dev"] == {
        "hedged_preop": 2,
        "hedged_preop_flagged": 1,
        "resolved_postop": 2,
        "resolved_postop_quiet": 1,
        "unhedged_postop": 2,
        "unhedged_postop_called_uncertain": 1,
    }
    assert out["test"]["unhedged_postop"] == 1 and out["test"]["hedged_preop"] == 0


def test_mtsamples_rates_per_100_notes_and_types() -> None:
    a = mtsamples.Sample(2, "Surgery", ("Surgery",), "text", ("1",))
    b = mtsamples.Sample(3, "Nephrology", ("Nephrology", "Emergency Room Reports"), "text", ("2",))
    r = mtsamples.rates([(a, [{"kind": "unspecified", "topic": "anemia"}]), (b, [])])
    assert r["notes"] == 2 and r["findings_per_100"] == 50.0 and r["by_kind"] == {"unspecified": 50.0}
    assert r["by_specialty"]["Nephrology"] == {"notes": 1, "findings_per_100": 0.0}
    assert (a.half, b.half) == ("dev", "test")
    assert (a.as_note().class_code, a.as_note().loinc) == ("IMP", "11504-8")
    assert (b.as_note().class_code, b.as_note().loinc) == ("EMER", "34111-5")


# --- the report ----------------------------------------------------------------------------------------


def test_table_reports_skipped_sets_and_goals() -> None:
    half = {
        "agreement": 0.9,
        "n": 3,
        "confusion": {s: {"coded": 1, "not_coded": 0} for s in cmc2007.STATUSES},
    }
    lines = accuracy.table(
        {"negex": {"skipped": "negex: not found: /x"}, "cmc2007": {"dev": half, "test": half}}
    )
    text = "\n".join(lines)
    assert "| negex | skipped: negex: not found: /x |" in text
    assert "| CMC 2007 | agreement with coders | 0.900 | 0.900 | >= 0.95 (test) |" in text


def test_run_turns_missing_data_into_a_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> None:
        raise SetMissing("not found: /nowhere")

    monkeypatch.setitem(accuracy.SETS, "negex", missing)
    out = accuracy.run(["negex"])
    assert out["negex"] == {"skipped": "negex: not found: /nowhere"}
    assert "negex" in out["meta"]["seconds"]
