"""What a campaign found: which bodies answered what, who refused under which exemption, who
was late — as data that the formats render."""

from __future__ import annotations

import datetime as dt
import gc
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from konpfoi.law.regimes import DEFAULT_POLICY, ITEM_REGIME, Policy, calendar_regime
from konpfoi.law.workdays import Calendars
from konpfoi.ledger.model import OUTCOME_LABELS as MODEL_LABELS
from konpfoi.ledger.store import Ledger
from konpfoi.tracking.lifecycle import derive

# An answer's outcome as a report prints it; a question nobody coded is "not coded".
OUTCOME_LABELS: dict[str | None, str] = {o: label for o, label in MODEL_LABELS.items()}
OUTCOME_LABELS[None] = "not coded"


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
            if item.kind not in ITEM_REGIME:  # a letter: a reminder date, never a deadline
                response = None
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
