"""The campaign report as Markdown, CSV or JSON, or (from report.html) one HTML page."""

from __future__ import annotations

from konpfoi.report.campaign import OUTCOME_LABELS, Cell, Report

FORMATS = ("md", "csv", "json", "html")


def _cell_text(c: Cell | None) -> str:
    if c is None or c.outcome is None:
        return ""
    text = OUTCOME_LABELS[c.outcome]
    if c.exemptions:
        text += f" ({', '.join(c.exemptions)})"
    if c.answer:
        text += f": {c.answer}"
    return text


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def to_markdown(r: Report) -> str:
    def esc(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    title = f"# {r.campaign or 'All requests'}: what the bodies said\n"
    replies = "reply" if len(r.replied) == 1 else "replies"
    lines = [title,
             f"As of {r.today}: {len(r.sent)} requests sent, {len(r.replied)} {replies}, "
             f"{len(r.not_replied)} without a reply ({len(r.overdue)} overdue). "
             f"On time: {_pct(r.on_time_rate)}. Median time to reply: "
             f"{'-' if r.median_days is None else f'{r.median_days:g} working days'}.\n"]
    if r.questions:
        lines.append("\n## Answers by body\n")
        head = "| Body | " + " | ".join(f"Q{q['number']} {esc(q['label'])}"
                                          for q in r.questions) + " |"
        lines += [head, "|" + "---|" * (len(r.questions) + 1)]
        for row in r.rows:
            cells = [esc(_cell_text(row.cells.get(q["number"]))) or
                     ("not coded" if row.replied else "no reply") for q in r.questions]
            lines.append(f"| {esc(row.body)} | " + " | ".join(cells) + " |")
        lines.append("\nQuestions:\n")
        lines += [f"{q['number']}. **{esc(q['label'])}**: {esc(q['text'])}" for q in r.questions]
    if r.exemptions:
        lines += ["\n## Exemptions cited\n", "| Exemption | Times cited |", "|---|---|"]
        lines += [f"| {e} | {n} |" for e, n in r.exemptions]
    if r.overdue:
        lines += ["\n## Overdue\n", "| Body | Due | Working days late |", "|---|---|---|"]
        lines += [f"| {esc(x.body)} ({x.item}) | {x.due} | {x.days_late} |" for x in r.overdue]
    waiting = [x for x in r.not_replied if not x.days_late]
    if waiting:
        lines += ["\n## Awaiting a reply (not yet due)\n"]
        lines += [f"- {esc(x.body)} ({x.item}), " + (f"due {x.due}" if x.due else
                                                      "a letter with no statutory deadline")
                  for x in waiting]
    return "\n".join(lines) + "\n"


def to_csv(r: Report) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    head = ["item", "body_id", "body", "state", "sent", "due", "replied", "working_days",
            "on_time", "days_late", "their_ref"]
    for q in r.questions:
        head += [f"q{q['number']}_outcome", f"q{q['number']}_exemptions",
                 f"q{q['number']}_answer"]
    w.writerow(head)
    for x in r.rows:
        line = [x.item, x.body_id, x.body, x.state, x.sent, x.due, x.replied, x.working_days,
                {True: "yes", False: "no", None: ""}[x.on_time], x.days_late, x.their_ref]
        for q in r.questions:
            c = x.cells.get(q["number"])
            line += [c.outcome if c else "", " ".join(c.exemptions) if c else "",
                     (c.answer or "") if c else ""]
        w.writerow(["" if v is None else v for v in line])
    return buf.getvalue()


def to_json(r: Report) -> str:
    import json

    return json.dumps(r.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render(r: Report, fmt: str) -> str:
    from konpfoi.errors import InvalidInput

    if fmt == "html":
        from konpfoi.report.html import to_html

        return to_html(r)
    renderers = {"md": to_markdown, "csv": to_csv, "json": to_json}
    if fmt not in renderers:
        raise InvalidInput(f"unknown format {fmt!r}", hint="formats: " + ", ".join(FORMATS))
    return renderers[fmt](r)
