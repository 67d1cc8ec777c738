"""Assertion accuracy on the NegEx/ConText test kit (Chapman et al.), by report half.

Each kit row names a concept (written in upper case inside its sentence) with gold negation,
temporality and experiencer. The concept becomes the one target of its sentence and the NotePipeline's
sentence splitter, sectionizer and ConText run as they do on notes (``NotePipeline.assertion_flags``).
Gold "Negated" -> negated (our "resolved" counts as negated: the kit asks whether the condition is
present at the time of the report), "Historical" -> historical, "Not particular" -> hypothetical,
experiencer "Other" -> family. The kit has no "possible" label (hedged mentions are Affirmed), so an uncertain
mention counts as affirmed for the negation score; uncertainty is reported apart on the *hedged rows*,
those whose sentence holds a hedge cue of pyConTextNLP's lexicon (PROBABLE_EXISTENCE,
AMBIVALENT_EXISTENCE, INDICATION: a lexicon written by others, not our rules).

Split (eval-data README): reports 1-60 are the development half (tune there), 61-120 the test half. The
random-order file carries no report number, so rows are matched to ``Annotations-1-120.txt`` by
(concept, sentence, negation); identical rows from several reports are dealt out in report order.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from evalsets.common import EVAL_DATA, prf, r3, require

NEGEX_DIR = EVAL_DATA / "negex"
PYCONTEXT_KB = EVAL_DATA / "pycontextnlp" / "lexical_kb_05042016.tsv"
FLAGS = ("negated", "historical", "hypothetical", "family")
HEDGE_TYPES = ("PROBABLE_EXISTENCE", "AMBIVALENT_EXISTENCE", "INDICATION")
DEV_LAST_REPORT = 60


@dataclass(frozen=True)
class Row:
    line: int
    report: int
    concept: str
    sentence: str
    start: int
    end: int
    gold: frozenset[str]

    @property
    def half(self) -> str:
        return "dev" if self.report <= DEV_LAST_REPORT else "test"


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().strip('"')).lower()


def find_concept(sentence: str, concept: str) -> tuple[int, int] | None:
    """Character span of the concept in its sentence, preferring the upper-case occurrence."""
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


def gold_flags(negation: str, temporality: str, experiencer: str) -> frozenset[str]:
    """The kit's three labels as our flag names."""
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
    return frozenset(gold)


def load_rows(directory: Path = NEGEX_DIR) -> tuple[list[Row], int]:
    """The kit's rows with their report number, and how many rows could not be placed."""
    require(directory / "Annotations-1-120.txt", directory / "rsAnnotations-1-120-random.txt")
    with (directory / "Annotations-1-120.txt").open(encoding="latin-1", newline="") as fh:
        ann_lines = fh.read().replace("\r\n", "\n").split("\n")[1:]
    reports: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for line in ann_lines:
        parts = line.split("\t")
        if len(parts) >= 4:
            reports[(_norm(parts[1]), _norm(parts[2]), parts[3].strip().lower())].append(int(parts[0]))
    for v in reports.values():
        v.sort()
    rows: list[Row] = []
    dropped = 0
    with (directory / "rsAnnotations-1-120-random.txt").open(encoding="latin-1") as fh:
        lines = fh.read().replace("\r\n", "\n").split("\n")[1:]
    for line in lines:
        parts = line.split("\t")
        if len(parts) < 6:
            continue
        number, concept, sentence, negation, temporality, experiencer = parts[:6]
        sentence = sentence.strip().strip('"')
        pool = reports.get((_norm(concept), _norm(sentence), negation.strip().lower()))
        span = find_concept(sentence, concept)
        if not pool or span is None:
            dropped += 1  # a handful of rows differ between the two files
            continue
        rows.append(
            Row(
                int(number),
                pool.pop(0),
                concept.strip(),
                sentence,
                span[0],
                span[1],
                gold_flags(negation, temporality, experiencer),
            )
        )
    return rows, dropped


@lru_cache(maxsize=1)
def hedge_pattern(path: Path = PYCONTEXT_KB) -> re.Pattern[str] | None:
    """pyConTextNLP's hedge cues as one whole-word regex (None when the lexicon is absent)."""
    if not path.exists():
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        cues = [
            r["Lex"].strip().lower() for r in csv.DictReader(fh, delimiter="\t") if r["Type"] in HEDGE_TYPES
        ]
    words = sorted({c for c in cues if c}, key=len, reverse=True)
    return re.compile(
        r"\b(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in words) + r")\b", re.I
    )


def score(rows: Sequence[Row], predicted: Sequence[frozenset[str]], flag: str) -> tuple[int, int, int]:
    """(tp, fp, fn) of one flag."""
    tp = fp = fn = 0
    for row, pred in zip(rows, predicted, strict=True):
        g, p = flag in row.gold, flag in pred
        tp += g and p
        fp += p and not g
        fn += g and not p
    return tp, fp, fn


def half_metrics(rows: Sequence[Row], predicted: Sequence[frozenset[str]]) -> dict[str, Any]:
    """The contract's keys for one half, plus per-flag counts and the hedged rows' uncertainty."""
    out: dict[str, Any] = {"n": len(rows)}
    tp, fp, fn = score(rows, predicted, "negated")
    p, r, f = prf(tp, fp, fn)
    out.update(negation_p=r3(p), negation_r=r3(r), negation_f1=r3(f))
    names = {"historical": "historical_f1", "hypothetical": "hypothetical_f1", "family": "experiencer_f1"}
    counts: dict[str, dict[str, int]] = {"negated": {"gold": tp + fn, "tp": tp, "fp": fp, "fn": fn}}
    for flag, key in names.items():
        tp, fp, fn = score(rows, predicted, flag)
        out[key] = r3(prf(tp, fp, fn)[2])
        counts[flag] = {"gold": tp + fn, "tp": tp, "fp": fp, "fn": fn}
    out["counts"] = counts
    rx = hedge_pattern()
    if rx is not None:
        hedged = [(row, pred) for row, pred in zip(rows, predicted, strict=True) if rx.search(row.sentence)]
        out["hedged_rows"] = {
            "n": len(hedged),
            "called_uncertain": sum("uncertain" in pred for _, pred in hedged),
            "gold_affirmed_called_negated": sum(
                "negated" in pred and "negated" not in row.gold for row, pred in hedged
            ),
        }
    return out


def as_kit_labels(flags: frozenset[str]) -> frozenset[str]:
    """Our flags in the kit's terms: a resolved condition ("nausea resolved") is absent at the time of
    the report, which the kit labels Negated (a Hit keeps it affirmed: it was present during the stay)."""
    return flags | {"negated"} if "resolved" in flags else flags


def ours() -> Callable[[Row], frozenset[str]]:
    """The project's NotePipeline, the row's concept as the one target."""
    from cdi.nlp import get_pipeline

    pipeline = get_pipeline()
    return lambda row: as_kit_labels(pipeline.assertion_flags(row.sentence, [(row.start, row.end)])[0])


def medspacy_default() -> Callable[[Row], frozenset[str]]:
    """medspaCy 1.3.1's default pipeline, the concept set as the one entity (the baseline)."""
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


def predict(rows: Sequence[Row], run: Callable[[Row], frozenset[str]] | None = None) -> list[frozenset[str]]:
    run = run or ours()
    return [run(r) for r in rows]


def evaluate(run: Callable[[Row], frozenset[str]] | None = None) -> dict[str, Any]:
    """``{"dev": {...}, "test": {...}, "unplaced_rows": n}`` for the project's pipeline (or ``run``)."""
    rows, dropped = load_rows()
    preds = predict(rows, run)
    out: dict[str, Any] = {}
    for half in ("dev", "test"):
        pairs = [(r, p) for r, p in zip(rows, preds, strict=True) if r.half == half]
        out[half] = half_metrics([r for r, _ in pairs], [p for _, p in pairs])
    out["unplaced_rows"] = dropped
    return out


def disagreements(half: str, flag: str | None = None) -> list[str]:
    """One line per disagreement of a half (for reading errors; dev while tuning)."""
    rows, _ = load_rows()
    rows = [r for r in rows if r.half == half]
    lines = []
    for row, pred in zip(rows, predict(rows), strict=True):
        for f in [flag] if flag else FLAGS:
            if (f in row.gold) != (f in pred):
                kind = "FN" if f in row.gold else "FP"
                s = row.sentence
                marked = s[: row.start] + "[[" + s[row.start : row.end] + "]]" + s[row.end :]
                lines.append(f"{kind} {f:12} r{row.report:<3} {marked[:300]!r}")
    return lines
