"""Items, their ids, and the blobs that hold drafted messages and received files."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from konpfoi.errors import NotFound, StorageError
from konpfoi.ledger.checks import item_row_problem
from konpfoi.ledger.model import Item, damaged, format_item_id
from konpfoi.ledger.sql.base import SqlBase

ITEM_COLUMNS = ("id", "uid", "kind", "campaign", "body_id", "body_name", "body_email", "nation",
                "sender_name", "sender_email", "subject", "template", "question_set",
                "questions", "draft_path", "content_hash", "message_id", "created_at",
                "message_sha256")
ITEM_FIELDS = tuple("questions_json" if c == "questions" else c for c in ITEM_COLUMNS)
# The same columns in the order of Item's fields, so that a row builds an Item positionally.
ITEM_SELECT = ", ".join(
    "questions" if f == "questions_json" else f for f in Item.__dataclass_fields__)
# Lean reads for status and reports over large ledgers: an item's first ten fields (to its
# nation; the rest keep their defaults).
ITEM_LEAN = ", ".join(ITEM_SELECT.split(", ")[:10])
ITEM_SELECT_I = ", ".join(f"i.{c}" for c in ITEM_SELECT.split(", "))
ITEM_LEAN_I = ", ".join(f"i.{c}" for c in ITEM_LEAN.split(", "))

# One statement allocates: the row lock (or SQLite's write lock) makes it atomic.
_BUMP = ("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET "
         "value = counters.value + excluded.value RETURNING value")
# An item added with an id of its own (an import) moves its prefix's counter past it.
_RAISE = ("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET "
          "value = CASE WHEN excluded.value > counters.value THEN excluded.value "
          "ELSE counters.value END")


def read_items(rows: Iterable[Sequence[Any]]) -> list[Item]:
    """Items from rows in Item's field order; a damaged row is reported and left out."""
    out = []
    for r in rows:
        why = item_row_problem(r)
        if why:
            damaged(f"item {str(r[0])[:20]}", why)
            continue
        out.append(Item(*r))
    return out


def item_filters(campaign: str | None, body_id: str | None) -> tuple[list[str], list[str]]:
    where, args = [], []
    if campaign is not None:
        where.append("campaign = ?")
        args.append(campaign)
    if body_id is not None:
        where.append("body_id = ?")
        args.append(body_id)
    return where, args


class ItemsSql(SqlBase):
    def allocate_ids(self, n: int, prefix: str = "K") -> list[str]:
        top = int(self.db.one(_BUMP, (f"id:{prefix}", n))[0])
        return [format_item_id(k, prefix) for k in range(top - n + 1, top + 1)]

    def add_item(self, item: Item) -> Item:
        seq = int(self.db.one(_BUMP, ("seq", 1))[0])
        prefix, _, number = item.id.rpartition("-")
        if prefix and number.isdigit():
            self.db.execute(_RAISE, (f"id:{prefix}", int(number)))
        values = tuple(getattr(item, f) for f in ITEM_FIELDS)
        self.db.execute(
            f"INSERT INTO items (seq, {', '.join(ITEM_COLUMNS)}) "
            f"VALUES (?, {', '.join('?' * len(ITEM_COLUMNS))})", (seq, *values))
        return item

    def item(self, item_id: str) -> Item:
        row = self.db.one(f"SELECT {ITEM_SELECT} FROM items WHERE id = ?", (item_id.upper(),))
        if row is None:
            ids = [r[0] for r in self.db.execute("SELECT id FROM items ORDER BY seq")]
            close = difflib.get_close_matches(item_id.upper(), ids, n=3, cutoff=0.6)
            raise NotFound(
                f"no item {item_id!r} in the ledger",
                hint=("did you mean " + ", ".join(close) + "?") if close
                else "list items with: konpfoi status --all",
                suggestions=close,
            )
        why = item_row_problem(row)
        if why:
            raise StorageError(f"the ledger's item {item_id.upper()} is damaged ({why})",
                               hint="restore it from an export, or ask for help")
        return Item(*row)

    def items(self, campaign: str | None = None, body_id: str | None = None,
              ids: Sequence[str] | None = None, lean: bool = False) -> list[Item]:
        sql = f"SELECT {ITEM_LEAN if lean else ITEM_SELECT} FROM items"
        where, args = item_filters(campaign, body_id)
        if where:
            sql += " WHERE " + " AND ".join(where)
        items = read_items(self.db.execute(sql + " ORDER BY seq", args))
        if ids is not None:
            wanted = set(ids)
            items = [i for i in items if i.id in wanted]
        return items

    def claimed(self, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = list(keys[start:start + 500])
            rows = self.db.execute("SELECT key FROM batch_claims WHERE key IN "
                                   f"({', '.join('?' * len(chunk))})", chunk)
            found.update(r[0] for r in rows)
        return found

    def claim(self, key: str, item_id: str) -> None:
        self.db.execute("INSERT INTO batch_claims (key, item_id) VALUES (?, ?)",
                        (key, item_id))

    def body_counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT body_id, COUNT(*) FROM items GROUP BY body_id")
        return {body_id: n for body_id, n in rows}

    def campaigns(self) -> list[str]:
        rows = self.db.execute(
            "SELECT DISTINCT campaign FROM items WHERE campaign IS NOT NULL ORDER BY campaign")
        return [r[0] for r in rows if isinstance(r[0], str)]  # (a damaged row's is not text)

    # -- blobs -----------------------------------------------------------------------------

    def put_blob(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        self.db.execute("INSERT INTO blobs (sha256, size, content) VALUES (?, ?, ?) "
                        "ON CONFLICT (sha256) DO NOTHING", (digest, len(content), content))
        return digest

    def blob(self, sha256: str) -> bytes:
        row = self.db.one("SELECT content FROM blobs WHERE sha256 = ?", (sha256,))
        if row is None:
            raise NotFound(f"the ledger holds no content {sha256[:12]}",
                           hint="import the export it came from, or draft it again")
        if not isinstance(row[0], (bytes, bytearray, memoryview)):
            damaged(f"content {sha256[:12]}", "it is not bytes")
            raise NotFound(f"the ledger's content {sha256[:12]} is damaged",
                           hint="import the export it came from, or draft it again")
        return bytes(row[0])

    def _blob_rows(self) -> Any:
        return self.db.execute("SELECT sha256, size, content FROM blobs ORDER BY sha256")
