"""What the ledger holds: items (one request or email to one body) and their append-only events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

# Every event kind, and what it means. State is derived from these; none is ever rewritten.
EVENT_KINDS = {
    "drafted": "the draft was written",
    "send-attempt": "konpfoi was about to hand the message to the SMTP server",
    "sent": "the message was sent (the clock starts)",
    "send-failed": "the SMTP server refused the message",
    "acknowledged": "the body acknowledged the request",
    "clarification-requested": "the body asked for clarification",
    "clarification-sent": "the clarification was sent (FOIA/EIR/FOISA: the clock restarts)",
    "fee-notice": "the body issued a fees notice (the clock pauses)",
    "fee-paid": "the fee was paid (the clock resumes)",
    "extension-claimed": "the body claimed more time",
    "reply": "the body replied",
    "coded": "the answers were coded per question",
    "followup-drafted": "a follow-up letter was drafted",
    "chased": "a chaser was sent",
    "review-requested": "an internal review was requested",
    "review-outcome": "the body gave its internal review outcome",
    "complaint-filed": "a complaint was made to the regulator",
    "complaint-outcome": "the regulator decided",
    "withdrawn": "the request was withdrawn",
    "closed": "the campaigner closed the item",
    "reopened": "the campaigner reopened the item",
    "note": "a note",
    "void": "cancels an earlier event recorded by mistake",
    "correction": "replaces an earlier event with corrected details",
}

# Events that say something happened in the past: a future date is refused for these.
PAST_ONLY = frozenset(EVENT_KINDS) - {"note"}

OUTCOMES = ("answered", "partly-answered", "refused", "not-held", "clarification-sought")


class Event(tuple):  # type: ignore[type-arg]
    """One thing that happened to an item, as the ledger row it is.

    A tuple, so that reading hundreds of thousands of events costs no more than the rows
    themselves; `data` is parsed from its JSON only when read.
    """

    __slots__ = ()

    @classmethod
    def make(cls, id: int, uid: str, item_id: str, kind: str, date: str,  # noqa: A002
             recorded_at: str, note: str | None = None, data: dict[str, Any] | None = None,
             voids: str | None = None) -> Event:
        raw = json.dumps(data, sort_keys=True, ensure_ascii=False) if data else None
        return cls((id, uid, item_id, kind, date, recorded_at, note, raw, voids))

    id = property(itemgetter(0))
    uid = property(itemgetter(1))
    item_id = property(itemgetter(2))
    kind = property(itemgetter(3))
    date = property(itemgetter(4))  # YYYY-MM-DD: the day it happened
    recorded_at = property(itemgetter(5))
    note = property(itemgetter(6))
    raw = property(itemgetter(7))  # the data as stored: JSON text or None
    voids = property(itemgetter(8))  # the uid of the event this one cancels or corrects

    @property
    def data(self) -> dict[str, Any]:
        raw = self[7]
        return json.loads(raw) if raw else {}

    def mentions(self, key: str) -> bool:
        """Whether its data may hold `key` (a cheap test before parsing the JSON)."""
        raw = self[7]
        return raw is not None and key in raw

    def __repr__(self) -> str:
        return f"Event(#{self.id} {self.item_id} {self.kind} {self.date} {self.raw or ''})"


@dataclass(slots=True)
class Item:
    id: str
    uid: str
    kind: str
    body_id: str
    body_name: str
    subject: str
    created_at: str
    campaign: str | None = None
    body_email: str | None = None
    nation: str | None = None
    sender_name: str | None = None
    sender_email: str | None = None
    template: str | None = None
    question_set: str | None = None
    questions_json: str = "[]"  # the questions as drafted; parsed only when asked for
    draft_path: str | None = None
    content_hash: str | None = None
    message_id: str | None = None

    @property
    def questions(self) -> list[dict[str, Any]]:
        """The numbered questions as drafted: number, label, text."""
        return list(json.loads(self.questions_json or "[]"))
