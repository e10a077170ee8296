"""Which request a received message answers, and what kind of message it is.

Matching, most certain first: the In-Reply-To/References headers against the Message-IDs we
sent; our item id (K-0042) or the body's own reference in the subject or text; the sender's
address (or a domain no other body shares) with a similar subject. Only one confident match
counts; otherwise the best guesses are kept for the user.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from konpfoi.ledger.model import Event, Item
from konpfoi.mail import incoming
from konpfoi.tracking.lifecycle import effective

SHARED_DOMAINS = frozenset({
    "nhs.net", "nhs.uk", "parliament.uk", "gov.uk", "gov.scot", "gov.wales", "gmail.com",
    "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.co.uk",
    "yahoo.com", "yahoo.co.uk", "icloud.com", "btinternet.com",
})
_OUR_ID = re.compile(r"\bK-\d{4,}\b")
_AUTO = re.compile(
    r"auto(?:matic)?[ -]?(?:reply|response|acknowledg)|out of (?:the )?office|"
    r"(?:we|i) (?:have )?(?:received|acknowledge) (?:your|receipt)|"
    r"thank you for (?:your )?(?:request|email|enquiry|message)|request (?:has been )?"
    r"(?:received|logged)|acknowledg(?:e)?ment", re.I)
_THEIR_REF = (
    re.compile(r"\b(?:our|your)\s+ref(?:erence)?(?:\s+(?:no|number))?\.?\s*[:#\-]?\s*"
               r"([A-Za-z0-9][\w/\-.]{2,40})", re.I),
    re.compile(r"\b((?:FOI|FOIR|EIR|SAR)[\s\-/_]?\d[\w/\-]{1,30})", re.I),
)


def _subject_key(subject: str) -> str:
    s = re.sub(r"^\s*((re|fw|fwd|aw|sv)\s*(\[\d+\])?\s*:\s*)+", "", subject, flags=re.I)
    return " ".join(re.findall(r"[a-z0-9]+", s.lower()))


class Matcher:
    """What we know of every item, to match a reply to the request it answers."""

    def __init__(self, items: list[Item], events: dict[str, list[Event]],
                 addresses: dict[str, set[str]]) -> None:
        self.items = {i.id: i for i in items}
        self.by_msgid: dict[str, str] = {}
        self.their_refs: dict[str, set[str]] = {}
        for i in items:
            if i.message_id:
                self.by_msgid[i.message_id.strip()] = i.id
            for e in effective(events.get(i.id, [])):
                if e.mentions("message_id") and e.data.get("message_id"):
                    self.by_msgid.setdefault(str(e.data["message_id"]).strip(), i.id)
                if e.mentions("their_ref") and e.data.get("their_ref"):
                    self.their_refs.setdefault(str(e.data["their_ref"]).lower(), set()).add(i.id)
        self.by_address: dict[str, list[str]] = {}
        self.by_domain: dict[str, list[str]] = {}
        for i in items:
            known = {a.lower() for a in addresses.get(i.body_id, set())}
            if i.body_email:
                known.add(i.body_email.lower())
            for a in known:
                self.by_address.setdefault(a, []).append(i.id)
                domain = a.rpartition("@")[2]
                if domain and domain not in SHARED_DOMAINS:
                    self.by_domain.setdefault(domain, []).append(i.id)
        self.subjects = {i.id: _subject_key(i.subject) for i in items}

    def match(self, mail: incoming.Mail) -> tuple[str | None, str, list[dict[str, Any]]]:
        """(item id, why) for one confident match; else (None, why not, candidates)."""
        for ref in reversed(mail.in_reply_to):
            if ref in self.by_msgid:
                return self.by_msgid[ref], f"In-Reply-To/References {ref}", []
        text = f"{mail.subject}\n{mail.text}"
        ours = sorted({m for m in _OUR_ID.findall(text) if m in self.items})
        if len(ours) == 1:
            return ours[0], f"our reference {ours[0]} in the message", []
        if len(ours) > 1:
            return None, "it names several of our items", [
                {"item": i, "why": "named in the message"} for i in ours]
        lowered = text.lower()
        theirs = sorted({i for ref, ids in self.their_refs.items()
                         if re.search(rf"(?<![\w/-]){re.escape(ref)}(?![\w/-])", lowered)
                         for i in ids})
        if len(theirs) == 1:
            return theirs[0], "the body's own reference in the message", []
        sender = (mail.from_addr or "").lower()
        pool = self.by_address.get(sender) or self.by_domain.get(
            sender.rpartition("@")[2], [])
        if theirs:
            pool = [i for i in pool if i in theirs] or theirs
        if not pool:
            why = f"nothing we sent went to {sender or 'its sender'}"
            return None, why, self._guesses(mail, list(self.items))
        scored = sorted(((difflib.SequenceMatcher(None, _subject_key(mail.subject),
                                                  self.subjects[i]).ratio(), i)
                         for i in set(pool)), reverse=True)
        best, item = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if best >= 0.6 and best - runner_up >= 0.15:
            return item, f"from {sender}, subject {best:.0%} alike", []
        return None, (f"{len(scored)} items went to {sender.rpartition('@')[2]} and the "
                      "subject does not single one out"), [
            {"item": i, "score": round(s, 2), "why": "same sender"} for s, i in scored[:5]]

    def _guesses(self, mail: incoming.Mail, pool: list[str]) -> list[dict[str, Any]]:
        key = _subject_key(mail.subject)
        scored = sorted(((difflib.SequenceMatcher(None, key, self.subjects[i]).quick_ratio(),
                          i) for i in pool), reverse=True)[:3]
        return [{"item": i, "score": round(s, 2), "why": "similar subject"}
                for s, i in scored if s >= 0.5]


def their_reference(mail: incoming.Mail) -> str | None:
    text = f"{mail.subject}\n{mail.text[:4000]}"
    for pattern in _THEIR_REF:
        for m in pattern.finditer(text):
            ref = m.group(1).rstrip(".,;:)")
            if not _OUR_ID.fullmatch(ref) and any(ch.isdigit() for ch in ref):
                return ref
    return None


def is_auto_reply(mail: incoming.Mail) -> bool:
    """An automatic acknowledgement (or out-of-office), not the answer."""
    if mail.auto_submitted:
        return True
    short = len(mail.text) < 3000 and not any(
        not (a.name or "").lower().endswith((".eml",)) for a in mail.attachments)
    return short and bool(_AUTO.search(f"{mail.subject}\n{mail.text[:1500]}"))
