"""`konpfoi replies import|fetch|unmatched|assign|dismiss|undo`: what came back, sorted."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from konpfoi.cli.common import JsonOpt, emit_json, register, stdout
from konpfoi.cli.fetch import fetch_replies
from konpfoi.cli.outcomes import show_outcomes

if TYPE_CHECKING:
    from konpfoi.mail.inbox import Recorded

app = typer.Typer(help="Fetch replies over IMAP, or import them from a mailbox file; match "
                       "them to requests, and sort what did not match.",
                  no_args_is_help=True)
MsgArg = Annotated[str, typer.Argument(
    metavar="MSG", help="The message: its short id from `replies unmatched` (or Message-ID).")]
AsOpt = Annotated[str | None, typer.Option(
    "--as", help="Record it as a reply, an acknowledgement or a bounce (default: what it "
                 "looks like).")]


def import_replies(
    source: Annotated[Path, typer.Argument(
        metavar="MAILBOX", help="An mbox file, a maildir, a folder of .eml files or one .eml.")],
    as_json: JsonOpt = False,
) -> None:
    """Import what came back: each message is classified and matched to its request.

    Your own mail is skipped; delivery failures are recorded as such; automatic replies as
    acknowledgements (they never stop the clock); replies are matched by In-Reply-To, our
    reference, the body's reference, or the sender. The rest waits in `replies unmatched`.
    Exits 5 if any message could not be read.
    """
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.mail import intake
    from konpfoi.mail.mailboxes import open_mailbox

    s = Context()
    box = open_mailbox(source.expanduser())
    with s.ledger() as ledger:
        summary = intake.import_source(ledger, s.ws.files, box, s.contacts, s.own_addresses,
                                       dt.date.today())
    counts = summary.counts()
    if as_json:
        emit_json({"source": str(source), "outcomes": [o.to_dict() for o in summary.outcomes],
                   "counts": counts})
    else:
        show_outcomes(summary)
    if counts["failed"]:
        raise typer.Exit(5)



def list_unmatched(
    everything: Annotated[bool, typer.Option(
        "--all", help="Every message received, whatever became of it.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The messages that match no request, with the reason and the best guesses."""
    from konpfoi.context import Context
    from konpfoi.mail import inbox

    s = Context()
    rows: list[dict[str, Any]] = []
    if s.ws.ledger_exists():
        with s.ledger(create=False) as ledger:
            rows = inbox.listing(ledger, s.ws.files, everything)
    if as_json:
        emit_json(rows)
        return
    from rich.markup import escape

    con = stdout()
    if not rows:
        con.print("No unmatched messages." if not everything else "No messages received.")
        return
    for r in rows:
        what = r.get("class") or "message"
        head = f"[bold]{r['handle']}[/] {escape(r['subject'] or '(no subject)')}"
        if everything:
            where = f" on {r['item_id']}" if r["item_id"] else ""
            head += f"  [dim]{escape(str(r['status']) + where)}[/]"
        con.print(head, soft_wrap=True)
        con.print(f"  {escape(what)} from {escape(r['sender'] or '?')}, "
                  f"{escape(str(r['date'] or 'no date'))}",
                  soft_wrap=True)
        if r.get("reason"):
            con.print(f"  [dim]{escape(r['reason'])}[/]", soft_wrap=True)
        for c in r["candidates"][:3]:
            con.print(f"  perhaps {escape(str(c['item']))}: {escape(c.get('why', ''))}",
                      soft_wrap=True)
        con.print(f"  [dim]{escape(r['file'])}[/]", soft_wrap=True)
    if not everything:
        first = next((r for r in rows if r["candidates"]), rows[0])
        guess = first["candidates"][0]["item"] if first["candidates"] else "ID"
        con.print(f"\nRecord one: konpfoi replies assign {first['handle']} {guess} "
                  "[--as reply|acknowledgement|bounce]; set one aside: konpfoi replies "
                  f"dismiss {first['handle']}", soft_wrap=True, markup=False)


def assign_reply(
    message: MsgArg,
    item: Annotated[str, typer.Argument(metavar="ID", help="The item it belongs to.")],
    as_: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a received message on an item (moving it if it was on another)."""
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.mail import inbox

    s = Context()
    with s.ledger(create=False) as ledger:
        done = inbox.assign(ledger, s.ws.files, message, item, today=dt.date.today(),
                            own=s.own_addresses, contacts=s.contacts, as_=as_)
    _show_recorded(done, as_json)


def _show_recorded(done: Recorded, as_json: bool) -> None:
    if as_json:
        emit_json({"item": done.item.id, "event": done.event.id, "kind": done.kind,
                   "date": done.event.date, "moved_from": done.moved_from,
                   "check": done.notes, "files": [str(x.path) for x in done.stored]})
        return
    from rich.markup import escape

    con = stdout()
    moved = f" (taken off {done.moved_from})" if done.moved_from else ""
    con.print(f"{done.item.id} #{done.event.id} {done.event.date}: recorded as "
              f"{done.as_words}{moved}", soft_wrap=True)
    for n in done.notes:
        con.print(f"  [yellow]check:[/] {escape(n)}", soft_wrap=True)


def dismiss_reply(message: MsgArg, as_json: JsonOpt = False) -> None:
    """Set a received message aside (undo with `replies undo MSG`)."""
    _set_aside(message, undo=False, as_json=as_json)


def undo_reply(message: MsgArg, as_json: JsonOpt = False) -> None:
    """Put a message back among the unmatched, cancelling what was recorded from it."""
    _set_aside(message, undo=True, as_json=as_json)


def _set_aside(message: str, *, undo: bool, as_json: bool) -> None:
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.mail import inbox

    s = Context()
    with s.ledger(create=False) as ledger:
        rec, taken = inbox.set_aside(ledger, message, today=dt.date.today(), undo=undo)
    status = "unmatched" if undo else "dismissed"
    if as_json:
        emit_json({"message": rec["key"], "status": status, "taken_from": taken})
        return
    handle = (rec.get("identity") or rec["key"])[:8]
    done = (f"{handle} is back among the unmatched" if undo
            else f"{handle} dismissed (undo: konpfoi replies undo {handle})")
    stdout().print(done + (f"; its event on {taken} is voided" if taken else ""),
                   soft_wrap=True)


register(app, "import", import_replies)
register(app, "fetch", fetch_replies)
register(app, "unmatched", list_unmatched)
register(app, "assign", assign_reply)
register(app, "dismiss", dismiss_reply)
register(app, "undo", undo_reply)
