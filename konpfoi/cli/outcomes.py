"""How the messages of an import or a fetch are shown: one line each (what it is, where it
went and why, what to check), then the counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from konpfoi.cli.common import stdout, warn

if TYPE_CHECKING:
    from konpfoi.mail.intake import Summary

_LABELS = {"recorded": "recorded", "acknowledged": "acknowledged", "bounce": "bounce",
           "sent": "sent",
           "own": "own mail", "unmatched": "unmatched", "failed": "failed",
           "duplicate": "duplicate"}
_COUNTED = {"own": ("own mail skipped",) * 2, "bounce": ("bounce", "bounces"),
            "duplicate": ("duplicate", "duplicates")}


def show_outcomes(summary: Summary) -> None:
    """One line per message (what it matched, or why not), then the counts."""
    from rich.markup import escape

    con = stdout()
    for o in summary.outcomes:
        if o.status == "duplicate":
            continue
        if o.status == "failed":
            warn(f"{o.label}: {o.why}" + ("; kept, see: konpfoi replies unmatched"
                                          if o.key else ""))
            continue
        who = o.item_id or o.handle
        line = f"{_LABELS[o.status]:<13} {who:<9} {escape(o.subject[:60] or '(no subject)')}"
        if o.status == "unmatched":
            guesses = ", ".join(c["item"] for c in o.candidates[:3])
            line += f"  [dim]({escape(o.why)}" + (f"; perhaps {guesses}" if guesses else "") \
                + ")[/]"
        else:
            line += f"  [dim]({escape(o.why)})[/]"
        con.print(line, soft_wrap=True)
        if o.check:
            con.print(f"              [yellow]check:[/] {escape(o.check)}", soft_wrap=True)
        for p in o.problems:
            warn(f"{o.label}: {p}")
    counts = summary.counts()
    parts = [f"{n} {_COUNTED.get(k, (k, k))[n != 1]}" for k, n in counts.items() if n]
    con.print(", ".join(parts) or "no messages found")
    if counts["unmatched"] or counts["failed"]:
        con.print("Sort the rest with: konpfoi replies unmatched")
