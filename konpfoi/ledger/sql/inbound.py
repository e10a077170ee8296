"""Every message an import has seen, matched or not, so that a message is recorded once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from konpfoi.ledger.sql.base import SqlBase

INBOUND_COLUMNS = ("key", "imported_at", "date", "sender", "subject", "sha256", "item_id",
                   "event_uid", "status", "candidates", "problems")


def _inbound_row(row: Sequence[Any]) -> dict[str, Any]:
    rec = dict(zip(INBOUND_COLUMNS, row, strict=True))
    rec["candidates"] = json.loads(rec["candidates"] or "[]")
    rec["problems"] = json.loads(rec["problems"] or "[]")
    return rec


class InboundSql(SqlBase):
    def inbound(self, key: str) -> dict[str, Any] | None:
        row = self.db.one(f"SELECT {', '.join(INBOUND_COLUMNS)} FROM inbound WHERE key = ?",
                          (key,))
        return _inbound_row(row) if row else None

    def add_inbound(self, rec: dict[str, Any]) -> None:
        rec = {**rec, "candidates": json.dumps(rec.get("candidates") or []),
               "problems": json.dumps(rec.get("problems") or [])}
        self.db.execute(
            f"INSERT INTO inbound ({', '.join(INBOUND_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(INBOUND_COLUMNS))})",
            tuple(rec.get(k) for k in INBOUND_COLUMNS))

    def match_inbound(self, key: str, item_id: str, event_uid: str) -> None:
        self.db.execute("UPDATE inbound SET item_id = ?, event_uid = ?, status = 'matched' "
                        "WHERE key = ?", (item_id, event_uid, key))

    def inbound_list(self, status: str | None = None) -> list[dict[str, Any]]:
        sql = f"SELECT {', '.join(INBOUND_COLUMNS)} FROM inbound"
        rows = self.db.execute(sql + (" WHERE status = ?" if status else "") + " ORDER BY "
                               "imported_at, key", (status,) if status else ())
        return [_inbound_row(r) for r in rows]
