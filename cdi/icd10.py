"""ICD-10-CM look-ups over the CMS tabular list shipped with ``simple_icd_10_cm``.

The topic files name codes as fnmatch patterns ("I50.?3", "L89.15*"). This module turns a topic and the
axis values a provider stated into the leaf codes an answer could still reach, and, when the stated
values leave a single leaf, that code. It answers "which codes", never "which one to report": coding
stays with the coder.

A topic may reach codes outside its category: a sepsis organism names A40/A41 codes while septic shock
adds R65.21, a pneumonia organism moves the code from J18 to J13-J16 or A48.1, a UTI organism adds a
B95/B96 code. Such an axis constrains only the codes of the three-character categories its own patterns
reach (its *domain*): septic shock says nothing about which A41 code applies, and an E. coli organism
says nothing about R65.2-. A code that no stated or missing axis speaks to is left out, so once a
pneumonia organism is stated the J18 codes ("unspecified organism") are no longer candidates.

Every look-up is cached: the tabular list is read once per process by the library and the leaf index
once by :func:`_leaf_index`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from fnmatch import fnmatchcase
from functools import lru_cache

import simple_icd_10_cm as cm

from cdi.catalog import Topic

MAX_CANDIDATES = 12
_WILDCARDS = "*?["


def _normal(code: str) -> str:
    """Upper case with the dot where CMS puts it ("i509" -> "I50.9"); other input is returned stripped."""
    c = code.strip().upper()
    if "." not in c and len(c) > 3:
        c = f"{c[:3]}.{c[3:]}"
    return c


@lru_cache(maxsize=8192)
def exists(code: str) -> bool:
    """True for an ICD-10-CM category, subcategory or code (not a chapter or a block)."""
    c = _normal(code)
    return cm.is_valid_item(c) and cm.is_category_or_subcategory(c)


@lru_cache(maxsize=8192)
def describe(code: str) -> str:
    """The CMS description of a code ("I50.23" -> "Acute on chronic systolic (congestive) heart failure")."""
    c = _normal(code)
    if not exists(c):
        raise KeyError(f"not an ICD-10-CM code: {code!r}")
    return str(cm.get_description(c))


@lru_cache(maxsize=2048)
def _leaves_under(code: str) -> tuple[str, ...]:
    c = _normal(code)
    if not exists(c):
        raise KeyError(f"not an ICD-10-CM code: {code!r}")
    if cm.is_leaf(c):
        return (c,)
    return tuple(sorted(d for d in cm.get_descendants(c) if cm.is_leaf(d)))


def leaves_under(code: str) -> list[str]:
    """The billable (leaf) codes under a category or subcategory, sorted; a leaf gives itself."""
    return list(_leaves_under(code))


@lru_cache(maxsize=1)
def _leaf_index() -> tuple[str, ...]:
    """Every leaf code of the tabular list, sorted, for prefix searches."""
    return tuple(sorted(c for c in cm.get_all_codes(with_dots=True) if exists(c) and cm.is_leaf(c)))


@lru_cache(maxsize=4096)
def matching_leaves(pattern: str) -> tuple[str, ...]:
    """Leaf codes matching an fnmatch pattern ("I50.?3", "E1[013].22", "L89.15*"), sorted."""
    pat = pattern.strip().upper()
    cut = min((pat.index(ch) for ch in _WILDCARDS if ch in pat), default=len(pat))
    prefix = pat[:cut]
    index = _leaf_index()
    out: list[str] = []
    for code in index[bisect_left(index, prefix) :]:
        if not code.startswith(prefix):
            break
        if fnmatchcase(code, pat):
            out.append(code)
    return tuple(out)


def _matches_any(code: str, patterns: Iterable[str]) -> bool:
    return any(fnmatchcase(code, p.strip().upper()) for p in patterns)


def _family(code: str) -> str:
    return code[:3]


_AxisKey = tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...]


def _axis_key(topic: Topic) -> _AxisKey:
    """The parts of a topic that decide its codes, as a hashable key (a Topic itself holds dicts)."""
    return tuple((a.id, tuple((v.id, v.icd10cm) for v in a.values)) for a in topic.axes)


@lru_cache(maxsize=256)
def _tables(
    category: str, unspecified: str, axes: _AxisKey
) -> tuple[tuple[str, ...], frozenset[str], dict[str, frozenset[str]]]:
    """(universe sorted, universe as a set, domain per axis) for one topic."""
    universe: set[str] = set(_leaves_under(category))
    universe.add(_normal(unspecified))
    domains: dict[str, frozenset[str]] = {}
    for axis_id, values in axes:
        reached: set[str] = set()
        for _value_id, patterns in values:
            for pattern in patterns:
                reached.update(matching_leaves(pattern))
        universe |= reached
        domains[axis_id] = frozenset(_family(c) for c in reached)
    return tuple(sorted(universe)), frozenset(universe), domains


def _topic_tables(topic: Topic) -> tuple[tuple[str, ...], frozenset[str], dict[str, frozenset[str]]]:
    return _tables(topic.icd10cm.category, topic.icd10cm.unspecified, _axis_key(topic))


def warm(topics: Iterable[Topic]) -> None:
    """Build the code tables of every topic now (a second or so), at start-up rather than on the first
    finding of the first request."""
    for topic in topics:
        _topic_tables(topic)


def topic_codes(topic: Topic) -> list[str]:
    """Every leaf code a topic covers: its category's leaves and the codes its axis values name."""
    return list(_topic_tables(topic)[0])


def covers(topic: Topic, code: str) -> bool:
    """True when an ICD-10-CM code (a Condition's, say) belongs to the topic: its category or axis codes."""
    c = _normal(code)
    if not exists(c):
        return False
    ordered, members, _ = _topic_tables(topic)
    if c in members:
        return True
    i = bisect_left(ordered, c)
    return i < len(ordered) and ordered[i].startswith(c)


def _consistent(topic: Topic, stated: Mapping[str, str], missing: Sequence[str]) -> list[str]:
    """Leaves consistent with the stated values that an answer to the missing axes could reach."""
    universe, _, domains = _topic_tables(topic)
    axes = {a.id: a for a in topic.axes}
    constraints: list[tuple[frozenset[str], tuple[str, ...]]] = []
    for axis_id, value_id in stated.items():
        if axis_id not in axes:
            raise KeyError(f"{topic.id} has no axis {axis_id!r}")
        constraints.append((domains[axis_id], axes[axis_id].value(value_id).icd10cm))
    for axis_id in missing:
        if axis_id not in axes:
            raise KeyError(f"{topic.id} has no axis {axis_id!r}")
        if axis_id in stated:
            continue
        patterns = tuple(p for v in axes[axis_id].values for p in v.icd10cm)
        constraints.append((domains[axis_id], patterns))
    if not constraints:
        return list(universe)
    out: list[str] = []
    for code in universe:
        relevant = [patterns for domain, patterns in constraints if _family(code) in domain]
        if relevant and all(_matches_any(code, patterns) for patterns in relevant):
            out.append(code)
    return out


def candidate_codes(
    topic: Topic, stated: Mapping[str, str], missing_axes: Sequence[str], limit: int = MAX_CANDIDATES
) -> list[str]:
    """The more specific leaf codes an answer could reach, sorted and capped (``limit``).

    Consistent with every stated value and specific for every missing axis: for heart failure stated
    acute on chronic with the type missing, I50.23, I50.33, I50.43 and I50.813. The topic's fall-back
    code is left out unless an axis value names it as an answer (E11.9 is type 2 without complications,
    J44.9 is COPD without exacerbation; I50.9 and N18.9 are never an answer).
    """
    codes = _consistent(topic, stated, missing_axes)
    if not _names_fall_back(topic):
        unspecified = _normal(topic.icd10cm.unspecified)
        codes = [c for c in codes if c != unspecified]
    return codes[:limit]


def _names_fall_back(topic: Topic) -> bool:
    unspecified = _normal(topic.icd10cm.unspecified)
    return any(_matches_any(unspecified, v.icd10cm) for a in topic.axes for v in a.values)


def code_for(topic: Topic, stated: Mapping[str, str]) -> str | None:
    """The one code the stated values determine, or None when they leave a choice.

    When several leaves remain, those specific on an axis nobody stated are set aside (a heel pressure
    ulcer without a side is the "unspecified heel" code), then those outside the topic's category (septic
    shock's R65.21 beside the A41 code).
    """
    if not stated:
        return None
    codes = _consistent(topic, stated, ())
    if len(codes) == 1:
        return codes[0]
    unstated = [a for a in topic.axes if a.id not in stated]
    unstated_patterns = [p for a in unstated for v in a.values for p in v.icd10cm]
    general = [c for c in codes if not _matches_any(c, unstated_patterns)]
    if len(general) == 1:
        return general[0]
    pool = general or codes
    category = _normal(topic.icd10cm.category)
    own = [c for c in pool if c.startswith(category)]
    if len(own) == 1:
        return own[0]
    return None
