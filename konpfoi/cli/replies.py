"""`konpfoi replies import|unmatched`: bring in the answers from a mailbox."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, register, stdout, warn

app = typer.Typer(help="Import replies from a mailbox and match them to requests.",
                  no_args_is_help=True)


def import_replies(
    source: Annotated[Path, typer.Argument(
        metavar="MAILBOX", help="An mbox file, a maildir, or a folder of .eml files.")],
    as_json: JsonOpt = False,
) -> None:
    """Import replies: each is matched to its request, or kept for you to match by hand.

    Matching uses the In-Reply-To header, our reference (K-0042) or the body's, then the
    sender's address with a similar subject. A message is recorded once however often it is
    imported; automatic acknowledgements are recorded as such.
    """
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.mail import intake
    from konpfoi.mail.mailboxes import open_mailbox

    s = Context()
    box = open_mailbox(source.expanduser())
    addresses = {b.id: {c.email for c in b.contacts if c.email} for b in s.directory}
    with s.ledger() as ledger:
        summary = intake.import_source(ledger, s.ws.files, box, addresses,
                                        dt.date.today())
    if as_json:
        emit_json({"source": str(source), "outcomes": [o.to_dict() for o in summary.outcomes],
                   "counts": {k: summary.count(k) for k in (
                       "recorded", "acknowledged", "duplicate", "unmatched", "failed")}})
        return
    from rich.markup import escape

    con = stdout()
    for o in summary.outcomes:
        if o.status in ("recorded", "acknowledged"):
            con.print(f"[green]{o.status:<12}[/] {o.item_id}  {escape(o.subject[:60])}  "
                      f"[dim]({escape(o.why)})[/]", soft_wrap=True)
        elif o.status == "unmatched":
            guesses = ", ".join(c["item"] for c in o.candidates[:3])
            con.print(f"[yellow]unmatched[/]    {escape(o.sender)}: {escape(o.subject[:60])}"
                      + (f"  [dim](perhaps {guesses})[/]" if guesses else ""), soft_wrap=True)
        elif o.status == "failed":
            warn(f"{o.label}: could not be read ({'; '.join(o.problems)})")
        for p in o.problems if o.status in ("recorded", "acknowledged", "unmatched") else []:
            warn(f"{o.label}: {p}")
    counts = {k: summary.count(k) for k in ("recorded", "acknowledged", "duplicate",
                                            "unmatched", "failed")}
    con.print(", ".join(f"{n} {k}" for k, n in counts.items() if n) or "no messages found")
    if counts["unmatched"]:
        con.print("Match the rest with: konpfoi replies unmatched")


def list_unmatched(as_json: JsonOpt = False) -> None:
    """The imported messages that match no request, with best guesses and where each is kept."""
    from konpfoi.context import Context

    s = Context()
    if not s.ws.ledger_exists():
        rows: list[dict] = []
    else:
        with s.ledger(create=False) as ledger:
            rows = ledger.inbound_list("unmatched")
    for r in rows:
        r["file"] = str(next((s.ws.files / r["sha256"][:16]).glob("*"), ""))
    if as_json:
        emit_json(rows)
        return
    from rich.markup import escape

    con = stdout()
    if not rows:
        con.print("No unmatched replies.")
        return
    for r in rows:
        guesses = "; ".join(f"{c['item']} ({c.get('why', '')})" for c in r["candidates"][:3])
        con.print(f"[bold]{escape(r['subject'] or '(no subject)')}[/]\n"
                  f"  from {escape(r['sender'] or '?')}, {r['date'] or 'no date'}\n"
                  f"  {'perhaps ' + escape(guesses) if guesses else 'no good guess'}\n"
                  f"  match it: konpfoi reply ID --file {r['file']}", soft_wrap=True)


register(app, "import", import_replies)
register(app, "unmatched", list_unmatched)
