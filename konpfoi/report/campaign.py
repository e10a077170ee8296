"""What a campaign found, as data the formats render: per request its due date, reply date and
how late; one table of answers per question set; the exemptions cited, grouped by section
with their plain names, and apart from them the refusals to comply on cost or as vexatious or
repeated (s.12, s.14: not exemptions); and figures that follow from the ledger on the day,
with the filters that chose the requests named."""

from __future__ import annotations

import datetime as dt
import gc
import statistics
from collections import Counter
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

from konpfoi.law.exemptions import is_refusal_ground, plain_name, section
from konpfoi.law.regimes import DEFAULT_POLICY, Policy, calendar_regime
from konpfoi.law.workdays import Calendars
from konpfoi.ledger.model import OUTCOME_LABELS as MODEL_LABELS
from konpfoi.ledger.store import Ledger
from konpfoi.tracking.lifecycle import DATES, derive
from konpfoi.tracking.status import check_filters
from konpfoi.workspace.words import count, plural

# An answer's outcome as a report prints it; a question nobody coded is "not coded".
OUTCOME_LABELS: dict[str | None, str] = {o: label for o, label in MODEL_LABELS.items()}
OUTCOME_LABELS[None] = "not coded"
# Whether a request was answered in time, as a report says it. Only the first three count
# in the on-time rate: a request not yet due, or with no statutory deadline, is not judged.
TIMELINESS = ("on time", "late", "overdue", "not yet due", "no deadline", "undelivered",
              "dates conflict", "not sent", "closed", "withdrawn")
JUDGED = ("on time", "late", "overdue")
# Outcomes of a whole reply that are true of every question it answered.
_WHOLE = ("answered", "refused", "not-held")


@dataclass
class Cell:
    outcome: str | None = None
    exemptions: list[str] = field(default_factory=list)
    answer: str | None = None
    whole: bool = False  # the outcome of the whole reply, not coded question by question


@dataclass
class Row:
    item: str
    body_id: str
    body: str
    kind: str
    question_set: str | None
    state: str
    sent: str | None
    due: str | None
    replied: str | None
    working_days: int | None  # from sending to the reply
    timeliness: str  # one of TIMELINESS
    days_late: int | None  # working days past the due date (a late reply, or none yet)
    their_ref: str | None
    cells: dict[int, Cell] = field(default_factory=dict)
    url: str | None = None  # the same request on WhatDoTheyKnow, if the ledger has it

    @property
    def on_time(self) -> bool | None:
        return {"on time": True, "late": False, "overdue": False}.get(self.timeliness)


@dataclass
class QuestionSet:
    """One table of answers: the requests that asked these questions."""

    id: str | None
    title: str
    source: str | None
    questions: list[dict[str, Any]]
    rows: list[Row]


@dataclass
class Exemption:
    section: str  # s.43, or reg 12(5)(e)
    name: str  # its plain name
    codes: Counter[str]  # as cited: s.43(2) x 3, s.43 x 1
    bodies: int
    cells: int  # question answers citing it

    @property
    def label(self) -> str:
        return f"{self.section} {self.name}".strip()


@dataclass
class Report:
    campaign: str | None
    today: str
    rows: list[Row]
    sets: list[QuestionSet]
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def questions(self) -> list[dict[str, Any]]:  # the questions when there is one set
        return self.sets[0].questions if len(self.sets) == 1 else []

    @property
    def sent(self) -> list[Row]:
        return [r for r in self.rows if r.sent]

    @property
    def replied(self) -> list[Row]:
        return [r for r in self.rows if r.replied]

    @property
    def not_replied(self) -> list[Row]:
        return [r for r in self.sent if not r.replied
                and r.timeliness not in ("withdrawn", "closed")]

    @property
    def refused(self) -> list[Row]:
        """The requests refused in whole or in part: a refusal coded for any question, or a
        whole reply recorded as refused."""
        return [r for r in self.replied if r.state == "refused"
                or any(c.outcome == "refused" for c in r.cells.values())]

    @property
    def overdue(self) -> list[Row]:
        return sorted((r for r in self.rows if r.timeliness == "overdue"),
                      key=lambda r: -(r.days_late or 0))

    @property
    def late(self) -> list[Row]:
        return sorted((r for r in self.rows if r.timeliness == "late"),
                      key=lambda r: -(r.days_late or 0))

    @property
    def judged(self) -> list[Row]:
        """The requests whose time has been decided: answered, or past their due date."""
        return [r for r in self.rows if r.timeliness in JUDGED]

    @property
    def on_time_rate(self) -> float | None:
        judged = self.judged
        return sum(r.timeliness == "on time" for r in judged) / len(judged) if judged else None

    @property
    def on_time_note(self) -> str:
        """What the rate divides, said under the figure."""
        judged = self.judged
        on_time = sum(r.timeliness == "on time" for r in judged)
        waiting = sum(r.timeliness == "not yet due" for r in self.rows)
        note = (f"{on_time} answered by the due date, of the {count(len(judged), 'request')} "
                f"answered or past {plural('its', len(judged))} due date")
        if waiting:
            note += f"; {waiting} not yet due {'is' if waiting == 1 else 'are'} not counted"
        return note

    @property
    def median_days(self) -> float | None:
        days = [r.working_days for r in self.replied if r.working_days is not None]
        return statistics.median(days) if days else None

    @property
    def exemptions(self) -> list[Exemption]:
        """The exemptions and exceptions cited, by section (refusals to comply apart)."""
        return self._cited(grounds=False)

    @property
    def refusal_grounds(self) -> list[Exemption]:
        """The refusals to comply cited (s.12 cost, s.14 vexatious or repeated), by section:
        not exemptions, so never counted as one."""
        return self._cited(grounds=True)

    def _cited(self, grounds: bool) -> list[Exemption]:
        groups: dict[str, Exemption] = {}
        bodies: dict[str, set[str]] = {}
        for r in self.rows:
            for c in r.cells.values():
                for code in dict.fromkeys(c.exemptions):
                    if is_refusal_ground(code) != grounds:
                        continue
                    key = section(code)
                    g = groups.setdefault(key, Exemption(key, plain_name(key, r.kind),
                                                         Counter(), 0, 0))
                    g.codes[code] += 1
                    g.cells += 1
                    bodies.setdefault(key, set()).add(r.body_id)
        for key, g in groups.items():
            g.bodies = len(bodies[key])
        return sorted(groups.values(), key=lambda g: (-g.bodies, -g.cells, g.section))

    def by_question(self, qs: QuestionSet) -> dict[int, Counter[str | None]]:
        return {q["number"]: Counter(r.cells.get(q["number"], Cell()).outcome
                                     for r in qs.rows if r.replied) for q in qs.questions}

    def states(self) -> Counter[str]:
        return Counter(r.state for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign, "today": self.today, "filters": self.filters,
            "summary": {
                "items": len(self.rows), "sent": len(self.sent), "replied": len(self.replied),
                "not_replied": len(self.not_replied), "overdue": len(self.overdue),
                "late": len(self.late), "refused": len(self.refused),
                "on_time_rate": self.on_time_rate,
                "on_time_counted": len(self.judged), "on_time_note": self.on_time_note,
                "median_working_days": self.median_days, "states": dict(self.states()),
                "timeliness": dict(Counter(r.timeliness for r in self.rows)),
            },
            "exemptions": [{"section": g.section, "name": g.name, "bodies": g.bodies,
                            "times_cited": g.cells, "as_cited": dict(g.codes)}
                           for g in self.exemptions],
            "refusal_grounds": [{"section": g.section, "name": g.name, "bodies": g.bodies,
                                 "times_cited": g.cells, "as_cited": dict(g.codes)}
                                for g in self.refusal_grounds],
            "question_sets": [{
                "id": qs.id, "title": qs.title, "source": qs.source,
                "questions": qs.questions, "items": [r.item for r in qs.rows],
                "by_question": {str(n): {OUTCOME_LABELS[k]: v for k, v in c.items()}
                                for n, c in self.by_question(qs).items()},
            } for qs in self.sets],
            "rows": [{**asdict(r), "on_time": r.on_time,
                      "cells": {str(n): asdict(c) for n, c in r.cells.items()}}
                     for r in self.rows],
        }


def build(ledger: Ledger, cals: Calendars, today: dt.date, campaign: str | None = None,
          policy: Policy = DEFAULT_POLICY, *, body_id: str | None = None,
          question_set: str | None = None, sets_info: dict[str, dict[str, Any]] | None = None,
          kinds: Collection[str] | None = None) -> Report:
    """Everything a report shows, for the requests the filters choose (all by default; only
    the item `kinds` given, when given).
    A filter that names nothing in the ledger, or filters that together choose nothing, are
    an error that says so."""
    filters = {k: v for k, v in (("campaign", campaign), ("body", body_id),
                                 ("question set", question_set)) if v}
    gc.disable()  # many small objects that live as long as the command: see status.build
    try:
        with ledger.read():
            check_filters(ledger, campaign, body_id)
            items = [i for i in ledger.items(campaign=campaign, body_id=body_id)
                     if (question_set is None or i.question_set == question_set)
                     and (kinds is None or i.kind in kinds)]
            if not items:
                raise _nothing_to_report(ledger, campaign, body_id, question_set, filters)
            ids = [i.id for i in items]
            events = ledger.events(ids if len(ids) <= 500 else None, lean=True)
            answers = ledger.answers(ids if len(ids) <= 500 else None)
        rows = [_row(item, events.get(item.id, []), answers.get(item.id, {}), cals, today,
                     policy) for item in items]
    finally:
        gc.freeze()
        gc.enable()
    rows.sort(key=lambda r: (r.body.lower(), r.item))
    by_id = {i.id: i for i in items}
    return Report(campaign, today.isoformat(), rows,
                  _sets(rows, by_id, sets_info or {}), filters)


def _nothing_to_report(ledger: Ledger, campaign: str | None, body_id: str | None,
                       question_set: str | None, filters: dict[str, str]) -> Exception:
    """Why the filters chose no request: a question set nothing asked (with the close ones),
    or filters that name things the ledger has but never together, or no request at all."""
    from konpfoi.errors import NotFound, no_match

    named = ", ".join(f"{k} {v}" for k, v in filters.items())
    if question_set:
        sets = sorted({i.question_set for i in ledger.items(campaign=campaign, body_id=body_id)
                       if i.question_set})
        return no_match("question set", question_set, sets, message=f"no requests match "
                        f"{named}", among="question sets here")
    return NotFound(f"no requests match {named}" if named else
                    "the ledger holds no request to report on yet",
                    hint="draft and send some requests first" if not named else
                    "none of the ledger's requests matches them all",
                    filter="filter", value=named, suggestions=[])


def _row(item: Any, events: list[Any], answers: dict[int, dict], cals: Calendars,
         today: dt.date, policy: Policy) -> Row:
    view = derive(item.kind, events, cals, today, item_id=item.id, nation=item.nation,
                  policy=policy)
    response = next((c for c in view.clocks if c.key == "response"), None)
    cal = cals.for_regime(calendar_regime(item.kind), item.nation)
    clock = response or next((c for c in view.clocks if c.key == "chase"), None)
    replied = clock.stopped if clock is not None else None
    due = response.due if response else None
    dates_conflict = view.action == DATES
    timeliness, late = _timeliness(view, response, replied, due, cal, today, dates_conflict)
    cells = {n: Cell(a["outcome"], list(a["exemptions"]), a["answer"])
             for n, a in answers.items()}
    if not cells and replied and view.outcome in _WHOLE:
        cells = {q["number"]: Cell(view.outcome, [], None, whole=True) for q in item.questions}
    return Row(item=item.id, body_id=item.body_id, body=item.body_name, kind=item.kind,
               question_set=item.question_set, state=view.state, sent=_iso(view.sent),
               due=_iso(due), replied=_iso(replied),
               working_days=cal.count(view.sent, replied) if replied and view.sent
               and not dates_conflict else None,
               timeliness=timeliness, days_late=late, their_ref=view.their_ref, cells=cells,
               url=view.url)


def _timeliness(view: Any, response: Any, replied: dt.date | None, due: dt.date | None,
                cal: Any, today: dt.date, dates_conflict: bool) -> tuple[str, int | None]:
    if view.sent is None:
        return ("withdrawn" if view.state == "withdrawn" else "not sent"), None
    if view.state == "undelivered":
        return "undelivered", None
    if response is None:
        return "no deadline", None  # an email to an MP or a board: no statutory clock
    if replied is not None:
        if dates_conflict:
            return "dates conflict", None
        if due is not None and replied <= due:
            return "on time", 0
        return "late", cal.count(due, replied) if due else None
    if view.state in ("withdrawn", "closed"):
        return view.state, None
    if due is not None and today > due:
        return "overdue", max(1, cal.count(due, today))
    return "not yet due", None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _sets(rows: list[Row], items: dict[str, Any], info: dict[str, dict[str, Any]]
          ) -> list[QuestionSet]:
    """One table per question set (its questions by number, the most common wording wins);
    requests with no question set (emails, letters) are in none."""
    out = []
    for set_id in sorted({r.question_set for r in rows if r.question_set}):
        members = [r for r in rows if r.question_set == set_id]
        labels: dict[int, Counter[tuple[str, str]]] = {}
        for r in members[:200]:
            for q in items[r.item].questions:
                labels.setdefault(q["number"], Counter())[(q.get("label") or "", q["text"])] += 1
        questions = [{"number": n, "label": c.most_common(1)[0][0][0] or f"Q{n}",
                      "text": c.most_common(1)[0][0][1]} for n, c in sorted(labels.items())]
        meta = info.get(set_id, {})
        source = " ".join(str(meta.get("source") or "").split()).rstrip(".") or None
        out.append(QuestionSet(set_id, meta.get("title") or set_id, source, questions,
                               members))
    return out
