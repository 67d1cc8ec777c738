"""Synthea bulk export: a negative control. Every finding here is suspect, so each one is listed.

Synthea writes consistent records by construction (template notes, every Condition confirmed, no
hedging), so a correct assistant raises few or no queries. The export goes through exactly what
``cdi analyze DIR`` runs. ``spurious_rate`` is the share of encounters with at least one finding.
Split by patient (eval-data README): three patients, not the one who owns 708 notes, are the test half;
they are chosen by a rule that does not look at findings: the three whose ids sort last.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evalsets.common import EVAL_DATA, r3, require

SYNTHEA_DIR = EVAL_DATA / "synthea_bulk_10patients"
TEST_PATIENTS = 3


def test_patients(notes_per_patient: dict[str, int], k: int = TEST_PATIENTS) -> set[str]:
    """The test half: the ``k`` patients whose ids sort last, leaving out the one with the most notes."""
    if not notes_per_patient:
        return set()
    biggest = max(notes_per_patient, key=lambda p: (notes_per_patient[p], p))
    return set(sorted(p for p in notes_per_patient if p != biggest)[-k:])


def summarize(encounters: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Counts of a list of report encounters (``{"encounter", "patient", "findings"}``)."""
    by_topic: dict[str, Counter[str]] = defaultdict(Counter)
    with_findings = 0
    for enc in encounters:
        if enc["findings"]:
            with_findings += 1
        for f in enc["findings"]:
            by_topic[f["topic"]][f["kind"]] += 1
    n = len(encounters)
    return {
        "encounters": n,
        "with_findings": with_findings,
        "spurious_rate": r3(with_findings / n) if n else 0.0,
        "by_topic": {t: dict(sorted(c.items())) for t, c in sorted(by_topic.items())},
    }


def evaluate(directory: Path = SYNTHEA_DIR) -> dict[str, Any]:
    """Overall counts (the contract's keys), the same per half, and every finding listed."""
    require(directory / "DocumentReference.000.ndjson")
    from cdi.analysis import get_analyzer
    from cdi.fhir_input import FhirReader
    from cdi.report import encounter_json

    reader = FhirReader([directory])
    encounters = []
    notes: Counter[str] = Counter()
    for result in get_analyzer().analyze_many(reader.encounters()):
        encounters.append(encounter_json(result))
        notes[result.record.patient or ""] += len(result.record.notes)
    test = test_patients(dict(notes))
    out = summarize(encounters)
    out["halves"] = {
        "dev": summarize([e for e in encounters if e["patient"] not in test]),
        "test": summarize([e for e in encounters if e["patient"] in test]),
    }
    out["test_patients"] = sorted(test)
    out["findings"] = [
        {
            "half": "test" if enc["patient"] in test else "dev",
            "encounter": enc["encounter"],
            "kind": f["kind"],
            "topic": f["topic"],
            "axes": f["axes"],
            "evidence": [e["text"] for e in f["evidence"]],
        }
        for enc in encounters
        for f in enc["findings"]
    ]
    return out
