"""Detector settings kept as data (``cdi/knowledge/detection.yaml``), read once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from cdi.catalog import KNOWLEDGE_DIR, load_knowledge_file

DETECTION_FILE = KNOWLEDGE_DIR / "detection.yaml"


class DetectionRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    final_diagnosis_sections: frozenset[str]
    max_axis_gap_words: int


@lru_cache(maxsize=1)
def detection_rules(path: Path = DETECTION_FILE) -> DetectionRules:
    return load_knowledge_file(path, DetectionRules)
