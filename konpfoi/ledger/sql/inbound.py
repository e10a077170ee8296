"""Every message an import has seen, matched or not, so that a message is recorded once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from konpfoi.ledger.checks import HEX64
from konpfoi.ledger.model import damaged
from konpfoi.ledger.sql.base import SqlBase

INBOUND_COLUMNS = ("key", "imported_at", "date", "sender", "subject", "sha256", "item_id",
                   "event_uid", "status", "candidates", "problems")


def _inbound_row(row: Sequence[Any]) -> dict[str, Any]:
    rec = dict(zip(INBOUND_COLUMNS, row, strict=True))
    for key in ("candidates", "problems"):
        try:
            rec[key] = json.loads(rec[key] or "[]")
        except (TypeError, ValueError, RecursionError):
            rec[key] = None
        if not isinstance(rec[key], list):
            damaged(f"inbound message {str(rec['key'])[:60]!r}", f"its {key} are not a list")
            rec[key] = []
    return rec


def _readable(rec: dict[str, Any]) -> bool:
    """Whether an inbound row can be listed (its stored file is found by its SHA-256)."""
    if isinstance(rec["key"], str) and isinstance(rec["sha256"], str) \
            and HEX64.fullmatch(rec["sha256"]):
        return True
    damaged(f"inbound message {str(rec['key'])[:60]!r}", "its key or SHA-256 is not right")
    return False


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
        return [rec for rec in map(_inbound_row, rows) if _readable(rec)]
