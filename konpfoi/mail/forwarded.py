"""A message forwarded inside another: attached (message/rfc822, which `incoming` reads), or
inline, under the block of headers each mail program writes — Gmail's "---------- Forwarded
message ---------", Outlook's "From: ... Sent: ...", Apple Mail's "Begin forwarded message:",
Thunderbird's "-------- Forwarded Message --------" — read back as an `Enclosed`."""

from __future__ import annotations

import datetime as dt
import email.utils
import re

from konpfoi.mail.incoming import Enclosed, Mail

_MARK = re.compile(r"(?im)^[ >]*(?:-{3,} ?(?:forwarded message|original message) ?-{3,}|"
                   r"begin forwarded message:|_{10,})\s*$")
_FIELD = re.compile(r"^[ >]*\*?(from|sent|date|to|cc|subject|reply-to)\*?:\*?[ \t]*(.*)$",
                    re.I)
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def forwarded(mail: Mail) -> Enclosed | None:
    """The message a mail forwards: an attached message first, else one written inline."""
    attached = next((e for e in mail.enclosed if e.from_addr), None)
    return attached if attached is not None else inline(mail.text)


def inline(text: str) -> Enclosed | None:
    """The first message forwarded (or quoted whole) inline in a text, with its headers."""
    lines = text.splitlines()
    start = 0
    mark = _MARK.search(text)
    if mark:
        start = text[:mark.end()].count("\n") + 1
    for n in range(start, min(len(lines), start + 400)):
        m = _FIELD.match(lines[n])
        if m and m.group(1).lower() == "from":
            return _read(lines, n)
    return None


def _read(lines: list[str], n: int) -> Enclosed | None:
    fields: dict[str, str] = {}
    key = ""
    while n < len(lines):
        line = lines[n]
        m = _FIELD.match(line)
        if m:
            key = m.group(1).lower()
            fields[key] = m.group(2).strip()
        elif line.strip() and key and line[:1] in " \t":  # a folded header line
            fields[key] += " " + line.strip()
        else:
            break
        n += 1
    sender = _ADDRESS.search(fields.get("from", ""))
    if sender is None:
        return None
    body = "\n".join(line.lstrip(">").removeprefix(" ") if line.startswith(">") else line
                     for line in lines[n:]).strip("\n")
    to = [a.lower() for k in ("to", "cc") for a in _ADDRESS.findall(fields.get(k, ""))]
    return Enclosed(subject=fields.get("subject", ""), from_addr=sender.group(0).lower(),
                    to=to, text=body, moment=when(fields.get("date") or fields.get("sent", "")))


def when(text: str) -> dt.datetime | None:
    """A forwarded header's date, as the mail programs write it ("Mon, 23 Nov 2026 at 10:15",
    "23 November 2026 10:15", an RFC 5322 date)."""
    text = " ".join(text.replace(" at ", " ").split())
    if not text:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        from dateutil import parser

        try:
            moment = parser.parse(text, dayfirst=True, fuzzy=True)
        except (ValueError, OverflowError):
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
