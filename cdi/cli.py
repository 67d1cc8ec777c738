"""The ``cdi`` command line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from cdi.models import EncounterResult

app = typer.Typer(
    help="CDI query assistant: reads FHIR R4, finds documentation gaps, drafts compliant physician queries.",
    no_args_is_help=True,
    add_completion=False,
)

EXIT_INPUT_REJECTED = 3
PROGRESS_AFTER = 5  # encounters: below this a progress bar is noise


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    fhir = "fhir"


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details to stderr.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


@app.command()
def analyze(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="FHIR R4 input: Bundle or resource JSON, bulk-export ndjson, or folders of them.",
            exists=True,
        ),
    ],
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="json: the report of DESIGN.md; fhir: a FHIR R4 collection Bundle (DetectedIssue, "
            "Questionnaire, Task, Provenance); text: a summary to read.",
        ),
    ] = OutputFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here instead of stdout.")
    ] = None,
    queries: Annotated[bool, typer.Option(help="Show the drafted queries in the text summary.")] = True,
) -> None:
    """Find documentation gaps in FHIR R4 input and draft a physician query for each.

    Every encounter in the input is read (notes, Conditions, Observations, authors), analysed with the
    medspaCy pipeline and the CDI rules, and reported with its findings and drafted queries. Input that
    cannot be used is reported on stderr (resource and field, never its content) and the rest is still
    analysed; the exit status is then 3.
    """
    from cdi.analysis import get_analyzer
    from cdi.fhir_input import FhirReader
    from cdi.report import print_text, write_report_json

    err = Console(stderr=True)
    reader = FhirReader(paths)
    analyzer = get_analyzer()
    progress = Progress(
        SpinnerColumn(),
        TextColumn("analysing encounters"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )

    def analysed() -> Iterator[EncounterResult]:
        """Results as they come: nothing of a bulk export is held beyond the encounter being written."""
        task = None
        for n, result in enumerate(analyzer.analyze_many(reader.encounters()), start=1):
            if n == PROGRESS_AFTER:
                task = progress.add_task("analyse", total=None, completed=n)  # a stream: no total
            elif task is not None:
                progress.update(task, completed=n)
            yield result

    out_console = Console(file=output.open("w", encoding="utf-8") if output else sys.stdout, soft_wrap=False)
    with progress:
        if output_format is OutputFormat.json:
            write_report_json(analysed(), lambda: reader.problems, out_console.file)
        elif output_format is OutputFormat.fhir:
            from cdi.fhir_output import findings_bundle

            out_console.file.write(findings_bundle(analysed()).model_dump_json(indent=2) + "\n")
        else:
            print_text(analysed(), out_console, show_queries=queries)
    if output:
        out_console.file.close()
    problems = list(reader.problems)
    for p in problems:
        where = f"{p.resource or 'resource'}" + (f" field {p.field}" if p.field else "")
        err.print(
            f"[yellow]input problem[/yellow] {p.source}: {where}: {p.message}", markup=True, highlight=False
        )
    if problems:
        raise typer.Exit(EXIT_INPUT_REJECTED)


templates_app = typer.Typer(help="Query templates (query_templates/).", no_args_is_help=True)
app.add_typer(templates_app, name="templates")


@templates_app.command("lint")
def templates_lint(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="FHIR input to render the templates with (default: fhir_samples/ and, when present, "
            "../shared/cdi-scenarios/dev/).",
            exists=True,
        ),
    ] = None,
) -> None:
    """Render every query template for every finding of the sample data and run the compliance check.

    Each finding is drafted with its (kind, topic) template and with its kind's generic template; the
    table shows per template how many queries it rendered and which rules they break. Exit status 1
    when any rendered query breaks a rule.
    """
    from rich.table import Table

    from cdi.analysis import get_analyzer
    from cdi.fhir_input import FhirReader
    from cdi.template_lint import default_inputs, lint

    inputs = list(paths) if paths else default_inputs()
    console = Console()
    analyzer = get_analyzer()
    results = list(analyzer.analyze_many(FhirReader(inputs).encounters()))
    report = lint(analyzer.drafter, results)
    table = Table(
        title=f"{len(report.templates)} templates, {report.findings} findings from {len(inputs)} input(s)"
    )
    table.add_column("template")
    table.add_column("rendered", justify="right")
    table.add_column("violations", justify="right")
    table.add_column("rules")
    for row in report.templates:
        status = "[red]" + str(len(row.violations)) + "[/red]" if row.violations else "0"
        rendered = str(row.rendered) if row.rendered else "[yellow]0[/yellow]"
        table.add_row(row.template, rendered, status, ", ".join(row.rules))
    console.print(table)
    for row in report.templates:
        for finding_id, violation in row.violations:
            console.print(
                f"{row.template}  {finding_id}  {violation.rule}: {violation.reason}", highlight=False
            )
    if report.unrendered:
        console.print(
            f"[yellow]not exercised by the input:[/yellow] {', '.join(report.unrendered)}", highlight=False
        )
    if not report.ok:
        raise typer.Exit(1)
    console.print("[green]every rendered query passes the compliance check[/green]")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database: Annotated[
        str | None,
        typer.Option(help="SQLAlchemy URL of the store; default $CDI_DATABASE_URL, else ./cdi.db (SQLite)."),
    ] = None,
    tokens_file: Annotated[
        Path | None, typer.Option(help="YAML/JSON file of bearer tokens -> roles (else $CDI_TOKENS_FILE).")
    ] = None,
    load_samples: Annotated[
        bool, typer.Option("--load-samples", help="Analyse and store the bundled fhir_samples/ at start-up.")
    ] = False,
    samples: Annotated[Path | None, typer.Option(help="Folder of FHIR Bundles for --load-samples.")] = None,
    dev: Annotated[
        bool, typer.Option("--dev", help="Also make a cdi_specialist token for this run and print it.")
    ] = False,
) -> None:
    """Run the HTTP service (FHIR endpoints, query lifecycle, worklist, metrics, CDS Hooks; docs at /docs).

    Without configured tokens a development token is printed and the server listens on loopback only.
    """
    from cdi.service.serve import default_samples, run, serve_settings

    try:
        settings, token = serve_settings(
            host=host,
            database=database,
            tokens_file=tokens_file,
            load_samples=(samples or default_samples()) if load_samples else None,
            dev=dev,
        )
    except ValueError as exc:  # ServeError and bad token files alike: say why, exit 2
        Console(stderr=True).print(f"[red]cannot start:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    err = Console(stderr=True, soft_wrap=True)  # never wrap the token: it is copied from here
    err.print(f"store: {settings.database_url}", highlight=False)
    if token is not None:
        err.print(f"development token (cdi_specialist, this run only): [bold]{token}[/bold]", highlight=False)
        err.print(f"  curl -H 'Authorization: Bearer {token}' http://{host}:{port}/Task", highlight=False)
    err.print(f"API documentation: http://{host}:{port}/docs", highlight=False)
    run(settings, host=host, port=port)


@app.command(
    "eval",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def eval_(ctx: typer.Context) -> None:
    """Accuracy on public data we did not write: runs benchmarks/accuracy.py (try: cdi eval --help).

    Reads ../shared/eval-data and ../shared/cdi-scenarios beside the checkout; every option is the
    harness's own (--json, --sets, --details).
    """
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "accuracy.py"
    spec = importlib.util.spec_from_file_location("cdi_accuracy_harness", path) if path.exists() else None
    if spec is None or spec.loader is None:
        Console(stderr=True).print(f"the accuracy harness is not here: {path} (it needs a source checkout)")
        raise typer.Exit(2)
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    raise typer.Exit(harness.main(list(ctx.args)))


if __name__ == "__main__":  # pragma: no cover
    app()
