"""The status cache of a SQLite ledger: a separate, disposable database in the user's cache
folder, attached to the ledger's connection so that `status` orders and counts in one query
(ledger/sql/views.py) and a read-only command never writes to the ledger itself.

A row is stale when its item has a newer event, or the stamp (holidays, settings, konpfoi's
version) changed; a broken cache file is thrown away and rebuilt.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from konpfoi.errors import StorageError
from konpfoi.ledger.sql.views import VIEW_COLUMNS, VIEW_UPDATE, ViewsSql
from konpfoi.workspace.files import PRIVATE_FILE, private_dir


class SqliteViews(ViewsSql):
    _views: Path | None

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
                self._views = path
                return
            except StorageError:
                if self.db.one("SELECT 1 FROM pragma_database_list WHERE name = 'vc'"):
                    self.db.execute("DETACH DATABASE vc")
                if attempt == 2:
                    raise
                path.unlink(missing_ok=True)

    def save_views(self, rows: list[tuple[Any, ...]]) -> None:
        with self.cache_write():
            self.db.executemany(
                f"INSERT INTO vc.item_views ({', '.join(VIEW_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(VIEW_COLUMNS))}) "
                f"ON CONFLICT (item_id) DO UPDATE SET {VIEW_UPDATE}", rows)
