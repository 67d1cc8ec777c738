"""Detector settings kept as data (``cdi/knowledge/detection.yaml``), read once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

DETECTION_FILE = Path(__file__).parent / "knowledge" / "detection.yaml"


class DetectionRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    final_diagnosis_sections: frozenset[str]
    max_axis_gap_words: int


@lru_cache(maxsize=1)
def detection_rules(path: Path = DETECTION_FILE) -> DetectionRules:
    with path.open(encoding="utf-8") as fh:
        return DetectionRules.model_validate(yaml.safe_load(fh))
