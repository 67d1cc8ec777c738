"""Throughput and peak memory of the NLP stage and the whole job against medspaCy's default pipeline.

    .venv/bin/python benchmarks/throughput.py [--notes 500] [--batch-size 32]

Reads the first N unique MTSamples transcriptions (one per ``dup_group`` of derived_dedup_groups.csv)
from ../shared/eval-data/mtsamples; skips with a message when the data is absent. Each row runs in its
own subprocess (one process, one core: ``OMP_NUM_THREADS=1``), builds its pipeline (timed apart), then
processes the same texts once; the child reports its wall time and peak RSS (``ru_maxrss``), so one
row's memory never inflates another's.

A row is a function ``(batch_size) -> run(texts)`` registered in ``ROWS``. The "full job" row takes the
same texts as FHIR JSON (one Bundle per encounter, base64 DocumentReference) and runs everything
``cdi analyze`` runs: FHIR parse, NLP, detection and query drafting.

A second table compares sentence splitters alone (medspaCy tokenizer + splitter) on the same texts,
with how many of a handful of tricky clinical cases each gets right (the full set is in
tests/test_nlp_sentences.py).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MTSAMPLES = REPO.parent / "shared" / "eval-data" / "mtsamples"


def load_texts(n: int, directory: Path = MTSAMPLES) -> list[str]:
    """The first ``n`` non-empty transcriptions, one per duplicate group."""
    with (directory / "derived_dedup_groups.csv").open(encoding="utf-8", newline="") as fh:
        group = {row["note_id"]: row["dup_group"] for row in csv.DictReader(fh)}
    csv.field_size_limit(sys.maxsize)
    texts: list[str] = []
    seen: set[str] = set()
    with (directory / "mtsamples.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            g = group.get(row["note_id"])
            text = row["transcription"] or ""
            if g is None or g in seen or not text.strip():
                continue
            seen.add(g)
            texts.append(text)
            if len(texts) == n:
                break
    return texts


# --- rows: each builds its pipeline, then returns a function that processes the texts ---------------


def medspacy_default(batch_size: int) -> Callable[[list[str]], None]:
    """``medspacy.load()``: medspaCy tokenizer, PyRuSH, TargetMatcher (no rules), ConText default rules."""
    from loguru import logger

    logger.disable("PyRuSH")  # otherwise a debug line per sentence
    import medspacy

    nlp = medspacy.load()

    def run(texts: list[str]) -> None:
        for _ in nlp.pipe(texts, batch_size=batch_size):
            pass

    return run


def note_pipeline(batch_size: int) -> Callable[[list[str]], None]:
    """``NotePipeline.analyze``: our sentences, catalogue targets, sections, ConText, Hit objects."""
    from cdi.models import Note
    from cdi.nlp import NotePipeline

    pipeline = NotePipeline.build()

    def run(texts: list[str]) -> None:
        notes = (
            Note(f"DocumentReference/{i}", t, None, None, None, "other", None) for i, t in enumerate(texts)
        )
        for _ in pipeline.analyze(notes, batch_size=batch_size):
            pass

    return run


def full_job(batch_size: int) -> Callable[[list[str]], None]:
    """The whole job of ``cdi analyze``: FHIR JSON parsed (base64 DocumentReferences in one Bundle per
    encounter), NLP, statements, indicators, the four detectors, and a drafted query per finding."""
    import base64

    from cdi.analysis import Analyzer
    from cdi.fhir_input import encounters_from_bundle

    analyzer = Analyzer()

    def bundle(i: int, text: str) -> bytes:
        enc = {
            "resourceType": "Encounter",
            "id": f"e{i}",
            "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
            "subject": {"reference": f"Patient/p{i}"},
        }
        doc = {
            "resourceType": "DocumentReference",
            "id": f"d{i}",
            "status": "current",
            "type": {"coding": [{"system": "http://loinc.org", "code": "11506-3"}]},
            "subject": {"reference": f"Patient/p{i}"},
            "date": "2026-01-01T00:00:00Z",
            "content": [
                {
                    "attachment": {
                        "contentType": "text/plain; charset=utf-8",
                        "data": base64.b64encode(text.encode()).decode(),
                    }
                }
            ],
            "context": {"encounter": [{"reference": f"Encounter/e{i}"}]},
        }
        return json.dumps(
            {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": enc}, {"resource": doc}]}
        ).encode()

    def run(texts: list[str]) -> None:
        payloads = [bundle(i, t) for i, t in enumerate(texts)]  # the input as it arrives: JSON bytes

        def records():  # type: ignore[no-untyped-def]
            for payload in payloads:
                yield from encounters_from_bundle(json.loads(payload))

        for _ in analyzer.analyze_many(records(), encounters_per_batch=batch_size):
            pass

    return run


ROWS: dict[str, Callable[[int], Callable[[list[str]], None]]] = {
    "medspaCy 1.3.1 default (PyRuSH)": medspacy_default,
    "CDI NotePipeline.analyze": note_pipeline,
    "CDI full job (FHIR->queries)": full_job,
}


# --- sentence splitters alone ---------------------------------------------------------------------

TRICKY: list[tuple[str, list[str]]] = [
    (
        "ASSESSMENT AND PLAN\n1. Acute on chronic systolic CHF. Diurese.\n2. AKI, likely prerenal.",
        ["ASSESSMENT AND PLAN", "1. Acute on chronic systolic CHF.", "Diurese.", "2. AKI, likely prerenal."],
    ),
    (
        "Extremities: no edema 1. CHF exacerbation 2. AKI 3. UTI",
        ["Extremities: no edema", "1. CHF exacerbation", "2. AKI", "3. UTI"],
    ),
    (
        "Patient with a history of\ncongestive heart failure who presents with\n"
        "shortness of breath. Admitted.",
        [
            "Patient with a history of\ncongestive heart failure who presents with\nshortness of breath.",
            "Admitted.",
        ],
    ),
    ("Dx: CHF\nDx: COPD", ["Dx: CHF", "Dx: COPD"]),
    (
        "Extremities: No clubbing or edema.\nNeuro: alert",
        ["Extremities: No clubbing or edema.", "Neuro: alert"],
    ),
    ("BP 100/60\nHR 110\nRR 24", ["BP 100/60", "HR 110", "RR 24"]),
    (
        "PREOPERATIVE DIAGNOSIS:,  Acute appendicitis.,POSTOPERATIVE DIAGNOSIS:,  Perforated appendicitis.",
        [
            "PREOPERATIVE DIAGNOSIS:,",
            "Acute appendicitis.,",
            "POSTOPERATIVE DIAGNOSIS:,",
            "Perforated appendicitis.",
        ],
    ),
    ("Seen by Dr. Smith. Pneumonia vs. atelectasis.", ["Seen by Dr. Smith.", "Pneumonia vs. atelectasis."]),
]


def _splitters() -> dict[str, object]:
    """name -> spaCy Language with the medspaCy tokenizer and one sentence splitter."""
    from loguru import logger

    logger.disable("PyRuSH")
    import medspacy  # noqa: F401  (registers medspacy_pyrush)
    import spacy
    from medspacy.custom_tokenizer import create_medspacy_tokenizer

    import cdi.nlp.sentences  # noqa: F401  (registers cdi_sentences)

    rush_rules = Path(medspacy.__file__).resolve().parents[1] / "resources" / "en" / "rush_rules.tsv"
    out: dict[str, object] = {}
    for name, pipe, config in [
        ("PyRuSH (medspaCy default)", "medspacy_pyrush", {"rules_path": str(rush_rules)}),
        ("spaCy sentencizer", "sentencizer", {}),
        ("cdi_sentences (ours)", "cdi_sentences", None),
    ]:
        nlp = spacy.blank("en")
        nlp.tokenizer = create_medspacy_tokenizer(nlp)
        nlp.add_pipe(pipe, config=config) if config is not None else nlp.add_pipe(pipe)
        out[name] = nlp
    return out


def compare_splitters(texts: list[str], batch_size: int) -> None:
    print(f"\nsentence splitters alone (medspaCy tokenizer + splitter), same {len(texts)} notes")
    print(f"{'splitter':34} {'notes/s':>8} {'tricky cases right':>19}")
    for name, nlp in _splitters().items():
        t0 = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=batch_size):  # type: ignore[attr-defined]
            pass
        rate = len(texts) / (time.perf_counter() - t0)
        right = 0
        for text, expected in TRICKY:
            got = [s.text.strip() for s in nlp(text).sents if s.text.strip()]  # type: ignore[operator]
            right += got == expected
        print(f"{name:34} {rate:8.1f} {right:>12d} of {len(TRICKY)}")


def measure_row(name: str, n: int, batch_size: int) -> dict[str, float]:
    """Run one row in this process and return its numbers."""
    texts = load_texts(n)
    t0 = time.perf_counter()
    run = ROWS[name](batch_size)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    run(texts)
    elapsed = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
    return {"notes": len(texts), "build_s": built, "seconds": elapsed, "peak_mb": peak_mb}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=500)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--row", choices=list(ROWS), help=argparse.SUPPRESS)  # child mode
    args = ap.parse_args(argv)
    if not (MTSAMPLES / "mtsamples.csv").exists() or not (MTSAMPLES / "derived_dedup_groups.csv").exists():
        print(f"MTSamples not found in {MTSAMPLES}; skipping the throughput benchmark.")
        return 0
    if args.row:
        print(json.dumps(measure_row(args.row, args.notes, args.batch_size)))
        return 0

    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    results: dict[str, dict[str, float]] = {}
    for name in ROWS:
        cmd = [sys.executable, __file__, "--row", name, "--notes", str(args.notes)]
        cmd += ["--batch-size", str(args.batch_size)]
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True, cwd=REPO).stdout
        results[name] = json.loads(out.strip().splitlines()[-1])

    base = next(iter(results.values()))
    base_rate = base["notes"] / base["seconds"]
    print(f"{args.notes} unique MTSamples notes, batch size {args.batch_size}, one process each")
    print(f"{'row':34} {'build s':>8} {'notes':>6} {'seconds':>8} {'notes/s':>8} {'ratio':>6} {'peak MB':>8}")
    for name, r in results.items():
        rate = r["notes"] / r["seconds"]
        print(
            f"{name:34} {r['build_s']:8.2f} {int(r['notes']):6d} {r['seconds']:8.2f} {rate:8.1f} "
            f"{rate / base_rate:5.1f}x {r['peak_mb']:8.0f}"
        )
    compare_splitters(load_texts(args.notes), args.batch_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
