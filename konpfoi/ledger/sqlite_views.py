"""The status cache of a SQLite ledger: a separate, disposable database in the user's cache
folder, attached to the ledger's connection so that `status` orders and counts in one query
(ledger/sql/views.py) and a read-only command never writes to the ledger itself.

A row is stale when its item has a newer event, or the stamp (holidays, settings, konpfoi's
version) changed; a broken cache file is thrown away and rebuilt.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from konpfoi.errors import StorageError
from konpfoi.ledger.sql.items import ITEM_LEAN_I
from konpfoi.ledger.sql.views import VIEW_COLUMNS, VIEW_UPDATE, Stale, ViewsSql
from konpfoi.workspace.files import PRIVATE_FILE, private_dir


class SqliteViews(ViewsSql):
    _views: Path | None
    _fresh: tuple[Any, ...] | None = None  # the mark to save with the views refreshed

    def _views_path(self, cache_dir: Path) -> Path:
        raise NotImplementedError

    _VIEWS = "vc.item_views"

    def attach_views(self, cache_dir: Path, stamp: str) -> None:
        self._stamp = stamp
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
                    "last_event INTEGER, stamp TEXT NOT NULL, seq INTEGER NOT NULL, "
                    "due INTEGER, "
                    "state_early TEXT NOT NULL, state_late TEXT NOT NULL, "
                    "rank_early INTEGER NOT NULL, rank_late INTEGER NOT NULL, "
                    "next_early INTEGER, next_late INTEGER, owner TEXT)")
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
                    ) -> list[Stale]:
        """(id, kind, nation, latest event, seq) of each item whose cached view is missing or
        out of date.

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
        if since:  # only what changed since the mark: found by the ids alone
            sql = (f"SELECT {ITEM_LEAN_I}, (SELECT MAX(e.id) FROM events e "
                   "WHERE e.item_id = i.id) AS last, i.seq FROM items i "
                   "LEFT JOIN vc.item_views v ON v.item_id = i.id "
                   "WHERE (i.seq > ? OR i.id IN (SELECT item_id FROM events WHERE id > ?)) "
                   "AND (v.item_id IS NULL OR v.stamp <> ? OR v.last_event IS NOT last)")
            stale, damaged = self._read_stale(sql, [since[0], since[1], stamp], campaign,
                                              body_id)
        else:
            stale, damaged = self._read_stale(*self._all_stale(stamp), campaign, body_id)
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
        with self.cache_write():
            self.db.executemany(
                f"INSERT INTO vc.item_views ({', '.join(VIEW_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(VIEW_COLUMNS))}) "
                f"ON CONFLICT (item_id) DO UPDATE SET {VIEW_UPDATE}", rows)
            if self._fresh:
                self.db.execute("DELETE FROM vc.views_mark")
                self.db.execute("INSERT INTO vc.views_mark (stamp, event_id, event_uid, seq, "
                                "item_uid) VALUES (?, ?, ?, ?, ?)", self._fresh)
                self._fresh = None
