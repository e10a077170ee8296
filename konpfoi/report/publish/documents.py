"""The documents bodies released with their replies, checked before they are published: a
covering letter often names the requester, so a document whose text names the requester or a
supporter is withheld, and one whose text cannot be read (a scan, an image, a PDF without
plain text) is withheld too unless the user chooses to publish it unchecked."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterable

# Parts of a reply that are not documents: the message itself, and Outlook's wrapper.
NOT_DOCUMENTS = ("message/rfc822", "application/ms-tnef")
_TEXT = (".txt", ".csv", ".tsv", ".md", ".html", ".htm", ".xml", ".json", ".ics")
_ZIPPED = (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp")
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_LITERAL = re.compile(rb"\(((?:\\.|[^\\)])*)\)")
_WORDS = re.compile(r"\b(the|and|of|to|in|for|is|we|you|your|this)\b", re.I)


def is_document(name: str, content_type: str | None) -> bool:
    return (content_type or "").lower() not in NOT_DOCUMENTS and not name.lower().endswith(
        (".eml", ".dat"))


def text_of(name: str, data: bytes) -> str | None:
    """The readable text of a document, or None when it cannot be read."""
    lower = name.lower()
    try:
        if lower.endswith(_TEXT):
            return data.decode("utf-8", errors="replace")
        if lower.endswith(_ZIPPED):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                xml = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                               if n.endswith(".xml"))
            return re.sub(r"<[^>]+>", " ", xml)
        if lower.endswith(".pdf") or data.startswith(b"%PDF"):
            return _pdf_text(data)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    return None


def _pdf_text(data: bytes) -> str | None:
    """The literal strings of a PDF's content, as far as plain reading goes (compressed
    streams inflated): enough to find a name typed into it, not a full text extraction."""
    chunks = [data]
    for m in _STREAM.finditer(data):
        try:
            chunks.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    text = " ".join(s.decode("latin-1") for c in chunks for s in _LITERAL.findall(c))
    text = text.replace("\\(", "(").replace("\\)", ")")
    return text if len(_WORDS.findall(text)) >= 5 else None


def verdict(name: str, data: bytes, private: Iterable[str]) -> tuple[bool, str]:
    """(publish?, why): withheld when it names someone private or cannot be read."""
    text = text_of(name, data)
    if text is None:
        return False, "its text cannot be read, so it could not be checked for personal data"
    flat = " ".join(text.split())
    for word in private:
        if re.search(rf"(?<![\w@.]){re.escape(word)}(?![\w@])", flat, re.I):
            return False, "it names the requester or a supporter"
    return True, "checked"
