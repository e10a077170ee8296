"""The status cache of a SQLite ledger: a separate, disposable database in the user's cache
folder, attached to the ledger's connection so that `status` orders and counts in one query.

A row is stale when its item has a newer event, or the stamp (holidays, settings, konpfoi's
version) changed; a broken cache file is thrown away and rebuilt.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from konpfoi.errors import StorageError
from konpfoi.ledger.checks import item_row_problem
from konpfoi.ledger.model import Item
from konpfoi.ledger.sql.base import SqlBase
from konpfoi.ledger.sql.items import ITEM_LEAN_I, ITEM_SELECT_I, item_filters, read_items
from konpfoi.workspace.files import PRIVATE_FILE, private_dir

_LATE = "(v.due IS NOT NULL AND v.due < ?)"
_STATE = f"CASE WHEN {_LATE} THEN v.state_late ELSE v.state_early END"
_RANK = f"CASE WHEN {_LATE} THEN v.rank_late ELSE v.rank_early END"
_NEXT = f"COALESCE(CASE WHEN {_LATE} THEN v.next_late ELSE v.next_early END, ?)"


class SqliteViews(SqlBase):
    _views: Path | None
    _fresh: tuple[Any, ...] | None = None  # the mark to save with the views refreshed

    def _views_path(self, cache_dir: Path) -> Path:
        raise NotImplementedError

    def attach_views(self, cache_dir: Path) -> None:
        path = self._views_path(private_dir(cache_dir))
        if self._views == path:
            return
        for attempt in (1, 2):
            if not path.exists():
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
            try:
                self.db.execute("ATTACH DATABASE ? AS vc", (str(path),))
                self.db.execute(
                    "CREATE TABLE IF NOT EXISTS vc.item_views (item_id TEXT PRIMARY KEY, "
                    "last_event INTEGER, stamp TEXT NOT NULL, due INTEGER, "
                    "state_early TEXT NOT NULL, state_late TEXT NOT NULL, "
                    "rank_early INTEGER NOT NULL, rank_late INTEGER NOT NULL, "
                    "next_early INTEGER, next_late INTEGER)")
                self.db.execute("CREATE TABLE IF NOT EXISTS vc.views_mark (stamp TEXT NOT NULL, "
                                "event_id INTEGER, event_uid TEXT, seq INTEGER, item_uid TEXT)")
                self._views = path
                return
            except StorageError:
                if self.db.one("SELECT 1 FROM pragma_database_list WHERE name = 'vc'"):
                    self.db.execute("DETACH DATABASE vc")
                if attempt == 2:
                    raise
                path.unlink(missing_ok=True)

    def stale_views(self, stamp: str, campaign: str | None, body_id: str | None
                    ) -> list[tuple[str, str, str | None, int | None]]:
        """(id, kind, nation, latest event) of each item whose cached view is missing or out
        of date.

        A ledger only ever grows, and on SQLite ids are given under the one write lock, in
        the order transactions commit: so the newest event and item when every view was last
        saved (the cache's mark) say what changed since. Nothing, when nothing did; else only
        the items with a newer event, or newer themselves. Without a mark that still fits
        this ledger (another stamp, a restored older copy, a damaged row), every item is
        compared with its view."""
        newest = self._newest()  # before reading: what changes after is seen next time
        whole = campaign is None and body_id is None
        saved = self.db.one("SELECT stamp, event_id, event_uid, seq, item_uid "
                            "FROM vc.views_mark")
        since = None
        if saved and saved[0] == stamp and self._fits(saved[1:]):
            if tuple(saved[1:]) == newest and whole:
                return []
            since = (saved[3] or 0, saved[1] or 0)
        where, filter_args = item_filters(campaign, body_id)
        args: list[Any]
        if since:  # only what changed since the mark: found by the ids alone
            sql = (f"SELECT {ITEM_LEAN_I}, (SELECT MAX(e.id) FROM events e "
                   "WHERE e.item_id = i.id) AS last FROM items i "
                   "LEFT JOIN vc.item_views v ON v.item_id = i.id "
                   "WHERE (i.seq > ? OR i.id IN (SELECT item_id FROM events WHERE id > ?)) "
                   "AND (v.item_id IS NULL OR v.stamp <> ? OR v.last_event IS NOT last)")
            args = [since[0], since[1], stamp, *filter_args]
        else:
            sql = (f"SELECT {ITEM_LEAN_I}, m.last FROM items i LEFT JOIN "
                   "(SELECT item_id, MAX(id) AS last FROM events GROUP BY item_id) m "
                   "ON m.item_id = i.id LEFT JOIN vc.item_views v ON v.item_id = i.id "
                   "WHERE (v.item_id IS NULL OR v.stamp <> ? OR v.last_event IS NOT m.last)")
            args = [stamp, *filter_args]
        stale, damaged = [], False
        for r in self.db.execute(sql + "".join(f" AND i.{w}" for w in where), args):
            if item_row_problem(r):
                read_items([r[:10]])  # reported and left out: and looked at again next time
                damaged = True
                continue
            stale.append((r[0], r[2], r[9], r[10]))
        self._fresh = (stamp, *newest) if whole and not damaged else None
        if not stale and self._fresh:
            self.save_views([])
        return stale

    def _newest(self) -> tuple[Any, ...]:
        """The newest event and item: (event id, its uid, item seq, its uid)."""
        event = self.db.one("SELECT id, uid FROM events ORDER BY id DESC LIMIT 1")
        item = self.db.one("SELECT seq, uid FROM items ORDER BY seq DESC LIMIT 1")
        return (*(event or (None, None)), *(item or (None, None)))

    def _fits(self, mark: Sequence[Any]) -> bool:
        """Whether the event and item a mark names are still in the ledger, with their uids
        (a copy of the ledger restored from before them would have others, or none)."""
        event_id, event_uid, seq, item_uid = mark
        return (event_id is None or self.db.one("SELECT uid FROM events WHERE id = ?",
                                                (event_id,)) == (event_uid,)) and \
            (seq is None or self.db.one("SELECT uid FROM items WHERE seq = ?",
                                        (seq,)) == (item_uid,))

    def save_views(self, rows: list[tuple[Any, ...]]) -> None:
        """Save views; once every stale one is saved, mark the cache up to date."""
        with self.write():
            self.db.executemany(
                "INSERT INTO vc.item_views (item_id, last_event, stamp, due, state_early, "
                "state_late, rank_early, rank_late, next_early, next_late) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_id) DO UPDATE SET "
                "last_event = excluded.last_event, stamp = excluded.stamp, due = excluded.due, "
                "state_early = excluded.state_early, state_late = excluded.state_late, "
                "rank_early = excluded.rank_early, rank_late = excluded.rank_late, "
                "next_early = excluded.next_early, next_late = excluded.next_late", rows)
            if self._fresh:
                self.db.execute("DELETE FROM vc.views_mark")
                self.db.execute("INSERT INTO vc.views_mark (stamp, event_id, event_uid, seq, "
                                "item_uid) VALUES (?, ?, ?, ?, ?)", self._fresh)
                self._fresh = None

    def view_page(self, today: int, *, campaign: str | None, body_id: str | None,
                  states: Sequence[str] | None, open_only: bool, due_by: int | None,
                  limit: int | None) -> tuple[list[Item], int]:
        """Items in order of urgency (overdue first, then by the date of their next action,
        then by due date), and how many match in all."""
        where, args = item_filters(campaign, body_id)
        conds = [f"i.{w}" for w in where]
        params: list[Any] = list(args)
        if states:
            conds.append(f"{_STATE} IN ({', '.join('?' * len(states))})")
            params += [today, *states]
        if open_only:
            conds.append(f"{_RANK} < 2")
            params.append(today)
        if due_by is not None:
            conds.append("v.due IS NOT NULL AND v.due BETWEEN ? AND ?")
            params += [today, due_by]
        base = ("FROM items i JOIN vc.item_views v ON v.item_id = i.id"
                + (" WHERE " + " AND ".join(conds) if conds else ""))
        total = int(self.db.one(f"SELECT COUNT(*) {base}", params)[0])
        sql = (f"SELECT {ITEM_SELECT_I} {base} ORDER BY {_RANK}, {_NEXT}, "
               "v.due IS NULL, v.due, i.seq")
        order = [today, today, today]
        if limit is not None:
            sql += " LIMIT ?"
            order.append(limit)
        return read_items(self.db.execute(sql, [*params, *order])), total

    def view_counts(self, today: int, campaign: str | None, body_id: str | None
                    ) -> dict[str, int]:
        where, args = item_filters(campaign, body_id)
        conds = [f"i.{w}" for w in where]
        rows = self.db.execute(
            f"SELECT {_STATE}, COUNT(*) FROM items i JOIN vc.item_views v "
            "ON v.item_id = i.id" + (" WHERE " + " AND ".join(conds) if conds else "")
            + f" GROUP BY {_STATE}", [today, *args, today])
        return {state: n for state, n in rows}
