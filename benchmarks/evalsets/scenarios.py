"""Development CDI scenarios: finding recall and precision against ``expected.json``.

The scenarios' FHIR Bundles go through exactly what ``cdi analyze DIR --format json`` runs (FhirReader,
the process-wide Analyzer, ``report_json``) and are scored as ``cdi-scenarios/score.py`` scores them:
a finding whose (kind, topic) is expected is a true positive; an expected one missing a false negative;
a finding on a topic in ``not_expected``, or on an expected topic under another kind, a false positive;
a finding on a topic in neither list is "unjudged" (counted apart). For ``unspecified`` the axes must
match exactly to count in ``axes_exact``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from evalsets.common import SCENARIOS, prf, r3, require

DEV_DIR = SCENARIOS / "dev"


def case_of(encounter_ref: str) -> str:
    """``Encounter/<case-id>-enc`` -> ``<case-id>``."""
    cid = (encounter_ref or "").split("/")[-1]
    return cid[:-4] if cid.endswith("-enc") else cid


def score_report(report: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """Recall, precision, axes and per-kind counts of a JSON report against the expected findings."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for enc in report.get("encounters", []):
        found[case_of(enc.get("encounter") or "")].extend(enc.get("findings", []))
    tp = fn = fp = unjudged = axes_ok = axes_n = 0
    per_kind: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fn": 0, "fp": 0})
    errors: list[str] = []
    for cid, exp in expected.items():
        want = {(e["kind"], e["topic"]): e for e in exp["expected"]}
        want_topics = {t for _, t in want}
        banned = {e["topic"] for e in exp["not_expected"]}
        got: dict[tuple[str, str], dict[str, Any]] = {}
        for f in found.get(cid, []):
            got.setdefault((f.get("kind", ""), f.get("topic", "")), f)
        for key, e in want.items():
            if key in got:
                tp += 1
                per_kind[key[0]]["tp"] += 1
                if key[0] == "unspecified" and e.get("axes"):
                    axes_n += 1
                    ok = set(got[key].get("axes") or []) == set(e["axes"])
                    axes_ok += ok
                    if not ok:
                        errors.append(f"AXES {cid}: {key} got {got[key].get('axes')} want {e['axes']}")
            else:
                fn += 1
                per_kind[key[0]]["fn"] += 1
                errors.append(f"FN {cid}: {key}")
        for key in got:
            if key in want:
                continue
            if key[1] in banned or key[1] in want_topics:
                fp += 1
                per_kind[key[0]]["fp"] += 1
                errors.append(f"FP {cid}: {key}")
            else:
                unjudged += 1
                errors.append(f"UNJUDGED {cid}: {key}")
    p, r, _ = prf(tp, fp, fn)
    return {
        "recall": r3(r),
        "precision": r3(p),
        "axes_exact": r3(axes_ok / axes_n) if axes_n else 0.0,
        "axes": f"{axes_ok}/{axes_n}",
        "per_kind": {
            k: {
                "recall": r3(prf(c["tp"], c["fp"], c["fn"])[1]),
                "precision": r3(prf(c["tp"], c["fp"], c["fn"])[0]),
                **c,
            }
            for k, c in sorted(per_kind.items())
        },
        "tp": tp,
        "fn": fn,
        "fp": fp,
        "unjudged": unjudged,
        "cases": len(expected),
        "errors": errors,
    }


def analyze_dir(directory: Path) -> dict[str, Any]:
    """The JSON report ``cdi analyze DIR --format json`` prints for a folder."""
    from cdi.analysis import get_analyzer
    from cdi.fhir_input import FhirReader
    from cdi.report import report_json

    reader = FhirReader([directory])
    results = list(get_analyzer().analyze_many(reader.encounters()))
    return report_json(results, reader.problems)


def evaluate(directory: Path = DEV_DIR) -> dict[str, Any]:
    """``{"dev": {...}}`` for the development scenarios."""
    import json

    require(directory / "expected.json")
    expected = json.loads((directory / "expected.json").read_text(encoding="utf-8"))
    return {"dev": score_report(analyze_dir(directory), expected)}
