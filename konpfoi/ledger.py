"""The ledger: items and append-only events in SQLite. All of konpfoi's SQL lives here.

The SQL is kept portable (standard types, ON CONFLICT, no SQLite-only functions in queries) so a
PostgreSQL backend can follow; only `_connect` and the PRAGMAs are SQLite's own.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from konpfoi.errors import Conflict, InvalidInput, NotFound, StorageError
from konpfoi.records import Event, Item
from konpfoi.workspace.files import PRIVATE_FILE

APP_ID = "konpfoi-ledger"
_SQLITE_MAGIC = b"SQLite format 3\x00"

# Named, ordered migrations; a ledger records which it has applied. Never edit one that shipped.
MIGRATIONS: list[tuple[str, tuple[str, ...]]] = [
    ("m001_initial", (
        """CREATE TABLE konpfoi_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
        """CREATE TABLE items (
            id TEXT PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            seq INTEGER NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            campaign TEXT,
            body_id TEXT NOT NULL,
            body_name TEXT NOT NULL,
            body_email TEXT,
            nation TEXT,
            sender_name TEXT,
            sender_email TEXT,
            subject TEXT NOT NULL,
            template TEXT,
            question_set TEXT,
            questions TEXT NOT NULL,
            draft_path TEXT,
            content_hash TEXT,
            message_id TEXT,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX items_campaign ON items (campaign)",
        "CREATE INDEX items_body ON items (body_id)",
        "CREATE INDEX items_message_id ON items (message_id)",
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            item_id TEXT NOT NULL REFERENCES items (id),
            kind TEXT NOT NULL,
            date TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            note TEXT,
            data TEXT,
            voids TEXT REFERENCES events (uid))""",
        "CREATE INDEX events_item ON events (item_id)",
        """CREATE TABLE attachments (
            id INTEGER PRIMARY KEY,
            event_uid TEXT NOT NULL REFERENCES events (uid),
            sha256 TEXT NOT NULL,
            name TEXT NOT NULL,
            original_name TEXT,
            size INTEGER NOT NULL,
            content_type TEXT)""",
        "CREATE INDEX attachments_event ON attachments (event_uid)",
        """CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            event_uid TEXT NOT NULL REFERENCES events (uid),
            item_id TEXT NOT NULL REFERENCES items (id),
            question INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            exemptions TEXT NOT NULL,
            answer TEXT)""",
        "CREATE INDEX answers_item ON answers (item_id)",
        """CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)""",
    )),
    ("m002_inbound", (
        # Every message `replies import` has seen, matched or not: a message is recorded once.
        """CREATE TABLE inbound (
            key TEXT PRIMARY KEY,
            imported_at TEXT NOT NULL,
            date TEXT,
            sender TEXT,
            subject TEXT,
            sha256 TEXT NOT NULL,
            item_id TEXT REFERENCES items (id),
            event_uid TEXT REFERENCES events (uid),
            status TEXT NOT NULL,
            candidates TEXT,
            problems TEXT)""",
        "CREATE INDEX inbound_status ON inbound (status)",
    )),
]
SCHEMA_VERSION = len(MIGRATIONS)

_ITEM_COLUMNS = ("id", "uid", "kind", "campaign", "body_id", "body_name", "body_email", "nation",
                 "sender_name", "sender_email", "subject", "template", "question_set",
                 "questions", "draft_path", "content_hash", "message_id", "created_at")
_ITEM_FIELDS = tuple("questions_json" if c == "questions" else c for c in _ITEM_COLUMNS)
# The same columns in the order of Item's fields, so that a row builds an Item positionally.
_ITEM_SELECT = ", ".join(
    "questions" if f == "questions_json" else f for f in Item.__dataclass_fields__)
# Lean reads for status and reports over large ledgers: an item's first ten fields (to its
# nation; the rest keep their defaults) and events without recorded_at and note.
_ITEM_LEAN = ", ".join(_ITEM_SELECT.split(", ")[:10])
_EVENT_LEAN = "id, uid, item_id, kind, date, NULL, NULL, data, voids"
_ITEM_SELECT_I = ", ".join(f"i.{c}" for c in _ITEM_SELECT.split(", "))
_ITEM_LEAN_I = ", ".join(f"i.{c}" for c in _ITEM_LEAN.split(", "))
_EVENT_COLUMNS = ("id", "uid", "item_id", "kind", "date", "recorded_at", "note", "data", "voids")
_EVENT_SELECT = ", ".join(_EVENT_COLUMNS)  # in the order of Event's fields


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_uid() -> str:
    return uuid.uuid4().hex


def format_item_id(seq: int) -> str:
    return f"K-{seq:04d}"


class Ledger:
    """One open ledger. Use `with ledger.write():` for each command's single transaction."""

    def __init__(self, path: Path, create: bool = True) -> None:
        self.path = path
        if not path.exists():
            if not create:
                raise NotFound(f"no ledger at {path}", hint="draft something first")
            path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
        else:
            _check_is_sqlite(path)
        try:
            self.db = sqlite3.connect(path, timeout=60, isolation_level=None)
            self.db.execute("PRAGMA busy_timeout = 60000")
            self._check_ours()  # before anything that would change someone else's file
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StorageError(
                f"{path} cannot be used as a ledger ({exc}); it was left untouched",
                hint="restore it from a backup (konpfoi export) or move it aside",
            ) from None
        self._in_tx = False
        self._views: Path | None = None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ----------------------------------------------------------------------------------

    def _tables(self) -> set[str]:
        rows = self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return {r[0] for r in rows}

    def _check_ours(self) -> None:
        tables = self._tables()
        if tables and "konpfoi_meta" not in tables:
            raise StorageError(
                f"{self.path} is an SQLite database that konpfoi did not create; "
                "it was left untouched",
                hint="move it aside, or use another workspace folder",
            )

    def _migrate(self) -> None:
        tables = self._tables()
        applied = set()
        if "migrations" in tables:
            applied = {r[0] for r in self.db.execute("SELECT name FROM migrations")}
        known = {name for name, _ in MIGRATIONS}
        unknown = applied - known
        if unknown:
            raise Conflict(
                f"{self.path} was written by a newer konpfoi (schema {len(applied)}, "
                f"this konpfoi knows {SCHEMA_VERSION})",
                hint="upgrade konpfoi: pip install -U konpfoi",
            )
        pending = [(n, sql) for n, sql in MIGRATIONS if n not in applied]
        if not pending:
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            if "migrations" in self._tables():
                applied = {r[0] for r in self.db.execute("SELECT name FROM migrations")}
            for name, statements in MIGRATIONS:
                if name in applied:
                    continue
                for statement in statements:
                    self.db.execute(statement)
                if name == "m001_initial":
                    self.db.executemany("INSERT INTO konpfoi_meta (key, value) VALUES (?, ?)",
                                        [("app", APP_ID), ("uid", new_uid())])
                self.db.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                                (name, now_utc()))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    @property
    def uid(self) -> str:
        """This ledger's own random id (a copy keeps it; a new ledger gets a new one)."""
        row = self.db.execute("SELECT value FROM konpfoi_meta WHERE key = 'uid'").fetchone()
        return str(row[0]) if row else ""

    def schema_version(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM migrations").fetchone()[0])

    # -- transactions ----------------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[Ledger]:
        """One write transaction: all of it lands, or none of it."""
        if self._in_tx:
            yield self
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        try:
            yield self
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._in_tx = False

    @contextmanager
    def read(self) -> Iterator[Ledger]:
        """A consistent snapshot for reading several tables."""
        if self._in_tx:
            yield self
            return
        self.db.execute("BEGIN")
        self._in_tx = True
        try:
            yield self
        finally:
            self.db.execute("COMMIT")
            self._in_tx = False

    # -- items -----------------------------------------------------------------------------------

    def next_item_id(self) -> str:
        row = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM items").fetchone()
        return format_item_id(int(row[0]))

    def add_item(self, item: Item) -> Item:
        seq = int(item.id.split("-", 1)[1])
        values = _item_row(item)
        self.db.execute(
            f"INSERT INTO items (seq, {', '.join(_ITEM_COLUMNS)}) "
            f"VALUES (?, {', '.join('?' * len(_ITEM_COLUMNS))})",
            (seq, *values),
        )
        return item

    def item(self, item_id: str) -> Item:
        row = self.db.execute(
            f"SELECT {_ITEM_SELECT} FROM items WHERE id = ?", (item_id.upper(),)
        ).fetchone()
        if row is None:
            ids = [r[0] for r in self.db.execute("SELECT id FROM items ORDER BY seq")]
            close = difflib.get_close_matches(item_id.upper(), ids, n=3, cutoff=0.6)
            raise NotFound(
                f"no item {item_id!r} in the ledger",
                hint=("did you mean " + ", ".join(close) + "?") if close
                else "list items with: konpfoi status --all",
                suggestions=close,
            )
        return _item(row)

    def items(self, campaign: str | None = None, body_id: str | None = None,
              ids: Sequence[str] | None = None, lean: bool = False) -> list[Item]:
        """Items in id order; `lean` reads only id to nation (for status over many items)."""
        sql = f"SELECT {_ITEM_LEAN if lean else _ITEM_SELECT} FROM items"
        where, args = _item_filters(campaign, body_id)
        if where:
            sql += " WHERE " + " AND ".join(where)
        items = [Item(*r) for r in self.db.execute(sql + " ORDER BY seq", args)]
        if ids is not None:
            wanted = set(ids)
            items = [i for i in items if i.id in wanted]
        return items

    def pick(self, item_ids: Sequence[str] | None, campaign: str | None) -> list[Item]:
        """The named items, or every item of a campaign."""
        if item_ids:
            return [self.item(i) for i in item_ids]
        if not campaign:
            raise InvalidInput("which items?", hint="give item ids, or --campaign NAME")
        items = self.items(campaign=campaign)
        if not items:
            raise InvalidInput(f"no items in campaign {campaign!r}",
                               hint="campaigns: " + (", ".join(self.campaigns()) or "none yet"))
        return items

    def body_counts(self) -> dict[str, int]:
        """How many items refer to each body."""
        rows = self.db.execute("SELECT body_id, COUNT(*) FROM items GROUP BY body_id")
        return {body_id: n for body_id, n in rows}

    def campaigns(self) -> list[str]:
        rows = self.db.execute(
            "SELECT DISTINCT campaign FROM items WHERE campaign IS NOT NULL ORDER BY campaign")
        return [r[0] for r in rows]

    # -- events ----------------------------------------------------------------------------------

    def add_event(self, item_id: str, kind: str, date: str, *, note: str | None = None,
                  data: dict[str, Any] | None = None, voids: str | None = None,
                  uid: str | None = None, recorded_at: str | None = None) -> Event:
        event = Event.make(0, uid or new_uid(), item_id, kind, date, recorded_at or now_utc(),
                           note, data, voids)
        cur = self.db.execute(
            "INSERT INTO events (uid, item_id, kind, date, recorded_at, note, data, voids) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", event[1:],
        )
        return Event((int(cur.lastrowid or 0), *event[1:]))

    def events(self, item_ids: Sequence[str] | None = None, lean: bool = False
               ) -> dict[str, list[Event]]:
        """Events per item, in the order they were recorded (`lean`: no recorded_at, note)."""
        sql = f"SELECT {_EVENT_LEAN if lean else _EVENT_SELECT} FROM events"
        args: list[str] = []
        if item_ids is not None and len(item_ids) <= 500:
            sql += f" WHERE item_id IN ({', '.join('?' * len(item_ids))})"
            args = list(item_ids)
        out: dict[str, list[Event]] = {}
        wanted = set(item_ids) if item_ids is not None else None
        for row in self.db.execute(sql + " ORDER BY id", args):
            item_id = row[2]
            if wanted is not None and item_id not in wanted:
                continue
            try:
                out[item_id].append(Event(row))
            except KeyError:
                out[item_id] = [Event(row)]
        return out

    # -- attachments ---------------------------------------------------------------------------

    def add_attachment(self, event_uid: str, stored: Any) -> None:
        self.db.execute(
            "INSERT INTO attachments (event_uid, sha256, name, original_name, size, "
            "content_type) VALUES (?, ?, ?, ?, ?, ?)",
            (event_uid, stored.sha256, stored.name, stored.original_name, stored.size,
             stored.content_type),
        )

    def attachments(self, event_uids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        if not event_uids:
            return out
        rows = self.db.execute(
            "SELECT event_uid, sha256, name, original_name, size, content_type FROM attachments "
            f"WHERE event_uid IN ({', '.join('?' * len(event_uids))}) ORDER BY id",
            list(event_uids))
        for uid, sha, name, orig, size, ctype in rows:
            out.setdefault(uid, []).append({"sha256": sha, "name": name, "original_name": orig,
                                            "size": size, "content_type": ctype})
        return out

    # -- answers -------------------------------------------------------------------------------

    def add_answer(self, event_uid: str, item_id: str, question: int, outcome: str,
                   exemptions: list[str], answer: str | None) -> None:
        self.db.execute(
            "INSERT INTO answers (event_uid, item_id, question, outcome, exemptions, answer) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (event_uid, item_id, question, outcome, json.dumps(exemptions), answer),
        )

    def answers(self, item_ids: Sequence[str] | None = None) -> dict[str, dict[int, dict]]:
        """The latest coded answer per item and question."""
        sql = ("SELECT item_id, question, outcome, exemptions, answer, event_uid FROM answers "
               "ORDER BY id")
        wanted = set(item_ids) if item_ids is not None else None
        out: dict[str, dict[int, dict]] = {}
        for item_id, q, outcome, ex, answer, ev in self.db.execute(sql):
            if wanted is not None and item_id not in wanted:
                continue
            out.setdefault(item_id, {})[q] = {"question": q, "outcome": outcome,
                                              "exemptions": json.loads(ex), "answer": answer,
                                              "event": ev}
        return out

    # -- export and import -------------------------------------------------------------------

    def dump(self) -> Iterator[dict[str, Any]]:
        """Every record, in an order that an import into an empty ledger reproduces."""
        yield {"type": "header", "format": APP_ID, "schema": self.schema_version()}
        for item in self.items():
            d = {f: getattr(item, f) for f in _ITEM_FIELDS if f != "questions_json"}
            d["questions"] = item.questions
            yield {"type": "item", **d}
        for row in self.db.execute(f"SELECT {_EVENT_SELECT} FROM events ORDER BY id"):
            ev = Event(row)
            yield {"type": "event", "uid": ev.uid, "item": ev.item_id, "kind": ev.kind,
                   "date": ev.date, "recorded_at": ev.recorded_at, "note": ev.note,
                   "data": ev.data, "voids": ev.voids}
        for row in self.db.execute(
                "SELECT event_uid, sha256, name, original_name, size, content_type "
                "FROM attachments ORDER BY id"):
            yield {"type": "attachment", **dict(zip(
                ("event", "sha256", "name", "original_name", "size", "content_type"), row,
                strict=True))}
        for rec in self.inbound_list():
            yield {"type": "inbound", **rec}
        for row in self.db.execute(
                "SELECT event_uid, item_id, question, outcome, exemptions, answer "
                "FROM answers ORDER BY id"):
            d = dict(zip(("event", "item", "question", "outcome", "exemptions", "answer"), row,
                         strict=True))
            d["exemptions"] = json.loads(d["exemptions"])
            yield {"type": "answer", **d}

    def load_record(self, rec: dict[str, Any], ids: dict[str, str]) -> bool:
        """Import one exported record unless it is already here; True if it was added.

        `ids` maps exported item ids to this ledger's (an id taken by another item is
        renumbered).
        """
        kind = rec["type"]
        if kind == "item":
            row = self.db.execute("SELECT id FROM items WHERE uid = ?", (rec["uid"],)).fetchone()
            if row:
                ids[rec["id"]] = row[0]
                return False
            new_id = rec["id"]
            if self.db.execute("SELECT 1 FROM items WHERE id = ?", (new_id,)).fetchone():
                new_id = self.next_item_id()
            ids[rec["id"]] = new_id
            fields: dict[str, Any] = {f: rec.get(f) for f in _ITEM_FIELDS
                                      if f != "questions_json"}
            fields["id"] = new_id
            fields["questions_json"] = json.dumps(rec.get("questions") or [],
                                                  ensure_ascii=False)
            self.add_item(Item(**fields))
            return True
        if kind == "event":
            if self.db.execute("SELECT 1 FROM events WHERE uid = ?", (rec["uid"],)).fetchone():
                return False
            self.add_event(ids.get(rec["item"], rec["item"]), rec["kind"], rec["date"],
                           note=rec.get("note"), data=rec.get("data") or {},
                           voids=rec.get("voids"), uid=rec["uid"],
                           recorded_at=rec["recorded_at"])
            return True
        if kind == "attachment":
            if self.db.execute("SELECT 1 FROM attachments WHERE event_uid = ? AND sha256 = ? "
                               "AND name = ?", (rec["event"], rec["sha256"], rec["name"])
                               ).fetchone():
                return False
            self.db.execute(
                "INSERT INTO attachments (event_uid, sha256, name, original_name, size, "
                "content_type) VALUES (?, ?, ?, ?, ?, ?)",
                (rec["event"], rec["sha256"], rec["name"], rec.get("original_name"),
                 rec["size"], rec.get("content_type")))
            return True
        if kind == "answer":
            if self.db.execute("SELECT 1 FROM answers WHERE event_uid = ? AND question = ?",
                               (rec["event"], rec["question"])).fetchone():
                return False
            self.add_answer(rec["event"], ids.get(rec["item"], rec["item"]), rec["question"],
                            rec["outcome"], rec.get("exemptions") or [], rec.get("answer"))
            return True
        if kind == "inbound":
            if self.inbound(rec["key"]) is not None:
                return False
            fields = {k: rec.get(k) for k in self._INBOUND}
            fields["item_id"] = ids.get(rec.get("item_id") or "", rec.get("item_id"))
            self.add_inbound(fields)
            return True
        raise ValueError(f"unknown record type {kind!r}")

    # -- the status cache ------------------------------------------------------------------------
    # Each item's state before and after its due date, derived from its events by the
    # lifecycle module and kept in a separate, disposable database in the user's cache folder,
    # so that `status` over a large ledger orders and counts items in SQL and derives in full
    # only the rows it shows. A row is stale when the item has a newer event or the stamp
    # (holidays, settings, konpfoi's version) changed.

    def attach_views(self, path: Path) -> None:
        """Attach the status cache at `path`; a broken one is thrown away and rebuilt."""
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
                self._views = path
                return
            except sqlite3.DatabaseError:
                if self.db.execute("SELECT 1 FROM pragma_database_list WHERE name = 'vc'"
                                   ).fetchone():
                    self.db.execute("DETACH DATABASE vc")
                if attempt == 2:
                    raise
                path.unlink(missing_ok=True)

    def stale_views(self, stamp: str, campaign: str | None, body_id: str | None
                    ) -> list[tuple[Item, int | None]]:
        """Items (lean) whose cached view is missing or out of date, with their last event."""
        where, args = _item_filters(campaign, body_id)
        sql = (f"SELECT {_ITEM_LEAN_I}, m.last FROM items i "
               "LEFT JOIN (SELECT item_id, MAX(id) AS last FROM events GROUP BY item_id) m "
               "ON m.item_id = i.id LEFT JOIN vc.item_views v ON v.item_id = i.id "
               "WHERE (v.item_id IS NULL OR v.stamp <> ? OR v.last_event IS NOT m.last)"
               + "".join(f" AND i.{w}" for w in where) + " ORDER BY i.seq")
        return [(Item(*r[:10]), r[10]) for r in self.db.execute(sql, [stamp, *args])]

    def save_views(self, rows: list[tuple[Any, ...]]) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany(
                "INSERT INTO vc.item_views (item_id, last_event, stamp, due, state_early, "
                "state_late, rank_early, rank_late, next_early, next_late) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_id) DO UPDATE SET "
                "last_event = excluded.last_event, stamp = excluded.stamp, due = excluded.due, "
                "state_early = excluded.state_early, state_late = excluded.state_late, "
                "rank_early = excluded.rank_early, rank_late = excluded.rank_late, "
                "next_early = excluded.next_early, next_late = excluded.next_late", rows)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    _LATE = "(v.due IS NOT NULL AND v.due < :today)"
    _STATE = f"CASE WHEN {_LATE} THEN v.state_late ELSE v.state_early END"
    _RANK = f"CASE WHEN {_LATE} THEN v.rank_late ELSE v.rank_early END"
    _NEXT = f"COALESCE(CASE WHEN {_LATE} THEN v.next_late ELSE v.next_early END, :today)"

    def view_page(self, today: int, *, campaign: str | None, body_id: str | None,
                  states: Sequence[str] | None, open_only: bool, due_by: int | None,
                  limit: int | None) -> tuple[list[Item], int]:
        """Items in order of urgency (overdue first, then by the date of their next action,
        then by due date), and how many match in all."""
        where, args = _item_filters(campaign, body_id)
        conds = [f"i.{w.replace('?', f':a{n}')}" for n, w in enumerate(where)]
        params: dict[str, Any] = {f"a{n}": a for n, a in enumerate(args)}
        params["today"] = today
        if states:
            conds.append(f"{self._STATE} IN ({', '.join(f':s{n}' for n in range(len(states)))})")
            params.update({f"s{n}": st for n, st in enumerate(states)})
        if open_only:
            conds.append(f"{self._RANK} < 2")
        if due_by is not None:
            conds.append("v.due IS NOT NULL AND v.due BETWEEN :today AND :due_by")
            params["due_by"] = due_by
        base = ("FROM items i JOIN vc.item_views v ON v.item_id = i.id"
                + (" WHERE " + " AND ".join(conds) if conds else ""))
        total = int(self.db.execute(f"SELECT COUNT(*) {base}", params).fetchone()[0])
        sql = (f"SELECT {_ITEM_SELECT_I} {base} ORDER BY {self._RANK}, {self._NEXT}, "
               "v.due IS NULL, v.due, i.seq")
        if limit is not None:
            sql += " LIMIT :limit"
            params["limit"] = limit
        return [Item(*r) for r in self.db.execute(sql, params)], total

    def view_counts(self, today: int, campaign: str | None, body_id: str | None
                    ) -> dict[str, int]:
        where, args = _item_filters(campaign, body_id)
        conds = [f"i.{w.replace('?', f':a{n}')}" for n, w in enumerate(where)]
        params: dict[str, Any] = {f"a{n}": a for n, a in enumerate(args)}
        params["today"] = today
        rows = self.db.execute(
            f"SELECT {self._STATE}, COUNT(*) FROM items i JOIN vc.item_views v "
            "ON v.item_id = i.id" + (" WHERE " + " AND ".join(conds) if conds else "")
            + f" GROUP BY {self._STATE}", params)
        return {state: n for state, n in rows}

    # -- inbound mail ----------------------------------------------------------------------------

    _INBOUND = ("key", "imported_at", "date", "sender", "subject", "sha256", "item_id",
                "event_uid", "status", "candidates", "problems")

    def inbound(self, key: str) -> dict[str, Any] | None:
        row = self.db.execute(f"SELECT {', '.join(self._INBOUND)} FROM inbound WHERE key = ?",
                              (key,)).fetchone()
        return _inbound_row(row) if row else None

    def add_inbound(self, rec: dict[str, Any]) -> None:
        rec = {**rec, "candidates": json.dumps(rec.get("candidates") or []),
               "problems": json.dumps(rec.get("problems") or [])}
        self.db.execute(
            f"INSERT INTO inbound ({', '.join(self._INBOUND)}) "
            f"VALUES ({', '.join('?' * len(self._INBOUND))})",
            tuple(rec.get(k) for k in self._INBOUND))

    def match_inbound(self, key: str, item_id: str, event_uid: str) -> None:
        self.db.execute("UPDATE inbound SET item_id = ?, event_uid = ?, status = 'matched' "
                        "WHERE key = ?", (item_id, event_uid, key))

    def inbound_list(self, status: str | None = None) -> list[dict[str, Any]]:
        sql = f"SELECT {', '.join(self._INBOUND)} FROM inbound"
        rows = self.db.execute(sql + (" WHERE status = ?" if status else "") + " ORDER BY "
                               "imported_at, key", (status,) if status else ())
        return [_inbound_row(r) for r in rows]

    def event(self, event_id: int) -> Event:
        row = self.db.execute(
            f"SELECT {_EVENT_SELECT} FROM events WHERE id = ?", (event_id,)).fetchone()
        if row is None:
            raise NotFound(f"no event #{event_id}", hint="see the event numbers: konpfoi show ID")
        return Event(row)


def _inbound_row(row: Sequence[Any]) -> dict[str, Any]:
    rec = dict(zip(Ledger._INBOUND, row, strict=True))
    rec["candidates"] = json.loads(rec["candidates"] or "[]")
    rec["problems"] = json.loads(rec["problems"] or "[]")
    return rec


def _item_filters(campaign: str | None, body_id: str | None) -> tuple[list[str], list[str]]:
    where, args = [], []
    if campaign is not None:
        where.append("campaign = ?")
        args.append(campaign)
    if body_id is not None:
        where.append("body_id = ?")
        args.append(body_id)
    return where, args


def _check_is_sqlite(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise StorageError(f"cannot read the ledger {path} ({exc.strerror})") from None
    if head and head != _SQLITE_MAGIC:
        raise StorageError(
            f"{path} is not a konpfoi ledger (not an SQLite database); it was left untouched",
            hint="move it aside, or restore the ledger from a backup",
        )


def _item_row(item: Item) -> tuple[Any, ...]:
    return tuple(getattr(item, f) for f in _ITEM_FIELDS)


def _item(row: Sequence[Any]) -> Item:
    return Item(*row)

