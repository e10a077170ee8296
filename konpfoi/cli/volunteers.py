"""`konpfoi volunteers` and `konpfoi assign`: who is in the group, what each has done, and who
looks after which request."""

from __future__ import annotations

from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, stdout


def list_volunteers(as_json: JsonOpt = False) -> None:
    """The volunteers who share this ledger, with what each has done.

    A volunteer is the name and email in a workspace's konpfoi.yaml; every event they record
    says so. "items" counts the requests they look after: assigned to them, or drafted by
    them and not given to anyone else.
    """
    from konpfoi.context import Context
    from konpfoi.tracking import volunteers

    s = Context()
    rows = []
    if s.ws.ledger_exists():
        with s.ledger(create=False) as ledger:
            rows = volunteers.roster(ledger)
    if as_json:
        emit_json([r.to_dict() for r in rows])
        return
    con = stdout()
    if not rows:
        con.print("No volunteers yet: each appears once they record something.")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(rows)} volunteer{'s' if len(rows) != 1 else ''}",
                  title_justify="left", header_style="bold")
    table.add_column("volunteer", overflow="fold")
    for col in ("items", "drafted", "sent", "replies", "coded"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("last active", no_wrap=True)
    for r in rows:
        table.add_row(f"{escape(r.name)}\n[dim]{escape(r.email)}[/]", str(r.looks_after),
                      str(r.drafted), str(r.sent), str(r.replies), str(r.coded),
                      (r.last_active or "")[:10])
    con.print(table)


def assign_items(
    items: Annotated[list[str], typer.Argument(metavar="ID...", help="Item ids, e.g. K-0042.")],
    to: Annotated[str, typer.Option(
        "--to", metavar="NAME", help="A volunteer's name, the start of it, or their email.")],
    as_json: JsonOpt = False,
) -> None:
    """Give requests to a volunteer to look after (`status --by NAME` lists them)."""
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.tracking import volunteers

    s = Context()
    with s.ledger() as ledger:
        who, done = volunteers.assign(ledger, items, to, dt.date.today())
    if as_json:
        emit_json({"to": who.email, "name": who.name, "items": done})
        return
    stdout().print(f"{who.name} <{who.email}> looks after {', '.join(done)}", soft_wrap=True)
