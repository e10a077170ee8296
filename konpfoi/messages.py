"""Real RFC 5322 messages: built with the email package's default policy, headers validated."""

from __future__ import annotations

import datetime as dt
import hashlib
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid
from pathlib import Path

from konpfoi.errors import Unsafe
from konpfoi.fsutil import atomic_write

_FORBIDDEN = ("\r", "\n", "\0")

# Headers are not folded at 78 characters: CPython's folder drops the quotes around a long
# display name with a comma ("NHS Bath and North East Somerset, Swindon and Wiltshire ..."),
# turning one recipient into two. 998 is RFC 5322's hard limit. 7-bit transfer encodings keep
# every message safe for any SMTP server, with or without 8BITMIME.
POLICY = default_policy.clone(max_line_length=998, cte_type="7bit")


def check_header(value: str, what: str) -> str:
    """Refuse a header value that could start a new header (CR/LF) or break a parser (NUL)."""
    if any(ch in value for ch in _FORBIDDEN):
        raise Unsafe(f"the {what} contains a line break, which could inject an email header",
                     hint=f"put the {what} on one line")
    return value


def message_id(item_id: str, sender_email: str) -> str:
    """A Message-ID naming the item, on the sender's domain (never a DNS lookup of our host)."""
    domain = sender_email.rpartition("@")[2] or "konpfoi.invalid"
    return make_msgid(idstring=item_id.lower(), domain=domain)


def build(*, sender_name: str, sender_email: str, to_name: str, to_email: str, subject: str,
          text: str, msg_id: str, date: dt.datetime, in_reply_to: str | None = None
          ) -> EmailMessage:
    """An EmailMessage with From, To, Subject, Date, Message-ID and a UTF-8 text body."""
    for value, what in ((sender_name, "sender name"), (sender_email, "sender address"),
                        (to_name, "recipient name"), (to_email, "recipient address"),
                        (subject, "subject"), (msg_id, "Message-ID")):
        check_header(value, what)
    msg = EmailMessage(policy=POLICY)
    msg["From"] = _address(sender_name, sender_email)
    msg["To"] = _address(to_name, to_email)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = msg_id
    if in_reply_to:
        msg["In-Reply-To"] = check_header(in_reply_to, "In-Reply-To")
        msg["References"] = in_reply_to
    msg["X-Mailer"] = "konpfoi"
    msg.set_content(text, charset="utf-8")
    return msg


def _address(name: str, email: str) -> Address:
    local, _, domain = email.rpartition("@")
    try:
        return Address(display_name=name, username=local, domain=domain)
    except (ValueError, IndexError) as exc:
        raise Unsafe(f"not a usable email address: {email!r} ({exc})") from None


def as_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=POLICY)


def text_copy(msg: EmailMessage) -> str:
    """The plain-text copy of a draft: who it is to, the subject, then the letter."""
    body = msg.get_content()
    return f"To: {msg['To']}\nSubject: {msg['Subject']}\n\n{body}"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_draft(msg: EmailMessage, folder: Path, item_id: str) -> tuple[Path, Path]:
    """drafts/<item>.eml and drafts/<item>.txt, each written atomically, owner-only."""
    eml = atomic_write(folder / f"{item_id}.eml", as_bytes(msg))
    txt = atomic_write(folder / f"{item_id}.txt", text_copy(msg))
    return eml, txt


def write_mbox(messages: list[EmailMessage], path: Path) -> Path:
    """One mbox holding `messages`, for import into a mail client; written atomically."""
    import mailbox
    import tempfile

    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        staging = Path(tmp) / "batch.mbox"
        box = mailbox.mbox(staging, create=True)
        try:
            box.lock()
            for msg in messages:
                box.add(mailbox.mboxMessage(msg))
            box.flush()
        finally:
            box.unlock()
            box.close()
        return atomic_write(path, staging.read_bytes())
