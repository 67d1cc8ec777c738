"""MTSamples: realism on transcribed reports written by others. No gold: rates, and notes to read.

Each report appears two or more times (under its specialty and under a document-type category); the
unit is the duplicate group of ``derived_dedup_groups.csv`` (one text, its first row's specialty), split
by group parity (even: development, odd: test). Each text goes through the product as ``cdi analyze``
would see it: one DocumentReference in its own Encounter (``evalsets.common.analyze_texts``), typed by
the group's document-type category (:data:`CATEGORY_TYPES`; otherwise an inpatient progress note).

Reported per half: findings per 100 notes, by kind and by specialty; and, on the pre-/post-operative
diagnosis pairs (``derived_preop_postop_dx_pairs.csv``, whose ``preop_has_hedge`` / ``postop_has_hedge``
columns were derived by others), whether the NotePipeline calls a hedged pre-op diagnosis uncertain and
keeps a resolved post-op diagnosis quiet. Pair diagnoses are free text with no catalogue concept, so the
targets are the last word of each clause of the diagnosis list (the head noun of "possible torn medial
meniscus", "rule out acute appendicitis"), assessed by ``NotePipeline.assertion_flags``.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalsets.common import EVAL_DATA, TextNote, analyze_texts, require

MTSAMPLES_DIR = EVAL_DATA / "mtsamples"

# Document-type categories -> (Encounter.class, DocumentReference LOINC type); the first that applies wins.
CATEGORY_TYPES: tuple[tuple[str, str, str], ...] = (
    ("Emergency Room Reports", "EMER", "34111-5"),  # ED note: outpatient for coding
    ("Discharge Summary", "IMP", "18842-5"),
    ("Radiology", "AMB", "18748-4"),  # an imaging report: a diagnostic physician's reading
    ("Consult - History and Phy.", "IMP", "11488-4"),
    ("SOAP / Chart / Progress Notes", "AMB", "11506-3"),
    ("Office Notes", "AMB", "11506-3"),
    ("Letters", "AMB", "11506-3"),
    ("Surgery", "IMP", "11504-8"),  # operative note
)
DEFAULT_TYPE = ("IMP", "11506-3")


@dataclass(frozen=True)
class Sample:
    group: int
    specialty: str
    categories: tuple[str, ...]
    text: str
    note_ids: tuple[str, ...]

    @property
    def half(self) -> str:
        return "dev" if self.group % 2 == 0 else "test"

    def as_note(self) -> TextNote:
        class_code, loinc = next(
            ((c, lo) for cat, c, lo in CATEGORY_TYPES if cat in self.categories), DEFAULT_TYPE
        )
        return TextNote(f"mts{self.group}", self.text, class_code, loinc)


def _csv(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_samples(directory: Path = MTSAMPLES_DIR) -> list[Sample]:
    """One sample per duplicate group with a non-empty text, in group order."""
    require(directory / "mtsamples.csv", directory / "derived_dedup_groups.csv")
    group = {r["note_id"]: int(r["dup_group"]) for r in _csv(directory / "derived_dedup_groups.csv")}
    rows: dict[int, list[dict[str, str]]] = defaultdict(list)
    for row in _csv(directory / "mtsamples.csv"):
        g = group.get(row["note_id"])
        if g is not None:
            rows[g].append(row)
    samples = []
    for g in sorted(rows):
        members = rows[g]
        text = next((r["transcription"] for r in members if (r["transcription"] or "").strip()), "")
        if not text.strip():
            continue
        cats = tuple(dict.fromkeys(r["medical_specialty"].strip() for r in members))
        samples.append(Sample(g, cats[0], cats, text, tuple(r["note_id"] for r in members)))
    return samples


def rates(results: Sequence[tuple[Sample, list[dict[str, Any]]]]) -> dict[str, Any]:
    """Findings per 100 notes, overall, by kind and by specialty (with each specialty's note count)."""
    n = len(results)
    kinds: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    spec_notes: Counter[str] = Counter()
    spec_findings: Counter[str] = Counter()
    flagged = 0
    for sample, findings in results:
        spec_notes[sample.specialty] += 1
        spec_findings[sample.specialty] += len(findings)
        flagged += bool(findings)
        for f in findings:
            kinds[f["kind"]] += 1
            topics[f["topic"]] += 1

    def per100(k: int, d: int) -> float:
        return round(100 * k / d, 1) if d else 0.0

    return {
        "notes": n,
        "notes_flagged": flagged,
        "findings_per_100": per100(sum(kinds.values()), n),
        "by_kind": {k: per100(v, n) for k, v in sorted(kinds.items())},
        "by_topic": {k: per100(v, n) for k, v in sorted(topics.items())},
        "by_specialty": {
            s: {"notes": spec_notes[s], "findings_per_100": per100(spec_findings[s], spec_notes[s])}
            for s in sorted(spec_notes)
        },
    }


_ITEM = re.compile(r"(?:^|[\s,])\d{1,2}\.\s+")
_CLAUSE = re.compile(r"[,;]|\.(?:\s|$)|\bversus\b|\bvs\.?(?=\s)")
_LAST_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}(?=[^A-Za-z]*$)")


def clause_heads(dx: str) -> list[tuple[int, int]]:
    """Character spans of the last word of each clause of a diagnosis list (see the module docstring)."""
    spans = []
    for item in _split(dx, _ITEM):
        for a, b in _split_spans(dx, item, _CLAUSE):
            m = _LAST_WORD.search(dx, a, b)
            if m and m.end() <= b:
                spans.append((m.start(), m.end()))
    return spans


def _split(text: str, rx: re.Pattern[str]) -> list[tuple[int, int]]:
    cuts = [0, *[m.end() for m in rx.finditer(text)], len(text)]
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if text[a:b].strip()]


def _split_spans(text: str, span: tuple[int, int], rx: re.Pattern[str]) -> list[tuple[int, int]]:
    a, b = span
    cuts = [a, *[a + m.start() for m in rx.finditer(text[a:b])], b]
    return [(x, y) for x, y in zip(cuts, cuts[1:], strict=False) if text[x:y].strip()]


Flagger = Callable[[str, list[tuple[int, int]]], list[frozenset[str]]]


def pair_rows(directory: Path = MTSAMPLES_DIR) -> list[dict[str, str]]:
    require(directory / "derived_preop_postop_dx_pairs.csv")
    return _csv(directory / "derived_preop_postop_dx_pairs.csv")


def uncertain_anywhere(text: str, flagger: Flagger) -> bool:
    spans = clause_heads(text)
    return bool(spans) and any("uncertain" in f for f in flagger(text, spans))


def pairs(rows: Iterable[dict[str, str]], half_of: dict[str, str], flagger: Flagger) -> dict[str, Any]:
    """Per half: hedged pre-op diagnoses called uncertain; resolved (unhedged) post-op ones kept quiet."""
    out: dict[str, Any] = {}
    for half in ("dev", "test"):
        mine = [r for r in rows if half_of.get(r["note_id"]) == half]
        hedged = [r for r in mine if r["preop_has_hedge"] == "True"]
        resolved = [r for r in hedged if r["postop_has_hedge"] == "False"]
        plain_post = [r for r in mine if r["postop_has_hedge"] == "False"]
        out[half] = {
            "hedged_preop": len(hedged),
            "hedged_preop_flagged": sum(uncertain_anywhere(r["preop_dx"], flagger) for r in hedged),
            "resolved_postop": len(resolved),
            "resolved_postop_quiet": sum(not uncertain_anywhere(r["postop_dx"], flagger) for r in resolved),
            "unhedged_postop": len(plain_post),
            "unhedged_postop_called_uncertain": sum(
                uncertain_anywhere(r["postop_dx"], flagger) for r in plain_post
            ),
        }
    return out


def run(samples: Sequence[Sample]) -> list[tuple[Sample, list[dict[str, Any]]]]:
    """Each sample through the product; its findings as the JSON report gives them."""
    from cdi.report import finding_json

    by_key = {f"mts{s.group}": s for s in samples}
    out = []
    for note, result in analyze_texts(s.as_note() for s in samples):
        out.append((by_key[note.key], [finding_json(f) for f in result.findings]))
    return out


def for_reading(
    results: Sequence[tuple[Sample, list[dict[str, Any]]]], half: str, n: int, seed: int = 2026
) -> list[str]:
    """``n`` flagged notes of a half, drawn at random (fixed seed), each with its findings and the
    sentences they rest on, for a person to judge as a CDI specialist would."""
    import random

    flagged = [(s, f) for s, f in results if s.half == half and f]
    picked = sorted(random.Random(seed).sample(flagged, min(n, len(flagged))), key=lambda sf: sf[0].group)
    lines = []
    for i, (sample, findings) in enumerate(picked, start=1):
        note = sample.as_note()
        lines.append(
            f"#{i} group {sample.group} (note_id {sample.note_ids[0]}) {sample.specialty}; "
            f"{note.class_code} {note.loinc}"
        )
        for f in findings:
            axes = f" {f['axes']}" if f["axes"] else ""
            lines.append(f"  {f['kind']} {f['topic']}{axes}")
            for ev in f["evidence"][:4]:
                start, end = ev.get("start"), ev.get("end")
                if start is None or end is None:
                    continue
                a = max(0, sample.text.rfind("\n", 0, start), start - 160)
                b = min(len(sample.text), end + 160)
                snippet = " ".join(sample.text[a:b].split())
                lines.append(f"    [{ev.get('section')}] ...{snippet}...")
    return lines


def evaluate(
    directory: Path = MTSAMPLES_DIR,
) -> tuple[dict[str, Any], list[tuple[Sample, list[dict[str, Any]]]]]:
    """``({"dev": {...}, "test": {...}}, per-sample findings)``."""
    from cdi.nlp import get_pipeline

    samples = load_samples(directory)
    results = run(samples)
    out: dict[str, Any] = {half: rates([r for r in results if r[0].half == half]) for half in ("dev", "test")}
    half_of = {nid: s.half for s in samples for nid in s.note_ids}
    for half, counts in pairs(pair_rows(directory), half_of, get_pipeline().assertion_flags).items():
        out[half]["preop_postop_pairs"] = counts
    return out, results
