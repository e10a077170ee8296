"""`konpfoi status`: open requests, most urgent first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, note, stdout

if TYPE_CHECKING:
    from konpfoi.context import Context
    from konpfoi.tracking.status import Report


def show_status(
    campaign: Annotated[str | None, typer.Option(help="Only this campaign.")] = None,
    body: Annotated[str | None, typer.Option(help="Only this body (id or name).")] = None,
    state: Annotated[str | None, typer.Option(help="Only this state, e.g. overdue.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue items.")] = False,
    due_within: Annotated[int | None, typer.Option(
        min=0, help="Only items due in the next N working days (not yet overdue).")] = None,
    include_closed: Annotated[bool, typer.Option("--all", help="Closed items too.")] = False,
    today: Annotated[str | None, typer.Option(
        help="Look from this day instead (what will be overdue by then).")] = None,
    mine: Annotated[bool, typer.Option(
        "--mine", help="Only the items you look after (drafted by you, or assigned to you).")]
    = False,
    by: Annotated[str | None, typer.Option(
        metavar="NAME", help="Only the items this volunteer looks after.")] = None,
    limit: Annotated[int, typer.Option(
        min=0, help="Rows in the table (0: all); JSON and CSV have every row.")] = 50,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    ics: Annotated[Path | None, typer.Option(
        help="Also write an iCalendar file of upcoming deadlines.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Open requests, most urgent first.

    For each: sent, due, working days left (negative when overdue), state, next action.
    """
    from konpfoi.context import Context
    from konpfoi.law.dates import parse_date
    from konpfoi.tracking import status

    s = Context()
    day = parse_date(today, "--today") if today else dt.date.today()
    wanted = status.parse_state(state) if state else None
    body_id = s.directory.resolve(body).body.id if body and ":" not in body else body
    owner = _owner_email(s, mine, by)
    if not s.ws.ledger_exists():
        if campaign or body_id:
            from konpfoi.errors import NotFound

            what = f"campaign {campaign!r}" if campaign else f"body {body_id!r}"
            raise NotFound(f"no requests for {what}: the ledger is empty",
                           hint="draft something first: konpfoi draft --to ... --questions ...")
        report = status.Report(day, [], 0, 0)
    else:
        from konpfoi.workspace.folders import cache_dir

        everything = as_json or as_csv or ics is not None or limit == 0
        with s.ledger(create=False) as ledger:
            if by:
                from konpfoi.tracking.volunteers import find

                owner = find(ledger, by).email
            report = status.build(
                ledger, s.calendars, day, cache_dir=cache_dir(), campaign=campaign,
                body_id=body_id, state=wanted, overdue=overdue, due_within=due_within,
                include_closed=include_closed, limit=None if everything else limit,
                policy=s.policy, owner=owner)
    if ics is not None:
        from konpfoi.report import ics as ics_mod
        from konpfoi.workspace.files import atomic_write

        atomic_write(ics, ics_mod.calendar(report))
        note(f"wrote {ics}")
    if as_json:
        emit_json({"today": day.isoformat(), "total": report.total,
                   "matched": report.matched, "overdue": report.overdue,
                   "filters": report.filters, "hidden_closed": report.hidden_closed,
                   "counts": report.counts, "items": [r.to_dict() for r in report.rows]})
        return
    if as_csv:
        typer.echo(status.to_csv(report), nl=False)
        return
    _status_table(report, limit)


def _owner_email(s: Context, mine: bool, by: str | None) -> str | None:
    """--mine: this workspace's volunteer; --by NAME is looked up in the ledger."""
    from konpfoi.errors import InvalidInput

    if mine and by:
        raise InvalidInput("give --mine or --by NAME, not both")
    if not mine:
        return None
    if s.volunteer is None:
        raise InvalidInput("--mine needs your email in konpfoi.yaml",
                           hint="konpfoi init --name 'Your Name' --email you@example.org")
    return s.volunteer.email


def _status_table(report: Report, limit: int) -> None:
    from rich.markup import escape
    from rich.table import Table

    from konpfoi.workspace.words import count

    con = stdout()
    n = report.matched
    chosen = "; ".join(f"{k} {v}" for k, v in report.filters.items())
    head = (f"{report.today:%a %d %b %Y}: {count(n, 'item')}"
            + (f" ({escape(chosen)})" if chosen else "") + f", {report.overdue} overdue")
    if report.hidden_closed:
        head += f" ({report.hidden_closed} closed not shown: --all)"
    if not report.rows:
        con.print(head + (" - none match" if report.total and report.filters else "" if
                          report.total else " - the ledger is empty: konpfoi draft ..."))
        return
    table = Table(title=head, header_style="bold", title_justify="left")
    for col, kw in (("id", {"no_wrap": True}), ("body", {"ratio": 3}),
                    ("about", {"ratio": 2}), ("sent", {"no_wrap": True}),
                    ("due", {"no_wrap": True}), ("left", {"justify": "right"}),
                    ("state", {"ratio": 2}), ("next", {"ratio": 3})):
        table.add_column(col, overflow="fold", **kw)
    for r in report.rows:
        v = r.view
        left = "" if v.left is None else str(v.left)
        if v.overdue and v.left is not None:
            left = f"[red]{left}[/]"
        state = f"[red]{v.state}[/]" if v.overdue else v.state
        table.add_row(r.item.id, escape(short_body(r.item.body_name)),
                      escape(r.item.campaign or r.item.subject),  # the campaign, else the subject
                      f"{v.sent:%d %b %y}" if v.sent else "", f"{v.due:%d %b %y}" if v.due else "",
                      left, state, escape(v.next_action.split(" (konpfoi")[0].split(";")[0]))
    con.print(table)
    if len(report.rows) < n:
        con.print(f"[dim]showing the {len(report.rows)} most urgent of {count(n, 'item')}; "
                  "--limit 0 shows all[/]")


def short_body(name: str) -> str:
    """'NHS South East London ICB' for a table; the ledger keeps the full name."""
    for long, short in (("Integrated Care Board", "ICB"), ("NHS Foundation Trust", "NHS FT"),
                        ("Health and Social Care Trust", "HSC Trust")):
        name = name.replace(long, short)
    return name
