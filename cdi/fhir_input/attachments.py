"""Turning an Attachment's bytes into note text: charset decoding and HTML to plain text.

Offsets downstream refer to the text returned here (``Note.text``), so HTML is converted once, here,
and nothing later maps back to the markup.
"""

from __future__ import annotations

import codecs
import re
from email.message import Message
from html.parser import HTMLParser

_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,40}/[a-z0-9][a-z0-9.+-]{0,60}$")
PLAIN_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown", "text/x-plain"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


class AttachmentError(ValueError):
    """The attachment cannot give text; the message names the reason, never the content.

    ``field`` is the Attachment element at fault: "data" or "contentType"."""

    def __init__(self, message: str, field: str = "data") -> None:
        super().__init__(message)
        self.field = field


def parse_content_type(content_type: str | None) -> tuple[str | None, str | None]:
    """(media type, charset) from a Content-Type such as ``text/plain; charset=ISO-8859-1``."""
    if not content_type or not content_type.strip():
        return None, None
    msg = Message()
    msg["content-type"] = content_type
    charset = msg.get_param("charset")
    return msg.get_content_type(), charset if isinstance(charset, str) else None


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset (strict); without one, UTF-8 then Windows-1252.

    A declared charset that the bytes do not follow is an error rather than a guess: the note would
    otherwise carry silently wrong characters into quoted evidence. An unknown charset name is
    treated as undeclared.
    """
    if charset:
        try:
            codec = codecs.lookup(charset).name
        except LookupError:
            codec = None
        if codec is not None:
            try:
                text = data.decode("utf-8-sig" if codec == "utf-8" else codec)
            except UnicodeDecodeError as exc:
                raise AttachmentError(f"bytes are not valid {codec}") from exc
            return _check_text(text)
    for codec in ("utf-8-sig", "cp1252"):
        try:
            return _check_text(data.decode(codec))
        except UnicodeDecodeError:
            continue
    raise AttachmentError("bytes are neither UTF-8 nor Windows-1252 text")


def _check_text(text: str) -> str:
    if "\x00" in text:
        raise AttachmentError("attachment holds binary data, not text")
    return text


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<div", "<?xml")) and "<" in head[1:]


# --- HTML to text ------------------------------------------------------------------------------------

# Blocks that end a line, and those that also leave a blank line around them.
_BLOCK = frozenset(
    {
        *("address", "article", "aside", "body", "caption", "dd", "div", "dl", "dt", "fieldset"),
        *("figcaption", "figure", "footer", "form", "header", "li", "main", "nav", "section", "tr"),
        *("tbody", "thead", "tfoot"),
    }
)
_PARAGRAPH = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "blockquote", "hr"}
)
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript"})
_CELL = frozenset({"td", "th"})


class _TextExtractor(HTMLParser):
    """Collects visible text. Line breaks are kept pending until more text comes, so nested blocks
    give one break (or one blank line for paragraphs), never a run of empty lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._pending = 0  # newlines owed before the next text
        self._skip_depth = 0
        self._pre_depth = 0
        self._row_has_cell = False

    def _break(self, count: int) -> None:
        self._pending = max(self._pending, count)

    def _emit(self, text: str) -> None:
        if self._pending and self.parts:
            self.parts.append("\n" * self._pending)
        self._pending = 0
        self.parts.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
        elif tag == "br":
            self._pending += 1
        elif tag in _CELL:
            if self._row_has_cell:
                self._emit("\t")
            self._row_has_cell = True
        elif tag in _BLOCK or tag in _PARAGRAPH:
            self._break(2 if tag in _PARAGRAPH else 1)
            if tag == "tr":
                self._row_has_cell = False
            elif tag == "li":
                self._emit("- ")
            elif tag == "pre":
                self._pre_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CELL:
            self.handle_starttag(tag, attrs)
        elif tag == "br":
            self._pending += 1
        elif tag == "hr":
            self._break(2)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK or tag in _PARAGRAPH:
            self._break(2 if tag in _PARAGRAPH else 1)
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._pre_depth:
            self._emit(data)
            return
        text = re.sub(r"\s+", " ", data)
        if self._pending or not self.parts or self.parts[-1][-1:] in (" ", "\t", "\n"):
            text = text.lstrip()  # whitespace between tags, or at the start of a line
        if text:
            self._emit(text)


_TRAILING_SPACE = re.compile(r"[ ]+(?=\n)")
_SPACED_TAB = re.compile(r"[ ]*\t[ ]*")


def html_to_text(html: str) -> str:
    """Visible text of an HTML or XHTML fragment: tags, scripts and styles dropped, entities unescaped,
    block elements on their own lines, paragraphs separated by one blank line, table cells by tabs."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    text = _SPACED_TAB.sub("\t", _TRAILING_SPACE.sub("", text))
    return text.strip()


def attachment_text(content_type: str | None, data: bytes) -> str:
    """The note text of an attachment's decoded base64 ``data``; AttachmentError when it has none."""
    media, charset = parse_content_type(content_type)
    if media is not None and media not in PLAIN_TYPES and media not in HTML_TYPES:
        shown = media if _MEDIA_TYPE.match(media) else "of this kind"
        raise AttachmentError(f"unsupported content type {shown}", field="contentType")
    text = decode_bytes(data, charset)
    if media in HTML_TYPES or (media is None and looks_like_html(text)):
        text = html_to_text(text)
    if not text.strip():
        raise AttachmentError("attachment holds no text")
    return text
