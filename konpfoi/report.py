"""What a campaign found: which bodies answered what, who refused under which exemption, who
was late — as data, then as Markdown, CSV, JSON or a self-contained HTML page."""

from __future__ import annotations

import datetime as dt
import gc
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from konpfoi.law.regimes import DEFAULT_POLICY, Policy, calendar_regime
from konpfoi.law.workdays import Calendars
from konpfoi.ledger.store import Ledger
from konpfoi.tracking.lifecycle import derive

OUTCOME_LABELS = {"answered": "answered", "partly-answered": "partly answered",
                  "refused": "refused", "not-held": "not held",
                  "clarification-sought": "clarification sought", None: "not coded"}
FORMATS = ("md", "csv", "json", "html")


@dataclass
class Cell:
    outcome: str | None = None
    exemptions: list[str] = field(default_factory=list)
    answer: str | None = None


@dataclass
class Row:
    item: str
    body_id: str
    body: str
    state: str
    sent: str | None
    due: str | None
    replied: str | None
    working_days: int | None  # from sending to the reply
    on_time: bool | None
    days_late: int | None  # working days overdue, while no reply has come
    their_ref: str | None
    cells: dict[int, Cell] = field(default_factory=dict)


@dataclass
class Report:
    campaign: str | None
    today: str
    questions: list[dict[str, Any]]
    rows: list[Row]

    @property
    def sent(self) -> list[Row]:
        return [r for r in self.rows if r.sent]

    @property
    def replied(self) -> list[Row]:
        return [r for r in self.rows if r.replied]

    @property
    def not_replied(self) -> list[Row]:
        return [r for r in self.sent if not r.replied and r.state not in ("withdrawn",
                                                                          "closed")]

    @property
    def overdue(self) -> list[Row]:
        return sorted((r for r in self.not_replied if r.days_late), key=lambda r: -(
            r.days_late or 0))

    @property
    def on_time_rate(self) -> float | None:
        known = [r.on_time for r in self.replied if r.on_time is not None]
        return sum(known) / len(known) if known else None

    @property
    def median_days(self) -> float | None:
        days = [r.working_days for r in self.replied if r.working_days is not None]
        return statistics.median(days) if days else None

    @property
    def exemptions(self) -> list[tuple[str, int]]:
        counts: Counter[str] = Counter()
        for r in self.rows:
            for c in r.cells.values():
                counts.update(set(c.exemptions))
        return counts.most_common()

    def by_question(self) -> dict[int, Counter[str | None]]:
        out: dict[int, Counter[str | None]] = {}
        for q in self.questions:
            out[q["number"]] = Counter(r.cells.get(q["number"], Cell()).outcome
                                       for r in self.replied)
        return out

    def states(self) -> Counter[str]:
        return Counter(r.state for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign, "today": self.today, "questions": self.questions,
            "summary": {
                "items": len(self.rows), "sent": len(self.sent), "replied": len(self.replied),
                "not_replied": len(self.not_replied), "overdue": len(self.overdue),
                "on_time_rate": self.on_time_rate, "median_working_days": self.median_days,
                "states": dict(self.states()),
            },
            "exemptions": dict(self.exemptions),
            "by_question": {str(n): {OUTCOME_LABELS[k]: v for k, v in c.items()}
                            for n, c in self.by_question().items()},
            "rows": [{**asdict(r), "cells": {str(n): asdict(c) for n, c in r.cells.items()}}
                     for r in self.rows],
        }


def build(ledger: Ledger, cals: Calendars, today: dt.date, campaign: str | None = None,
          policy: Policy = DEFAULT_POLICY) -> Report:
    """Everything a report shows, for one campaign or the whole ledger."""
    gc.disable()  # many small objects that live as long as the command: see status.build
    try:
        with ledger.read():
            items = ledger.items(campaign=campaign)
            ids = [i.id for i in items]
            events = ledger.events(ids if len(ids) <= 500 else None, lean=True)
            answers = ledger.answers(ids if len(ids) <= 500 else None)
        questions = _questions(items)
        rows = []
        for item in items:
            view = derive(item.kind, events.get(item.id, []), cals, today, item_id=item.id,
                          nation=item.nation, policy=policy)
            response = next((c for c in view.clocks if c.key in ("response", "chase")), None)
            cal = cals.for_regime(calendar_regime(item.kind), item.nation)
            replied = response.stopped if response else None
            rows.append(Row(
                item=item.id, body_id=item.body_id, body=item.body_name, state=view.state,
                sent=_iso(view.sent), due=_iso(response.due if response else None),
                replied=_iso(replied),
                working_days=cal.count(view.sent, replied) if replied and view.sent else None,
                on_time=(replied <= response.due) if replied and response and response.due
                else None,
                days_late=-view.left if view.state == "overdue" and view.left else None,
                their_ref=view.their_ref,
                cells={n: Cell(a["outcome"], list(a["exemptions"]), a["answer"])
                       for n, a in answers.get(item.id, {}).items()},
            ))
    finally:
        gc.freeze()
        gc.enable()
    rows.sort(key=lambda r: (r.body.lower(), r.item))
    return Report(campaign, today.isoformat(), questions, rows)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _questions(items: list[Any]) -> list[dict[str, Any]]:
    """The campaign's questions by number (the most common label wins)."""
    labels: dict[int, Counter[tuple[str, str]]] = {}
    for item in items[:200]:
        for q in item.questions:
            labels.setdefault(q["number"], Counter())[(q.get("label") or "", q["text"])] += 1
    return [{"number": n, "label": c.most_common(1)[0][0][0] or f"Q{n}",
             "text": c.most_common(1)[0][0][1]} for n, c in sorted(labels.items())]


# -- Markdown, CSV, JSON -----------------------------------------------------------------------


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
        lines += [f"- {esc(x.body)} ({x.item}), due {x.due}" for x in waiting]
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
        from konpfoi.report_html import to_html

        return to_html(r)
    renderers = {"md": to_markdown, "csv": to_csv, "json": to_json}
    if fmt not in renderers:
        raise InvalidInput(f"unknown format {fmt!r}", hint="formats: " + ", ".join(FORMATS))
    return renderers[fmt](r)
