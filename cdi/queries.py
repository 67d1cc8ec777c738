"""Drafting physician queries from Jinja2 templates.

Templates live in ``query_templates/`` at the project root: one generic template per finding kind
(``uncertain.txt.j2``...) and, where the clinical wording differs, one per (kind, topic)
(``unspecified_heart_failure.txt.j2``). They share ``_layout.txt.j2``: who the query is for, the clinical
indicators quoted with their source, the question, the options. The environment is built once per process
and autoescapes, so a quoted note phrase can never inject markup into a page that shows the query.

What the templates get is plain data built here. Options, each with a code saying what the answer means,
come from :mod:`cdi.query_options` (the topic's knowledge, narrowed to what is clinically reasonable, plus
"Other (please specify)" and "Unable to determine", always; none marked or ordered as preferred). Every
drafted query goes through the compliance check (:func:`cdi.compliance.check_query`) before anyone sees
it: its violations are recorded on the query, so a template that breaks a rule shows up in the report,
the store and the tests instead of in a physician's inbox.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from cdi.catalog import Catalog, Topic
from cdi.compliance import check_query
from cdi.models import Author, AuthorKind, EncounterRecord, Finding, FindingKind, Query, Setting
from cdi.query_options import build_options

log = logging.getLogger(__name__)

LAYOUT = "_layout.txt.j2"
TEMPLATES_DIR = Path(
    os.environ.get("CDI_TEMPLATES", Path(__file__).resolve().parent.parent / "query_templates")
)

NOTE_KIND_LABELS = {
    "discharge_summary": "Discharge summary",
    "history_and_physical": "History and physical",
    "progress_note": "Progress note",
    "consult_note": "Consultation note",
    "ed_note": "Emergency department note",
    "operative_note": "Operative note",
    "procedure_note": "Procedure note",
    "radiology_report": "Radiology report",
    "pathology_report": "Pathology report",
    "nursing_note": "Nursing note",
    "dietitian_note": "Nutrition note",
    "therapy_note": "Therapy note",
}


@lru_cache(maxsize=2)
def template_environment(directory: Path = TEMPLATES_DIR) -> Environment:
    """The Jinja2 environment, built once per process (per template directory)."""
    env = Environment(
        loader=FileSystemLoader(str(directory)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["when"] = _format_time
    return env


def _format_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "date not recorded"


@dataclass(frozen=True)
class QuotedEvidence:
    document: str
    document_label: str
    section: str | None
    date: datetime | None
    author: str | None
    quote: str
    by_provider: bool = True  # False: a nurse, dietitian or other clinician wrote it


@dataclass(frozen=True)
class StatedValue:
    """An axis value the record already states (e.g. acuity: "Acute"), for the question's wording."""

    axis: str
    label: str


def _addressee(finding: Finding, record: EncounterRecord) -> Author | None:
    """The provider responsible: the author of the documentation in question, else the attending."""
    by_ref = {n.reference: n for n in record.notes}
    if finding.kind in (FindingKind.UNCERTAIN, FindingKind.UNSPECIFIED):
        for ev in reversed(finding.evidence):
            note = by_ref.get(ev.document)
            if (
                note
                and note.author
                and note.author.reference
                and note.author.kind is not AuthorKind.OTHER_CLINICIAN
            ):
                return note.author
    if record.attending and record.attending.reference:
        return record.attending
    providers = [
        n for n in record.notes if n.author and n.author.reference and n.author.kind is AuthorKind.PROVIDER
    ]
    summaries = [n for n in providers if n.is_discharge_summary]
    pool = summaries or providers
    return pool[-1].author if pool else None


class QueryDrafter:
    """Renders one query per finding and checks it. Build once; ``draft`` is cheap."""

    def __init__(self, catalog: Catalog, templates_dir: Path = TEMPLATES_DIR):
        self.catalog = catalog
        self.env = template_environment(templates_dir)
        self.env.get_template(LAYOUT)  # fail at start-up, not at the first finding

    def template_name(self, finding: Finding) -> str:
        """The (kind, topic) template when there is one, else the kind's generic template."""
        specific = f"{finding.kind.value}_{finding.topic}.txt.j2"
        try:
            self.env.get_template(specific)
            return specific
        except TemplateNotFound:
            return f"{finding.kind.value}.txt.j2"

    def template_names(self) -> list[str]:
        """Every query template of the directory (the layout excluded), sorted."""
        return sorted(n for n in self.env.list_templates(extensions=["j2"]) if not n.startswith("_"))

    def templates_for(self, finding: Finding) -> list[str]:
        """The templates that could render this finding: its own and its kind's generic one."""
        generic = f"{finding.kind.value}.txt.j2"
        chosen = self.template_name(finding)
        return [chosen] if chosen == generic else [chosen, generic]

    def draft(self, finding: Finding, record: EncounterRecord, *, template: str | None = None) -> Query:
        """The query for a finding, rendered with its template (or ``template``) and checked for compliance.

        Violations of the compliant-query rules are recorded on the query (rule ids) and logged as a
        warning with the rule ids only: the query text and the note words it quotes never reach a log.
        """
        topic = self.catalog[finding.topic]
        fmt, options = build_options(finding, topic, record.setting)
        to = _addressee(finding, record)
        name = template or self.template_name(finding)
        texts = [o.text for o in options]
        text = self.env.get_template(name).render(**self._context(finding, record, topic, to, texts))
        query = Query(
            format=fmt,
            to=(to.reference if to and to.reference else ""),
            to_display=to.display if to else None,
            text=text.strip() + "\n",
            options=tuple(texts),
            template=name,
            option_codes=tuple(o.code for o in options),
        )
        violations = tuple(dict.fromkeys(v.rule for v in check_query(query, finding)))
        if violations:
            log.warning(
                "drafted query breaks compliance rules %s (template %s, %s/%s finding)",
                ",".join(violations),
                name,
                finding.kind.value,
                finding.topic,
            )
            query = replace(query, violations=violations)
        return query

    def _context(
        self, finding: Finding, record: EncounterRecord, topic: Topic, to: Author | None, options: list[str]
    ) -> dict[str, Any]:
        notes = {n.reference: n for n in record.notes}
        quoted = []
        for ev in finding.evidence:
            note = notes.get(ev.document)
            label = (
                NOTE_KIND_LABELS.get(note.note_kind, note.type_display or "Clinical note")
                if note
                else "Condition (problem list)"
            )
            kind = note.author.kind if note and note.author else None
            quoted.append(
                QuotedEvidence(
                    ev.document,
                    label,
                    ev.section,
                    ev.date,
                    ev.author,
                    " ".join((ev.sentence or ev.text).split()),  # one line per indicator (the checker)
                    by_provider=kind in (AuthorKind.PROVIDER, None),
                )
            )
        axis_ids = {ax.id for ax in topic.axes}
        axes = [topic.axis(a) for a in finding.axes if a in axis_ids]
        stated = [
            StatedValue(a, topic.axis(a).value(v).label)
            for a, v in finding.stated
            if a in axis_ids and v in {x.id for x in topic.axis(a).values}
        ]
        return {
            "finding": finding,
            "topic": topic,
            "label": topic.label,
            "label_lower": _lower_first(topic.label),
            "axes": axes,
            "several_axes": len(axes) > 1,
            "stated": stated,
            "conflicting_labels": [axes[0].value(v).label for v in finding.conflicting_values]
            if axes
            else [],
            "record": record,
            "patient": record.patient_display or record.patient or "unknown patient",
            "encounter": record.encounter or "no encounter",
            "setting": record.setting.value,
            "outpatient": record.setting is Setting.OUTPATIENT,
            "to": to,
            "evidence": quoted,
            "documented_by_others": bool(quoted) and not any(q.by_provider for q in quoted),
            "indicators": finding.indicators,
            "options": options,
        }


def _lower_first(label: str) -> str:
    """ "Heart failure" -> "heart failure", but "COPD" stays "COPD"."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[0].lower() + label[1:]
