"""``cdi templates lint``: every query template, rendered for real findings, through the compliance check.

Why: CDI staff edit ``query_templates/``; a template that leads, drops "unable to determine" or names
money must be caught before a physician sees it. The findings come from FHIR input (by default the bundled
``fhir_samples/`` and, when present, the development scenarios in ``../shared/cdi-scenarios/dev/``);
each finding is rendered with every template that can draft it (its (kind, topic) template and its kind's
generic one) and each rendering is checked by :func:`cdi.compliance.lint_rendered`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cdi.compliance import Violation, lint_rendered
from cdi.models import EncounterResult, Finding, Query
from cdi.queries import QueryDrafter

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = PROJECT_ROOT / "fhir_samples"
SCENARIOS_DIR = PROJECT_ROOT.parent / "shared" / "cdi-scenarios" / "dev"


def default_inputs() -> list[Path]:
    """The bundled samples, and the development scenarios when ``../shared`` is there."""
    return [p for p in (SAMPLES_DIR, SCENARIOS_DIR) if p.is_dir()]


@dataclass
class TemplateLint:
    """One template's result: how many findings it rendered and what the checker said."""

    template: str
    rendered: int = 0
    violations: list[tuple[str, Violation]] = field(default_factory=list)  # (finding id, violation)

    @property
    def rules(self) -> list[str]:
        return sorted({v.rule for _, v in self.violations})


@dataclass
class LintReport:
    templates: list[TemplateLint]
    findings: int

    @property
    def ok(self) -> bool:
        return not any(t.violations for t in self.templates)

    @property
    def unrendered(self) -> list[str]:
        return [t.template for t in self.templates if t.rendered == 0]


def renderings(drafter: QueryDrafter, results: Iterable[EncounterResult]) -> Iterator[tuple[Query, Finding]]:
    """(query, finding) for every finding and every template that can draft it."""
    for result in results:
        for finding in result.findings:
            for name in drafter.templates_for(finding):
                yield drafter.draft(finding, result.record, template=name), finding


def lint(drafter: QueryDrafter, results: Sequence[EncounterResult]) -> LintReport:
    """Render and check; one row per template of the directory, rendered or not."""
    rows = {name: TemplateLint(name) for name in drafter.template_names()}
    findings = 0
    for result in results:
        findings += len(result.findings)
        for query, finding in renderings(drafter, [result]):
            row = rows.setdefault(query.template, TemplateLint(query.template))
            row.rendered += 1
            row.violations.extend((finding.id, v) for _, v in lint_rendered([(query, finding)]))
    return LintReport(sorted(rows.values(), key=lambda r: r.template), findings)
