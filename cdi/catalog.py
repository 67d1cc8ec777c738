"""The topic catalogue: CDI knowledge kept as data under ``cdi/knowledge/topics/*.yaml``.

Each topic file names a diagnosis family: the phrases that name it, the specificity axes ICD-10-CM
distinguishes (with the phrases that state each value), the clinical indicators that point to it
(LOINC codes and thresholds, or phrases in notes), and when an undocumented-diagnosis query is
supported. A CDI specialist extends the files; this module only reads them.

The schema refuses unknown keys (``extra="forbid"``) so that a typo in a file is an error at load
time instead of a rule that silently never fires.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

M = TypeVar("M", bound=BaseModel)

KNOWLEDGE_DIR = Path(__file__).parent / "knowledge"
TOPICS_DIR = KNOWLEDGE_DIR / "topics"

AXIS_IDS = (
    "acuity",
    "type",
    "stage",
    "severity",
    "organism",
    "etiology",
    "site",
    "laterality",
    "complication",
    "organ_dysfunction",
)
TOPIC_IDS = (
    "sepsis",
    "acute_respiratory_failure",
    "acute_kidney_injury",
    "heart_failure",
    "pneumonia",
    "anemia",
    "malnutrition",
    "encephalopathy",
    "diabetes",
    "chronic_kidney_disease",
    "hyponatremia",
    "pressure_injury",
    "obesity",
    "copd",
    "urinary_tract_infection",
    "atrial_fibrillation",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Term(_Strict):
    """A phrase naming the topic's diagnosis; ``implies`` gives axis values the phrase itself states."""

    phrase: str
    implies: dict[str, str] = Field(default_factory=dict)
    case_sensitive: bool = False  # for short abbreviations that are ordinary words in lower case


class AxisValue(_Strict):
    id: str
    label: str  # as offered to the physician in a query option
    phrases: tuple[str, ...] = ()
    # ICD-10-CM codes (fnmatch patterns such as "I50.2*" or "I50.?3") this value narrows to.
    icd10cm: tuple[str, ...] = ()


class Axis(_Strict):
    id: str
    # always: a diagnosis without this axis is unspecified.
    # when_indicated: only when one of ``indicated_by`` (or, with ``indicated_by_own_values``, one of
    # this axis's values anywhere in the record, e.g. a culture result naming an organism) is present.
    required: Literal["always", "when_indicated", "never"] = "always"
    indicated_by: tuple[str, ...] = ()
    indicated_by_own_values: bool = False
    # A stage may come from a nurse (ICD-10-CM I.B.14); most axes must come from a provider.
    from_other_clinicians: bool = False
    question: str  # the clause a query asks, e.g. "the acuity of the heart failure"
    values: tuple[AxisValue, ...]

    @field_validator("id")
    @classmethod
    def _known_axis(cls, v: str) -> str:
        if v not in AXIS_IDS:
            raise ValueError(f"unknown axis id {v!r}; known: {', '.join(AXIS_IDS)}")
        return v

    def value(self, value_id: str) -> AxisValue:
        for v in self.values:
            if v.id == value_id:
                return v
        raise KeyError(value_id)


class Rise(_Strict):
    """A rise of a lab value: peak minus an earlier lowest value, or peak over it, within a window."""

    absolute: float | None = None
    ratio: float | None = None
    within_hours: float | None = None


class IndicatorRule(_Strict):
    """A clinical indicator.

    ``source: observation`` reads Observations by LOINC code and compares the value with ``above`` /
    ``below`` (strict) or a ``rise`` / ``drop`` across values. ``source: text`` matches ``phrases`` in
    notes through the NLP pipeline (so ConText applies: a negated phrase is not an indicator), or a
    ``value_pattern`` regex whose first group is a number compared with ``above`` / ``below``.
    """

    id: str
    name: str
    source: Literal["observation", "text"]
    loinc: tuple[str, ...] = ()
    unit: str | None = None
    above: float | None = None
    below: float | None = None
    rise: Rise | None = None
    drop: Rise | None = None
    phrases: tuple[str, ...] = ()
    value_pattern: str | None = None
    points: int = 1
    supports: dict[str, str] = Field(default_factory=dict)  # axis -> value this indicator points to

    @model_validator(mode="after")
    def _shape(self) -> IndicatorRule:
        if self.source == "observation" and not self.loinc:
            raise ValueError(f"indicator {self.id}: an observation indicator needs loinc codes")
        if self.source == "observation" and not (
            self.above is not None or self.below is not None or self.rise or self.drop
        ):
            raise ValueError(f"indicator {self.id}: give above, below, rise or drop")
        if self.source == "text" and not (self.phrases or self.value_pattern):
            raise ValueError(f"indicator {self.id}: a text indicator needs phrases or value_pattern")
        if self.value_pattern is not None:
            if re.compile(self.value_pattern).groups < 1:
                raise ValueError(f"indicator {self.id}: value_pattern needs a group capturing the number")
            if self.above is None and self.below is None:
                raise ValueError(f"indicator {self.id}: value_pattern needs above or below")
        return self


class UndocumentedRule(_Strict):
    """When indicators alone support asking about a diagnosis no provider documented."""

    min_points: int
    requires_any: tuple[str, ...] = ()  # at least one of these indicators must be present
    options: tuple[str, ...]  # clinically reasonable answers, besides "other" and "unable to determine"


class Icd10(_Strict):
    category: str  # "I50"
    unspecified: str  # the code an unspecified diagnosis falls to, "I50.9"


class Topic(_Strict):
    id: str
    label: str  # "Heart failure"
    version: int = 1
    chronic: bool = False  # a historical mention of a chronic disease still counts as addressed
    icd10cm: Icd10
    terms: tuple[Term, ...]
    not_terms: tuple[str, ...] = ()  # phrases containing a term that do not name the diagnosis
    axes: tuple[Axis, ...] = ()
    indicators: tuple[IndicatorRule, ...] = ()
    undocumented: UndocumentedRule | None = None
    uncertain_options: tuple[str, ...] = ()  # extra answers for an uncertain-diagnosis query

    @field_validator("terms", mode="before")
    @classmethod
    def _terms_from_strings(cls, v: Iterable[object]) -> list[object]:
        return [{"phrase": t} if isinstance(t, str) else t for t in v]

    @model_validator(mode="after")
    def _references(self) -> Topic:
        axis_ids = {a.id for a in self.axes}
        indicator_ids = {i.id for i in self.indicators}
        for t in self.terms:
            for axis, value in t.implies.items():
                if axis not in axis_ids:
                    raise ValueError(f"term {t.phrase!r} implies unknown axis {axis!r}")
                self.axis(axis).value(value)
        for a in self.axes:
            for ind in a.indicated_by:
                if ind not in indicator_ids:
                    raise ValueError(f"axis {a.id} indicated_by unknown indicator {ind!r}")
        for i in self.indicators:
            for axis, value in i.supports.items():
                if axis not in axis_ids:
                    raise ValueError(f"indicator {i.id} supports unknown axis {axis!r}")
                self.axis(axis).value(value)
        if self.undocumented:
            for ind in self.undocumented.requires_any:
                if ind not in indicator_ids:
                    raise ValueError(f"undocumented.requires_any names unknown indicator {ind!r}")
        return self

    def axis(self, axis_id: str) -> Axis:
        for a in self.axes:
            if a.id == axis_id:
                return a
        raise KeyError(f"{self.id} has no axis {axis_id!r}")

    def indicator(self, indicator_id: str) -> IndicatorRule:
        for i in self.indicators:
            if i.id == indicator_id:
                return i
        raise KeyError(f"{self.id} has no indicator {indicator_id!r}")


class Catalog:
    """All topics, loaded once per process (see :func:`load_catalog`)."""

    def __init__(self, topics: Iterable[Topic]):
        self.topics: dict[str, Topic] = {}
        for t in topics:
            if t.id in self.topics:
                raise ValueError(f"topic {t.id!r} defined twice")
            self.topics[t.id] = t

    def __iter__(self) -> Iterator[Topic]:
        return iter(self.topics.values())

    def __len__(self) -> int:
        return len(self.topics)

    def __getitem__(self, topic_id: str) -> Topic:
        return self.topics[topic_id]


def load_knowledge_file(path: Path, model: type[M]) -> M:
    """Read a YAML knowledge file and validate it with its schema; an error names the file."""
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    try:
        return model.model_validate(data)
    except ValueError as exc:
        raise ValueError(f"{path.name}: {exc}") from exc


def load_topic(path: Path) -> Topic:
    return load_knowledge_file(path, Topic)


@lru_cache(maxsize=4)
def load_catalog(topics_dir: Path = TOPICS_DIR) -> Catalog:
    """Read every ``*.yaml`` topic file once per process."""
    return Catalog(load_topic(p) for p in sorted(topics_dir.glob("*.yaml")))
