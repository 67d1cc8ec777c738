"""Assertion accuracy on the NegEx/ConText test kit, by report half: the NegEx part of the accuracy harness.

    .venv/bin/python benchmarks/negex_eval.py [--baseline] [--errors dev|test] [--flag negated]

The loading and scoring live in ``evalsets/negex.py`` (one place; ``benchmarks/accuracy.py`` uses the
same code). This script adds what is handy while tuning rules: medspaCy 1.3.1's default pipeline as a
baseline on the same targets, and the disagreements of one half (read the development half only).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evalsets import negex  # noqa: E402
from evalsets.common import SetMissing  # noqa: E402


def load_rows(directory: Path = negex.NEGEX_DIR) -> list[negex.Row]:
    """The kit's rows placed in their report (``evalsets.negex.load_rows`` without the unplaced count)."""
    return negex.load_rows(directory)[0]


def _print(name: str, result: dict) -> None:  # type: ignore[type-arg]
    print(f"\n{name}")
    print(f"{'half':5} {'flag':13} {'gold':>5} {'P':>6} {'R':>6} {'F1':>6}")
    for half in ("dev", "test"):
        for flag, c in result[half]["counts"].items():
            p, r, f = negex.prf(c["tp"], c["fp"], c["fn"])
            print(f"{half:5} {flag:13} {c['gold']:5d} {p:6.3f} {r:6.3f} {f:6.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--baseline", action="store_true", help="also score medspaCy's default pipeline")
    ap.add_argument("--errors", choices=["dev", "test"], help="print the disagreements of one half")
    ap.add_argument("--flag", choices=negex.FLAGS, default=None, help="with --errors: only this flag")
    args = ap.parse_args(argv)
    try:
        result = negex.evaluate()
    except SetMissing as exc:
        print(f"NegEx kit skipped: {exc}")
        return 0
    n = result["dev"]["n"] + result["test"]["n"]
    print(f"{n} kit rows scored ({result['dev']['n']} dev, {result['test']['n']} test)")
    _print("CDI NotePipeline", result)
    if args.baseline:
        _print("medspaCy 1.3.1 default pipeline", negex.evaluate(negex.medspacy_default()))
    if args.errors:
        print("\n".join(negex.disagreements(args.errors, args.flag)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
