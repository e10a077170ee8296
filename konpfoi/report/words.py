"""How a report says things, in every format: a cell, a percentage, the heading that names
the filters, the one-line summary."""

from __future__ import annotations

from konpfoi.report.campaign import OUTCOME_LABELS, Cell, Report, Row
from konpfoi.workspace.words import count


def cell_text(c: Cell | None, row: Row) -> str:
    """What a body said to one question, as a table cell says it."""
    if c is None or c.outcome is None:
        return "not coded" if row.replied else "no reply"
    text = OUTCOME_LABELS[c.outcome]
    if c.exemptions:
        text += f" ({', '.join(c.exemptions)})"
    if c.whole:
        text += " (whole reply)"
    if c.answer:
        text += f": {c.answer}"
    return text


def pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def heading(r: Report) -> str:
    """The report's name: the filters that chose its requests, or everything."""
    named = [r.filters.get("campaign")] + [f"{k} {v}" for k, v in r.filters.items()
                                           if k != "campaign"]
    return ", ".join(n for n in named if n) or "All requests"


def summary_line(r: Report) -> str:
    """'4 requests sent: 1 answered (1 late), 3 without a reply (3 overdue)' — each figure
    beside what it counts, and the parts add up to the requests sent."""
    answered = [x for x in r.sent if x.replied]
    said = [f"{len(answered)} answered" + (f" ({_none(len(r.late))} late)" if answered else ""),
            f"{len(r.not_replied)} without a reply"
            + (f" ({_none(len(r.overdue))} overdue)" if r.not_replied else "")]
    ended = len(r.sent) - len(answered) - len(r.not_replied)  # withdrawn or closed unanswered
    if ended:
        said.append(f"{ended} withdrawn or closed")
    return f"As of {r.today}: {count(len(r.sent), 'request')} sent: {', '.join(said)}."


def _none(n: int) -> str:
    return str(n) if n else "none"


def days_late(x: Row) -> str:
    return "" if x.days_late is None else str(x.days_late)
