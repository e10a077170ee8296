"""A `mailto:` link that opens a letter, addressed, in the reader's own mail client (RFC 6068).

The standard sets no length, but clients do: Chrome hands on no link much past 2,000
characters, Internet Explorer's limit was 2,083 and Firefox's about 2,008 (as tested and
reported in stackoverflow.com/questions/4473959). So a link is kept under `LIMIT`
characters: when the whole letter does not fit, it carries the subject and the letter's
opening paragraphs, and a line asking the reader to paste the rest from the email it came in
(where the full text is).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

LIMIT = 1900  # characters in the whole link: under every common client's limit
REST = "[Paste the rest of the letter here: the full text is in the email it came in.]"


@dataclass(frozen=True)
class Mailto:
    url: str
    complete: bool  # the whole letter is in it (else the opening and the REST line)
    paragraphs: int  # how many of the letter's paragraphs it carries


def _quote(text: str) -> str:
    # RFC 6068 2: line breaks as %0D%0A; spaces as %20 (never '+', which means '+')
    return urllib.parse.quote(text.replace("\r\n", "\n").replace("\n", "\r\n"), safe="")


def _url(to: str, subject: str, body: str, bcc: str | None) -> str:
    query = [f"subject={_quote(subject)}"]
    if bcc:
        query.append(f"bcc={_quote(bcc)}")
    query.append(f"body={_quote(body)}")
    return f"mailto:{urllib.parse.quote(to, safe='@')}?{'&'.join(query)}"


def link(to: str, subject: str, text: str, bcc: str | None = None,
         limit: int = LIMIT) -> Mailto:
    """The link for a letter: the whole of it if it fits, else as many whole opening
    paragraphs as fit (at least the first) and the REST line."""
    whole = _url(to, subject, text.strip("\n"), bcc)
    paras = [p for p in text.strip("\n").split("\n\n") if p.strip()]
    if len(whole) <= limit:
        return Mailto(whole, True, len(paras))
    best = _url(to, subject, f"{paras[0]}\n\n{REST}" if paras else REST, bcc)
    kept = 1
    for n in range(2, len(paras)):
        url = _url(to, subject, "\n\n".join(paras[:n]) + f"\n\n{REST}", bcc)
        if len(url) > limit:
            break
        best, kept = url, n
    return Mailto(best, False, kept)


def parse(url: str) -> dict[str, str]:
    """A mailto: link read back: to, and each header field (subject, bcc, body)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "mailto":
        raise ValueError(f"not a mailto: link: {url[:40]}")
    out = {"to": urllib.parse.unquote(parts.path)}
    for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        out[key.lower()] = value.replace("\r\n", "\n")
    return out
