"""Every message an import has seen, matched or not: a message is kept once (by its Message-ID
and a hash of its content), with what it is, what became of it and why."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from konpfoi.ledger.checks import HEX64
from konpfoi.ledger.model import damaged, now_utc
from konpfoi.ledger.sql.base import SqlBase

INBOUND_COLUMNS = ("key", "imported_at", "date", "sender", "subject", "sha256", "item_id",
                   "event_uid", "status", "candidates", "problems", "message_id", "identity",
                   "class", "reason", "changed_at")
_SELECT = f"SELECT {', '.join(INBOUND_COLUMNS)} FROM inbound"
_CHANGEABLE = frozenset({"item_id", "event_uid", "status", "candidates", "reason", "class",
                         "identity", "problems"})


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
        row = self.db.one(f"{_SELECT} WHERE key = ?", (key,))
        return _inbound_row(row) if row else None

    def inbound_seen(self, identity: str, message_id: str | None) -> list[dict[str, Any]]:
        """Messages kept with this content, and (for ledgers from before content hashes were
        kept) those with this Message-ID and no content hash yet."""
        rows = self.db.execute(f"{_SELECT} WHERE identity = ?", (identity,)).fetchall()
        if message_id:
            rows += self.db.execute(f"{_SELECT} WHERE message_id = ? AND identity IS NULL",
                                    (message_id,)).fetchall()
        return [_inbound_row(r) for r in rows]

    def add_inbound(self, rec: dict[str, Any]) -> None:
        rec = {**rec, "candidates": json.dumps(rec.get("candidates") or []),
               "problems": json.dumps(rec.get("problems") or [])}
        self.db.execute(
            f"INSERT INTO inbound ({', '.join(INBOUND_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(INBOUND_COLUMNS))})",
            tuple(rec.get(k) for k in INBOUND_COLUMNS))

    def update_inbound(self, key: str, **changes: Any) -> None:
        unknown = set(changes) - _CHANGEABLE
        if unknown:
            raise ValueError(f"inbound fields cannot be changed: {', '.join(sorted(unknown))}")
        for k in ("candidates", "problems"):
            if k in changes:
                changes[k] = json.dumps(changes[k] or [])
        names = sorted(changes)
        self.db.execute(
            f"UPDATE inbound SET {', '.join(f'{n} = ?' for n in names)}, changed_at = ? "
            "WHERE key = ?", (*(changes[n] for n in names), now_utc(), key))

    def find_inbound(self, handle: str) -> list[dict[str, Any]]:
        handle = handle.strip()
        rows = self.db.execute(f"{_SELECT} WHERE key = ? OR message_id = ?",
                               (handle, handle)).fetchall()
        if not rows and re.fullmatch(r"[0-9a-fA-F]{4,64}", handle):
            rows = self.db.execute(f"{_SELECT} WHERE identity LIKE ?",
                                   (handle.lower() + "%",)).fetchall()
        return [_inbound_row(r) for r in rows]

    def inbound_list(self, status: str | None = None) -> list[dict[str, Any]]:
        rows = self.db.execute(_SELECT + (" WHERE status = ?" if status else "") +
                               " ORDER BY imported_at, key", (status,) if status else ())
        return [rec for rec in map(_inbound_row, rows) if _readable(rec)]
