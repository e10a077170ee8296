"""What the ledger holds: items (one request or email to one body), their append-only events,
and the one vocabulary of outcomes. Every backend stores exactly this."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
import warnings
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from konpfoi.errors import InvalidInput, KonpfoiWarning

# Every event kind, and what it means. State is derived from these; none is ever rewritten.
EVENT_KINDS = {
    "drafted": "the draft was written",
    "send-attempt": "konpfoi was about to hand the message to the SMTP server",
    "sent": "the message was sent (the clock starts)",
    "send-failed": "the SMTP server refused the message",
    "delivery-failed": "a delivery failure report came back: the message did not arrive",
    "delivery-delayed": "a mail server reported a delay and is still trying to deliver",
    "acknowledged": "the body acknowledged the request",
    "clarification-requested": "the body asked for clarification",
    "clarification-sent": "the clarification was sent (FOIA/EIR/FOISA: the clock restarts)",
    "fee-notice": "the body issued a fees notice (the clock pauses)",
    "fee-paid": "the fee was paid (the clock resumes)",
    "extension-claimed": "the body claimed more time",
    "reply": "the body replied",
    "coded": "the answers were coded per question",
    "followup-drafted": "a follow-up letter (or a supporter's pack) was drafted",
    "pack-sent": "a supporter's pack (their letter, ready to send) was delivered to them",
    "chased": "a chaser was sent",
    "review-requested": "an internal review was requested",
    "review-outcome": "the body gave its internal review outcome",
    "complaint-filed": "a complaint was made to the regulator",
    "complaint-outcome": "the regulator decided",
    "withdrawn": "the request was withdrawn",
    "closed": "the campaigner closed the item",
    "reopened": "the campaigner reopened the item",
    "note": "a note",
    "assigned": "the item was given to a volunteer to look after",
    "void": "cancels an earlier event recorded by mistake",
    "correction": "replaces an earlier event with corrected details",
}

# Events that say something happened in the past: a future date is refused for these.
PAST_ONLY = frozenset(EVENT_KINDS) - {"note"}

# What a reply (or a review) said, per question or as a whole, with the words people use for
# each and how it reads in a table. One home: coding, recording, status and reports read it.
OUTCOMES = ("answered", "partly-answered", "refused", "not-held", "clarification-sought")
OUTCOME_LABELS = {"answered": "answered", "partly-answered": "partly answered",
                  "refused": "refused", "not-held": "not held",
                  "clarification-sought": "clarification sought"}
OUTCOME_ALIASES = {"answered": "answered", "partly": "partly-answered",
                   "partial": "partly-answered", "partly-answered": "partly-answered",
                   "refused": "refused", "not-held": "not-held", "notheld": "not-held",
                   "not held": "not-held", "clarification": "clarification-sought",
                   "clarification-sought": "clarification-sought"}
# The outcomes of a whole reply or review (a body that seeks clarification has not replied).
FINAL_OUTCOMES = ("answered", "partly-answered", "refused", "not-held")

# What a received message is, decided before it is matched (the reason is kept with it).
MESSAGE_CLASSES = {
    "own": "your own outgoing mail (from one of your addresses, or a message konpfoi made)",
    "bounce": "a delivery failure or delay report",
    "auto": "an automatic reply: acknowledgement, out of office, read receipt, delivery report",
    "forward": "someone else forwarding a message",
    "supporter": "a supporter's own mail: a copy of their letter to their MP, or their MP's "
                 "reply forwarded",
    "reply": "written by a person at the body",
}
# What became of a received message: recorded on an item, waiting for the user, skipped as
# the user's own mail, or set aside by the user. Nothing received is ever deleted.
INBOUND_STATES = ("matched", "unmatched", "skipped", "dismissed")
# How a message can be recorded on an item (`replies assign --as`), and the event it makes.
RECORD_AS = {"reply": "reply", "acknowledgement": "acknowledged", "bounce": "delivery-failed"}

DEFAULT_PREFIX = "K"
# A workspace's id prefix (`konpfoi init --prefix S`): capital letters, so that one
# volunteer's K-0001 and another's S-0001 never collide when their ledgers meet.
PREFIX_PATTERN = r"[A-Z]{1,5}"
ITEM_ID_PATTERN = rf"{PREFIX_PATTERN}-\d{{4,}}"


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_uid() -> str:
    return uuid.uuid4().hex


def format_item_id(number: int, prefix: str = DEFAULT_PREFIX) -> str:
    """K-0042: a workspace's prefix and a number the store allocated."""
    return f"{prefix}-{number:04d}"


class Event(tuple):  # type: ignore[type-arg]
    """One thing that happened to an item, as the ledger row it is.

    A tuple, so that reading hundreds of thousands of events costs no more than the rows
    themselves; `data` is parsed from its JSON only when read.
    """

    __slots__ = ()

    @classmethod
    def make(cls, id: int, uid: str, item_id: str, kind: str, date: str,  # noqa: A002
             recorded_at: str, note: str | None = None, data: dict[str, Any] | None = None,
             voids: str | None = None, actor: str | None = None) -> Event:
        raw = json.dumps(data, sort_keys=True, ensure_ascii=False) if data else None
        return cls((id, uid, item_id, kind, date, recorded_at, note, raw, voids, actor))

    id = property(itemgetter(0))
    uid = property(itemgetter(1))
    item_id = property(itemgetter(2))
    kind = property(itemgetter(3))
    date = property(itemgetter(4))  # YYYY-MM-DD: the day it happened
    recorded_at = property(itemgetter(5))
    note = property(itemgetter(6))
    raw = property(itemgetter(7))  # the data as stored: JSON text or None
    voids = property(itemgetter(8))  # the uid of the event this one cancels or corrects
    actor = property(itemgetter(9))  # the email of the volunteer who recorded it, if known

    @property
    def data(self) -> dict[str, Any]:
        raw = self[7]
        if not raw:
            return {}
        try:
            data = json.loads(raw)
        except (TypeError, ValueError, RecursionError):
            data = None
        if isinstance(data, dict):
            return data
        damaged(f"event #{self[0]} of {self[2]}", "its data is not a JSON object")
        return {}

    def mentions(self, key: str) -> bool:
        """Whether its data may hold `key` (a cheap test before parsing the JSON)."""
        raw = self[7]
        return isinstance(raw, str) and key in raw

    def __repr__(self) -> str:
        return f"Event(#{self.id} {self.item_id} {self.kind} {self.date} {self.raw or ''})"


@dataclass(frozen=True)
class Volunteer:
    """Who is using a workspace (its name and email in konpfoi.yaml): every event they record
    says so, and a shared ledger keeps one row for each of them."""

    email: str  # the key: compared lower-cased
    name: str

    @classmethod
    def of(cls, name: str | None, email: str | None) -> Volunteer | None:
        """The workspace's volunteer, or None until it has an email address."""
        if not email:
            return None
        return cls(email.strip().lower(), (name or "").strip() or email.split("@")[0])


@dataclass(frozen=True)
class Claim:
    """An item's message being sent right now: by whom, from which process, and until when
    the claim holds if that process never says how it went (UTC, ISO 8601)."""

    item_id: str
    what: str  # "" for the request itself, else the follow-up's kind
    actor: str | None
    host: str  # a digest of the machine's name: the process can be checked on the same one
    pid: int
    claimed_at: str
    until: str


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
    message_sha256: str | None = None  # the draft message, kept in the ledger's blobs

    @property
    def questions(self) -> list[dict[str, Any]]:
        """The numbered questions as drafted: number, label, text."""
        try:
            found = json.loads(self.questions_json or "[]")
        except (TypeError, ValueError, RecursionError):
            found = None
        if isinstance(found, list) and all(
                isinstance(q, dict) and isinstance(q.get("number"), int)
                and isinstance(q.get("text"), str) for q in found):
            return found
        damaged(f"item {self.id}", "its questions are not a list of numbered questions")
        return []


def damaged(what: str, why: str) -> None:
    """A damaged part of a row, passed over (the CLI shows it as a warning)."""
    warnings.warn(KonpfoiWarning(f"the ledger's {what} is damaged ({why}); it was left out"),
                  stacklevel=3)


@dataclass(frozen=True, slots=True)
class Fact:
    """One claim about a body in the register, with its evidence: the value found, where (a
    URL, or a coded FOI answer: item and question) and the day it was checked."""

    uid: str
    body_id: str
    key: str  # what it is about: fdp, fdp-products, fdp-since
    value: str
    source: str  # a URL, or "K-0042 Q1"
    checked: str  # YYYY-MM-DD
    recorded_at: str
    item_id: str | None = None
    question: int | None = None
    note: str | None = None
    settles: bool = False  # the user settled the key: every earlier claim gives way to it


def left_out_digest(email: str) -> str:
    """How the ledger keeps an address that must not be written to again (`left_out`): a
    hash, never the address."""
    return hashlib.sha256(f"konpfoi left out:{email.strip().lower()}".encode()).hexdigest()


def parse_outcome(text: str, allowed: tuple[str, ...] = OUTCOMES) -> str:
    """'partial' -> 'partly-answered': an outcome as people type it, or one clear error."""
    found = OUTCOME_ALIASES.get(text.strip().lower())
    if found is None or found not in allowed:
        words = ("partly" if o == "partly-answered" else o.split("-")[0] if
                 o == "clarification-sought" else o for o in allowed)
        raise InvalidInput(f"unknown outcome {text!r}", hint="outcomes: " + ", ".join(words))
    return found
