"""Ledger commands: mark-sent, record, reply, status and show."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, note, stdout, warn

if TYPE_CHECKING:
    from konpfoi.ledger.model import Event
    from konpfoi.session import Session
    from konpfoi.tracking.lifecycle import View
    from konpfoi.tracking.status import Report

DateOpt = Annotated[str | None, typer.Option(
    "--date", help="When it happened, YYYY-MM-DD (default: today).")]
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
    from konpfoi.session import Session
    from konpfoi.tracking import events

    s = Session()
    with s.ledger() as ledger:
        done = events.mark_sent(ledger, s.ws.root, item_ids=items or None, campaign=campaign,
                                   today=dt.date.today(), date=date, again=again,
                                   followup=followup)
    if as_json:
        emit_json([{"item": m.item.id, "sent": m.event.date if m.event else None,
                    "skipped": m.skipped} for m in done])
        return
    con = stdout()
    for m in done:
        if m.event:
            what = f"{followup} " if followup else ""
            con.print(f"{m.item.id} {what}sent {m.event.date} to {m.item.body_name}",
                      soft_wrap=True)
    for m in done:
        if m.skipped:
            warn(f"{m.item.id} skipped: {m.skipped}")


def record_event(
    item: Annotated[str, typer.Argument(metavar="ID", help="The item, e.g. K-0007.")],
    kind: Annotated[str, typer.Argument(metavar="EVENT", help=(
        "acknowledged, clarification-requested, clarification-sent, fee-notice, fee-paid, "
        "extension-claimed, review-requested, review-outcome, complaint-filed, "
        "complaint-outcome, withdrawn, closed, reopened, note, void, correction."))],
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
    as_json: JsonOpt = False,
) -> None:
    """Record what happened: acknowledged, clarification, extension...

    Events are never rewritten: cancel a mistake with `void --event N`, or replace it with
    `correction --event N --date D`.
    """
    from konpfoi.session import Session
    from konpfoi.tracking import events

    s = Session()
    with s.ledger() as ledger:
        ev = events.record(ledger, item, kind, today=dt.date.today(), date=date, note=note_,
                              their_ref=their_ref, until=until, outcome=outcome,
                              event_no=event)
        view = _view(s, ledger, ev.item_id)
    if as_json:
        emit_json({"event": ev.id, "item": ev.item_id, "kind": ev.kind, "date": ev.date,
                   "data": ev.data, **view.to_dict()})
        return
    stdout().print(f"{ev.item_id} #{ev.id} {ev.kind} {ev.date}\n  now: {view.state}; "
                   f"{view.next_action}", soft_wrap=True)


def record_reply(
    item: Annotated[str, typer.Argument(metavar="ID", help="The item, e.g. K-0007.")],
    files: Annotated[list[Path], typer.Option(
        "--file", "-f", help="The reply (.eml) and/or its documents; repeat for several.")],
    outcome: Annotated[str | None, typer.Option(
        help="answered, partial, refused or not-held (or code it later).")] = None,
    date: DateOpt = None,
    note_: NoteOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store a reply and its attachments.

    An .eml is read for its date, sender and subject; every file is kept under files/ by
    content hash.
    """
    from konpfoi.mail import intake
    from konpfoi.session import Session

    s = Session()
    with s.ledger() as ledger:
        result = intake.store_reply(ledger, s.ws.files, item, list(files),
                                    today=dt.date.today(), outcome=outcome, date=date,
                                    note=note_)
        view = _view(s, ledger, result.event.item_id)
    for p in result.problems:
        warn(f"reply: {p}")
    if as_json:
        emit_json({"event": result.event.id, "item": result.event.item_id,
                   "date": result.event.date, "data": result.event.data,
                   "files": [str(x.path) for x in result.stored], **view.to_dict()})
        return
    con = stdout()
    con.print(f"{result.event.item_id} #{result.event.id} reply {result.event.date}"
              + (f" from {result.event.data['from']}" if "from" in result.event.data else ""),
              soft_wrap=True)
    for x in result.stored:
        con.print(f"  kept {x.path}", soft_wrap=True)
    con.print(f"  now: {view.state}; {view.next_action}", soft_wrap=True)


def _view(s: Session, ledger, item_id: str) -> View:  # type: ignore[no-untyped-def]
    from konpfoi.tracking.timeline import current_view

    return current_view(ledger, item_id, s.calendars, dt.date.today(), s.policy)


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
    from konpfoi.law.dates import parse_date
    from konpfoi.session import Session
    from konpfoi.tracking import status

    s = Session()
    day = parse_date(today, "--today") if today else dt.date.today()
    wanted = status.parse_state(state) if state else None
    body_id = s.directory.resolve(body).body.id if body and ":" not in body else body
    if not s.ws.ledger_path.exists():
        report = status.Report(day, [], 0, 0)
    else:
        from konpfoi.workspace.folders import cache_dir

        everything = as_json or as_csv or ics is not None or limit == 0
        with s.ledger(create=False) as ledger:
            report = status.build(
                ledger, s.calendars, day, cache_dir=cache_dir(), campaign=campaign,
                body_id=body_id, state=wanted, overdue=overdue, due_within=due_within,
                include_closed=include_closed, limit=None if everything else limit,
                policy=s.policy)
    if ics is not None:
        from konpfoi.report import ics as ics_mod
        from konpfoi.workspace.files import atomic_write

        atomic_write(ics, ics_mod.calendar(report))
        note(f"wrote {ics}")
    if as_json:
        emit_json({"today": day.isoformat(), "total": report.total,
                   "matched": report.matched, "hidden_closed": report.hidden_closed,
                   "counts": report.counts, "items": [r.to_dict() for r in report.rows]})
        return
    if as_csv:
        typer.echo(status.to_csv(report), nl=False)
        return
    _status_table(report, limit)


def _status_table(report: Report, limit: int) -> None:
    from rich.markup import escape
    from rich.table import Table

    con = stdout()
    overdue = sum(report.counts.get(s, 0) for s in ("overdue", "review overdue"))
    n = report.matched
    head = f"{report.today:%a %d %b %Y}: {n} item{'s' if n != 1 else ''}, {overdue} overdue"
    if report.hidden_closed:
        head += f" ({report.hidden_closed} closed not shown: --all)"
    if not report.rows:
        con.print(head + ("" if report.total else " - the ledger is empty: konpfoi draft ..."))
        return
    table = Table(title=head, header_style="bold", title_justify="left")
    for col, kw in (("id", {"no_wrap": True}), ("body", {"ratio": 3}),
                    ("campaign", {"ratio": 2}), ("sent", {"no_wrap": True}),
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
                      escape(r.item.campaign or r.item.subject),
                      f"{v.sent:%d %b %y}" if v.sent else "", f"{v.due:%d %b %y}" if v.due else "",
                      left, state, escape(v.next_action.split(" (konpfoi")[0].split(";")[0]))
    con.print(table)
    if len(report.rows) < n:
        con.print(f"[dim]showing the {len(report.rows)} most urgent of {n}; "
                  "--limit 0 shows all[/]")


def short_body(name: str) -> str:
    """'NHS South East London ICB' for a table; the ledger keeps the full name."""
    for long, short in (("Integrated Care Board", "ICB"), ("NHS Foundation Trust", "NHS FT"),
                        ("Health and Social Care Trust", "HSC Trust")):
        name = name.replace(long, short)
    return name


def show_item(
    item: Annotated[str, typer.Argument(metavar="ID", help="The item, e.g. K-0007.")],
    explain: Annotated[bool, typer.Option(
        "--explain", help="Show how every clock was counted, day by day.")] = False,
    today: Annotated[str | None, typer.Option(help="Look from this day instead.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """One item's timeline, clocks and next action."""
    from konpfoi.law.dates import parse_date
    from konpfoi.session import Session
    from konpfoi.tracking.timeline import timeline

    s = Session()
    day = parse_date(today, "--today") if today else dt.date.today()
    with s.ledger(create=False) as ledger:
        t = timeline(ledger, item, s.calendars, day, s.policy)
    it, events, cancelled, files, answers, view, cal = (
        t.item, t.events, t.cancelled, t.files, t.answers, t.view, t.calendar)
    if as_json:
        emit_json({
            "item": {k: getattr(it, k) for k in ("id", "kind", "campaign", "body_id",
                                                 "body_name", "body_email", "subject",
                                                 "template", "question_set", "draft_path",
                                                 "message_id", "created_at")},
            **view.to_dict(),
            "events": [{"number": e.id, "kind": e.kind, "date": e.date, "note": e.note,
                        "data": e.data, "cancelled_by": cancelled[e.uid].id
                        if e.uid in cancelled else None,
                        "attachments": files.get(e.uid, [])} for e in events],
            "clocks": [c.to_dict(day, cal) for c in view.clocks],
            "answers": list(answers.values()),
        })
        return
    _show_human(it, events, cancelled, files, view, day, cal, explain, answers)


def _show_human(it, events: list[Event], cancelled, files, view: View, day, cal,  # type: ignore[no-untyped-def]
                explain: bool, answers) -> None:
    from rich.markup import escape

    from konpfoi.law.deadlines import working_deadline

    con = stdout()
    con.print(f"[bold]{it.id}[/]  {it.kind.upper()} to {escape(it.body_name)} "
              f"<{it.body_email or '-'}> ({it.body_id})", soft_wrap=True)
    for label, value in (("subject", it.subject), ("campaign", it.campaign),
                         ("questions", it.question_set), ("draft", it.draft_path),
                         ("Message-ID", it.message_id), ("their ref", view.their_ref)):
        if value:
            con.print(f"  {label:<11} {escape(str(value))}", soft_wrap=True)
    colour = "red" if view.overdue else "bold"
    con.print(f"  {'state':<11} [{colour}]{view.state}[/] on {day}", soft_wrap=True)
    if view.next_action:
        con.print(f"  {'next':<11} {escape(view.next_action)}", soft_wrap=True)
    con.print("\n[bold]Timeline[/]")
    for e in events:
        extra = "; ".join(f"{k} {v}" for k, v in e.data.items()
                          if k not in ("attachments",) and v not in (None, "", []))
        line = f"  #{e.id:<4} {e.date}  {e.kind}"
        if e.voids:
            target = next((x for x in events if x.uid == e.voids), None)
            line += f" of #{target.id}" if target else ""
        if extra:
            line += f"  ({escape(extra)})"
        if e.note:
            line += f"  - {escape(e.note)}"
        if e.uid in cancelled:
            by = cancelled[e.uid]
            done = "voided" if by.kind == "void" else "corrected"
            line = f"[strike dim]{line}[/]  [dim]{done} by #{by.id}[/]"
        con.print(line, soft_wrap=True)
        for f in files.get(e.uid, []):
            con.print(f"         [dim]file {escape(f['name'])} ({f['size']} bytes, "
                      f"{f['sha256'][:12]})[/]", soft_wrap=True)
    if answers:
        con.print("\n[bold]Answers[/]")
        for q, a in sorted(answers.items()):
            ex = f" ({', '.join(a['exemptions'])})" if a["exemptions"] else ""
            con.print(f"  Q{q}: {a['outcome']}{ex}" + (f" - {escape(a['answer'])}"
                                                       if a["answer"] else ""), soft_wrap=True)
    if not view.clocks:
        con.print("\n[dim]No clock runs until it is sent.[/]")
        return
    con.print("\n[bold]Clocks[/]")
    for c in view.clocks:
        left = c.left(day, cal)
        status = ("paused: " + c.paused) if c.paused else (
            f"met {c.stopped}" if c.stopped else
            f"{left} {'working ' if c.working else ''}day(s) left" if left is not None
            and left >= 0 else f"[red]overdue by {-left}[/]" if left is not None else "")
        con.print(f"  {c.label:<30} {c.due or '-'}  {status}  [dim]{escape(c.basis)}[/]",
                  soft_wrap=True)
        if explain:
            for line in c.explanation:
                con.print(f"      {escape(line)}", soft_wrap=True)
            if c.working and c.day0 and c.days:
                dl = working_deadline(c.day0, c.days, cal)
                for st in dl.steps[1:]:
                    what = st.describe()
                    if any(a <= st.date <= b for a, b in c.disregarded):
                        what += " - disregarded (fees notice)"
                    number = f"day {st.number:>2}" if st.number else "      "
                    con.print(f"      [dim]{number}  {st.date:%a %d %b %Y}  {escape(what)}[/]",
                              soft_wrap=True)
