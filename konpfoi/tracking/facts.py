"""What a request's events add up to, read in one pass (in date order) for clocks and state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from konpfoi.ledger.model import OUTCOMES

_DATE = itemgetter(4)  # a ledger Event's date, which sorts as text (YYYY-MM-DD)
# Events that move the response clock, kept in order for it to replay.
CLOCK_KINDS = frozenset({"clarification-requested", "clarification-sent", "fee-notice",
                         "fee-paid", "extension-claimed", "reply"})


@dataclass(slots=True)
class Facts:
    sent: dt.date | None = None  # the first sending: a re-send does not restart the clock...
    undelivered: dt.date | None = None  # ...unless the request bounced: then it starts again
    reply_before_sent: dt.date | None = None  # a reply dated before the send date (a mistake)
    attempt_pending: bool = False  # konpfoi began sending and never learned the outcome
    send_failed: bool = False
    clock_events: list[tuple[str, dt.date, Any]] = field(default_factory=list)
    replied: dt.date | None = None  # the first final reply after sending
    outcome: str | None = None  # of the latest reply, or of coding done after it
    coded: bool = False
    extension: bool = False
    review_requested: dt.date | None = None
    review_extended: bool = False  # the body claimed more time for the review
    review_outcome: dt.date | None = None
    review_result: str | None = None
    complaint_filed: dt.date | None = None
    closed: bool = False  # closed (or the regulator decided) and not reopened since
    withdrawn: bool = False
    last_contact: dt.date | None = None
    chased: dt.date | None = None  # the latest chaser or reminder sent
    pack_sent: dt.date | None = None  # a supporter's letter: their pack reached them
    their_ref: str | None = None


def read(events: list[Any]) -> Facts:
    """One pass over the (effective) events, in date order, ties in the order recorded."""
    f = Facts()
    fromiso = dt.date.fromisoformat
    try:
        ordered = sorted(events, key=_DATE)
    except (TypeError, IndexError):  # event-like objects that are not ledger rows
        ordered = sorted(events, key=lambda e: e.date)
    early: dt.date | None = None  # a reply dated before the request was sent
    for e in ordered:
        k = e.kind
        if e.mentions("their_ref"):
            f.their_ref = _text(e.data.get("their_ref")) or f.their_ref
        if k == "sent":
            if f.sent is None:
                f.sent = fromiso(e.date)
            elif f.undelivered is not None and fromiso(e.date) >= f.undelivered:
                f.sent, f.undelivered = fromiso(e.date), None  # sent again: the clock restarts
            f.attempt_pending = False
        elif k == "delivery-failed":
            if (e.data.get("request") and f.sent is not None and f.replied is None
                    and fromiso(e.date) >= f.sent):
                f.undelivered = fromiso(e.date)
        elif k in CLOCK_KINDS:
            d = fromiso(e.date)
            f.clock_events.append((k, d, e))
            if k == "reply":
                final = not (e.mentions("interim") and e.data.get("interim"))
                if final and f.replied is None and f.sent is not None:
                    f.replied = d
                    f.undelivered = None
                elif final and f.sent is None and early is None:
                    early = d
                if e.mentions("outcome"):
                    f.outcome = _outcome(e.data.get("outcome"))
                f.coded = False
            elif k == "extension-claimed":
                if f.review_requested is not None:
                    f.review_extended = True
                else:
                    f.extension = True
        elif k == "pack-sent":
            f.pack_sent = f.pack_sent or fromiso(e.date)
        elif k == "send-attempt" and not e.mentions("followup"):  # the letter's own, not a
            f.attempt_pending = True  # follow-up's or a supporter's pack's
        elif k == "send-failed" and not e.mentions("followup"):
            f.attempt_pending, f.send_failed = False, True
        elif k == "coded":
            f.coded = True
            if e.mentions("outcome"):
                f.outcome = _outcome(e.data.get("outcome")) or f.outcome
        elif k == "review-requested":
            if f.review_requested is None:
                f.review_requested = fromiso(e.date)
        elif k == "review-outcome":
            if f.review_outcome is None:
                f.review_outcome = fromiso(e.date)
            if e.mentions("outcome"):
                f.review_result = _outcome(e.data.get("outcome"))
        elif k == "chased":
            f.chased = fromiso(e.date)
        elif k == "complaint-filed":
            f.complaint_filed = f.complaint_filed or fromiso(e.date)
        elif k in ("closed", "complaint-outcome"):
            f.closed = True
        elif k == "reopened":
            f.closed = f.withdrawn = False
        elif k == "withdrawn":
            f.withdrawn = True
    if early is not None and f.replied is None and f.sent is not None:
        if early < f.sent:  # one of the two dates is wrong: count the reply, and say so
            f.reply_before_sent = early
        f.replied = max(early, f.sent)
    if ordered and f.sent is not None:
        f.last_contact = max(fromiso(_date(ordered[-1])), f.sent)
    return f


def _outcome(value: Any) -> str | None:
    """An outcome as the ledger's vocabulary has it; anything else reads as none."""
    return value if value in OUTCOMES else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _date(e: Any) -> str:
    return str(e.date)
