"""The status cache orders, filters and counts exactly as the lifecycle's pure functions say."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path

import pytest

from konpfoi.law import bank_holidays
from konpfoi.law.regimes import Policy
from konpfoi.law.workdays import Calendars
from konpfoi.ledger.backends import open_ledger
from konpfoi.ledger.model import Item, format_item_id, new_uid
from konpfoi.tracking import status

KINDS = ["foi", "foi", "foi", "eir", "foisa", "sar", "email"]
STEPS = ["acknowledged", "clarification-requested", "clarification-sent", "fee-notice",
         "fee-paid", "extension-claimed", "reply", "review-requested", "review-outcome",
         "complaint-filed", "closed", "reopened", "withdrawn", "note", "sent"]


def _cals() -> Calendars:
    table = bank_holidays.HolidayTable()
    bank_holidays.add_package(table, 2020, 2035, 2027)
    return Calendars(table)


def _random_ledger(path: Path | str, n: int, seed: int) -> None:
    rng = random.Random(seed)
    with open_ledger(path) as ledger, ledger.write():
        for seq in range(1, n + 1):
            item_id = format_item_id(seq)
            ledger.add_item(Item(item_id, new_uid(), rng.choice(KINDS), "icb:QKK", "X",
                                 "s", "2026-01-01", campaign=rng.choice(["a", "b"]),
                                 nation=rng.choice(["england", "scotland"])))
            day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(200))
            ledger.add_event(item_id, "drafted", day.isoformat())
            if rng.random() < 0.15:
                if rng.random() < 0.5:
                    ledger.add_event(item_id, "send-attempt", day.isoformat())
                continue
            ledger.add_event(item_id, "sent", day.isoformat())
            for _ in range(rng.randrange(5)):
                day += dt.timedelta(days=rng.randrange(1, 25))
                kind = rng.choice(STEPS)
                data = {}
                if kind in ("reply", "review-outcome"):
                    data["outcome"] = rng.choice(["answered", "partly-answered", "refused",
                                                  "not-held"])
                if kind == "extension-claimed" and rng.random() < 0.5:
                    data["until"] = (day + dt.timedelta(days=30)).isoformat()
                ledger.add_event(item_id, kind, day.isoformat(), data=data)


def _key(row: status.Row, today: dt.date) -> tuple:
    v = row.view
    rank = 0 if v.overdue else (1 if v.is_open else 2)
    nxt = v.next_date or today
    return (rank, nxt, v.due is None, v.due or dt.date.min, row.item.id)


@pytest.mark.backends()
@pytest.mark.parametrize("seed", [1, 2])
def test_cache_matches_the_pure_functions_on_any_day(tmp_path: Path, seed: int,
                                                     ledger_url: str) -> None:
    db = ledger_url
    _random_ledger(db, 400, seed)
    cals = _cals()
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=d) for d in range(0, 420, 7)]
    days += [dt.date(2026, 4, 4), dt.date(2026, 4, 5), dt.date(2026, 12, 26)]  # weekends
    with open_ledger(db) as ledger:
        for today in days:
            report = status.build(ledger, cals, today, cache_dir=tmp_path / "cache",
                                  include_closed=True)
            assert report.matched == len(report.rows) == 400
            assert report.counts == Counter(r.view.state for r in report.rows), today
            keys = [_key(r, today) for r in report.rows]
            assert keys == sorted(keys), today
            overdue = status.build(ledger, cals, today, cache_dir=tmp_path / "cache",
                                   overdue=True)
            assert {r.item.id for r in overdue.rows} == \
                {r.item.id for r in report.rows if r.view.overdue}, today
            open_ = status.build(ledger, cals, today, cache_dir=tmp_path / "cache")
            assert {r.item.id for r in open_.rows} == \
                {r.item.id for r in report.rows if r.view.is_open}, today


@pytest.mark.backends()
def test_a_first_run_over_many_items_agrees_with_the_pure_functions(tmp_path: Path,
                                                                    ledger_url: str) -> None:
    db = ledger_url
    _random_ledger(db, 700, 4)  # more than 500 stale items: their events are read item by item
    cals = _cals()
    with open_ledger(db) as ledger:
        for today in (dt.date(2026, 3, 2), dt.date(2026, 7, 4), dt.date(2027, 1, 11)):
            report = status.build(ledger, cals, today, cache_dir=tmp_path / f"c{today}",
                                  include_closed=True)
            assert report.matched == len(report.rows) == 700
            assert report.counts == Counter(r.view.state for r in report.rows), today
            keys = [_key(r, today) for r in report.rows]
            assert keys == sorted(keys), today


@pytest.mark.backends()
def test_cache_follows_new_events_and_setting_changes(tmp_path: Path, ledger_url: str) -> None:
    db = ledger_url
    _random_ledger(db, 5, 3)
    cals = _cals()
    today = dt.date(2026, 11, 23)
    with open_ledger(db) as ledger:
        before = status.build(ledger, cals, today, cache_dir=tmp_path, include_closed=True)
        item = before.rows[0].item.id
        with ledger.write():
            ledger.add_event(item, "withdrawn", "2026-11-20")
        after = status.build(ledger, cals, today, cache_dir=tmp_path, include_closed=True)
        assert {r.item.id: r.view.state for r in after.rows}[item] == "withdrawn"
        assert after.counts["withdrawn"] == before.counts.get("withdrawn", 0) + 1
        # a different chase setting is a different stamp: everything is derived again
        again = status.build(ledger, cals, today, cache_dir=tmp_path, include_closed=True,
                             policy=Policy(chase_days=1))
        assert again.counts == Counter(r.view.state for r in again.rows)


def test_cache_lives_outside_the_ledger_and_is_private(tmp_path: Path, run, me: Path) -> None:
    run("draft", "--to", "icb:QKK", "-q", "palantir-fdp")
    run("status")
    caches = list((tmp_path / "cache").glob("status-*.db"))
    assert len(caches) == 1
    assert caches[0].stat().st_mode & 0o077 == 0
    caches[0].write_bytes(b"garbage")  # a broken cache is rebuilt, never an error
    assert "K-0001" in run("status").stdout


def test_after_a_change_only_what_changed_is_derived_again(tmp_path: Path) -> None:
    db = tmp_path / "konpfoi.db"
    _random_ledger(db, 30, 5)
    cals, today, cache = _cals(), dt.date(2026, 11, 23), tmp_path / "cache"
    stamp = status._stamp(cals, status.DEFAULT_POLICY)
    with open_ledger(db) as ledger:
        status.build(ledger, cals, today, cache_dir=cache)
        assert ledger.stale_views(stamp, None, None) == []  # nothing changed: nothing to read
        with ledger.write():
            ledger.add_event("K-0007", "withdrawn", "2026-11-20")
            ledger.add_item(Item("K-0031", new_uid(), "foi", "icb:QKK", "X", "s", "2026-01-01"))
        assert sorted(s[0] for s in ledger.stale_views(stamp, None, None)) == ["K-0007",
                                                                               "K-0031"]
        report = status.build(ledger, cals, today, cache_dir=cache, include_closed=True)
        states = {r.item.id: r.view.state for r in report.rows}
        assert states["K-0007"] == "withdrawn" and states["K-0031"] == "drafted"
        assert report.counts == Counter(states.values())


def test_a_ledger_restored_from_an_older_copy_is_compared_item_by_item(tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "konpfoi.db"
    _random_ledger(db, 20, 6)
    cals, today, cache = _cals(), dt.date(2026, 11, 23), tmp_path / "cache"
    with open_ledger(db) as ledger:
        ledger.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(db, tmp_path / "backup.db")
    with open_ledger(db) as ledger:
        with ledger.write():  # the newest event now: the cache's mark names it
            ledger.add_event("K-0003", "closed", "2026-11-20")
        status.build(ledger, cals, today, cache_dir=cache, include_closed=True)
    shutil.copy(tmp_path / "backup.db", db)  # the copy from before it...
    with open_ledger(db) as ledger:
        with ledger.write():  # ...gets another event with the same id
            ledger.add_event("K-0004", "withdrawn", "2026-11-20")
        report = status.build(ledger, cals, today, cache_dir=cache, include_closed=True)
    states = {r.item.id: r.view.state for r in report.rows}
    assert states["K-0004"] == "withdrawn" and states["K-0003"] != "closed"
    assert report.counts == Counter(states.values())
