"""Read an email from a body, however messy: what can be read is kept, what cannot is reported."""

from __future__ import annotations

import datetime as dt
import email
import email.utils
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.policy import default as default_policy

_FALLBACK_CHARSETS = ("utf-8", "cp1252", "latin-1")


@dataclass
class Attachment:
    name: str | None
    content: bytes
    content_type: str


@dataclass
class Mail:
    message_id: str | None
    in_reply_to: list[str]
    from_addr: str | None
    from_name: str | None
    subject: str
    date: dt.date | None
    text: str
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    auto_submitted: bool = False


def _header(msg: Message, name: str, problems: list[str]) -> str | None:
    try:
        value = msg.get(name)
        return None if value is None else " ".join(str(value).split())
    except Exception as exc:  # a malformed header must not lose the message
        problems.append(f"unreadable {name} header ({type(exc).__name__})")
        try:
            raw = msg.get_all(name, failobj=[None])[0] if hasattr(msg, "get_all") else None
            return " ".join(str(raw).split()) if raw else None
        except Exception:
            return None


def _decode(payload: bytes, charset: str | None, problems: list[str]) -> str:
    for cs in ([charset] if charset else []) + list(_FALLBACK_CHARSETS):
        try:
            return payload.decode(cs)
        except (LookupError, UnicodeDecodeError):
            if cs == charset:
                problems.append(f"text declared as {charset!r} but is not: decoded another way")
    return payload.decode("utf-8", errors="replace")


def parse(raw: bytes) -> Mail:
    """Parse a raw RFC 5322 message; never raises for malformed input."""
    problems: list[str] = []
    msg: EmailMessage = email.message_from_bytes(raw, policy=default_policy)  # type: ignore
    for defect in getattr(msg, "defects", [])[:3]:
        problems.append(f"message defect: {type(defect).__name__}")
    message_id = _header(msg, "Message-ID", problems)
    refs: list[str] = []
    for name in ("In-Reply-To", "References"):
        value = _header(msg, name, problems)
        if value:
            refs += [r if r.endswith(">") else r + ">" for r in value.replace(">", "> ").split()
                     if r.startswith("<")]
    from_value = _header(msg, "From", problems) or ""
    name, addr = email.utils.parseaddr(from_value)
    date = None
    date_value = _header(msg, "Date", problems)
    if date_value:
        try:
            parsed = email.utils.parsedate_to_datetime(date_value)
            date = parsed.date()
        except (TypeError, ValueError, IndexError):
            problems.append(f"unreadable Date header {date_value!r}")
    else:
        problems.append("no Date header")
    auto = (_header(msg, "Auto-Submitted", problems) or "no").lower() != "no" or bool(
        _header(msg, "X-Autoreply", problems) or _header(msg, "X-Autorespond", problems))
    text_parts: list[str] = []
    attachments: list[Attachment] = []
    _walk(msg, text_parts, attachments, problems)
    return Mail(
        message_id=message_id.strip() if message_id else None, in_reply_to=refs,
        from_addr=addr.lower() or None, from_name=name or None,
        subject=_header(msg, "Subject", problems) or "", date=date,
        text="\n\n".join(t for t in text_parts if t.strip()), attachments=attachments,
        problems=problems, auto_submitted=auto,
    )


def _walk(msg: Message, text_parts: list[str], attachments: list[Attachment],
          problems: list[str]) -> None:
    try:
        parts = list(msg.walk())
    except Exception as exc:
        problems.append(f"broken MIME structure ({type(exc).__name__})")
        parts = [msg]
    for part in parts:
        try:
            if part.is_multipart():
                continue
            ctype = part.get_content_type()
            try:
                filename = part.get_filename()
            except Exception:
                filename = None
                problems.append("unreadable attachment name")
            disposition = (part.get_content_disposition() or "").lower()
            decoded = part.get_payload(decode=True)
            if isinstance(decoded, bytes):
                payload = decoded
            else:
                raw = part.get_payload()
                payload = raw.encode("utf-8", "replace") if isinstance(raw, str) else b""
            if filename or disposition == "attachment" or not ctype.startswith("text/"):
                attachments.append(Attachment(filename, payload, ctype))
            elif ctype == "text/plain":
                text_parts.append(_decode(payload, part.get_content_charset(), problems))
            elif ctype == "text/html" and not text_parts:
                text_parts.append(_strip_html(_decode(payload, part.get_content_charset(),
                                                      problems)))
        except Exception as exc:  # one broken part must not lose the others
            problems.append(f"unreadable part ({type(exc).__name__}: {exc})")


def _strip_html(html: str) -> str:
    import html as html_mod
    import re

    text = re.sub(r"(?is)<(script|style).*?</\1>", " ", html)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>", "\n", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return html_mod.unescape(re.sub(r"[ \t]+", " ", text)).strip()
