"""Send drafts over SMTP, never twice: the intent is recorded before, the outcome after.

A message whose outcome is unknown (the process died, or the server went away, between handing
it over and hearing back) is listed for the user to check — or settled from the Sent folder —
and never resent silently. The pace, the retries and the reconnection are `mail.delivery`'s.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi.errors import InvalidInput, NotFound
from konpfoi.law.correspondence import SUPPORTER_PACK, kind_of, sent_event
from konpfoi.ledger.model import Event, Item
from konpfoi.ledger.store import Ledger
from konpfoi.mail import delivery
from konpfoi.mail.outgoing import with_date
from konpfoi.mail.transport import Transport
from konpfoi.tracking.events import drafted, sent_after
from konpfoi.tracking.lifecycle import effective
from konpfoi.workspace.config import has_placeholder

DEFAULT_RATE = "20/min"  # well under every provider's limit (Microsoft 365: 30 a minute)


def parse_rate(text: str | None) -> float | None:
    """'20/min' -> seconds between messages; 'none' -> no pause."""
    if not text or text.strip().lower() in ("none", "off", "0"):
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(s|sec|second|m|min|minute|h|hour)\s*", text)
    if not m or float(m.group(1)) <= 0:
        raise InvalidInput(f"--rate {text!r} is not a rate",
                           hint="e.g. --rate 20/min, or --rate none for no pause")
    per = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
           "hour": 3600}[m.group(2)]
    return per / float(m.group(1))


# -- what may go ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One message to send: an item's request, or one of its follow-ups."""

    item: Item
    draft: str  # the .eml, relative to the workspace (what the user opens)
    to: str
    followup: str | None = None  # the follow-up's kind
    message: str | None = None  # the message as drafted, in the ledger's blobs (what is sent)


@dataclass
class Plan:
    ready: list[Outgoing] = field(default_factory=list)
    skipped: list[tuple[Item, str]] = field(default_factory=list)
    unknown: list[Item] = field(default_factory=list)  # handed over, outcome never heard
    problems: list[Item] = field(default_factory=list)  # skipped because something is wrong


class _Problem(str):
    """A reason for not sending that is a problem to fix (a missing or unfinished draft, a
    refusal), not just nothing left to do (already sent, withdrawn)."""


def pending_attempt(events: list[Event], followup: str | None = None) -> bool:
    """An attempt to send (the request, or a follow-up) with no outcome recorded after it."""
    state = False
    for e in events:
        kind = e.data.get("followup") if e.mentions("followup") else None
        if kind != followup:
            continue
        if e.kind == "send-attempt":
            state = True
        elif e.kind in ("sent", "send-failed") or kind is not None:
            state = False
    return state


def plan(ledger: Ledger, root: Path, sender_email: str | None, *,
         item_ids: list[str] | None, campaign: str | None, retry: bool = False,
         followup: str | None = None) -> Plan:
    """Which messages would go, which not (and why), and which have an unknown outcome."""
    items = ledger.pick(item_ids, campaign)
    events = ledger.events([i.id for i in items])
    out = Plan()
    for item in items:
        evs = effective(events.get(item.id, []))
        if followup:
            found = _followup(item, evs, followup, retry, bool(item_ids))
        elif kind_of(item.kind).signer == "supporter":
            found = _pack(item, evs, retry, bool(item_ids))
        else:
            found = _why_not(item, evs, root, retry, bool(item_ids))
        if found == "unknown":
            out.unknown.append(item)
            continue
        if isinstance(found, str):
            out.skipped.append((item, str(found)))
            if isinstance(found, _Problem):
                out.problems.append(item)
            continue
        reason = _checks(item, message(ledger, root, found), found.draft, sender_email,
                         found.followup == SUPPORTER_PACK.key)
        if reason:
            out.skipped.append((item, reason))
            out.problems.append(item)
        else:
            out.ready.append(found)
    return out


def _why_not(item: Item, evs: list[Event], root: Path, retry: bool, named: bool
             ) -> Outgoing | str:
    sent = next((e for e in evs if e.kind == "sent"), None)
    if sent:
        return f"already sent on {sent.date}"
    if pending_attempt(evs) and not (retry and named):
        return "unknown"
    failed = [e for e in evs if e.kind == "send-failed" and not e.mentions("followup")]
    if failed and not retry and not failed[-1].data.get("temporary"):
        return _Problem(f"refused by the server ({failed[-1].data.get('reply', '?')}); "
                        "--retry to try again")
    if any(e.kind in ("withdrawn", "closed") for e in evs):
        return "withdrawn or closed"
    if not item.body_email or not item.draft_path:
        return _Problem("it has no recipient or no draft")
    return Outgoing(item, item.draft_path, item.body_email, message=item.message_sha256)


def _followup(item: Item, evs: list[Event], kind: str, retry: bool, named: bool
              ) -> Outgoing | str:
    draft = drafted(evs, kind)
    if draft is None:
        return _Problem(f"no {kind.replace('-', ' ')} drafted: konpfoi followup {item.id} "
                        f"--kind {kind}")
    done = sent_after(evs, kind, draft)
    if done:
        return f"its {kind.replace('-', ' ')} was sent on {done.date}"
    if pending_attempt(evs, kind) and not (retry and named):
        return "unknown"
    return Outgoing(item, str(draft.data["draft"]), str(draft.data["to"]), kind,
                    message=draft.data.get("message"))


def _pack(item: Item, evs: list[Event], retry: bool, named: bool) -> Outgoing | str:
    """A supporter's letter goes to the supporter, in their pack: once, and not after they
    have sent the letter themselves."""
    sent = next((e for e in evs if e.kind == "sent"), None)
    if sent:
        return f"the supporter sent it on {sent.date}"
    if any(e.kind in ("withdrawn", "closed") for e in evs):
        return "withdrawn or closed"
    if drafted(evs, SUPPORTER_PACK.key) is None:
        return ("it has no pack for the supporter (drafted before packs were made): draft it "
                "again with konpfoi batch --supporters")
    return _followup(item, evs, SUPPORTER_PACK.key, retry, named)


def message(ledger: Ledger, root: Path, out: Outgoing) -> bytes | None:
    """The bytes to send: the ledger's copy of the draft, and nothing else.

    Never a file named by the ledger: a ledger can come from someone else's export, and a path
    in it must not decide what leaves this machine. (`root` is kept for callers' sake.)"""
    if not out.message:
        return None
    try:
        return ledger.blob(out.message)
    except NotFound:
        return None


def _checks(item: Item, raw: bytes | None, draft: str, sender_email: str | None,
            pack: bool = False) -> str | None:
    if raw is None:
        return (f"its draft {Path(str(draft)).name} is missing from the ledger: draft it "
                "again")
    if has_placeholder(raw.decode("utf-8", errors="replace")):
        return "the draft still has placeholders for your name or email"
    if pack:  # from you, the organiser, to the supporter
        return None if sender_email else "it has no sender: set your email (konpfoi init)"
    if not sender_email or (item.sender_email or "").lower() != sender_email.lower():
        return (f"it is from {item.sender_email}, who should send it from their own account"
                if item.sender_email else "it has no sender")
    return None


# -- sending -----------------------------------------------------------------------------------


@dataclass
class Report:
    sent: list[tuple[Item, str]] = field(default_factory=list)
    refused: list[tuple[Item, str]] = field(default_factory=list)  # for good (5xx)
    deferred: list[tuple[Item, str]] = field(default_factory=list)  # for now (4xx): next run
    retried: list[tuple[Item, int]] = field(default_factory=list)  # went again after a 4xx
    skipped: list[Item] = field(default_factory=list)
    unknown: list[Item] = field(default_factory=list)  # handed over as the connection broke
    copies: list[tuple[Item, str]] = field(default_factory=list)  # Sent copies that failed
    error: str | None = None  # why the run stopped early

    @property
    def not_sent(self) -> int:
        return len(self.refused) + len(self.deferred) + len(self.unknown)


def send(ledger: Ledger, root: Path, outgoing: list[Outgoing], conn: Transport, sender: str,
         *, now: Callable[[], dt.datetime], interval: float | None = None,
         on_progress: Callable[[int], None] | None = None, retry: bool = False,
         sleep: Callable[[float], Any] = time.sleep,
         reconnect: Callable[[], Transport] | None = None,
         copy: Callable[[bytes, dt.datetime], str] | None = None) -> Report:
    """Send each message over `conn`: record the intent, hand the message over, record what
    the server said. Paced by `interval`; a temporary refusal is tried again (delivery); a
    connection that breaks is made again once (`reconnect`). With `copy`, each message that
    went is put in the Sent folder before its outcome is recorded, so that a run killed in
    between can be settled from Sent (send --reconcile).

    A follow-up that goes records the clock it starts (review-requested, complaint-filed...).
    """
    report = Report()
    courier = delivery.Courier(conn, reconnect, sleep)
    last = 0.0
    try:
        for n, out in enumerate(outgoing):
            item, tag = out.item, ({"followup": out.followup} if out.followup else {})
            if interval and n:
                sleep(max(0.0, interval - (time.monotonic() - last)))
            last = time.monotonic()
            day = now()
            raw = with_date(message(ledger, root, out) or b"", day)
            with ledger.write():  # the intent, durable before anything leaves
                evs = effective(ledger.events([item.id]).get(item.id, []))
                if (not out.followup and any(e.kind == "sent" for e in evs)) or (
                        pending_attempt(evs, out.followup) and not retry):
                    report.skipped.append(item)  # another konpfoi got there first
                    continue
                ledger.add_event(item.id, "send-attempt", day.date().isoformat(),
                                 data={"to": out.to, "server": conn.srv.host, **tag,
                                       "message_id": _message_id(raw)})
            try:
                handed = courier.deliver(sender, out.to, raw)
            except delivery.Broken as exc:  # nothing was handed over: it waits for next run
                _record(ledger, report, out, raw, day, delivery.Handed(
                    False, str(exc), temporary=True), tag, None)
                report.error = str(exc)
                return report
            if handed.unknown:
                report.unknown.append(item)  # its send-attempt stays without an outcome
                continue
            _record(ledger, report, out, raw, day, handed, tag, copy)
            if on_progress:
                on_progress(n + 1)
    finally:
        courier.close()
    return report


def _record(ledger: Ledger, report: Report, out: Outgoing, raw: bytes, day: dt.datetime,
            handed: delivery.Handed, tag: dict[str, str],
            copy: Callable[[bytes, dt.datetime], str] | None) -> None:
    """What the server said, on the item; a message that went is first copied to Sent."""
    item = out.item
    data: dict[str, Any] = {"reply": handed.reply, **tag}
    if handed.retries:
        data["retries"] = handed.retries
        report.retried.append((item, handed.retries))
    if handed.ok and copy is not None:
        try:
            data["copy"] = copy(raw, day)
        except Exception as exc:  # the message went: a missing copy must not hide that
            data["copy_failed"] = str(exc)
            report.copies.append((item, str(exc)))
    with ledger.write():
        if handed.ok:
            kind = sent_event(out.followup) if out.followup else "sent"
            ledger.add_event(item.id, kind, day.date().isoformat(),
                             data={"via": "smtp", **data, "message_id": _message_id(raw)})
            report.sent.append((item, handed.reply))
            return
        if handed.temporary:
            data["temporary"] = True
            report.deferred.append((item, handed.reply))
        else:
            report.refused.append((item, handed.reply))
        ledger.add_event(item.id, "send-failed", day.date().isoformat(), data=data)


def _message_id(raw: bytes) -> str | None:
    m = re.search(rb"(?mi)^Message-ID: (<[^>\r\n]+>)", raw)
    return m.group(1).decode("ascii", "replace") if m else None
