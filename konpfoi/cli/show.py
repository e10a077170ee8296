"""`konpfoi show`: one item's timeline, clocks and next action."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, stdout

if TYPE_CHECKING:
    from konpfoi.tracking.timeline import Timeline


def show_item(
    item: Annotated[str, typer.Argument(metavar="ID", help="The item, e.g. K-0007.")],
    explain: Annotated[bool, typer.Option(
        "--explain", help="Show how every clock was counted, day by day.")] = False,
    today: Annotated[str | None, typer.Option(help="Look from this day instead.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """One item's timeline, clocks and next action."""
    from konpfoi.context import Context
    from konpfoi.law.dates import parse_date
    from konpfoi.tracking.timeline import timeline

    s = Context()
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
            "owner": t.owner, "owner_name": t.who(t.owner),
            "events": [{"number": e.id, "kind": e.kind, "date": e.date, "note": e.note,
                        "data": e.data, "cancelled_by": cancelled[e.uid].id
                        if e.uid in cancelled else None, "by": e.actor,
                        "by_name": t.who(e.actor),
                        "attachments": files.get(e.uid, [])} for e in events],
            "clocks": [c.to_dict(day, cal) for c in view.clocks],
            "answers": list(answers.values()),
        })
        return
    _show_human(t, day, explain)


def _show_human(t: Timeline, day: dt.date, explain: bool) -> None:
    from rich.markup import escape

    from konpfoi.law.deadlines import working_deadline

    it, events, cancelled, files, answers, view, cal = (
        t.item, t.events, t.cancelled, t.files, t.answers, t.view, t.calendar)
    con = stdout()
    from konpfoi.law.correspondence import kind_of

    to = f"{it.body_name} <{it.body_email or '-'}> ({it.body_id})"
    con.print(f"[bold]{escape(it.id)}[/]  {kind_of(it.kind).name} to {escape(to)}",
              soft_wrap=True)
    for label, value in (("subject", it.subject), ("campaign", it.campaign),
                         ("questions", it.question_set), ("draft", it.draft_path),
                         ("Message-ID", it.message_id), ("their ref", view.their_ref),
                         ("volunteer", t.who(t.owner))):
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
        if e.actor:
            line += f"  [dim]by {escape(t.who(e.actor) or '')}[/]"
        if e.uid in cancelled:
            by = cancelled[e.uid]
            done = "voided" if by.kind == "void" else "corrected"
            line = f"[strike dim]{line}[/]  [dim]{done} by #{by.id}[/]"
        con.print(line, soft_wrap=True)
        for f in files.get(e.uid, []):
            con.print(f"         [dim]file {escape(f['name'])} ({f['size']} bytes, "
                      f"{f['sha256'][:12]})[/]", soft_wrap=True)
    if answers:
        coders = {e.uid: t.who(e.actor) for e in events}
        con.print("\n[bold]Answers[/]")
        for q, a in sorted(answers.items()):
            ex = f" ({', '.join(a['exemptions'])})" if a["exemptions"] else ""
            coder = coders.get(a["event"])
            con.print(f"  Q{q}: {a['outcome']}{ex}" + (f" - {escape(a['answer'])}"
                                                       if a["answer"] else "")
                      + (f"  [dim]coded by {escape(coder)}[/]" if coder else ""),
                      soft_wrap=True)
    if not view.clocks:
        con.print("\n[dim]No clock runs until it is sent.[/]")
        return
    con.print("\n[bold]Clocks[/]")
    for c in view.clocks:
        left = c.left(day, cal)
        status = ("paused: " + c.paused) if c.paused else (
            _stopped(c, cal) if c.stopped else
            f"{left} {'working ' if c.working else ''}day(s) left" if left is not None
            and left >= 0 else (f"due {-left} working day(s) ago" if c.key == "chase" else
                                f"[red]overdue by {-left}[/]") if left is not None else "")
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


def _stopped(c, cal) -> str:  # type: ignore[no-untyped-def]
    """A finished clock: when, and whether in time ('answered 2026-11-30, 5 working days
    late' — never 'met' for a late answer)."""
    verb = "answered" if c.key in ("response", "review-answer", "chase") else "done"
    if c.due is None or c.stopped <= c.due:
        return f"{verb} {c.stopped}, in time"
    late = cal.count(c.due, c.stopped) if c.working else (c.stopped - c.due).days
    unit = "working day" if c.working else "day"
    return f"[red]{verb} {c.stopped}, {late} {unit}{'s' if late != 1 else ''} late[/]"
