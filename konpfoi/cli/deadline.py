"""`konpfoi deadline` and `konpfoi holidays`: statutory due dates that show their working."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, register, stdout, warn

if TYPE_CHECKING:
    from konpfoi.law.deadlines import Deadline

holidays_app = typer.Typer(help="Show and import the bank holidays the clocks use.",
                           no_args_is_help=True)

NATION_HELP = "england, wales, scotland or northern-ireland (SAR roll-forward)."


def show_deadline(
    start: Annotated[str, typer.Argument(metavar="DATE", help="Day the request was received.")],
    regime: Annotated[str, typer.Option(help="foia, eir, foisa or sar.")] = "foia",
    nation: Annotated[str | None, typer.Option(help=NATION_HELP)] = None,
    days: Annotated[int | None, typer.Option(help="Working days (default 20).")] = None,
    rule: Annotated[str | None, typer.Option(
        help="a: receipt is day 0 (ICO, default); b: a non-working day counts from the next.")]
    = None,
    explain: Annotated[bool, typer.Option("--explain", help="List every counted and skipped "
                                          "day.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Compute a statutory deadline and show the working.

    FOIA and EIR: 20 working days, any UK bank holiday skipped; FOISA: Scottish ones; subject
    access: one calendar month.
    """
    from konpfoi.context import Context
    from konpfoi.errors import InvalidInput
    from konpfoi.law import dates, deadlines
    from konpfoi.law.bank_holidays import NATIONS

    s = Context()
    when = dates.parse_date(start, "start date")
    regime = regime.lower()
    if nation is not None and nation.lower() not in NATIONS:
        raise InvalidInput(f"unknown nation {nation!r}", hint="nations: " + ", ".join(NATIONS))
    dl = deadlines.deadline(when, regime, s.calendars, days=days,
                         rule=(rule or s.config.rule).lower(),
                         nation=nation.lower() if nation else None)
    for w in dl.warnings:
        warn(w)
    if as_json:
        out = dl.to_dict()
        if explain:
            out["steps"] = [{"date": st.date.isoformat(), "what": st.what, "day": st.number,
                             **({"holiday": st.holiday.to_dict()} if st.holiday else {})}
                            for st in dl.steps]
        emit_json(out)
        return
    _panel(dl)
    if explain:
        _explain(dl)


def _panel(dl: Deadline) -> None:
    from rich.markup import escape
    from rich.panel import Panel

    from konpfoi.law.bank_holidays import nations_label
    from konpfoi.law.dates import fmt

    lines = [f"received  {fmt(dl.start)}  (day 0{', rule B' if dl.rule == 'b' else ''})"]
    if dl.day0 != dl.start:
        lines.append(f"counted   from {fmt(dl.day0)} (rule B: the next working day)")
    lines.append(f"[bold]due       {fmt(dl.due)}[/]")
    for h in dl.skipped:
        lines.append(f"skipped   {fmt(h.date)}  {escape(h.name)} ({nations_label(h.nations)})")
    for n in dl.notes:
        lines.append(f"[dim]{escape(n)}[/]")
    title = f"{dl.regime.upper()}: {dl.basis}"
    stdout().print(Panel("\n".join(lines), title=escape(title), expand=False))


def _explain(dl: Deadline) -> None:
    from rich.markup import escape
    from rich.table import Table

    from konpfoi.law.dates import fmt

    table = Table(header_style="bold", title="How it was counted")
    for col in ("day", "date", "counts as"):
        table.add_column(col)
    for st in dl.steps:
        number = "0" if st.what.startswith("day 0") else (str(st.number) if st.number else "")
        style = "bold" if st.what == "due" else ("dim" if st.what == "weekend" else "")
        table.add_row(number, fmt(st.date), escape(st.describe()), style=style)
    stdout().print(table)


def list_holidays(
    year: Annotated[int | None, typer.Option(help="Only this year.")] = None,
    nation: Annotated[str | None, typer.Option(
        help="Only this nation's (default: every UK nation, as FOIA counts).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the bank holidays in force and the source of each."""
    import datetime as dt

    from rich.markup import escape
    from rich.table import Table

    from konpfoi.context import Context
    from konpfoi.errors import InvalidInput
    from konpfoi.law.bank_holidays import NATIONS, nations_label, short_source

    s = Context()
    if nation is not None and nation.lower() not in NATIONS:
        raise InvalidInput(f"unknown nation {nation!r}", hint="nations: " + ", ".join(NATIONS))
    table_data = s.holiday_table
    nations = frozenset([nation.lower()]) if nation else frozenset(NATIONS)
    year = year or dt.date.today().year
    days = sorted((h for h in table_data.holidays(nations).values() if h.date.year == year),
                  key=lambda h: h.date)
    removed = sorted(d for d in table_data.removed if d.year == year)
    if as_json:
        emit_json({"year": year, "nations": sorted(nations),
                   "holidays": [h.to_dict() for h in days],
                   "removed": [d.isoformat() for d in removed],
                   "covered_to": table_data.last_covered_year()})
        return
    t = Table(header_style="bold", title=f"Bank holidays {year} ({nations_label(list(nations))})",
              caption="sources: " + "; ".join(sorted(table_data.coverage)))
    for col in ("date", "name", "nations", "source"):
        t.add_column(col, overflow="fold")
    for h in days:
        src = " + ".join(short_source(x) for x in h.sources)
        if h.missing_from:
            src += " [yellow](not in " + ", ".join(map(short_source, h.missing_from)) + ")[/]"
        t.add_row(h.date.strftime("%a %d %b"), escape(h.name), nations_label(h.nations), src)
    for d in removed:
        t.add_row(d.strftime("%a %d %b"), "[dim]removed[/]", "", "konpfoi.yaml")
    stdout().print(t)
    if year > table_data.last_covered_year():
        warn(f"{year} is beyond the years the holiday data covers "
             f"(to {table_data.last_covered_year()})")


def import_holidays(
    feed: Annotated[Path, typer.Argument(help="A GOV.UK bank-holidays.json file.")],
    as_json: JsonOpt = False,
) -> None:
    """Load the official GOV.UK bank holidays feed."""
    from konpfoi.context import Context
    from konpfoi.law.bank_holidays import import_feed

    s = Context()
    summary = import_feed(feed, s.ws.holiday_feed)
    if as_json:
        emit_json(summary)
        return
    counts = ", ".join(f"{k} {v}" for k, v in summary["events"].items())
    stdout().print(f"Imported {feed} ({counts}; {summary['first']} to {summary['last']})\n"
                   f"  into {summary['file']}", soft_wrap=True, markup=False)


register(holidays_app, "list", list_holidays)
register(holidays_app, "import", import_holidays)
