"""Events (appended, never rewritten), the files kept with them, and coded answers."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from konpfoi.errors import InvalidInput, NotFound, StorageError
from konpfoi.ledger.checks import BadField, check, event_row_problem, new_event_problem
from konpfoi.ledger.model import EVENT_KINDS, Event, damaged, new_uid, now_utc
from konpfoi.ledger.sql.base import SqlBase
from konpfoi.ledger.store import CURRENT

EVENT_COLUMNS = ("id", "uid", "item_id", "kind", "date", "recorded_at", "note", "data", "voids",
                 "actor")
EVENT_SELECT = ", ".join(EVENT_COLUMNS)  # in the order of Event's fields
EVENT_LEAN = "id, uid, item_id, kind, date, NULL, NULL, data, voids, actor"
ATTACHMENT_COLUMNS = ("event_uid", "sha256", "name", "original_name", "size", "content_type")
ANSWER_COLUMNS = ("event_uid", "item_id", "question", "outcome", "exemptions", "answer")


class EventsSql(SqlBase):
    def add_event(self, item_id: str, kind: str, date: str, *, note: str | None = None,
                  data: dict[str, Any] | None = None, voids: str | None = None,
                  uid: str | None = None, recorded_at: str | None = None,
                  actor: str | None = CURRENT) -> Event:
        if actor == CURRENT:
            actor = self.volunteer.email if self.volunteer else None
        event = Event.make(0, uid or new_uid(), item_id, kind, date, recorded_at or now_utc(),
                           note, data, voids, actor)
        why = new_event_problem(kind, date, note, event.raw)
        if why:
            raise InvalidInput(f"{item_id}: this {kind} cannot be recorded: {why}")
        row = self.db.one(
            "INSERT INTO events (uid, item_id, kind, date, recorded_at, note, data, voids, "
            "actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", event[1:])
        return Event((int(row[0]), *event[1:]))

    def events(self, item_ids: Sequence[str] | None = None, lean: bool = False,
               kinds: Sequence[str] | None = None) -> dict[str, list[Event]]:
        if (item_ids is not None and not item_ids) or (kinds is not None and not kinds):
            return {}  # (`IN ()` is not SQL everywhere)
        sql = f"SELECT {EVENT_LEAN if lean else EVENT_SELECT} FROM events"
        args: list[str] = []
        conds = []
        if item_ids is not None and len(item_ids) <= 500:
            conds.append(f"item_id IN ({', '.join('?' * len(item_ids))})")
            args = list(item_ids)
        if kinds is not None:
            conds.append(f"kind IN ({', '.join('?' * len(kinds))})")
            args += list(kinds)
        if conds:
            sql += " WHERE " + " AND ".join(conds)
        out: dict[str, list[Event]] = {}
        wanted = set(item_ids) if item_ids is not None else None
        for row in _sound(self.db.execute(sql + " ORDER BY id", args)):
            item_id = row[2]
            if wanted is not None and item_id not in wanted:
                continue
            try:
                out[item_id].append(Event(row))
            except KeyError:
                out[item_id] = [Event(row)]
        return out

    def events_by_item(self, item_ids: Sequence[str], lean: bool = False
                       ) -> Iterator[tuple[str, list[Event]]]:
        """These items' events, item by item (items with none are not given), as `events`
        reads them: a few hundred items at a time, or for a great many, in one pass over
        every event in the order of items; never more than a few hundred items' at once."""
        if len(item_ids) <= 10_000:  # looked up by item: cheaper than reading every event
            for start in range(0, len(item_ids), 500):
                yield from self.events(item_ids[start:start + 500], lean).items()
            return
        wanted = set(item_ids)
        rows = self.db.execute(f"SELECT {EVENT_LEAN if lean else EVENT_SELECT} FROM events "
                               "ORDER BY item_id, id")
        current: str | None = None
        held: list[Event] = []
        for row in _sound(rows):
            if row[2] != current:
                if held:
                    yield str(current), held
                current, held = row[2], []
            if current in wanted:
                held.append(Event(row))
        if held:
            yield str(current), held

    def event(self, event_id: int) -> Event:
        row = self.db.one(f"SELECT {EVENT_SELECT} FROM events WHERE id = ?", (event_id,))
        if row is None:
            raise NotFound(f"no event #{event_id}", hint="see the event numbers: konpfoi show ID")
        why = event_row_problem(row)
        if why:
            raise StorageError(f"the ledger's event #{event_id} is damaged ({why})",
                               hint="it cannot be used; record a correct one")
        return Event(row)

    # -- attachments -----------------------------------------------------------------------

    def add_attachment(self, event_uid: str, stored: Any) -> None:
        self.db.execute(
            f"INSERT INTO attachments ({', '.join(ATTACHMENT_COLUMNS)}) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (event_uid, stored.sha256, stored.name, stored.original_name, stored.size,
             stored.content_type))

    def attachments(self, event_uids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        if not event_uids:
            return out
        rows = self.db.execute(
            f"SELECT {', '.join(ATTACHMENT_COLUMNS)} FROM attachments "
            f"WHERE event_uid IN ({', '.join('?' * len(event_uids))}) ORDER BY id",
            list(event_uids))
        for uid, sha, name, orig, size, ctype in rows:
            rec = {"sha256": sha, "name": name, "original_name": orig, "size": size,
                   "content_type": ctype}
            try:
                check("attachment", {"event": uid, **rec})
            except BadField as exc:
                damaged(f"file record of event {str(uid)[:12]}", str(exc))
                continue
            out.setdefault(uid, []).append(rec)
        return out

    # -- answers ---------------------------------------------------------------------------

    def add_answer(self, event_uid: str, item_id: str, question: int, outcome: str,
                   exemptions: list[str], answer: str | None) -> None:
        self.db.execute(
            f"INSERT INTO answers ({', '.join(ANSWER_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
            (event_uid, item_id, question, outcome, json.dumps(exemptions), answer))

    def answers(self, item_ids: Sequence[str] | None = None) -> dict[str, dict[int, dict]]:
        sql = ("SELECT item_id, question, outcome, exemptions, answer, event_uid FROM answers "
               "ORDER BY id")
        wanted = set(item_ids) if item_ids is not None else None
        out: dict[str, dict[int, dict]] = {}
        for item_id, q, outcome, ex, answer, ev in self.db.execute(sql):
            if wanted is not None and item_id not in wanted:
                continue
            try:
                exemptions = json.loads(ex) or []  # konpfoi writes a list; null is none
                check("answer", {"event": ev, "item": item_id, "question": q,
                                 "outcome": outcome, "exemptions": exemptions,
                                 "answer": answer})
            except (TypeError, ValueError, RecursionError) as exc:
                damaged(f"answer to question {q!r} of {item_id}", str(exc))
                continue
            out.setdefault(item_id, {})[q] = {"question": q, "outcome": outcome,
                                              "exemptions": exemptions, "answer": answer,
                                              "event": ev}
        return out


def _sound(rows: Iterable[Any]) -> Iterator[Any]:
    """The events rows that can be read; each damaged one is reported and left out."""
    good_days: set[Any] = set()  # each day's text is checked once per read
    for row in rows:
        if row[4] not in good_days or row[3] not in EVENT_KINDS:
            why = event_row_problem(row)
            if why:
                damaged(f"event #{row[0]} of {row[2]}", why)
                continue
            good_days.add(row[4])
        yield row
