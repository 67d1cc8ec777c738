"""Every template, rendered for every finding of every sample and development scenario, passes the
compliance check; ``cdi templates lint`` and ``cdi analyze --format fhir`` work from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from typer.testing import CliRunner

from cdi.cli import app
from cdi.compliance import check_query
from cdi.fhir_input import FhirReader
from cdi.models import EncounterResult
from cdi.queries import QueryDrafter
from cdi.template_lint import SAMPLES_DIR, SCENARIOS_DIR, default_inputs, lint, renderings

runner = CliRunner()


def _results(analyzer: Any, path: Path) -> list[EncounterResult]:
    return list(analyzer.analyze_many(FhirReader([path]).encounters()))


@pytest.fixture(scope="module")
def samples(analyzer: Any) -> list[EncounterResult]:
    return _results(analyzer, SAMPLES_DIR)


@pytest.fixture(scope="module")
def scenarios(analyzer: Any) -> list[EncounterResult]:
    if not SCENARIOS_DIR.is_dir():
        pytest.skip(f"development scenarios not found at {SCENARIOS_DIR} (../shared is absent)")
    return _results(analyzer, SCENARIOS_DIR)


@pytest.mark.parametrize("which", ["samples", "scenarios"])
def test_every_template_passes_for_every_finding(
    which: str, request: pytest.FixtureRequest, analyzer: Any
) -> None:
    results: list[EncounterResult] = request.getfixturevalue(which)
    drafter: QueryDrafter = analyzer.drafter
    findings = [f for r in results for f in r.findings]
    assert findings
    for f in findings:  # the query the pipeline drafted
        assert f.query is not None and f.query.violations == (), (f.id, f.query.violations)
    report = lint(drafter, results)
    assert report.ok, [(t.template, fid, v.rule) for t in report.templates for fid, v in t.violations]
    rendered = list(renderings(drafter, results))
    assert len(rendered) == sum(len(drafter.templates_for(f)) for f in findings)
    assert sum(t.rendered for t in report.templates) == len(rendered)
    for query, f in rendered:  # the same, rule by rule, as the checker sees it
        assert check_query(query, f) == []


def test_lint_reports_a_bad_template(tmp_path: Path, samples: list[EncounterResult], analyzer: Any) -> None:
    source = analyzer.drafter.env.loader.searchpath[0]
    for template in Path(source).glob("*.j2"):
        (tmp_path / template.name).write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "conflict.txt.j2").write_text(
        '{% extends "_layout.txt.j2" %}{% block question %}\n'
        "Would you agree that {{ label_lower }} is present? It affects the DRG.\n"
        "{% endblock %}\n",
        encoding="utf-8",
    )
    report = lint(QueryDrafter(analyzer.catalog, templates_dir=tmp_path), samples)
    assert not report.ok
    bad = {t.template: t.rules for t in report.templates if t.violations}
    assert set(bad) == {"conflict.txt.j2"}
    assert {"leading-wording", "financial-word"} <= set(bad["conflict.txt.j2"])


def test_default_inputs() -> None:
    inputs = default_inputs()
    assert inputs[0] == SAMPLES_DIR
    assert (SCENARIOS_DIR in inputs) == SCENARIOS_DIR.is_dir()


def test_cli_templates_lint(analyzer: Any) -> None:
    result = runner.invoke(app, ["templates", "lint", str(SAMPLES_DIR)])
    assert result.exit_code == 0, result.output
    assert "unspecified.txt.j2" in result.output and "passes the compliance check" in result.output
    assert "undocumented_acute_kidney_injury.txt.j2" in result.output  # listed even when not rendered


def test_cli_analyze_format_fhir(analyzer: Any) -> None:
    result = runner.invoke(
        app, ["analyze", str(SAMPLES_DIR / "unspecified-heart-failure.json"), "--format", "fhir"]
    )
    assert result.exit_code == 0, result.output
    bundle = Bundle.model_validate(json.loads(result.stdout))
    types = sorted(e.resource.get_resource_type() for e in bundle.entry or [])
    assert types == ["DetectedIssue", "Provenance", "Questionnaire", "Task"]
