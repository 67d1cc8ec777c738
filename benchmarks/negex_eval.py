"""Assertion accuracy on the NegEx/ConText test kit (Chapman et al.), by report half.

    .venv/bin/python benchmarks/negex_eval.py [--baseline] [--errors dev|test] [--flag negated]

Each kit row names a concept (written in upper case inside its sentence) with gold negation,
temporality and experiencer. The concept becomes the one target of its sentence and the NotePipeline's
sentence splitter, sectionizer and ConText run as they do on notes (``NotePipeline.assertion_flags``).
Gold "Negated" -> negated, "Historical" -> historical, "Not particular" -> hypothetical, experiencer
"Other" -> family. The kit has no "possible" label (hedged mentions are Affirmed), so uncertainty is
not scored; an uncertain mention is still a negation error only if we call it negated.

Split (eval-data README): reports 1-60 are the development half (tune there), 61-120 the test half. The
random-order file carries no report number, so rows are matched to ``Annotations-1-120.txt`` by
(concept, sentence, negation); identical rows from several reports are dealt out in report order.

``--baseline`` also scores medspaCy 1.3.1's default pipeline (PyRuSH + default ConText rules) on the
same targets. The data is read from ../shared/eval-data/negex and never copied into the project.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

NEGEX_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval-data" / "negex"
FLAGS = ("negated", "historical", "hypothetical", "family")


@dataclass(frozen=True)
class Row:
    line: int
    report: int
    concept: str
    sentence: str
    start: int
    end: int
    gold: frozenset[str]


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().strip('"')).lower()


def _find_concept(sentence: str, concept: str) -> tuple[int, int] | None:
    words = concept.strip().split()
    if not words:
        return None
    rx = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
    found = list(rx.finditer(sentence))
    if not found:
        return None
    upper = [m for m in found if m.group(0) == m.group(0).upper() and any(c.isalpha() for c in m.group(0))]
    m = upper[0] if upper else found[0]
    return m.start(), m.end()


def load_rows(directory: Path = NEGEX_DIR) -> list[Row]:
    with (directory / "Annotations-1-120.txt").open(encoding="latin-1", newline="") as fh:
        ann_lines = fh.read().replace("\r\n", "\n").split("\n")[1:]
    reports: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for line in ann_lines:
        parts = line.split("\t")
        if len(parts) >= 4:
            reports[(_norm(parts[1]), _norm(parts[2]), parts[3].strip().lower())].append(int(parts[0]))
    for v in reports.values():
        v.sort()
    rows = []
    with (directory / "rsAnnotations-1-120-random.txt").open(encoding="latin-1") as fh:
        lines = fh.read().replace("\r\n", "\n").split("\n")[1:]
    for line in lines:
        parts = line.split("\t")
        if len(parts) < 6:
            continue
        number, concept, sentence, negation, temporality, experiencer = parts[:6]
        sentence = sentence.strip().strip('"')
        key = (_norm(concept), _norm(sentence), negation.strip().lower())
        pool = reports.get(key)
        if not pool:
            continue  # a handful of rows differ between the two files; they are left out and counted
        report = pool.pop(0)
        span = _find_concept(sentence, concept)
        if span is None:
            continue
        gold = set()
        if negation.strip().lower() == "negated":
            gold.add("negated")
        t = temporality.strip().lower()
        if t == "historical":
            gold.add("historical")
        elif t == "not particular":
            gold.add("hypothetical")
        if experiencer.strip().lower() != "patient":
            gold.add("family")
        rows.append(Row(int(number), report, concept.strip(), sentence, span[0], span[1], frozenset(gold)))
    return rows


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(rows: Sequence[Row], predicted: Sequence[frozenset[str]], flag: str) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for row, pred in zip(rows, predicted, strict=True):
        g, p = flag in row.gold, flag in pred
        tp += g and p
        fp += p and not g
        fn += g and not p
    return tp, fp, fn


def ours() -> Callable[[Row], frozenset[str]]:
    from cdi.nlp import get_pipeline

    pipeline = get_pipeline()
    return lambda row: pipeline.assertion_flags(row.sentence, [(row.start, row.end)])[0]


def medspacy_default() -> Callable[[Row], frozenset[str]]:
    """medspaCy 1.3.1's default pipeline, the concept set as the one entity."""
    from loguru import logger

    logger.disable("PyRuSH")  # PyRuSH logs a debug line per sentence otherwise
    import medspacy

    nlp = medspacy.load()
    names = {
        "is_negated": "negated",
        "is_historical": "historical",
        "is_hypothetical": "hypothetical",
        "is_family": "family",
    }

    def run(row: Row) -> frozenset[str]:
        doc = nlp.make_doc(row.sentence)
        for name, proc in nlp.pipeline:
            if name == "medspacy_target_matcher":
                span = doc.char_span(row.start, row.end, label="CONCEPT", alignment_mode="expand")
                doc.ents = [span] if span is not None else []
                continue
            doc = proc(doc)
        if not doc.ents:
            return frozenset()
        ent = doc.ents[0]
        return frozenset(flag for attr, flag in names.items() if getattr(ent._, attr))

    return run


def report(
    name: str, rows: Sequence[Row], run: Callable[[Row], frozenset[str]]
) -> dict[str, list[frozenset[str]]]:
    halves = {
        "dev (1-60)": [r for r in rows if r.report <= 60],
        "test (61-120)": [r for r in rows if r.report > 60],
    }
    preds = {h: [run(r) for r in rs] for h, rs in halves.items()}
    print(f"\n{name}")
    print(f"{'half':14} {'flag':13} {'gold':>5} {'P':>6} {'R':>6} {'F1':>6}")
    for h, rs in halves.items():
        for flag in FLAGS:
            tp, fp, fn = score(rs, preds[h], flag)
            p, r, f = _prf(tp, fp, fn)
            print(f"{h:14} {flag:13} {tp + fn:5d} {p:6.3f} {r:6.3f} {f:6.3f}")
    return {h.split()[0]: v for h, v in preds.items()}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", action="store_true", help="also score medspaCy's default pipeline")
    ap.add_argument("--errors", choices=["dev", "test"], help="print the disagreements of one half")
    ap.add_argument("--flag", choices=FLAGS, default=None, help="with --errors: only this flag")
    args = ap.parse_args(argv)
    if not (NEGEX_DIR / "rsAnnotations-1-120-random.txt").exists():
        print(f"NegEx kit not found in {NEGEX_DIR}; skipping.")
        return 0
    rows = load_rows()
    print(
        f"{len(rows)} kit rows scored ({sum(r.report <= 60 for r in rows)} dev, "
        f"{sum(r.report > 60 for r in rows)} test)"
    )
    preds = report("CDI NotePipeline", rows, ours())
    if args.baseline:
        report("medspaCy 1.3.1 default pipeline", rows, medspacy_default())
    if args.errors:
        half = [r for r in rows if (r.report <= 60) == (args.errors == "dev")]
        for row, pred in zip(half, preds[args.errors], strict=True):
            for flag in [args.flag] if args.flag else FLAGS:
                if (flag in row.gold) != (flag in pred):
                    kind = "FN" if flag in row.gold else "FP"
                    sent = row.sentence[: row.start] + "[[" + row.sentence[row.start : row.end] + "]]"
                    sent += row.sentence[row.end :]
                    print(f"{kind} {flag:12} r{row.report:<3} {sent[:300]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
