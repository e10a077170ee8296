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
    paragraphs as fit and the REST line (never longer than `limit`, unless the address and
    subject alone are)."""
    whole = _url(to, subject, text.strip("\n"), bcc)
    paras = [p for p in text.strip("\n").split("\n\n") if p.strip()]
    if len(whole) <= limit:
        return Mailto(whole, True, len(paras))
    # each paragraph quoted once: a link's length is the sum of its parts
    head = len(_url(to, subject, "", bcc))
    gap, rest = len(_quote("\n\n")), len(_quote(REST))
    quoted = [len(_quote(p)) for p in paras]
    kept, size = 1, head + (quoted[0] if quoted else 0) + gap + rest
    while kept < len(paras) - 1 and size + quoted[kept] + gap <= limit:
        size += quoted[kept] + gap
        kept += 1
    if size > limit:  # not even the opening paragraph fits: the subject, and where the rest is
        kept = 0
    body = "\n\n".join(paras[:kept] + [REST])
    return Mailto(_url(to, subject, body, bcc), False, kept)


def parse(url: str) -> dict[str, str]:
    """A mailto: link read back: to, and each header field (subject, bcc, body)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "mailto":
        raise ValueError(f"not a mailto: link: {url[:40]}")
    out = {"to": urllib.parse.unquote(parts.path)}
    for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        out[key.lower()] = value.replace("\r\n", "\n")
    return out
