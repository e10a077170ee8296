"""A calendar (RFC 5545) of upcoming deadlines: one event per clock, stable UIDs, reminders."""

from __future__ import annotations

import datetime as dt

from konpfoi.tracking.status import Report


def calendar(report: Report, reminder_days: int = 2) -> bytes:
    """An iCalendar file; re-importing it updates events rather than duplicating them."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//konpfoi//statutory deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "konpfoi deadlines")
    stamp = dt.datetime.combine(report.today, dt.time(), tzinfo=dt.UTC)
    for row in report.rows:
        if not row.view.is_open:
            continue
        for clock in row.view.clocks:
            if clock.due is None or clock.stopped is not None or clock.due < report.today:
                continue
            ev = Event()
            ev.add("uid", f"{row.item.uid}-{clock.key}@konpfoi")
            ev.add("dtstamp", stamp)
            ev.add("dtstart", clock.due)
            ev.add("dtend", clock.due + dt.timedelta(days=1))
            ev.add("summary", f"{row.item.id} {clock.label}: {row.item.body_name}")
            ev.add("description", f"{row.item.subject}\n{clock.basis}\n"
                   f"State: {row.view.state}. Next: {row.view.next_action}")
            ev.add("transp", "TRANSPARENT")
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{row.item.id}: {clock.label} {clock.due}")
            alarm.add("trigger", dt.timedelta(days=-reminder_days))
            ev.add_component(alarm)
            cal.add_component(ev)
    return cal.to_ical()
