"""Accuracy on data we did not write: assertion, coding agreement, CDI scenarios, negative control, realism.

    .venv/bin/python benchmarks/accuracy.py [--json] [--sets negex,cmc2007,...] [--details]
    .venv/bin/cdi eval [same options]

Reads ``../shared/eval-data/`` and ``../shared/cdi-scenarios/`` (never copied into the project), runs the
project's own pipeline on them (the FHIR sets exactly as ``cdi analyze`` does; kit sentences and coded
reports through ``NotePipeline.assertion_flags``, the same sentence splitter, sectionizer and ConText),
and prints a table; ``--json`` prints one JSON object instead, with these keys (a contract):

* ``negex``     {"dev", "test"}: negation_p, negation_r, negation_f1, historical_f1, hypothetical_f1,
                experiencer_f1, n (NegEx/ConText kit, reports 1-60 / 61-120)
* ``cmc2007``   {"dev", "test"}: agreement, n, confusion (our status x coded by the majority; even / odd ids)
* ``scenarios`` {"dev"}: recall, precision, axes_exact, per_kind {kind: {recall, precision}}
* ``synthea``   encounters, with_findings, spurious_rate, by_topic (every finding listed under ``findings``)
* ``mtsamples`` {"dev", "test"}: findings per 100 notes by kind and specialty, pre/post-op pairs

A set whose data is absent is reported as ``{"skipped": "<what is missing>"}`` and the rest still runs.
Tune rules on the development halves only; the test halves and a locked set of scenarios judge.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from evalsets import cmc2007, mtsamples, negex, scenarios, synthea  # noqa: E402
from evalsets.common import SetMissing  # noqa: E402

SETS: dict[str, Callable[[], Any]] = {
    "negex": negex.evaluate,
    "cmc2007": cmc2007.evaluate,
    "scenarios": scenarios.evaluate,
    "synthea": synthea.evaluate,
    "mtsamples": lambda: mtsamples.evaluate()[0],
}

# measure -> (goal, the half it is judged on); printed beside the table
GOALS = {
    "negation_f1": (0.985, "test"),
    "historical_f1": (0.90, "test"),
    "hypothetical_f1": (0.90, "test"),
    "agreement": (0.95, "test"),
    "recall": (0.95, "dev"),
    "precision": (0.95, "dev"),
    "axes_exact": (0.90, "dev"),
}
SPURIOUS_GOAL = 0.02


def run(names: Sequence[str]) -> dict[str, Any]:
    """The JSON report for the named sets (a skipped set says why)."""
    out: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    for name in names:
        t0 = time.perf_counter()
        try:
            out[name] = SETS[name]()
        except SetMissing as exc:
            out[name] = {"skipped": f"{name}: {exc}"}
        seconds[name] = round(time.perf_counter() - t0, 1)
    out["meta"] = {"seconds": seconds}
    return out


def _f(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def _goal(measure: str) -> str:
    if measure not in GOALS:
        return ""
    goal, half = GOALS[measure]
    return f">= {goal:g} ({half})"


def table(report: dict[str, Any]) -> list[str]:
    """The report as a Markdown table: one row per measure, dev and test side by side."""
    lines = ["| set | measure | dev | test | goal |", "|---|---|---|---|---|"]

    def row(set_name: str, measure: str, dev: Any, test: Any, goal: str = "") -> None:
        lines.append(f"| {set_name} | {measure} | {_f(dev)} | {_f(test)} | {goal} |")

    def skipped(name: str) -> bool:
        part = report.get(name)
        if part is None:
            return True
        if "skipped" in part:
            lines.append(f"| {name} | skipped: {part['skipped']} | | | |")
            return True
        return False

    if not skipped("negex"):
        d, t = report["negex"]["dev"], report["negex"]["test"]
        row("NegEx kit", "negation precision", d["negation_p"], t["negation_p"])
        row("NegEx kit", "negation recall", d["negation_r"], t["negation_r"])
        for key, label in [
            ("negation_f1", "negation F1"),
            ("historical_f1", "historical F1"),
            ("hypothetical_f1", "hypothetical F1"),
            ("experiencer_f1", "experiencer F1"),
        ]:
            gold = f" (gold {d['counts'][_flag(key)]['gold']} / {t['counts'][_flag(key)]['gold']})"
            row("NegEx kit", label + gold, d[key], t[key], _goal(key))
        row("NegEx kit", "rows", d["n"], t["n"])
        if "hedged_rows" in d:
            hd, ht = d["hedged_rows"], t["hedged_rows"]
            row(
                "NegEx kit",
                "hedged rows called uncertain",
                f"{hd['called_uncertain']}/{hd['n']}",
                f"{ht['called_uncertain']}/{ht['n']}",
            )
    if not skipped("cmc2007"):
        d, t = report["cmc2007"]["dev"], report["cmc2007"]["test"]
        row("CMC 2007", "agreement with coders", d["agreement"], t["agreement"], _goal("agreement"))
        row("CMC 2007", "diagnosis mentions judged", d["n"], t["n"])
        for status in cmc2007.STATUSES:
            cd, ct = d["confusion"][status], t["confusion"][status]
            row(
                "CMC 2007",
                f"{status}: coded / not coded",
                f"{cd['coded']} / {cd['not_coded']}",
                f"{ct['coded']} / {ct['not_coded']}",
            )
    if not skipped("scenarios"):
        d = report["scenarios"]["dev"]
        for key in ("recall", "precision", "axes_exact"):
            row("CDI scenarios", key.replace("_", " "), d[key], "locked", _goal(key))
        for kind, c in d["per_kind"].items():
            row(
                "CDI scenarios", f"{kind} recall / precision", f"{c['recall']:.3f} / {c['precision']:.3f}", ""
            )
        row("CDI scenarios", "findings on unjudged topics", d["unjudged"], "")
    if not skipped("synthea"):
        s = report["synthea"]
        d, t = s["halves"]["dev"], s["halves"]["test"]
        row(
            "Synthea",
            "encounters with a finding",
            f"{d['with_findings']}/{d['encounters']} ({d['spurious_rate']:.1%})",
            f"{t['with_findings']}/{t['encounters']} ({t['spurious_rate']:.1%})",
            f"<= {SPURIOUS_GOAL:.0%}",
        )
    if not skipped("mtsamples"):
        d, t = report["mtsamples"]["dev"], report["mtsamples"]["test"]
        row("MTSamples", "notes", d["notes"], t["notes"])
        row(
            "MTSamples",
            "findings per 100 notes",
            f"{d['findings_per_100']:.1f}",
            f"{t['findings_per_100']:.1f}",
        )
        for kind in sorted(set(d["by_kind"]) | set(t["by_kind"])):
            row(
                "MTSamples",
                f"{kind} per 100 notes",
                f"{d['by_kind'].get(kind, 0.0):.1f}",
                f"{t['by_kind'].get(kind, 0.0):.1f}",
            )
        pd, pt = d.get("preop_postop_pairs"), t.get("preop_postop_pairs")
        if pd and pt:
            row(
                "MTSamples",
                "hedged pre-op dx called uncertain",
                f"{pd['hedged_preop_flagged']}/{pd['hedged_preop']}",
                f"{pt['hedged_preop_flagged']}/{pt['hedged_preop']}",
            )
            row(
                "MTSamples",
                "resolved post-op dx left quiet",
                f"{pd['resolved_postop_quiet']}/{pd['resolved_postop']}",
                f"{pt['resolved_postop_quiet']}/{pt['resolved_postop']}",
            )
            row(
                "MTSamples",
                "unhedged post-op dx called uncertain",
                f"{pd['unhedged_postop_called_uncertain']}/{pd['unhedged_postop']}",
                f"{pt['unhedged_postop_called_uncertain']}/{pt['unhedged_postop']}",
            )
    return lines


def _flag(key: str) -> str:
    return {"negation_f1": "negated", "historical_f1": "historical", "hypothetical_f1": "hypothetical"}.get(
        key, "family"
    )


def details(report: dict[str, Any]) -> list[str]:
    """What to read after the table: scenario errors, every Synthea finding, MTSamples by specialty."""
    lines: list[str] = []
    sc = report.get("scenarios", {}).get("dev")
    if sc:
        lines += ["", "scenarios (dev): errors and unjudged findings", *(f"  {e}" for e in sc["errors"])]
    sy = report.get("synthea")
    if sy and "findings" in sy:
        lines += ["", f"synthea: every finding (test patients {', '.join(sy['test_patients'])})"]
        for f in sy["findings"]:
            axes = f" {f['axes']}" if f["axes"] else ""
            lines.append(
                f"  [{f['half']}] {f['encounter']} {f['kind']} {f['topic']}{axes} <- {f['evidence'][:3]}"
            )
    mt = report.get("mtsamples", {})
    if "dev" in mt:
        lines += ["", "mtsamples: findings per 100 notes by specialty (dev | test)"]
        specs = sorted(set(mt["dev"]["by_specialty"]) | set(mt["test"]["by_specialty"]))
        for s in specs:
            d = mt["dev"]["by_specialty"].get(s, {"notes": 0, "findings_per_100": 0.0})
            t = mt["test"]["by_specialty"].get(s, {"notes": 0, "findings_per_100": 0.0})
            lines.append(
                f"  {s:32} {d['findings_per_100']:6.1f} (n={d['notes']:3d}) | "
                f"{t['findings_per_100']:6.1f} (n={t['notes']:3d})"
            )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument(
        "--json", action="store_true", help="print one JSON object (the contract) instead of a table"
    )
    ap.add_argument(
        "--sets", default=",".join(SETS), help=f"comma-separated subset of: {', '.join(SETS)} (default: all)"
    )
    ap.add_argument("--details", action="store_true", help="after the table: errors and every flagged item")
    ap.add_argument(
        "--read",
        metavar="HALF:N",
        help="only print N flagged MTSamples notes of a half (dev or test) with their findings, to read",
    )
    args = ap.parse_args(argv)
    if args.read:
        half, _, n = args.read.partition(":")
        if half not in ("dev", "test") or not n.isdigit():
            ap.error("--read takes HALF:N, e.g. dev:50")
        try:
            results = mtsamples.run([s for s in mtsamples.load_samples() if s.half == half])
        except SetMissing as exc:
            print(f"mtsamples skipped: {exc}")
            return 0
        print("\n".join(mtsamples.for_reading(results, half, int(n))))
        return 0
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [n for n in names if n not in SETS]
    if unknown:
        ap.error(f"unknown set(s): {', '.join(unknown)}")
    report = run(names)
    if args.json:
        print(json.dumps(report, indent=1, ensure_ascii=False))
        return 0
    print("\n".join(table(report)))
    for name in names:
        if "skipped" in report[name]:
            print(f"skipped {report[name]['skipped']}", file=sys.stderr)
    if args.details:
        print("\n".join(details(report)))
    print(f"\n(seconds per set: {report['meta']['seconds']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
