"""Every record as plain data (export), and each record added back unless it is already there
(import), so that export then import reproduces a ledger and a second import changes nothing."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from konpfoi.ledger.migrations import APP_ID
from konpfoi.ledger.model import Event, Fact, Item, Volunteer, damaged
from konpfoi.ledger.sql.base import SqlBase
from konpfoi.ledger.sql.events import ANSWER_COLUMNS, ATTACHMENT_COLUMNS, EVENT_SELECT
from konpfoi.ledger.sql.items import ITEM_FIELDS, ITEM_SELECT
from konpfoi.ledger.store import ImportConflict

_ATTACHMENT_KEYS = ("event", *ATTACHMENT_COLUMNS[1:])
_ANSWER_KEYS = ("event", "item", *ANSWER_COLUMNS[2:])
# What makes an item the same item (its uid aside): a file that changes these is refused.
_SAME = ("kind", "body_id", "subject", "message_id", "created_at")


class DumpSql(SqlBase):
    def dump(self) -> Iterator[dict[str, Any]]:
        yield {"type": "header", "format": APP_ID, "schema": self.schema_version()}
        for sha, size, content in self._blob_rows():
            if not isinstance(content, (bytes, bytearray, memoryview)):
                damaged(f"content {str(sha)[:12]}", "it is not bytes")
                continue
            yield {"type": "blob", "sha256": sha, "size": size,
                   "content": base64.b64encode(bytes(content)).decode("ascii")}
        for vol in self.volunteers():
            yield {"type": "volunteer", **vol}
        for item in self.items():
            d = {f: getattr(item, f) for f in ITEM_FIELDS if f != "questions_json"}
            d["questions"] = item.questions
            yield {"type": "item", **d}
        for row in self.db.execute(f"SELECT {EVENT_SELECT} FROM events ORDER BY id"):
            ev = Event(row)
            yield {"type": "event", "uid": ev.uid, "item": ev.item_id, "kind": ev.kind,
                   "date": ev.date, "recorded_at": ev.recorded_at, "note": ev.note,
                   "data": ev.data, "voids": ev.voids, "actor": ev.actor}
        for row in self.db.execute(
                f"SELECT {', '.join(ATTACHMENT_COLUMNS)} FROM attachments ORDER BY id"):
            yield {"type": "attachment", **dict(zip(_ATTACHMENT_KEYS, row, strict=True))}
        for rec in self.inbound_list():
            yield {"type": "inbound", **rec}
        for row in self.db.execute(f"SELECT {', '.join(ANSWER_COLUMNS)} FROM answers "
                                   "ORDER BY id"):
            d = dict(zip(_ANSWER_KEYS, row, strict=True))
            try:
                d["exemptions"] = json.loads(d["exemptions"])
            except (TypeError, ValueError, RecursionError):  # exported as it is: a backup
                damaged(f"answer to question {d['question']!r} of {d['item']}",
                        "its exemptions are not JSON; exported as they are")
            yield {"type": "answer", **d}
        for fact in self.facts():
            yield {"type": "fact", **{k: getattr(fact, k) for k in Fact.__slots__}}
        for digest, at in self.left_out().items():
            yield {"type": "left-out", "digest": digest, "recorded_at": at}

    def _blob_rows(self) -> Any:
        raise NotImplementedError

    def _load_item(self, rec: dict[str, Any], ids: dict[str, str]) -> bool:
        row = self.db.one(f"SELECT {ITEM_SELECT} FROM items WHERE uid = ?", (rec["uid"],))
        if row:
            here = Item(*row)
            ids[rec["id"]] = here.id
            changed = [f for f in _SAME if here.id == rec["id"] and getattr(here, f) != rec.get(f)]
            if changed:
                raise ImportConflict(f"{here.id} in the file differs from {here.id} here "
                               f"({', '.join(changed)})",
                               hint="the file was changed after it was exported; nothing was "
                                    "imported")
            return False
        taken = self.db.one(f"SELECT {ITEM_SELECT} FROM items WHERE id = ?", (rec["id"],))
        if taken:
            here = Item(*taken)
            raise ImportConflict(
                f"{rec['id']} is already a different item here ({here.body_name}, drafted "
                f"{here.created_at[:10]}); the file's {rec['id']} is {rec.get('body_name')}",
                hint="ids never change: give each workspace its own prefix before it drafts "
                     "(konpfoi init --prefix S), or import this file into a workspace of its "
                     "own; nothing was imported")
        fields: dict[str, Any] = {f: rec.get(f) for f in ITEM_FIELDS if f != "questions_json"}
        fields["questions_json"] = json.dumps(rec.get("questions") or [], ensure_ascii=False)
        self.add_item(Item(**fields))
        ids[rec["id"]] = rec["id"]
        return True

    def load_record(self, rec: dict[str, Any], ids: dict[str, str]) -> bool:
        """An item keeps its id: ids are unique per workspace (its prefix), so an id already
        taken by a different item is a conflict, never a renumbering. `ids` maps exported
        item ids to this ledger's (they differ only for items an older konpfoi renumbered)."""
        kind = rec["type"]
        db = self.db
        if kind == "blob":
            content = base64.b64decode(rec["content"], validate=True)
            if db.one("SELECT 1 FROM blobs WHERE sha256 = ?", (rec["sha256"],)):
                return False
            if len(content) != rec["size"] or self.put_blob(content) != rec["sha256"]:
                raise ValueError("the content does not match its size and sha256")
            return True
        if kind == "volunteer":
            if db.one("SELECT 1 FROM volunteers WHERE email = ?", (rec["email"],)):
                return False
            self.add_volunteer(Volunteer(rec["email"], rec["name"]), rec["joined_at"])
            return True
        if kind == "item":
            return self._load_item(rec, ids)
        if kind == "event":
            row = db.one("SELECT item_id, kind, date FROM events WHERE uid = ?", (rec["uid"],))
            if row:
                if (row[0], row[1], row[2]) != (ids.get(rec["item"], rec["item"]), rec["kind"],
                                                rec["date"]):
                    raise ImportConflict(
                        f"event {rec['uid'][:12]} differs from the one this ledger holds "
                        f"({row[1]} {row[2]} on {row[0]})",
                        hint="the file was changed after it was exported")
                return False
            self.add_event(ids.get(rec["item"], rec["item"]), rec["kind"], rec["date"],
                           note=rec.get("note"), data=rec.get("data") or {},
                           voids=rec.get("voids"), uid=rec["uid"],
                           recorded_at=rec["recorded_at"], actor=rec.get("actor"))
            return True
        if kind == "attachment":
            if db.one("SELECT 1 FROM attachments WHERE event_uid = ? AND sha256 = ? "
                      "AND name = ?", (rec["event"], rec["sha256"], rec["name"])):
                return False
            db.execute(
                f"INSERT INTO attachments ({', '.join(ATTACHMENT_COLUMNS)}) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (rec["event"], rec["sha256"], rec["name"], rec.get("original_name"),
                 rec["size"], rec.get("content_type")))
            return True
        if kind == "answer":
            if db.one("SELECT 1 FROM answers WHERE event_uid = ? AND question = ?",
                      (rec["event"], rec["question"])):
                return False
            self.add_answer(rec["event"], ids.get(rec["item"], rec["item"]), rec["question"],
                            rec["outcome"], rec.get("exemptions") or [], rec.get("answer"))
            return True
        if kind == "inbound":
            if self.inbound(rec["key"]) is not None:
                return False
            fields = {k: rec.get(k) for k in rec if k != "type"}
            fields["item_id"] = ids.get(rec.get("item_id") or "", rec.get("item_id"))
            self.add_inbound(fields)
            return True
        if kind == "fact":
            return self.add_fact(Fact(**{k: rec[k] for k in Fact.__slots__ if k in rec}))
        if kind == "left-out":
            return self.leave_out(rec["digest"], rec.get("recorded_at"))
        raise ValueError(f"unknown record type {kind!r}")
