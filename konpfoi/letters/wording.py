"""How a letter prints what it says: dates, exemptions by name, refusals to comply (cost,
vexatious or repeated) in words true to them, and lines wrapped for email without ever breaking
a URL."""

from __future__ import annotations

import datetime as dt
import functools
import re

from konpfoi.law.exemptions import plain_name, refusal_words, section

WIDTH = 76  # a wrapped line is at most this long (unless one word is longer)
LIMIT = 78  # lines up to this long are left as they are (RFC 5322 2.1.1 "SHOULD" 78)
_LEAD = re.compile(r"^((?:[ \t]*>)*[ \t]*)(\d+[.)][ \t]+|[-*][ \t]+)?")
# A date is never split across lines ("29 October 2026").
_DATE = re.compile(r"\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|"
                   r"October|November|December) (\d{4})\b")
_GLUE = "\x00"


def when(day: dt.date | None) -> str:
    """'1 October 2026'."""
    return f"{day.day} {day:%B %Y}" if day else ""


def wrap(text: str, width: int = WIDTH, limit: int = LIMIT) -> str:
    """Wrap lines longer than `limit` at spaces, to `width`: a URL (or any word) is never
    broken, and never split at a hyphen; nor is a date. A numbered or bulleted line continues
    under its text; a quoted line ("> ") continues quoted."""
    return "\n".join(line if len(line) <= limit else _wrap_line(line, width)
                     for line in text.split("\n"))


@functools.lru_cache(maxsize=4096)  # a batch's letters share most of their paragraphs
def _wrap_line(line: str, width: int) -> str:
    m = _LEAD.match(line)
    assert m is not None  # every group in the pattern is optional
    quote, marker = m.group(1), m.group(2) or ""
    first = quote + marker
    rest_prefix = quote + " " * len(marker)
    glued = _DATE.sub(lambda d: _GLUE.join(d.groups()), line[len(first):])
    out = []
    current, fresh = first, True  # fresh: nothing but the prefix on the current line yet
    for w in glued.split(" "):
        if not w:
            continue
        w = w.replace(_GLUE, " ")
        if not fresh and len(current) + 1 + len(w) > width:
            out.append(current)
            current = rest_prefix + w
        else:
            current = current + ("" if fresh else " ") + w
        fresh = False
    out.append(current)
    return "\n".join(out)


def quote(text: str) -> str:
    """A letter quoted below another, each line prefixed with '> '."""
    return "\n".join(("> " + line) if line else ">" for line in text.rstrip("\n").split("\n"))


def distinct_codes(codes: list[str]) -> list[str]:
    """Each cited exemption once, in the order first cited; a bare 's.43' gives way to a more
    precise 's.43(2)' of the same section."""
    seen: list[str] = []
    for c in codes:
        if c not in seen:
            seen.append(c)
    precise = {section(c) for c in seen if c != section(c)}
    return [c for c in seen if not (c == section(c) and c in precise)]


def cite(code: str, regime: str) -> str:
    """'s.43(2)' -> 'section 43(2) (commercial interests)'; 'reg 12(5)(e)' -> 'regulation
    12(5)(e) (commercial confidentiality)'."""
    name = plain_name(code, regime)
    return f"{written(code)} ({name})" if name else written(code)


def written(code: str) -> str:
    """'s.43(2)' -> 'section 43(2)'; 'reg 12(5)(e)' -> 'regulation 12(5)(e)'."""
    return code.replace("s.", "section ", 1) if code.startswith("s.") else \
        code.replace("reg ", "regulation ", 1)


def refusals(codes: list[str], regime: str) -> str:
    """What the body said in refusing to comply, never as an exemption: ['s.12'] -> 'the cost
    of complying would exceed the appropriate limit (section 12)'; several joined by 'and
    that'."""
    return " and that ".join(f"{refusal_words(c, regime)} ({written(c)})" for c in codes)


def join(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


_LIST_ITEM = re.compile(r"^\s*(\d+[.)]|[-*])\s")


def unwrap(text: str, wrapped: int = 60) -> str:
    """Lines joined back into the paragraphs `wrap` broke them from: a line follows the one
    before it when that one was long (it was wrapped) and it starts no numbered or bulleted
    item. For a mail program that wraps as it shows (a mailto: link's body)."""
    out: list[str] = []
    for line in text.split("\n"):
        if out and len(out[-1]) >= wrapped and line.strip() and not _LIST_ITEM.match(line):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return "\n".join(out)
