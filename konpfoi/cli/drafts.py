"""`konpfoi drafts upload`: put drafts in your IMAP Drafts folder, to send from any client."""

from __future__ import annotations

from typing import Annotated

import typer

from konpfoi.cli.common import (
    ImapHost,
    ImapPort,
    ImapSecurity,
    ImapUser,
    JsonOpt,
    emit_json,
    note,
    register,
    secret_prompt,
    stdout,
    warn_cleartext,
)

app = typer.Typer(help="Your drafts in your own mailbox.", no_args_is_help=True)


def upload_drafts(
    items: Annotated[list[str] | None, typer.Argument(metavar="[ID]...",
                                                      help="Item ids, e.g. K-0042.")] = None,
    campaign: Annotated[str | None, typer.Option(help="Every unsent item of a campaign.")]
    = None,
    followup: Annotated[str | None, typer.Option(
        help="The latest drafted follow-up of this kind instead of the request.")] = None,
    imap_host: ImapHost = None,
    imap_port: ImapPort = None,
    imap_user: ImapUser = None,
    imap_security: ImapSecurity = None,
    as_json: JsonOpt = False,
) -> None:
    """Upload drafts to your IMAP Drafts folder, to send from webmail or a phone.

    Only what send would send goes (not sent yet, no placeholders, from you); a draft already
    in the folder is not added twice. Once sent, replies fetch finds it in your Sent folder
    and records it as sent on that day.
    """
    import datetime as dt

    from konpfoi.cli.send import truthful
    from konpfoi.context import Context
    from konpfoi.mail import draftsfolder, sending

    s = Context()
    srv = s.imap_server(host=imap_host, port=imap_port, user=imap_user, security=imap_security)
    with s.ledger() as ledger:
        held = truthful(s, ledger, items, campaign, followup, True)  # dates counted from today
        plan = sending.plan(ledger, s.ws.root, s.config.email, item_ids=items or None,
                            campaign=campaign, followup=followup)
        plan.skipped += [(o.item, held[o.item.id]) for o in plan.ready if o.item.id in held]
        plan.ready = [o for o in plan.ready if o.item.id not in held]
        warn_cleartext(srv, "imap")
        with s.imap(srv, secret_prompt()) as conn:
            folder = conn.folder(s.config.imap.drafts, "\\Drafts")
            done = draftsfolder.upload(ledger, s.ws.root, conn, folder, plan.ready,
                                       dt.datetime.now().astimezone())
    if as_json:
        emit_json({"folder": folder, "drafts": [d.to_dict() for d in done],
                   "skipped": [{"item": i.id, "reason": r} for i, r in plan.skipped]})
        return
    from rich.markup import escape

    con = stdout()
    for d in done:
        con.print(f"{d.status:<13} {d.item_id}  {escape(d.subject[:60])}  [dim]to "
                  f"{escape(d.to)}[/]", soft_wrap=True)
    for i, reason in plan.skipped:
        note(f"{i.id} not uploaded: {reason}")
    added = sum(d.status == "uploaded" for d in done)
    con.print(f"{added} uploaded to {folder}" + (f", {len(done) - added} already there"
                                                  if len(done) > added else "") + ".",
              markup=False)


register(app, "upload", upload_drafts)
