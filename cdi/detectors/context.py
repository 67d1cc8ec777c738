"""What a detector sees for one topic in one encounter."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cdi.catalog import Topic
from cdi.indicators import IndicatorResult
from cdi.models import EncounterRecord, FindingKind, Setting
from cdi.statements import TopicRecord


@dataclass(frozen=True)
class TopicContext:
    record: EncounterRecord
    topic: Topic
    statements: TopicRecord
    indicators: IndicatorResult

    @property
    def inpatient(self) -> bool:
        return self.record.setting is Setting.INPATIENT


def finding_id(encounter_key: str, kind: FindingKind, topic: str) -> str:
    """Stable id: the same (encounter, kind, topic) always gives the same id, across runs and machines."""
    digest = hashlib.sha256(f"{encounter_key}|{kind.value}|{topic}".encode()).hexdigest()
    return f"cdi-{digest[:16]}"
