"""`konpfoi replies import|unmatched`: bring in the answers from a mailbox."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, register, stdout
from konpfoi.cli.fetch import fetch_replies
from konpfoi.cli.outcomes import COUNTED, show_outcomes

app = typer.Typer(help="Fetch replies over IMAP, or import them from a mailbox file, and "
                       "match them to requests.",
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
                   "counts": {k: summary.count(k) for k in COUNTED}})
        return
    show_outcomes(summary)


def list_unmatched(as_json: JsonOpt = False) -> None:
    """The imported messages that match no request, with best guesses and where each is kept."""
    from konpfoi.context import Context

    s = Context()
    if not s.ws.ledger_path.exists():
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
register(app, "fetch", fetch_replies)
register(app, "unmatched", list_unmatched)
