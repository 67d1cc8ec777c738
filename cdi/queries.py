"""Drafting physician queries from Jinja2 templates.

Templates live in ``query_templates/`` at the project root: one generic template per finding kind
(``uncertain.txt.j2``...) and, where the clinical wording differs, one per (kind, topic)
(``unspecified_heart_failure.txt.j2``). They share ``_layout.txt.j2``: who the query is for, the clinical
indicators quoted with their source, the question, the options. The environment is built once per process
and autoescapes, so a quoted note phrase can never inject markup into a page that shows the query.

What the templates get is plain data built here: options come from the topic's knowledge (axis values,
undocumented options) plus "Other (please specify)" and "Unable to determine", always, and no option is
marked or ordered as preferred.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from cdi.catalog import Catalog, Topic
from cdi.models import Author, AuthorKind, EncounterRecord, Finding, FindingKind, Query, Setting

OTHER = "Other (please specify)"
UNABLE = "Unable to determine"
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


def _options(finding: Finding, topic: Topic, setting: Setting) -> tuple[str, list[str]]:
    """(format, options): the clinically reasonable answers for this finding, never one singled out."""
    label = topic.label
    if finding.kind is FindingKind.UNCERTAIN:
        if setting is Setting.OUTPATIENT:
            opts = [f"{label} is established", f"{label} is not present (ruled out)"]
        else:
            opts = [f"{label} was present and is confirmed", f"{label} was ruled out"]
        opts += list(topic.uncertain_options)
    elif finding.kind is FindingKind.UNSPECIFIED:
        opts = []
        for axis_id in finding.axes:
            axis = topic.axis(axis_id)
            prefix = f"{axis.id.replace('_', ' ').capitalize()}: " if len(finding.axes) > 1 else ""
            opts += [f"{prefix}{v.label}" for v in axis.values]
    elif finding.kind is FindingKind.CONFLICT:
        if finding.conflicting_values and finding.axes:
            axis = topic.axis(finding.axes[0])
            opts = [f"{label}, {axis.value(v).label.lower()}" for v in finding.conflicting_values]
        else:
            opts = [f"{label} is present", f"{label} is not present"]
    else:
        opts = list(topic.undocumented.options) if topic.undocumented else []
        if len(opts) < 2:
            opts = [
                f"{label} (please specify)",
                "A different diagnosis explains the findings (please specify)",
            ]
    return "multiple_choice", [*opts, OTHER, UNABLE]


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
    chosen = (summaries or providers or [None])[-1]
    return chosen.author if chosen else None


class QueryDrafter:
    """Renders one query per finding. Build once; ``draft`` is cheap."""

    def __init__(self, catalog: Catalog, templates_dir: Path = TEMPLATES_DIR):
        self.catalog = catalog
        self.env = template_environment(templates_dir)
        self.env.get_template("_layout.txt.j2")  # fail at start-up, not at the first finding

    def template_name(self, finding: Finding) -> str:
        specific = f"{finding.kind.value}_{finding.topic}.txt.j2"
        try:
            self.env.get_template(specific)
            return specific
        except TemplateNotFound:
            return f"{finding.kind.value}.txt.j2"

    def draft(self, finding: Finding, record: EncounterRecord) -> Query:
        topic = self.catalog[finding.topic]
        fmt, options = _options(finding, topic, record.setting)
        to = _addressee(finding, record)
        name = self.template_name(finding)
        text = self.env.get_template(name).render(**self._context(finding, record, topic, to, options))
        return Query(
            format=fmt,
            to=(to.reference if to and to.reference else ""),
            to_display=to.display if to else None,
            text=text.strip() + "\n",
            options=tuple(options),
            template=name,
        )

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
            quoted.append(
                QuotedEvidence(
                    ev.document, label, ev.section, ev.date, ev.author, (ev.sentence or ev.text).strip()
                )
            )
        axes = [topic.axis(a) for a in finding.axes if a in {ax.id for ax in topic.axes}]
        return {
            "finding": finding,
            "topic": topic,
            "label": topic.label,
            "label_lower": topic.label[0].lower() + topic.label[1:],
            "axes": axes,
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
            "indicators": finding.indicators,
            "options": options,
        }
