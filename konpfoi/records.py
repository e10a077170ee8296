"""What the ledger holds: items (one request or email to one body) and their append-only events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ITEM_KINDS = ("foi", "eir", "foisa", "sar", "email")

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


@dataclass(slots=True)
class Event:
    id: int
    uid: str
    item_id: str
    kind: str
    date: str  # YYYY-MM-DD: the day it happened
    recorded_at: str
    note: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    voids: str | None = None  # the uid of the event this one cancels or corrects


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
    questions: list[dict[str, Any]] = field(default_factory=list)
    draft_path: str | None = None
    content_hash: str | None = None
    message_id: str | None = None
