"""The NLP stage as the rest of the project calls it: analyze(), analyze_text(), get_pipeline()."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from cdi.models import HitKind, Note


def _note(ref: str, text: str) -> Note:
    return Note(f"DocumentReference/{ref}", text, datetime(2026, 3, 1), None, None, "progress_note", None)


def test_analyze_keeps_order_and_notes(nlp) -> None:  # type: ignore[no-untyped-def]
    notes = [_note(str(i), text) for i, text in enumerate(["No CHF.", "", "Probable CHF.", "CHF."] * 10)]
    results = list(nlp.analyze(notes, batch_size=4))
    assert [r.note for r in results] == notes
    flags = [tuple((h.negated, h.uncertain) for h in r.hits if h.kind is HitKind.TOPIC) for r in results[:4]]
    assert flags == [((True, False),), (), ((False, True),), ((False, False),)]


def test_analyze_text_uses_a_dummy_note(nlp) -> None:  # type: ignore[no-untyped-def]
    assert nlp.analyze_text("") == ()
    assert [h.text for h in nlp.analyze_text("CHF")] == ["CHF"]


def test_get_pipeline_is_one_per_process(nlp) -> None:  # type: ignore[no-untyped-def]
    from cdi.nlp import get_pipeline

    assert get_pipeline() is nlp


def test_import_does_not_load_spacy_or_medspacy() -> None:
    code = "import sys, cdi.nlp; print(sorted(m for m in ('spacy', 'medspacy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_assertion_flags_for_given_spans(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "No edema or rales. Family history: asthma."
    spans = [(text.index("rales"), text.index("rales") + 5), (text.index("asthma"), text.index("asthma") + 6)]
    assert nlp.assertion_flags(text, spans) == [frozenset({"negated"}), frozenset({"family"})]


def test_pipeline_components(nlp) -> None:  # type: ignore[no-untyped-def]
    assert nlp.nlp.pipe_names == ["cdi_sentences", "cdi_target_matcher", "cdi_sectionizer", "cdi_context"]
    assert "medspacy_pyrush" not in nlp.nlp.pipe_names


NEGEX = Path(__file__).resolve().parents[2] / "shared" / "eval-data" / "negex"


def test_negex_kit_loads_by_report_half() -> None:
    if not (NEGEX / "rsAnnotations-1-120-random.txt").exists():
        pytest.skip(f"NegEx kit not found at {NEGEX} (evaluation data is not part of the project)")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        import negex_eval
    finally:
        sys.path.pop(0)
    rows = negex_eval.load_rows(NEGEX)
    assert len(rows) > 2300
    dev = [r for r in rows if r.report <= 60]
    assert 1000 < len(dev) < 1400
    for r in rows[:50]:
        assert r.sentence[r.start : r.end].lower().split() == r.concept.lower().split()
