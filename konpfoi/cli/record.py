"""`konpfoi mark-sent`, `konpfoi record` and `konpfoi reply`: what happened to an item."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, stdout, warn

if TYPE_CHECKING:
    from konpfoi.context import Context
    from konpfoi.tracking.lifecycle import View

DateOpt = Annotated[str | None, typer.Option(
    "--date", help="When it happened: 2026-11-23, 23/11/2026, 23 Nov 2026, yesterday "
                   "(default: today).")]
NoteOpt = Annotated[str | None, typer.Option("--note", help="A note kept with the event.")]


def mark_sent(
    items: Annotated[list[str] | None, typer.Argument(
        metavar="[ID]...", help="Item ids, e.g. K-0007.")] = None,
    campaign: Annotated[str | None, typer.Option(
        help="Every unsent item of this campaign.")] = None,
    date: DateOpt = None,
    again: Annotated[bool, typer.Option(
        "--again", help="Record a re-send (it does not restart the clock).")] = False,
    followup: Annotated[str | None, typer.Option(
        help="Record a follow-up as sent instead: chaser, clarification, internal-review, "
             "ico-complaint, sic-application.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record items as sent from your own mail client.

    The statutory clock starts on the day of sending (day 0).
    """
    from konpfoi.context import Context
    from konpfoi.tracking import events

    s = Context()
    with s.ledger() as ledger:
        done = events.mark_sent(ledger, s.ws.root, item_ids=items or None, campaign=campaign,
                                   today=dt.date.today(), date=date, again=again,
                                   followup=followup)
    if as_json:
        emit_json([{"item": m.item.id, "sent": m.event.date if m.event else None,
                    "skipped": m.skipped, **({"warning": m.warning} if m.warning else {})}
                   for m in done])
        return
    con = stdout()
    for m in done:
        if m.event:
            what = f"{followup} " if followup else ""
            con.print(f"{m.item.id} {what}sent {m.event.date} to {m.item.body_name}",
                      soft_wrap=True, markup=False)
    for m in done:
        if m.skipped:
            warn(f"{m.item.id} skipped: {m.skipped}")
        if m.warning:
            warn(f"{m.item.id}: {m.warning}")


def record_event(
    item: Annotated[str, typer.Argument(metavar="ID", help="The item, e.g. K-0007.")],
    kind: Annotated[str | None, typer.Argument(metavar="[EVENT]", help=(
        "acknowledged, clarification-requested, clarification-sent, fee-notice, fee-paid, "
        "extension-claimed, review-requested, review-outcome, complaint-filed, "
        "complaint-outcome, withdrawn, closed, reopened, note, linked, void, correction "
        "(none with --url alone)."))] = None,
    date: DateOpt = None,
    note_: NoteOpt = None,
    their_ref: Annotated[str | None, typer.Option(help="The body's own reference.")] = None,
    until: Annotated[str | None, typer.Option(
        help="extension-claimed: the new date the body gave.")] = None,
    outcome: Annotated[str | None, typer.Option(
        help="review-outcome: answered, partial, refused or not-held.")] = None,
    event: Annotated[int | None, typer.Option(
        "--event", help="void/correction: the number of the event it cancels (see show).")]
    = None,
    url: Annotated[str | None, typer.Option(
        help="The same request on WhatDoTheyKnow (or another public page): shown by show "
             "and the report.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record what happened: acknowledged, clarification, extension...

    Events are never rewritten: cancel a mistake with `void --event N`, or replace it with
    `correction --event N --date D`. `record ID --url URL` links the item to the same
    request on WhatDoTheyKnow.
    """
    from konpfoi.context import Context
    from konpfoi.tracking import events

    s = Context()
    with s.ledger() as ledger:
        ev = events.record(ledger, item, kind, today=dt.date.today(), date=date, note=note_,
                              their_ref=their_ref, until=until, outcome=outcome,
                              event_no=event, url=url)
        view = _view(s, ledger, ev.item_id)
    if as_json:
        emit_json({"event": ev.id, "item": ev.item_id, "kind": ev.kind, "date": ev.date,
                   "data": ev.data, **view.to_dict()})
        return
    stdout().print(f"{ev.item_id} #{ev.id} {ev.kind} {ev.date}\n  now: {view.state}; "
                   f"{view.next_action}", soft_wrap=True, markup=False)


def record_reply(
    item: Annotated[str, typer.Argument(metavar="ID", help="The item, e.g. K-0007.")],
    files: Annotated[list[Path], typer.Option(
        "--file", "-f", help="The reply (.eml) and/or its documents; repeat for several.")],
    outcome: Annotated[str | None, typer.Option(
        help="answered, partial, refused or not-held (or code it later).")] = None,
    date: DateOpt = None,
    note_: NoteOpt = None,
    as_: Annotated[str | None, typer.Option(
        "--as", help="reply, acknowledgement or bounce (default: what the .eml looks like: "
                     "an automatic acknowledgement is recorded as one).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Store a reply and its attachments.

    An .eml is read for its date, sender and subject; every file is kept under files/ by
    content hash. An automatic acknowledgement or a bounce is recorded as what it is (it does
    not stop the clock) unless --as says otherwise.
    """
    from konpfoi.context import Context
    from konpfoi.mail import inbox

    s = Context()
    with s.ledger() as ledger:
        done = inbox.store_reply(ledger, s.ws.files, item, list(files), today=dt.date.today(),
                                 own=s.own_addresses, contacts=s.contacts, outcome=outcome,
                                 date=date, note=note_, as_=as_)
        view = _view(s, ledger, done.event.item_id)
    for p in done.problems:
        warn(f"reply: {p}")
    event = done.event
    if as_json:
        emit_json({"event": event.id, "item": event.item_id, "kind": event.kind,
                   "date": event.date, "data": event.data, "check": done.notes,
                   "files": [str(x.path) for x in done.stored], **view.to_dict()})
        return
    con = stdout()
    con.print(f"{event.item_id} #{event.id} {event.kind} {event.date}"
              + (f" from {event.data['from']}" if "from" in event.data else "")
              + ("" if event.kind == "reply" else f": recorded as {done.as_words}"),
              soft_wrap=True, markup=False)
    for n in done.notes:
        warn(n)
    for x in done.stored:
        con.print(f"  kept {x.path}", soft_wrap=True, markup=False)
    con.print(f"  now: {view.state}; {view.next_action}", soft_wrap=True, markup=False)


def _view(s: Context, ledger, item_id: str) -> View:  # type: ignore[no-untyped-def]
    from konpfoi.tracking.timeline import current_view

    return current_view(ledger, item_id, s.calendars, dt.date.today(), s.policy)
