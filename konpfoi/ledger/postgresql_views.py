"""The status cache of a PostgreSQL ledger, kept in the ledger's own database, so that every
volunteer's `status` shares what any of them derived: an unlogged table with one row per item
and stamp (volunteers whose holidays or settings differ keep rows of their own), written in one
statement from arrays, and a table of stamps so that rows nobody has used for a month go.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from konpfoi.ledger.sql.views import VIEW_COLUMNS, VIEW_UPDATE, ViewsSql

_TYPES = ("text", "bigint", "text", "bigint", "bigint", "text", "text", "bigint", "bigint",
          "bigint", "bigint", "text")  # each of VIEW_COLUMNS, for unnest
_SAVE = (f"INSERT INTO item_views ({', '.join(VIEW_COLUMNS)}) "
         f"SELECT * FROM unnest({', '.join(f'?::{t}[]' for t in _TYPES)}) "
         f"ON CONFLICT (stamp, item_id) DO UPDATE SET {VIEW_UPDATE}")
_KEEP_DAYS = 31


class PostgresViews(ViewsSql):
    def _latest(self) -> str:
        return "item_last"  # kept by a trigger on events: no aggregate over every event

    def attach_views(self, cache_dir: Path, stamp: str) -> None:
        """Note that `stamp` is in use today; forget the rows of stamps not used for a month
        (another version of konpfoi, holidays since corrected)."""
        self._stamp = stamp
        today = dt.date.today()
        with self.write():
            row = self.db.one("SELECT used_at FROM view_stamps WHERE stamp = ?", (stamp,))
            if row and row[0] == today.isoformat():
                return
            self.db.execute(
                "INSERT INTO view_stamps (stamp, used_at) VALUES (?, ?) ON CONFLICT (stamp) "
                "DO UPDATE SET used_at = excluded.used_at", (stamp, today.isoformat()))
            old = (today - dt.timedelta(days=_KEEP_DAYS)).isoformat()
            self.db.execute("DELETE FROM item_views WHERE stamp IN "
                            "(SELECT stamp FROM view_stamps WHERE used_at < ?)", (old,))
            self.db.execute("DELETE FROM view_stamps WHERE used_at < ?", (old,))

    def save_views(self, rows: list[tuple[Any, ...]]) -> None:
        with self.write():
            for start in range(0, len(rows), 20_000):
                chunk = rows[start:start + 20_000]
                self.db.execute(_SAVE, [list(col) for col in zip(*chunk, strict=True)])
