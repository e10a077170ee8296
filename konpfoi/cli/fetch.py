"""`konpfoi replies fetch`: read new replies (and your Sent folder) from your IMAP account."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from konpfoi.cli.common import (
    ImapHost,
    ImapPort,
    ImapSecurity,
    ImapUser,
    JsonOpt,
    emit_json,
    note,
    secret_prompt,
    stdout,
    warn_cleartext,
)


def fetch_replies(
    folder: Annotated[list[str] | None, typer.Option(
        "--folder", help="A folder to read (default: imap.folders, INBOX); repeat for "
                         "several.")] = None,
    since: Annotated[str | None, typer.Option(
        help="Read from this day (YYYY-MM-DD); by default a first fetch reads from the day "
             "of your first request, later ones only what is new.")] = None,
    sent: Annotated[bool, typer.Option(
        "--sent/--no-sent", help="Also read the Sent folder for requests you sent from your "
                                 "own mail client.")] = True,
    imap_host: ImapHost = None,
    imap_port: ImapPort = None,
    imap_user: ImapUser = None,
    imap_security: ImapSecurity = None,
    as_json: JsonOpt = False,
) -> None:
    """Fetch new replies over IMAP and match them to requests, as replies import does.

    Only what arrived since the last fetch is read, and nothing is marked as read. Messages in
    your Sent folder that konpfoi drafted are recorded as sent, on the day the server gives.
    """
    import datetime as dt
    import sys

    from konpfoi.context import Context
    from konpfoi.mail import fetching
    from konpfoi.tracking.events import parse_day

    s = Context()
    today = dt.date.today()
    day = dt.date.fromisoformat(parse_day(since, today, "fetch", "--since")) if since else None
    srv = s.imap_server(host=imap_host, port=imap_port, user=imap_user, security=imap_security)
    quiet = as_json or not sys.stderr.isatty()
    warn_cleartext(srv, "imap")
    with s.imap(srv, secret_prompt()) as conn, s.ledger() as ledger:
        sent_folder = (s.config.imap.sent or conn.special("\\Sent")) if sent else None
        if sent and sent_folder is None:
            note(f"{srv.host} marks no folder as Sent: set imap.sent in konpfoi.yaml to read it")
        plan = fetching.Plan(tuple(folder or s.config.imap.folders), sent_folder, day)
        result = _with_progress(quiet, lambda total, step: fetching.fetch(
            ledger, s.ws.files, conn, plan, contacts=s.contacts, own=s.own_addresses, today=today,
            on_total=total, on_progress=step))
    _show(result, as_json)
    if result.replies.count("failed"):
        raise typer.Exit(5)  # a message that could not be read is kept, and listed


def _with_progress(quiet: bool, work: Any) -> Any:
    if quiet:
        return work(None, None)
    from rich.progress import Progress

    from konpfoi.cli.common import stderr

    with Progress(console=stderr(), transient=True) as progress:
        task = progress.add_task("fetching", total=None)
        return work(lambda n: progress.update(task, total=n),
                    lambda n: progress.update(task, completed=n))


def _show(result: Any, as_json: bool) -> None:
    from konpfoi.cli.outcomes import show_outcomes

    if as_json:
        emit_json({"account": result.account,
                   "folders": [f.to_dict() for f in result.folders],
                   "outcomes": [o.to_dict() for o in result.replies.outcomes],
                   "counts": result.replies.counts(),
                   "sent": [f.__dict__ for f in result.sent]})
        return
    con = stdout()
    known = sum(f.event == "already recorded" for f in result.sent)
    for f in result.folders:
        what = f"{f.new} new" if f.new else "nothing new"
        if f.role == "sent" and known:
            what += f" ({known} already recorded as sent)"
        con.print(f"{f.folder}: {what}" + (" (the server renumbered it: read again)"
                                           if f.renumbered else ""), soft_wrap=True,
                  markup=False)
    if result.replies.outcomes:
        show_outcomes(result.replies)
    else:
        con.print("No new replies.")
    for found in result.sent:
        if found.event != "already recorded":
            what = f"its {found.followup.replace('-', ' ')}" if found.followup else "it"
            con.print(f"[green]sent[/]         {found.item_id}  {what} went on {found.date} "
                      "(found in your Sent folder)", soft_wrap=True)
