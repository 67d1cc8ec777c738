"""The JSON report (a contract, see DESIGN.md) and the readable text summary of analysed encounters."""

from __future__ import annotations

import html
import json
import textwrap
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import IO, Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cdi.models import EncounterResult, Evidence, Finding, Indicator, InputProblem


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def evidence_json(ev: Evidence) -> dict[str, Any]:
    return {"document": ev.document, "section": ev.section, "text": ev.text, "start": ev.start, "end": ev.end}


def indicator_json(ind: Indicator) -> dict[str, Any]:
    return {"source": ind.source, "name": ind.name, "value": ind.value, "time": _iso(ind.time)}


def finding_json(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": f.id,
        "kind": f.kind.value,
        "topic": f.topic,
        "axes": list(f.axes),
        "evidence": [evidence_json(e) for e in f.evidence],
        "indicators": [indicator_json(i) for i in f.indicators],
        "query": None,
        "summary": f.summary,
    }
    if f.query is not None:
        out["query"] = {
            "format": f.query.format,
            "to": f.query.to,
            "text": f.query.text,
            "options": list(f.query.options),
        }
    if f.unspecified_code:
        out["icd10cm"] = {"unspecified": f.unspecified_code, "candidates": list(f.candidate_codes)}
    return out


def encounter_json(result: EncounterResult) -> dict[str, Any]:
    return {
        "encounter": result.record.encounter,
        "patient": result.record.patient,
        "findings": [finding_json(f) for f in result.findings],
    }


def problem_json(p: InputProblem) -> dict[str, Any]:
    return {"source": p.source, "resource": p.resource, "field": p.field, "message": p.message}


def report_json(results: Iterable[EncounterResult], problems: Iterable[InputProblem] = ()) -> dict[str, Any]:
    """The report of DESIGN.md: ``{"encounters": [...]}``, plus the input problems when there were any."""
    out: dict[str, Any] = {"encounters": [encounter_json(r) for r in results]}
    problem_list = [problem_json(p) for p in problems]
    if problem_list:
        out["problems"] = problem_list
    return out


def write_report_json(
    results: Iterable[EncounterResult], problems: Callable[[], Iterable[InputProblem]], out: IO[str]
) -> None:
    """Write the report of :func:`report_json` encounter by encounter, so that a bulk export streams through
    without its results piling up in memory. ``problems`` is called once the results are consumed (the
    reader only knows them then)."""
    out.write('{\n  "encounters": [')
    for i, result in enumerate(results):
        block = json.dumps(encounter_json(result), indent=2, ensure_ascii=False)
        out.write(("," if i else "") + "\n" + textwrap.indent(block, "    "))
    out.write("\n  ]")
    problem_list = [problem_json(p) for p in problems()]
    if problem_list:
        out.write(',\n  "problems": ' + textwrap.indent(json.dumps(problem_list, indent=2), "  ").lstrip())
    out.write("\n}\n")


def print_text(results: Iterable[EncounterResult], console: Console, show_queries: bool = True) -> None:
    """A summary for a person: one panel per encounter with findings, each with its drafted query."""
    n_encounters = n_findings = 0
    for result in results:
        n_encounters += 1
        rec = result.record
        head = f"{rec.encounter or 'no encounter'}  ·  {rec.patient or 'no patient'}  ·  {rec.setting.value}"
        if not result.findings:
            console.print(
                Text(f"✓ {head}: no documentation gap found ({len(rec.notes)} notes)", style="green")
            )
            continue
        table = Table(show_header=True, header_style="bold", expand=True)
        table.add_column("kind", no_wrap=True)
        table.add_column("topic", no_wrap=True)
        table.add_column("axes")
        table.add_column("summary")
        for f in result.findings:
            n_findings += 1
            table.add_row(f.kind.value, f.topic, ", ".join(f.axes), Text(f.summary))
        console.print(Panel(table, title=Text(head), title_align="left"))
        if show_queries:
            for f in result.findings:
                if f.query is not None:
                    title = f"query {f.id} → {f.query.to_display or f.query.to or 'unaddressed'}"
                    console.print(
                        Panel(Text(html.unescape(f.query.text).rstrip()), title=title, title_align="left")
                    )
    console.print(f"{n_encounters} encounter(s), {n_findings} finding(s)")
