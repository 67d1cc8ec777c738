"""Sentence boundaries for clinical notes: fast rules over the note's lines, as a spaCy component.

Why not PyRuSH (medspaCy's default): it spends about 90 % of the default pipeline's time and still joins
list items and exam lines. Why not spaCy's ``sentencizer`` alone: it splits only on punctuation, so a
newline-structured note (headers, numbered assessment lists, exam and vitals lines) comes out as a few
huge sentences, and one "no" at the top of an exam would reach every diagnosis of the list below it.

The rules, in order of strength:

* a blank line ends a sentence;
* a line that starts a list item ("1.", "2)", "#3", "-", "*", "•") or a header ("Dx:", "Extremities:",
  "ASSESSMENT AND PLAN") starts one;
* a line that ends with ``. ! ? : ;`` ends one;
* otherwise a line break joins the lines when the text reads on (the next line starts in lower case,
  the previous one ends with a connecting word or a comma, or the previous line fills the note's wrap
  width); a short line ("BP 128/76", "HEENT") followed by one starting in upper case is its own sentence;
* inside a line: a header after a run of three or more spaces (line breaks flattened to spaces),
  ``. ! ?`` followed by an upper-case word or a digit (not after "Dr.", "vs.", "e.g.", an
  initial), a numbered item ("... 2. AKI 3. ...", "#2"), and MTSamples' glued line breaks (".," ":,"
  or a comma glued to an upper-case word: "flaring up.,MEDICATIONS:").

Section headers are split off later by the sectionizer (``apply_sentence_boundary``).

The rules work on the text (``sentence_starts``) and only then touch the Doc, in one vectorised
``Doc.from_array`` call, so the component costs about as much as the tokenizer's regexes.
"""

from __future__ import annotations

import re
from bisect import bisect_right

import numpy as np
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

_LIST_ITEM = re.compile(r"(?:\d{1,2}[.)]|#\d{1,2}|[-*•●▪]|\(\d{1,2}\)|[a-z][.)](?=\s))(?:\s|$)")
_HEADER = re.compile(r"[A-Z][A-Za-z0-9 /&'()-]{0,40}?:(?:\s|,|$)")
_CAPS_LINE = re.compile(r"[A-Z][A-Z0-9 /&'()-]{1,40}$")  # a short all-caps line is a header
_CONNECTORS = frozenset(
    {
        "of", "and", "or", "with", "to", "for", "the", "a", "an", "in", "on", "at", "by", "from", "as",
        "secondary", "due", "including", "versus", "vs", "than", "without", "which", "that", "who", "but",
        "is", "was", "were", "are", "has", "have", "had", "be", "been",
    }
)  # fmt: skip
_ABBREVIATIONS = frozenset(
    {
        "dr", "mr", "mrs", "ms", "vs", "e.g", "i.e", "etc", "approx", "st", "pt", "pts", "jr", "sr", "prof",
        "fig", "inc", "vol", "ca", "cf", "resp", "temp",
    }
)  # fmt: skip
_TERMINAL = ".!?:;"
# Inside a line.
_PUNCT_BREAK = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")
_NUMBERED_ITEM = re.compile(r"(?<=\s)(?:\d{1,2}[.)]|#\d{1,2})\s+(?=[A-Za-z(?])")
# A header after a wide gap on the same line: text whose line breaks became runs of spaces.
_GAP_HEADER = re.compile(r"[ \t]{3,}(?=[A-Z][A-Za-z0-9 /&()-]{0,40}:\s)")
_GLUED_BREAK = re.compile(r"[.:;!?]\s*,\s*|,(?=[A-Z][A-Za-z0-9 /&'()-]{0,40}:)|(?<=[a-z)\]]),(?=\d{1,2}\.\s)")
_ITEM_NUMBER_BEFORE = re.compile(r"(?:^|[\s,:;(])\d{1,2}\.$")  # "1." of a list item, not a sentence end
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_SPACE = re.compile(r"\s*")

# A line counts as filling the wrap width when it is at least this share of the note's usual long line.
_WRAP_SHARE = 0.72
_MAX_WRAP = 150  # longer lines are paragraphs, not wrapped text


def _wrap_width(lines: list[str]) -> int | None:
    lengths = sorted(len(line.rstrip()) for line in lines if line.strip())
    if len(lengths) < 3:
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    return width if 40 <= width <= _MAX_WRAP else None


def _is_abbreviation_end(line: str, end: int) -> bool:
    """True when the period before ``end`` closes an abbreviation or an initial rather than a sentence."""
    m = _WORD_BEFORE.search(line, max(0, end - 24), end)
    if not m:
        return False
    word = m.group(1).lower()
    return word in _ABBREVIATIONS or len(word) == 1


def _line_breaks(prev: str, nxt: str, wrap: int | None) -> bool:
    """Whether the break between two non-blank lines ends a sentence."""
    nxt_s = nxt.lstrip()
    prev_s = prev.rstrip()
    if _LIST_ITEM.match(nxt_s) or _HEADER.match(nxt_s):
        return True
    last = prev_s[-1]
    if last in _TERMINAL:
        return not (last == "." and _is_abbreviation_end(prev_s, len(prev_s)))
    if last in ",-" or prev_s.rsplit(None, 1)[-1].lower() in _CONNECTORS:
        return False
    if _CAPS_LINE.match(prev_s.lstrip()):
        return True
    if nxt_s[0].islower():
        return False
    return not (wrap is not None and len(prev_s) >= _WRAP_SHARE * wrap)


def _within_line(line: str, offset: int, out: list[int]) -> None:
    for m in _PUNCT_BREAK.finditer(line):
        dot = m.start()
        if line[dot - 1] == "." and (
            _is_abbreviation_end(line, dot) or _ITEM_NUMBER_BEFORE.search(line, max(0, dot - 5), dot)
        ):
            continue
        if line[dot - 1] == "?" and (dot == 1 or line[dot - 2] in " \t(:,"):
            continue  # "? pneumonia": a question mark before a term, not the end of a question
        out.append(offset + m.end())
    for m in _NUMBERED_ITEM.finditer(line):
        out.append(offset + m.start())
    for m in _GAP_HEADER.finditer(line):
        out.append(offset + m.end())
    for m in _GLUED_BREAK.finditer(line):
        if line[m.start()] == "." and _is_abbreviation_end(line, m.start() + 1):
            continue  # "e.g., aspirin"
        out.append(offset + m.end())


def sentence_starts(text: str) -> list[int]:
    """Character offsets (sorted, unique, > 0) at which a new sentence begins, each on a non-space char."""
    out: list[int] = []
    lines = text.split("\n")
    wrap = _wrap_width(lines)
    offset = 0
    prev: str | None = None  # last non-blank line
    blank_since_prev = False
    for line in lines:
        if line.strip():
            if prev is not None and (blank_since_prev or _line_breaks(prev, line, wrap)):
                out.append(offset)
            _within_line(line, offset, out)
            prev = line
            blank_since_prev = False
        else:
            blank_since_prev = True
        offset += len(line) + 1
    starts: set[int] = set()
    n = len(text)
    for pos in out:
        pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
        if 0 < pos < n:
            starts.add(pos)
    return sorted(starts)


_TEXT_KEY = "cdi_text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per Doc (spaCy joins every token's text on each access)."""
    cached = doc.user_data.get(_TEXT_KEY)
    if not isinstance(cached, str):
        cached = doc.text  # a Doc's text never changes, so one read serves every component
        doc.user_data[_TEXT_KEY] = cached
    return cached


def set_sentence_starts(doc: Doc) -> Doc:
    """Mark the first token at or after each boundary from :func:`sentence_starts` as a sentence start."""
    n = len(doc)
    if n == 0:
        return doc
    flags = np.full(n, -1, dtype=np.int64)  # 1: starts a sentence, -1: does not
    flags[0] = 1
    boundaries = sentence_starts(doc_text(doc))
    if boundaries:
        idx = doc.to_array([IDX]).astype(np.int64)
        token_ids = np.searchsorted(idx, np.asarray(boundaries, dtype=np.int64), side="left")
        token_ids = token_ids[token_ids < n]
        flags[token_ids] = 1
    doc.from_array([SENT_START], flags.astype(np.uint64).reshape(n, 1))  # type: ignore[arg-type]
    return doc


class SentenceIndex:
    """Token and character bounds of a Doc's sentences, computed once (``Token.sent`` rescans the Doc)."""

    def __init__(self, doc: Doc):
        self.starts = [s.start for s in doc.sents] if len(doc) else [0]
        self.ends = self.starts[1:] + [len(doc)]
        self._doc = doc

    def of_token(self, i: int) -> int:
        """Index of the sentence holding token ``i``."""
        return bisect_right(self.starts, i) - 1

    def char_bounds(self, k: int) -> tuple[int, int]:
        """Character offsets of sentence ``k`` without its leading and trailing whitespace tokens."""
        doc = self._doc
        i, j = self.starts[k], self.ends[k] - 1
        while i < j and doc[i].is_space:
            i += 1
        while j > i and doc[j].is_space:
            j -= 1
        return doc[i].idx, doc[j].idx + len(doc[j].text)


@Language.component("cdi_sentences")
def cdi_sentences(doc: Doc) -> Doc:
    """spaCy pipeline component wrapping :func:`set_sentence_starts`."""
    return set_sentence_starts(doc)
