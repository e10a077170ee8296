"""The site's downloads: every request as CSV and JSON (the report's own formats), the FDP
register as CSV, and all of it as one SQLite file ready for Datasette."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from konpfoi.directory.lookup import Directory
from konpfoi.ledger.sqlite import write_tables
from konpfoi.report import formats
from konpfoi.report.campaign import OUTCOME_LABELS, Report
from konpfoi.tracking import register

FILES = {
    "data/requests.csv": "Every request: body, dates, timeliness and each coded answer (CSV)",
    "data/report.json": "The whole report, with the figures and every answer (JSON)",
    "data/fdp-register.csv": "The FDP register: each claim with its source and the day it "
                             "was checked (CSV)",
    "data/konpfoi.sqlite": "All of it as one SQLite database, ready for Datasette",
}


def register_rows(known: Mapping[str, register.BodyFacts], directory: Directory
                  ) -> list[tuple[Any, ...]]:
    """One row per claim that stands: body, its region, fact, value, source, checked."""
    rows = []
    for body_id in sorted(known):
        b = directory.bodies.get(body_id)
        for key, s in known[body_id].keys.items():
            for c in s.claims:
                rows.append((c.uid, body_id, b.name if b else body_id, b.region if b else None,
                             key, c.value, "yes" if s.conflict else "", c.source, c.checked))
    return rows


REGISTER_COLUMNS = ("claim", "body_id", "body", "region", "fact", "value", "in_conflict",
                    "source", "checked")


def downloads(r: Report, known: Mapping[str, register.BodyFacts], directory: Directory
              ) -> dict[str, bytes]:
    facts = register_rows(known, directory)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(REGISTER_COLUMNS)
    w.writerows(facts)
    return {
        "data/requests.csv": formats.to_csv(r).encode("utf-8"),
        "data/report.json": formats.to_json(r).encode("utf-8"),
        "data/fdp-register.csv": buf.getvalue().encode("utf-8"),
        "data/konpfoi.sqlite": _sqlite(r, facts),
    }


def _sqlite(r: Report, facts: Sequence[tuple[Any, ...]]) -> bytes:
    requests = [(x.item, x.body_id, x.body, x.question_set, x.state, x.sent, x.due, x.replied,
                 x.working_days, x.timeliness, x.days_late, x.their_ref) for x in r.rows]
    answers = [(f"{x.item}-q{n}", x.item, x.body_id, x.body, x.question_set, n,
                OUTCOME_LABELS[c.outcome], ", ".join(c.exemptions), c.answer,
                "yes" if c.whole else "")
               for x in r.rows for n, c in sorted(x.cells.items())]
    questions = [(f"{qs.id}-q{q['number']}", qs.id, q["number"], q["label"], q["text"],
                  qs.source) for qs in r.sets for q in qs.questions]
    tables: dict[str, tuple[Sequence[str], Sequence[Sequence[Any]]]] = {
        "requests": (("item", "body_id", "body", "question_set", "state", "sent", "due",
                      "replied", "working_days", "timeliness", "days_late", "their_ref"),
                     requests),
        "answers": (("id", "item", "body_id", "body", "question_set", "question", "outcome",
                     "exemptions", "answer", "whole_reply"), answers),
        "questions": (("id", "question_set", "number", "label", "text", "source"), questions),
        "fdp_register": (REGISTER_COLUMNS, list(facts)),
    }
    with tempfile.TemporaryDirectory(prefix="konpfoi-site-") as tmp:
        path = Path(tmp) / "konpfoi.sqlite"
        write_tables(path, tables)
        return path.read_bytes()
