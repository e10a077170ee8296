"""How `status` reads each item's cached state: which rows are stale, a page in order of
urgency, counts by state. Each backend says where its cache table is (`_views_join`) and how
rows are written; the queries are the same on both.

A cached row holds an item's state the day before and the day after its due date, so that
the state on any day is a CASE on the due date: ordering and counting stay in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from konpfoi.ledger.model import Item
from konpfoi.ledger.sql.base import SqlBase
from konpfoi.ledger.sql.items import ITEM_LEAN_I, ITEM_SELECT_I, item_filters

_LATE = "(v.due IS NOT NULL AND v.due < ?)"
_STATE = f"CASE WHEN {_LATE} THEN v.state_late ELSE v.state_early END"
_RANK = f"CASE WHEN {_LATE} THEN v.rank_late ELSE v.rank_early END"
_NEXT = f"COALESCE(CASE WHEN {_LATE} THEN v.next_late ELSE v.next_early END, ?)"

VIEW_COLUMNS = ("item_id", "last_event", "stamp", "due", "state_early", "state_late",
                "rank_early", "rank_late", "next_early", "next_late", "owner")
# A row written again takes every new value.
VIEW_UPDATE = ", ".join(f"{c} = excluded.{c}" for c in VIEW_COLUMNS if c != "item_id")


def view_filters(campaign: str | None, body_id: str | None, owner: str | None
                 ) -> tuple[list[str], list[Any]]:
    """Conditions on items `i` and their views `v`, and their arguments."""
    where, args = item_filters(campaign, body_id)
    conds = [f"i.{w}" for w in where]
    params: list[Any] = list(args)
    if owner is not None:
        conds.append("v.owner = ?")
        params.append(owner)
    return conds, params


class ViewsSql(SqlBase):
    def _views_join(self) -> tuple[str, list[Any]]:
        """The cache table joined as `v` to items `i` (SQL after JOIN), and its arguments."""
        raise NotImplementedError

    def stale_views(self, stamp: str, campaign: str | None, body_id: str | None
                    ) -> list[tuple[Item, int | None]]:
        where, args = item_filters(campaign, body_id)
        join, join_args = self._views_join()
        sql = (f"SELECT {ITEM_LEAN_I}, m.last FROM items i "
               "LEFT JOIN (SELECT item_id, MAX(id) AS last FROM events GROUP BY item_id) m "
               f"ON m.item_id = i.id LEFT JOIN {join} "
               "WHERE (v.item_id IS NULL OR v.stamp <> ? "
               "OR COALESCE(v.last_event, -1) <> COALESCE(m.last, -1))"
               + "".join(f" AND i.{w}" for w in where) + " ORDER BY i.seq")
        rows = self.db.execute(sql, [*join_args, stamp, *args])
        return [(Item(*r[:10]), r[10]) for r in rows]

    def view_page(self, today: int, *, campaign: str | None, body_id: str | None,
                  states: Sequence[str] | None, open_only: bool, due_by: int | None,
                  limit: int | None, owner: str | None = None) -> tuple[list[Item], int]:
        """Items in order of urgency (overdue first, then by the date of their next action,
        then by due date), and how many match in all."""
        conds, params = view_filters(campaign, body_id, owner)
        if states:
            conds.append(f"{_STATE} IN ({', '.join('?' * len(states))})")
            params += [today, *states]
        if open_only:
            conds.append(f"{_RANK} < 2")
            params.append(today)
        if due_by is not None:
            conds.append("v.due IS NOT NULL AND v.due BETWEEN ? AND ?")
            params += [today, due_by]
        join, join_args = self._views_join()
        base = (f"FROM items i JOIN {join}"
                + (" WHERE " + " AND ".join(conds) if conds else ""))
        params = [*join_args, *params]
        total = int(self.db.one(f"SELECT COUNT(*) {base}", params)[0])
        sql = (f"SELECT {ITEM_SELECT_I} {base} ORDER BY {_RANK}, {_NEXT}, "
               "v.due IS NULL, v.due, i.seq")
        order = [today, today, today]
        if limit is not None:
            sql += " LIMIT ?"
            order.append(limit)
        return [Item(*r) for r in self.db.execute(sql, [*params, *order])], total

    def view_counts(self, today: int, campaign: str | None, body_id: str | None,
                    owner: str | None = None) -> dict[str, int]:
        conds, args = view_filters(campaign, body_id, owner)
        join, join_args = self._views_join()
        rows = self.db.execute(
            f"SELECT {_STATE}, COUNT(*) FROM items i JOIN {join}"
            + (" WHERE " + " AND ".join(conds) if conds else "")
            + " GROUP BY 1", [today, *join_args, *args])
        return {state: int(n) for state, n in rows}
