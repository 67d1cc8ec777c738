"""CMC 2007 radiology challenge: does our assertion status of a diagnosis agree with the coders?

The coders followed the outpatient rule (ICD-10-CM IV.H, the same in ICD-9-CM): a diagnosis documented
as uncertain or negated is not coded. For each report and each diagnosis of ``cmc2007_concepts.yaml``
named in it, the NotePipeline (sentences, sections, ConText: ``assertion_flags`` on the whole report,
"CLINICAL HISTORY:" and "IMPRESSION:" as its section headers) gives every mention a status; the report's
status for the diagnosis is

* ``affirmed`` when one mention is about the patient now and neither negated nor uncertain
  (a coder codes a diagnosis stated once, e.g. the reason for the study, even if the images are normal);
* else ``historical`` when one mention is neither negated nor uncertain but dated in the past;
* else ``uncertain`` when one mention is uncertain, ``negated`` when one is negated (or resolved), and
  ``other`` (hypothetical, or another person's) otherwise.

Predicted "coded": ``affirmed``, or ``historical`` for a chronic condition (coders code a followed
chronic condition, "history of reflux, follow-up", but give a past acute episode, "history of UTI", a
history code, V13.02). The rule under test is "uncertain or negated => not coded". Gold "coded" is the
code in the CMC_MAJORITY set. Agreement is the share of (report, diagnosis) pairs where they match.
Split by document id: even ids are the development half, odd ids the test half (eval-data README).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from evalsets.common import EVAL_DATA, r3, require

CMC_FILE = EVAL_DATA / "cmc2007_icd9_radiology" / "2007ChallengeTrainData.xml"
CONCEPTS_FILE = Path(__file__).with_name("cmc2007_concepts.yaml")
STATUSES = ("affirmed", "historical", "uncertain", "negated", "other")  # precedence order


@dataclass(frozen=True)
class Concept:
    code: str
    name: str
    codes: tuple[str, ...]
    pattern: re.Pattern[str]
    not_pattern: re.Pattern[str] | None
    chronic: bool = False

    def coded_in(self, codes: Iterable[str]) -> bool:
        return any(fnmatch(c, pat) for c in codes for pat in self.codes)

    def spans(self, text: str) -> list[tuple[int, int]]:
        blocked = [m.span() for m in self.not_pattern.finditer(text)] if self.not_pattern else []
        return [
            m.span()
            for m in self.pattern.finditer(text)
            if not any(a <= m.start() < b or a < m.end() <= b for a, b in blocked)
        ]


@dataclass(frozen=True)
class Report:
    id: int
    history: str
    impression: str
    codes: frozenset[str]  # the CMC_MAJORITY codes

    @property
    def half(self) -> str:
        return "dev" if self.id % 2 == 0 else "test"

    @property
    def text(self) -> str:
        return f"CLINICAL HISTORY: {self.history}\nIMPRESSION: {self.impression}\n"


def _phrases_rx(phrases: Sequence[str]) -> re.Pattern[str]:
    alts = sorted(phrases, key=len, reverse=True)
    return re.compile(
        r"\b(?:" + "|".join(r"\s+".join(map(re.escape, p.split())) for p in alts) + r")\b", re.I
    )


@lru_cache(maxsize=1)
def load_concepts(path: Path = CONCEPTS_FILE) -> tuple[Concept, ...]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return tuple(
        Concept(
            c["code"],
            c["name"],
            tuple(c["codes"]),
            _phrases_rx(c["phrases"]),
            _phrases_rx(c["not"]) if c.get("not") else None,
            bool(c.get("chronic", False)),
        )
        for c in data["concepts"]
    )


def load_reports(path: Path = CMC_FILE) -> list[Report]:
    require(path)
    root = ET.parse(path).getroot()
    reports = []
    for doc in root.iter("doc"):
        texts = {t.get("type"): (t.text or "").strip() for t in doc.iter("text")}
        codes = frozenset(
            (c.text or "").strip() for c in doc.iter("code") if c.get("origin") == "CMC_MAJORITY"
        )
        reports.append(
            Report(
                int(doc.get("id", "0")), texts.get("CLINICAL_HISTORY", ""), texts.get("IMPRESSION", ""), codes
            )
        )
    return reports


def mention_status(flags: frozenset[str]) -> str:
    if flags & {"negated", "resolved"}:  # "interval resolution of the atelectasis": nothing to code now
        return "negated"
    if "uncertain" in flags:
        return "uncertain"
    if flags & {"hypothetical", "family"}:
        return "other"
    if "historical" in flags:
        return "historical"
    return "affirmed"


def predicted_coded(status: str, chronic: bool) -> bool:
    """An affirmed diagnosis is coded; a historical one only when it is a chronic condition."""
    return status == "affirmed" or (status == "historical" and chronic)


def report_status(mention_statuses: Sequence[str]) -> str:
    """The report's status for one diagnosis from its mentions' (see the module docstring)."""
    for status in STATUSES:
        if status in mention_statuses:
            return status
    raise ValueError("a diagnosis named in a report has at least one mention")


def agreement(pairs: Sequence[tuple[str, bool, bool]]) -> dict[str, Any]:
    """Agreement and confusion of (our status, chronic condition, coded by the majority) triples."""
    confusion = {s: {"coded": 0, "not_coded": 0} for s in STATUSES}
    agree = 0
    for status, chronic, coded in pairs:
        confusion[status]["coded" if coded else "not_coded"] += 1
        agree += predicted_coded(status, chronic) == coded
    return {"agreement": r3(agree / len(pairs)) if pairs else 0.0, "n": len(pairs), "confusion": confusion}


Flagger = Callable[[str, list[tuple[int, int]]], list[frozenset[str]]]


def _pipeline_flagger() -> Flagger:
    from cdi.nlp import get_pipeline

    return get_pipeline().assertion_flags


def judge(
    reports: Sequence[Report], flagger: Flagger | None = None
) -> list[tuple[Report, Concept, str, bool]]:
    """(report, concept, our status, coded) for every concept named in every report."""
    flagger = flagger or _pipeline_flagger()
    out = []
    concepts = load_concepts()
    for report in reports:
        text = report.text
        found = [(c, c.spans(text)) for c in concepts]
        found = [(c, s) for c, s in found if s]
        if not found:
            continue
        spans = [span for _, spans in found for span in spans]
        flags = iter(flagger(text, spans))
        for concept, cspans in found:
            statuses = [mention_status(next(flags)) for _ in cspans]
            out.append((report, concept, report_status(statuses), concept.coded_in(report.codes)))
    return out


def evaluate(flagger: Flagger | None = None) -> dict[str, Any]:
    """``{"dev": {...}, "test": {...}}``: agreement, n, confusion, and per-diagnosis agreement."""
    judged = judge(load_reports(), flagger)
    out: dict[str, Any] = {}
    for half in ("dev", "test"):
        mine = [j for j in judged if j[0].half == half]
        result = agreement([(status, c.chronic, coded) for _, c, status, coded in mine])
        per: dict[str, Any] = {}
        for concept in load_concepts():
            sub = [(s, k.chronic, c) for _, k, s, c in mine if k is concept]
            if sub:
                a = agreement(sub)
                per[concept.code] = {"name": concept.name, "agreement": a["agreement"], "n": a["n"]}
        result["by_code"] = per
        out[half] = result
    return out


def disagreements(half: str) -> list[str]:
    """One line per disagreement of a half (for reading errors; dev while tuning)."""
    lines = []
    for report, concept, status, coded in judge([r for r in load_reports() if r.half == half]):
        if predicted_coded(status, concept.chronic) != coded:
            where = f"H: {report.history} | I: {report.impression}"
            lines.append(f"{report.id} {concept.code} ours={status} coded={coded} | {where}")
    return lines
