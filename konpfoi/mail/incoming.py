"""Read an email from a body, however messy: what can be read is kept, what cannot is reported.

Never raises for malformed input. Headers are read as sent (raw 8-bit bytes in UTF-8 or
Windows-1252, broken encoded words, duplicates: the first wins); References are read with one
pattern, however long; attached messages and the parts of a delivery report are kept apart
from the message's own text, for the classifier and the matcher to weigh.
"""

from __future__ import annotations

import datetime as dt
import email.header
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.policy import default as default_policy

from konpfoi.mail import mime

_FALLBACK_CHARSETS = ("utf-8", "cp1252", "latin-1")
_MSGID = re.compile(r"<[^<>\s]+@[^<>\s]+>")
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# Headers the classifier reads (first occurrence, raw).
CLASS_HEADERS = ("auto-submitted", "x-autoreply", "x-autorespond", "precedence",
                 "x-auto-response-suppress", "x-ms-exchange-generated-message-source",
                 "x-failed-recipients", "return-path", "list-unsubscribe", "list-id",
                 "x-gmail-labels", "content-type")
_NOT_FILES = {"message/delivery-status", "message/disposition-notification",
              "message/global-delivery-status", "text/rfc822-headers",
              "message/global-headers", "message/feedback-report"}


@dataclass
class Attachment:
    name: str | None
    content: bytes
    content_type: str
    damaged: bool = False


@dataclass
class Enclosed:
    """Another message inside this one: a forward's attachment, or what a bounce returned."""

    message_id: str | None = None
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_addr: str | None = None
    to: list[str] = field(default_factory=list)
    text: str = ""
    moment: dt.datetime | None = None  # its Date header


@dataclass
class Mail:
    message_id: str | None
    references: list[str]  # In-Reply-To, then References: every Message-ID named
    in_reply_to: list[str]  # In-Reply-To alone: the message it answers
    from_addr: str | None
    from_name: str | None
    subject: str
    date: dt.date | None  # the Date header's own calendar day
    text: str
    to: list[str] = field(default_factory=list)  # To and Cc
    moment: dt.datetime | None = None  # the Date header, timezone-aware
    received: dt.datetime | None = None  # when our server got it (the newest Received)
    attachments: list[Attachment] = field(default_factory=list)
    enclosed: list[Enclosed] = field(default_factory=list)
    delivery: list[dict[str, str]] = field(default_factory=list)  # a DSN's per-recipient fields
    mdn: bool = False  # a read receipt (message/disposition-notification)
    headers: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def identity(raw: bytes) -> str:
    """The content hash that, with the Message-ID, says which message this is: the same for
    copies of one message (line endings, mbox quoting and delivery headers aside), different
    for two messages that merely share a Message-ID."""
    text = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    end = text.find(b"\n\n")
    head, body = (text[:end], text[end + 2:]) if end >= 0 else (text, b"")
    if body.startswith(b">") or b"\n>" in body:  # (a search line by line costs more)
        body = re.sub(rb"(?m)^>(>*From )", rb"\1", body)
    keep = []
    for name in (b"from", b"date", b"subject", b"message-id", b"to"):
        m = re.search(rb"(?im)^" + name + rb":[ \t]*(.*(?:\n[ \t].*)*)", head)
        keep.append(b" ".join(m.group(1).split()) if m else b"")
    lines = [line.rstrip() for line in body.split(b"\n")]
    while lines and not lines[-1]:
        lines.pop()
    digest = hashlib.sha256(b"\0".join(keep) + b"\0\0" + b"\n".join(lines))
    return digest.hexdigest()


def quick_message_id(raw: bytes) -> str | None:
    """The Message-ID, read straight from the header block (before any parsing)."""
    end = raw.find(b"\n\n")
    head = raw[: end if end >= 0 else 65536].replace(b"\r\n", b"\n")
    m = re.search(rb"(?im)^message-id:[ \t]*(?:\n[ \t]+)?(<[^<>\s]+@[^<>\s]+>)", head)
    return m.group(1).decode("ascii", "replace") if m else None


def _clean(value: str) -> str:
    """A header value as text: raw 8-bit bytes read as UTF-8 (else Windows-1252), one line."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        data = value.encode("utf-8", "surrogateescape")
        try:
            value = data.decode("utf-8")
        except UnicodeDecodeError:
            value = data.decode("cp1252", "replace")
    return " ".join(value.split())


def _raw_headers(msg: Message) -> dict[str, str]:
    """Each header's first value as sent (not parsed by the policy: a 20,000-id References
    header is read in milliseconds this way)."""
    out: dict[str, str] = {}
    try:
        items = msg.raw_items() if hasattr(msg, "raw_items") else msg.items()
        for name, value in items:
            out.setdefault(name.lower(), str(value))
    except Exception:  # a header block too broken to list: read nothing rather than fail
        pass
    return out


def _header(msg: Message, name: str, raw: dict[str, str], problems: list[str]) -> str:
    """A header decoded (RFC 2047); raw 8-bit bytes read as UTF-8, else Windows-1252."""
    text = raw.get(name.lower())
    if text is not None and any("\udc80" <= ch <= "\udcff" for ch in text):
        text = _clean(text)  # the policy would turn each 8-bit byte into U+FFFD
    else:
        try:
            value = msg.get(name)
            if value is not None:
                return _clean(str(value))
        except Exception as exc:  # a malformed header must not lose the message
            problems.append(f"unreadable {name} header ({type(exc).__name__}); read as sent")
    if text is None:
        return ""
    try:
        return _clean(str(email.header.make_header(email.header.decode_header(text))))
    except Exception:
        return _clean(text)


def _address(value: str) -> tuple[str | None, str | None]:
    name, addr = email.utils.parseaddr(value)
    if not _ADDRESS.fullmatch(addr or ""):
        m = _ADDRESS.search(value)
        addr = m.group(0) if m else ""
        name = value.split("<")[0].strip(' "') if m else name
    return (name or None), (addr.lower() or None)


def _addresses(*values: str) -> list[str]:
    found = [a.lower() for _, a in email.utils.getaddresses([v for v in values if v]) if "@" in a]
    return found or [a.lower() for v in values for a in _ADDRESS.findall(v or "")]


def _when(value: str, problems: list[str], what: str = "Date") -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        problems.append(f"unreadable {what} header {value[:60]!r}")
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _decode(payload: bytes, charset: str | None, problems: list[str]) -> str:
    for cs in ([charset] if charset else []) + list(_FALLBACK_CHARSETS):
        try:
            return payload.decode(cs)
        except (LookupError, UnicodeDecodeError):
            if cs == charset:
                problems.append(f"text declared as {charset!r} but is not: decoded another way")
    return payload.decode("utf-8", errors="replace")


def _payload(part: Message, problems: list[str]) -> tuple[bytes, bool]:
    """A leaf's decoded bytes, and whether they came out whole."""
    damaged = bool(getattr(part, "defects", None))
    try:
        decoded = part.get_payload(decode=True)
    except Exception as exc:
        problems.append(f"undecodable part ({type(exc).__name__})")
        decoded, damaged = None, True
    if isinstance(decoded, bytes):
        return decoded, damaged
    raw = part.get_payload()
    return (raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""), damaged


def parse(raw: bytes) -> Mail:
    """Parse a raw RFC 5322 message; never raises for malformed input."""
    try:
        msg, problems = mime.read(raw)
    except Exception as exc:  # the parser itself gave up: keep what the headers say
        msg = BytesHeaderParser(policy=default_policy).parsebytes(raw)
        problems = [f"unreadable MIME structure ({type(exc).__name__}); the message is kept "
                    "as it came"]
    for defect in list(getattr(msg, "defects", []))[:3]:
        problems.append(f"message defect: {type(defect).__name__}")
    raw_h = _raw_headers(msg)
    message_id = _MSGID.search(raw_h.get("message-id", ""))
    parent = _MSGID.findall(raw_h.get("in-reply-to", ""))
    refs = parent + _MSGID.findall(raw_h.get("references", ""))
    name, addr = _address(_header(msg, "From", raw_h, problems))
    moment = _when(raw_h.get("date", "").strip(), problems)
    if "date" not in raw_h:
        problems.append("no Date header")
    mail = Mail(
        message_id=message_id.group(0) if message_id else None,
        references=list(dict.fromkeys(refs)), in_reply_to=parent, from_addr=addr, from_name=name,
        subject=_header(msg, "Subject", raw_h, problems),
        date=moment.date() if moment else None, moment=moment,
        received=_received(msg), text="",
        to=_addresses(_clean(raw_h.get("to", "")), _clean(raw_h.get("cc", ""))),
        headers={k: _clean(raw_h[k]) for k in CLASS_HEADERS if k in raw_h}, problems=problems,
    )
    _read_parts(msg, mail)
    return mail


def _received(msg: Message) -> dt.datetime | None:
    try:
        values = msg.get_all("Received") or []
    except Exception:
        return None
    for value in values[:1]:  # the newest hop: our own server taking it in
        moment = _when(str(value).rpartition(";")[2].strip(), [], "Received")
        if moment:
            return moment
    return None


def _read_parts(msg: Message, mail: Mail) -> None:
    plain: list[str] = []
    html: list[str] = []
    problems = mail.problems
    for part, _depth in mime.leaves(msg):
        try:
            ctype = part.get_content_type()
            if ctype in _NOT_FILES:
                _report_part(part, ctype, mail)
                continue
            try:
                filename = part.get_filename()
            except Exception:
                filename = None
                problems.append("unreadable attachment name")
            disposition = (part.get_content_disposition() or "").lower()
            if ctype == "message/rfc822" or ctype.startswith("multipart/"):
                _enclosed(part, filename, mail)
                if ctype != "message/rfc822":  # a multipart with no readable boundary
                    plain.append(_decode(mail.attachments[-1].content, None, problems))
                continue
            payload, damaged = _payload(part, problems)
            if filename or disposition == "attachment" or not ctype.startswith("text/"):
                mail.attachments.append(Attachment(filename, payload, ctype, damaged))
                if damaged and payload:
                    problems.append(f"attachment {filename or ctype} is damaged (cut short or "
                                    "badly encoded): kept as far as it goes")
            elif ctype == "text/html":
                html.append(_strip_html(_decode(payload, part.get_content_charset(), problems)))
            else:
                text, files = mime.uudecode(_decode(payload, part.get_content_charset(),
                                                    problems))
                plain.append(text)
                for fname, content, complete in files:
                    mail.attachments.append(Attachment(fname, content,
                                                       "application/octet-stream",
                                                       not complete))
                    if not complete:
                        problems.append(f"uuencoded {fname} is cut short: kept as far as it "
                                        "goes")
        except Exception as exc:  # one broken part must not lose the others
            problems.append(f"unreadable part ({type(exc).__name__}: {exc})")
    mail.text = "\n\n".join(t for t in (plain or html) if t.strip())


def _report_part(part: Message, ctype: str, mail: Mail) -> None:
    """The machine-readable parts of a delivery or read report."""
    if ctype == "message/disposition-notification":
        mail.mdn = True
        return
    if ctype in ("text/rfc822-headers", "message/global-headers"):
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else str(part.get_payload()).encode(
            "utf-8", "surrogateescape")
        mail.enclosed.append(_summary(BytesHeaderParser(policy=default_policy).parsebytes(data)))
        return
    blocks = part.get_payload()
    for block in blocks if isinstance(blocks, list) else []:
        if not isinstance(block, Message):
            continue
        fields = {k.lower(): _clean(str(v)) for k, v in block.items()}
        if "action" in fields or "final-recipient" in fields:
            mail.delivery.append(fields)


def _enclosed(part: Message, filename: str | None, mail: Mail) -> None:
    """An attached message: kept as a file (as it came), and read for the classifier."""
    inner = part.get_payload(0) if part.get_content_type() == "message/rfc822" \
        and part.is_multipart() else None
    try:
        if isinstance(inner, Message):
            content = inner.as_bytes(policy=compat32)
        else:
            payload = part.get_payload(decode=True) or part.get_payload()
            content = payload if isinstance(payload, bytes) else str(payload).encode(
                "utf-8", "surrogateescape")
    except Exception:
        content = b""
    mail.attachments.append(Attachment(filename, content, part.get_content_type()))
    if isinstance(inner, Message):
        mail.enclosed.append(_summary(inner, text=True))


def _summary(msg: Message, text: bool = False) -> Enclosed:
    raw_h = _raw_headers(msg)
    found = _MSGID.search(raw_h.get("message-id", ""))
    out = Enclosed(
        message_id=found.group(0) if found else None,
        references=_MSGID.findall(raw_h.get("in-reply-to", "") + " "
                                  + raw_h.get("references", "")),
        subject=_header(msg, "Subject", raw_h, []),
        from_addr=_address(_header(msg, "From", raw_h, []))[1],
        to=_addresses(_clean(raw_h.get("to", "")), _clean(raw_h.get("cc", ""))),
        moment=_when(raw_h.get("date", "").strip(), []) if raw_h.get("date") else None)
    if text:
        parts: list[str] = []
        for leaf, _ in mime.leaves(msg):
            if leaf.get_content_type() == "text/plain":
                parts.append(_decode(_payload(leaf, [])[0], leaf.get_content_charset(), []))
        out.text = "\n".join(parts)
    return out


def _strip_html(html: str) -> str:
    import html as html_mod

    text = re.sub(r"(?is)<(script|style).*?</\1>", " ", html)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>", "\n", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return html_mod.unescape(re.sub(r"[ \t]+", " ", text)).strip()
