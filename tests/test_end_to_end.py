"""End to end: the bundled samples through `cdi analyze`, checked against fhir_samples/expected.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdi.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "fhir_samples"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text())


@pytest.fixture(scope="module")
def report(analyzer) -> dict:  # type: ignore[no-untyped-def,type-arg]
    result = CliRunner().invoke(app, ["analyze", str(SAMPLES), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _found(report: dict) -> dict[str, set[tuple[str, str]]]:  # type: ignore[type-arg]
    out: dict[str, set[tuple[str, str]]] = {}
    for enc in report["encounters"]:
        case = enc["encounter"].split("/")[-1].removesuffix("-enc")
        out[case] = {(f["kind"], f["topic"]) for f in enc["findings"]}
    return out


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_sample_findings_match_expected(report: dict, case: str) -> None:  # type: ignore[type-arg]
    found = _found(report).get(case, set())
    want = {(e["kind"], e["topic"]) for e in EXPECTED[case]["expected"]}
    banned = {e["topic"] for e in EXPECTED[case]["not_expected"]}
    assert want <= found, f"missing {want - found}"
    assert not {t for _, t in found} & banned, f"unexpected {found}"


def test_report_shape_is_the_design_contract(report: dict) -> None:  # type: ignore[type-arg]
    assert set(report) <= {"encounters", "problems"}
    findings = [f for enc in report["encounters"] for f in enc["findings"]]
    assert findings
    for enc in report["encounters"]:
        assert enc["encounter"].startswith("Encounter/") and enc["patient"].startswith("Patient/")
    for f in findings:
        assert {"id", "kind", "topic", "axes", "evidence", "indicators", "query"} <= set(f)
        assert f["kind"] in {"uncertain", "unspecified", "conflict", "undocumented"}
        for ev in f["evidence"]:
            assert set(ev) == {"document", "section", "text", "start", "end"}
        for ind in f["indicators"]:
            assert set(ind) == {"source", "name", "value", "time"}
        q = f["query"]
        assert q["format"] in {"multiple_choice", "yes_no", "open_ended"}
        assert q["to"].startswith("Practitioner/")
        assert "Other (please specify)" in q["options"] and "Unable to determine" in q["options"]
        assert f["evidence"] or f["indicators"]


def test_evidence_offsets_point_at_the_quoted_text(report: dict, analyzer) -> None:  # type: ignore[no-untyped-def,type-arg]
    from cdi.fhir_input import read_encounters

    texts = {n.reference: n.text for rec in read_encounters([SAMPLES]) for n in rec.notes}
    checked = 0
    for enc in report["encounters"]:
        for f in enc["findings"]:
            for ev in f["evidence"]:
                if ev["document"] in texts:
                    assert texts[ev["document"]][ev["start"] : ev["end"]] == ev["text"]
                    checked += 1
    assert checked


def test_ids_are_stable_across_runs(report: dict) -> None:  # type: ignore[type-arg]
    again = CliRunner().invoke(app, ["analyze", str(SAMPLES), "--format", "json"])
    ids = lambda r: [f["id"] for e in r["encounters"] for f in e["findings"]]  # noqa: E731
    assert ids(json.loads(again.stdout)) == ids(report)


def test_text_format_shows_findings_and_queries(analyzer) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(app, ["analyze", str(SAMPLES / "unspecified-heart-failure.json")])
    assert result.exit_code == 0
    assert "heart_failure" in result.stdout and "Other (please specify)" in result.stdout


def test_rejected_input_is_reported_and_the_rest_analysed(tmp_path: Path, analyzer) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.json"
    url_only = {"attachment": {"url": "http://x/y"}}
    bad.write_text(
        json.dumps(
            {"resourceType": "DocumentReference", "id": "d1", "status": "current", "content": [url_only]}
        )
    )
    result = CliRunner().invoke(
        app, ["analyze", str(bad), str(SAMPLES / "unspecified-heart-failure.json"), "--format", "json"]
    )
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["encounters"] and report["problems"][0]["resource"] == "DocumentReference/d1"


def test_streamed_report_is_the_same_json_as_the_service_report(analyzer) -> None:  # type: ignore[no-untyped-def]
    import io

    from cdi.fhir_input import FhirReader
    from cdi.models import InputProblem
    from cdi.report import report_json, write_report_json

    results = list(analyzer.analyze_many(FhirReader([SAMPLES]).encounters()))
    problem = InputProblem("x.json", "DocumentReference/d1", "content[0].attachment", "url only")
    out = io.StringIO()
    write_report_json(iter(results), lambda: [problem], out)
    assert json.loads(out.getvalue()) == report_json(results, [problem])
    empty = io.StringIO()
    write_report_json(iter(()), lambda: [], empty)
    assert json.loads(empty.getvalue()) == {"encounters": []}
