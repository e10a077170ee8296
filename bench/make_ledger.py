"""Generate a synthetic ledger of N items with realistic event histories (for benchmarks)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from pathlib import Path

from konpfoi.ledger.backends import open_ledger
from konpfoi.ledger.model import Item, format_item_id, new_uid

BODIES = [(f"icb:Q{n:02d}", f"NHS Test {n} Integrated Care Board") for n in range(36)] + \
    [(f"trust:R{n:03d}", f"Test {n} NHS Foundation Trust") for n in range(200)]
QUESTIONS = json.dumps([{"number": i, "label": f"Q{i}", "text": "Please provide ..."}
                        for i in range(1, 8)])


def history(rng: random.Random, sent: dt.date) -> list[tuple[str, dt.date, dict]]:
    """A plausible run of events after sending."""
    out: list[tuple[str, dt.date, dict]] = [("sent", sent, {"via": "own mail client"})]
    day = sent
    roll = rng.random()
    if roll < 0.3:
        return out
    day += dt.timedelta(days=rng.randint(1, 5))
    out.append(("acknowledged", day, {"their_ref": f"FOI-{rng.randint(1000, 9999)}"}))
    if roll < 0.4:
        out.append(("clarification-requested", day + dt.timedelta(days=3), {}))
        out.append(("clarification-sent", day + dt.timedelta(days=6), {}))
    if roll < 0.5:
        out.append(("extension-claimed", day + dt.timedelta(days=15), {}))
        return out
    day += dt.timedelta(days=rng.randint(10, 40))
    outcome = rng.choice(["answered", "partly-answered", "refused", "not-held"])
    out.append(("reply", day, {"outcome": outcome}))
    if roll > 0.8 and outcome != "answered":
        out.append(("review-requested", day + dt.timedelta(days=7), {}))
        if roll > 0.9:
            out.append(("review-outcome", day + dt.timedelta(days=30), {"outcome": "refused"}))
    if roll > 0.95:
        out.append(("closed", day + dt.timedelta(days=40), {}))
    return out


def generate(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with open_ledger(path) as ledger, ledger.write():
        for seq in range(1, n + 1):
            item_id = format_item_id(seq)
            body_id, body_name = rng.choice(BODIES)
            kind = rng.choices(["foi", "foisa", "eir", "email"], [80, 5, 5, 10])[0]
            ledger.add_item(Item(
                id=item_id, uid=new_uid(), kind=kind, body_id=body_id, body_name=body_name,
                subject=f"Freedom of Information request [{item_id}]",
                created_at="2026-01-01T00:00:00+00:00", campaign=f"camp-{seq % 7}",
                body_email="foi@example.nhs.uk", nation="england", sender_name="Bench",
                sender_email="bench@example.org", template="foi-request",
                question_set="palantir-fdp", questions_json=QUESTIONS,
                draft_path=f"drafts/{item_id}.eml", content_hash="0" * 64,
                message_id=f"<{seq}@example.org>",
            ))
            drafted = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(690))
            ledger.add_event(item_id, "drafted", drafted.isoformat())
            if rng.random() < 0.1:
                continue
            for kind_, day, data in history(rng, drafted + dt.timedelta(days=rng.randint(0, 3))):
                ledger.add_event(item_id, kind_, day.isoformat(), data=data)


def copy_to_postgres(source: Path, url: str) -> None:
    """The rows of a generated SQLite ledger into a new PostgreSQL ledger, by COPY: as a
    group's ledger would be after years of use (konpfoi ledger copy takes a row at a time)."""
    import sqlite3

    import psycopg

    open_ledger(url).close()  # the schema
    lite = sqlite3.connect(source)
    with psycopg.connect(url) as pg:
        for table in ("volunteers", "items", "events"):
            cols = [r[1] for r in lite.execute(f"PRAGMA table_info({table})")]
            with pg.cursor().copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in lite.execute(f"SELECT {', '.join(cols)} FROM {table}"):
                    copy.write_row(row)
        pg.execute("DELETE FROM counters")
        for name, value in lite.execute("SELECT name, value FROM counters"):
            pg.execute("INSERT INTO counters (name, value) VALUES (%s, %s)", (name, value))
        pg.execute("SELECT setval(pg_get_serial_sequence('events', 'id'), MAX(id)) FROM events")
    lite.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("n", type=int)
    args = parser.parse_args()
    generate(args.path, args.n)


if __name__ == "__main__":
    main()
