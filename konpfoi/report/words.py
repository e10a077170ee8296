"""How a report says things, in every format: a cell, a percentage, the heading that names
the filters, the one-line summary."""

from __future__ import annotations

from konpfoi.report.campaign import OUTCOME_LABELS, Cell, Report, Row


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
    replies = "reply" if len(r.replied) == 1 else "replies"
    late = f", {len(r.late)} answered late" if r.late else ""
    return (f"As of {r.today}: {len(r.sent)} requests sent, {len(r.replied)} {replies}, "
            f"{len(r.not_replied)} without a reply ({len(r.overdue)} overdue{late}).")


def days_late(x: Row) -> str:
    return "" if x.days_late is None else str(x.days_late)
