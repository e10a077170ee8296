"""Send drafts over SMTP, never twice: the intent is recorded before, the outcome after.

Several konpfoi processes (a group's volunteers on their own machines, sharing one ledger) may
send one campaign at once. Each message is claimed in one transaction with its intent: the
item is locked (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, the write lock on SQLite),
its events read again, and only if nobody sent or is sending it are the intent and a claim
recorded. The claim goes with the outcome. A claim left by a process that died runs out
(at once, when that process was on this machine; else after CLAIM_SECONDS).

A message whose outcome is unknown (the process died, or the server went away, between handing
it over and hearing back) is listed for the user to check — or settled from the Sent folder —
and never resent silently. The pace, the retries and the reconnection are `mail.delivery`'s.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from konpfoi.errors import InvalidInput, KonpfoiError, NotFound
from konpfoi.law.correspondence import FOLLOWUPS, SUPPORTER_PACK, kind_of, sent_event
from konpfoi.ledger.model import Claim, Event, Item, now_utc
from konpfoi.ledger.store import Ledger
from konpfoi.mail import delivery
from konpfoi.mail.outgoing import with_date
from konpfoi.mail.transport import Transport
from konpfoi.tracking.events import drafted, sent_after, waiting_followups
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


# -- claims ----------------------------------------------------------------------------------

# How long a claim holds when its process never says how it went: longer than any one message
# takes (SMTP's own timeouts are a minute a step).
CLAIM_SECONDS = 600


@cache
def this_host() -> str:
    """This machine, as a claim names it (a digest: the ledger need not know its name)."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:16]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def is_live(claim: Claim | None, now: dt.datetime) -> bool:
    """Whether the konpfoi that claimed a message may still be sending it."""
    if claim is None or dt.datetime.fromisoformat(claim.until) <= now:
        return False
    return claim.host != this_host() or _alive(claim.pid)


def _claim(ledger: Ledger, item: Item, what: str, now: dt.datetime) -> Claim:
    until = now.astimezone(dt.UTC) + dt.timedelta(seconds=CLAIM_SECONDS)
    actor = ledger.volunteer.email if ledger.volunteer else None
    return Claim(item.id, what, actor, this_host(), os.getpid(), now_utc(),
                 until.isoformat(timespec="seconds"))


def _being_sent(claim: Claim, names: dict[str, str]) -> str:
    who = names.get(claim.actor or "", claim.actor or "another konpfoi")
    return (f"being sent by {who} since {claim.claimed_at[11:16]} UTC (if that konpfoi "
            f"stopped, its outcome is unknown after {claim.until[11:16]} UTC)")


# -- what may go ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One message to send: an item's request, or one of its follow-ups."""

    item: Item
    draft: str  # the .eml, relative to the workspace (what the user opens)
    to: str
    followup: str | None = None  # the follow-up's kind
    message: str | None = None  # the message as drafted, in the ledger's blobs (what is sent)
    subject: str | None = None  # a follow-up's own subject (older ledgers did not keep it)


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
    claims = ledger.claims([i.id for i in items])
    now = dt.datetime.now(dt.UTC)
    names: dict[str, str] | None = None
    out = Plan()
    for item in items:
        evs = effective(events.get(item.id, []))
        claim = claims.get((item.id, followup or ""))
        if pending_attempt(evs, followup) and is_live(claim, now):
            assert claim is not None
            if names is None:
                names = {v["email"]: v["name"] for v in ledger.volunteers()}
            out.skipped.append((item, _being_sent(claim, names)))
            continue
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
        drafter = next((e.actor for e in evs if e.kind == "drafted"), None)
        reason = _checks(item, message(ledger, root, found), found.draft, sender_email,
                         drafter, found.followup == SUPPORTER_PACK.key)
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
        waiting = [f"its {FOLLOWUPS[k].name} is drafted: konpfoi send {item.id} --followup {k}"
                   for k in waiting_followups(evs) if k in FOLLOWUPS]
        return "; ".join([f"already sent on {sent.date}", *waiting])
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
                    message=draft.data.get("message"), subject=draft.data.get("subject"))


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
            drafter: str | None = None, pack: bool = False) -> str | None:
    """Why a draft may not go, if it may not. A request is sent by whoever it is from, or by
    another volunteer of the group when it is from the volunteer who drafted it (a
    supporter's letter is always theirs to send; their pack is the organiser's)."""
    if raw is None:
        return (f"its draft {Path(str(draft)).name} is missing from the ledger: draft it "
                "again")
    if has_placeholder(raw.decode("utf-8", errors="replace")):
        return "the draft still has placeholders for your name or email"
    if pack:  # from you, the organiser, to the supporter
        return None if sender_email else "it has no sender: set your email (konpfoi init)"
    author = (item.sender_email or "").lower()
    if not sender_email or (author != sender_email.lower() and author != drafter):
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
    last: float | None = None  # when the last message was claimed: the pace is between sends
    try:
        for n, out in enumerate(outgoing):
            item, tag = out.item, ({"followup": out.followup} if out.followup else {})
            what = out.followup or ""
            if interval and last is not None:  # (one another konpfoi took costs no wait)
                sleep(max(0.0, interval - (time.monotonic() - last)))
            day = now()
            raw = with_date(message(ledger, root, out) or b"", day)
            with ledger.write():  # the claim and the intent, durable before anything leaves
                if not _claimed(ledger, out, day, retry):
                    report.skipped.append(item)  # another konpfoi sent it, or is sending it
                    continue
                last = time.monotonic()
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
            except BaseException:
                _give_up(ledger, item, what)
                raise
            if handed.unknown:
                _give_up(ledger, item, what)  # nobody is sending it now: its outcome unknown
                report.unknown.append(item)  # its send-attempt stays without an outcome
                continue
            _record(ledger, report, out, raw, day, handed, tag, copy)
            if on_progress:
                on_progress(n + 1)
    finally:
        courier.close()
    return report


def _claimed(ledger: Ledger, out: Outgoing, day: dt.datetime, retry: bool) -> bool:
    """Inside the write transaction: claim the message unless it was sent, or another
    konpfoi is sending it, or its outcome is unknown (and this is no --retry)."""
    item, what = out.item, out.followup or ""
    if not ledger.lock_item(item.id):
        return False  # another konpfoi is claiming it this very moment
    evs = effective(ledger.events([item.id]).get(item.id, []))
    if out.followup:
        draft = drafted(evs, out.followup)
        if draft is None or sent_after(evs, out.followup, draft):
            return False
    elif any(e.kind == "sent" for e in evs):
        return False
    if pending_attempt(evs, out.followup):
        claim = ledger.claims([item.id]).get((item.id, what))
        if not retry or is_live(claim, day.astimezone(dt.UTC)):
            return False
    ledger.put_claim(_claim(ledger, item, what, day))
    return True


def _give_up(ledger: Ledger, item: Item, what: str) -> None:
    """Let go of a claim whose message's outcome will never be heard (best effort: the
    ledger may be what failed; the claim then runs out by itself)."""
    with contextlib.suppress(KonpfoiError), ledger.write():
        ledger.drop_claim(item.id, what)


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
        ledger.drop_claim(item.id, out.followup or "")  # the outcome is known: it ends
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
