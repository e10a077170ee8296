"""How the messages of an import or a fetch are shown: one line each, then the counts."""

from __future__ import annotations

from typing import Any

from konpfoi.cli.common import stdout, warn

COUNTED = ("recorded", "acknowledged", "duplicate", "unmatched", "failed")


def show_outcomes(summary: Any) -> None:
    """One line per message (what it matched, or why not), then the counts."""
    from rich.markup import escape

    con = stdout()
    for o in summary.outcomes:
        if o.status in ("recorded", "acknowledged"):
            con.print(f"[green]{o.status:<12}[/] {o.item_id}  {escape(o.subject[:60])}  "
                      f"[dim]({escape(o.why)})[/]", soft_wrap=True)
        elif o.status == "unmatched":
            guesses = ", ".join(c["item"] for c in o.candidates[:3])
            con.print(f"[yellow]unmatched[/]    {escape(o.sender)}: {escape(o.subject[:60])}"
                      + (f"  [dim](perhaps {guesses})[/]" if guesses else ""), soft_wrap=True)
        elif o.status == "failed":
            warn(f"{o.label}: could not be read ({'; '.join(o.problems)})")
        for p in o.problems if o.status in ("recorded", "acknowledged", "unmatched") else []:
            warn(f"{o.label}: {p}")
    counts = {k: summary.count(k) for k in COUNTED}
    con.print(", ".join(f"{n} {k}" for k, n in counts.items() if n) or "no messages found")
    if counts["unmatched"]:
        con.print("Match the rest with: konpfoi replies unmatched")
