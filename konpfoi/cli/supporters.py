"""`konpfoi supporters [list|confirm|forget]`: supporters' own letters to their MPs — who has
one, whose pack went, who sent it, who got a reply; a sending recorded by hand; and a
supporter removed everywhere when they ask."""

from __future__ import annotations

from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, handled, note, register, stdout, warn

app = typer.Typer(help="Supporters' own letters to their MPs: who has one, who sent it, who got "
                       "a reply; confirm a sending; forget a supporter.")

CampaignOpt = Annotated[str | None, typer.Option(help="Only this campaign.")]


def list_supporters(campaign: CampaignOpt = None, as_json: JsonOpt = False) -> None:
    """List supporters' letters: pack delivered, sent by the supporter, replied."""
    from konpfoi.context import Context
    from konpfoi.letters import roster

    s = Context()
    if not s.ws.ledger_exists():
        rows: list[roster.Letter] = []
    else:
        with s.ledger(create=False) as ledger:
            rows = roster.roster(ledger, campaign)
    if as_json:
        emit_json([r.to_dict() for r in rows])
        return
    from rich.markup import escape
    from rich.table import Table

    con = stdout()
    if not rows:
        con.print("No supporters' letters yet.")
        note("draft them with: konpfoi batch --supporters FILE --template mp-fdp --campaign NAME")
        return
    table = Table(header_style="bold")
    for col in ("id", "supporter", "MP", "pack", "sent", "reply"):
        table.add_column(col, overflow="fold")
    for r in rows:
        pack = r.pack + (f" {r.pack_date}" if r.pack_date else "")
        sent = f"{r.sent} ({r.sent_how})" if r.sent else ""
        table.add_row(r.item, escape(f"{r.name} <{r.email}>" if r.email else r.name),
                      escape(r.mp), pack, escape(sent), r.reply or "")
    con.print(table)
    delivered = sum(r.pack == "delivered" for r in rows)
    sent_n = sum(bool(r.sent) for r in rows)
    replies = sum(bool(r.reply) for r in rows)
    con.print(f"{len(rows)} letters: {delivered} packs delivered, {sent_n} sent by the "
              f"supporter, {replies} replied.")


def confirm_sent(
    item: Annotated[str, typer.Argument(metavar="ID", help="The supporter's letter, K-0042.")],
    date: Annotated[str | None, typer.Option(help="The day they sent it (default today).")]
    = None,
    as_json: JsonOpt = False,
) -> None:
    """Record that a supporter sent their letter (their copy did not reach the group)."""
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.letters import roster

    s = Context()
    with s.ledger(create=False) as ledger:
        event = roster.confirm(ledger, item, dt.date.today(), date)
    if as_json:
        emit_json({"item": event.item_id, "sent": event.date})
        return
    stdout().print(f"{event.item_id} sent by the supporter on {event.date}; a reminder is due "
                   f"after {s.config.mp_chase_days} working days with no reply.")


def forget_supporter(
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="The supporter's email address.")],
    yes: Annotated[bool, typer.Option("--yes", help="Really remove them (default: say what "
                                                    "would go).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove a supporter everywhere: their details, drafts, packs and mail.

    Their letters keep only what a record of sent mail needs: to which MP, when, and what
    came back. Their address is kept only as a hash, so no later batch writes to them.
    """
    from konpfoi.context import Context
    from konpfoi.letters import roster

    s = Context()
    with s.ledger(create=False) as ledger:
        got = roster.forget(ledger, email, root=s.ws.root, drafts_dir=s.ws.drafts,
                            files_dir=s.ws.files, write=yes)
    if as_json:
        emit_json({"done": yes, "items": got.items, "withdrawn": got.withdrawn,
                   "messages": got.messages, "files": [str(p) for p in got.files],
                   "mboxes": [str(p) for p in got.mboxes]})
        return
    con = stdout()
    verb = "Removed" if yes else "Would remove"
    con.print(f"{verb} {email}: from {len(got.items)} letter(s) "
              f"({', '.join(got.items) or 'none'}), {got.messages} message(s) received from "
              f"them, {len(got.files)} file(s), {len(got.mboxes)} batch mbox(es).")
    if got.withdrawn:
        con.print(f"  not sent, so withdrawn: {', '.join(got.withdrawn)}")
    if not yes:
        con.print("Nothing changed; add --yes to remove them.")
        return
    warn("konpfoi cannot reach copies outside the workspace: delete them from your supporters "
         "file, your mailbox and any ledger export you made")


register(app, "list", list_supporters)
register(app, "confirm", confirm_sent)
register(app, "forget", forget_supporter)


@app.callback(invoke_without_command=True)
def _default(ctx: typer.Context) -> None:
    """Supporters' own letters to their MPs (without a command: the list)."""
    if ctx.invoked_subcommand is None:
        handled(list_supporters)()
