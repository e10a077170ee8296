"""The campaign report as Markdown, CSV or JSON, or (from report.html) one HTML page."""

from __future__ import annotations

from konpfoi.report.campaign import Exemption, Report
from konpfoi.report.words import cell_text, days_late, heading, pct, summary_line
from konpfoi.workspace.words import count

FORMATS = ("md", "csv", "json", "html")


def to_markdown(r: Report) -> str:
    def esc(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    lines = [f"# {heading(r)}: what the bodies said\n", summary_line(r),
             f"On time: {pct(r.on_time_rate)} ({r.on_time_note}). Median time to reply: "
             f"{'-' if r.median_days is None else f'{r.median_days:g} working days'}.\n"]
    lines += ["\n## Requests\n",
              "| Body | Item | Sent | Due | Replied | On time? | Working days late |",
              "|---|---|---|---|---|---|---|"]
    lines += [f"| {esc(x.body)} | {_linked(x.item, x.url)} | "
              f"{x.sent or ''} | {x.due or ''} | "
              f"{x.replied or ''} | {x.timeliness} | {days_late(x)} |" for x in r.rows]
    for qs in r.sets:
        lines.append(f"\n## Answers: {esc(qs.title)}\n")
        lines.append(f"{count(len(qs.rows), 'request')} asked the questions of "
                     f"{esc(qs.id or '')}"
                     + (f", written by {esc(qs.source)}" if qs.source else "") + ".\n")
        head = "| Body | " + " | ".join(f"Q{q['number']} {esc(q['label'])}"
                                          for q in qs.questions) + " |"
        lines += [head, "|" + "---|" * (len(qs.questions) + 1)]
        for row in qs.rows:
            cells = [esc(cell_text(row.cells.get(q["number"]), row)) for q in qs.questions]
            lines.append(f"| {esc(row.body)} | " + " | ".join(cells) + " |")
        lines.append("\nQuestions:\n")
        lines += [f"{q['number']}. **{esc(q['label'])}**: {esc(q['text'])}"
                  for q in qs.questions]
    lines += _cited("Exemptions cited", "Exemption", r.exemptions)
    lines += _cited("Refusals to comply (cost, vexatious or repeated: not exemptions)",
                    "Ground", r.refusal_grounds)
    if r.overdue:
        lines += ["\n## Overdue\n", "| Body | Due | Working days late |", "|---|---|---|"]
        lines += [f"| {esc(x.body)} ({x.item}) | {x.due} | {x.days_late} |" for x in r.overdue]
    waiting = [x for x in r.rows if x.timeliness == "not yet due"]
    if waiting:
        lines += ["\n## Awaiting a reply (not yet due)\n"]
        lines += [f"- {esc(x.body)} ({x.item}), due {x.due}" for x in waiting]
    return "\n".join(lines) + "\n"


def _cited(title: str, column: str, groups: list[Exemption]) -> list[str]:
    """A table of citations grouped by section: how many bodies and answers, as cited."""
    if not groups:
        return []
    return [f"\n## {title}\n", f"| {column} | Bodies | Times cited | As cited |",
            "|---|---|---|---|"] + [
        f"| {g.label} | {g.bodies} | {g.cells} | "
        + ", ".join(f"{c} ×{n}" for c, n in g.codes.most_common()) + " |" for g in groups]


def _linked(item: str, url: str | None) -> str:
    """`[K-0001](https://...)` where the request is on WhatDoTheyKnow (brackets escaped)."""
    if not url:
        return item
    return f"[{item}](" + url.replace("(", "%28").replace(")", "%29") + ")"


def to_csv(r: Report) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    numbers = sorted({q["number"] for qs in r.sets for q in qs.questions})
    head = ["item", "body_id", "body", "question_set", "state", "sent", "due", "replied",
            "working_days", "timeliness", "on_time", "days_late", "their_ref", "url"]
    for n in numbers:
        head += [f"q{n}_outcome", f"q{n}_exemptions", f"q{n}_answer"]
    w.writerow(head)
    for x in r.rows:
        line = [x.item, x.body_id, x.body, x.question_set, x.state, x.sent, x.due, x.replied,
                x.working_days, x.timeliness, {True: "yes", False: "no", None: ""}[x.on_time],
                x.days_late, x.their_ref, x.url]
        for n in numbers:
            c = x.cells.get(n)
            line += [c.outcome if c else "", " ".join(c.exemptions) if c else "",
                     (c.answer or "") if c else ""]
        w.writerow(["" if v is None else v for v in line])
    return buf.getvalue()


def to_json(r: Report) -> str:
    import json

    return json.dumps(r.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render(r: Report, fmt: str, page: dict[str, str | None] | None = None) -> str:
    """The report in a format; `page` gives the HTML page its title, introduction, group."""
    from konpfoi.errors import InvalidInput

    if fmt == "html":
        from konpfoi.report.html import to_html

        return to_html(r, **(page or {}))
    renderers = {"md": to_markdown, "csv": to_csv, "json": to_json}
    if fmt not in renderers:
        raise InvalidInput(f"unknown format {fmt!r}", hint="formats: " + ", ".join(FORMATS))
    return renderers[fmt](r)
