"""How `status` reads each item's cached state: which rows are stale, a page in order of
urgency, counts by state. Each backend says where its cache table is and where each item's
latest event is found; the queries are the same on both.

A cached row holds an item's state the day before and the day after its due date, so that
the state on any day is a CASE on the due date: ordering and counting stay in SQL, on the
cache table alone (its rows carry the item's seq, which never changes); items are joined
only for a campaign or body filter, and for the rows of the page shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from konpfoi.ledger.checks import item_row_problem
from konpfoi.ledger.model import Item
from konpfoi.ledger.sql.base import SqlBase
from konpfoi.ledger.sql.items import ITEM_LEAN_I, ITEM_SELECT_I, item_filters, read_items

_LATE = "(v.due IS NOT NULL AND v.due < ?)"
_STATE = f"CASE WHEN {_LATE} THEN v.state_late ELSE v.state_early END"
_RANK = f"CASE WHEN {_LATE} THEN v.rank_late ELSE v.rank_early END"
_NEXT = f"COALESCE(CASE WHEN {_LATE} THEN v.next_late ELSE v.next_early END, ?)"

VIEW_COLUMNS = ("item_id", "last_event", "stamp", "seq", "due", "state_early", "state_late",
                "rank_early", "rank_late", "next_early", "next_late", "owner")
# A row written again takes every new value.
VIEW_UPDATE = ", ".join(f"{c} = excluded.{c}" for c in VIEW_COLUMNS if c != "item_id")
# A stale item, as `status` re-derives it: (id, kind, nation, latest event id, seq).
Stale = tuple[str, str, str | None, int | None, int]
# Each item's latest event, where no backend keeps it better.
LATEST_EVENTS = "(SELECT item_id, MAX(id) AS last FROM events GROUP BY item_id)"


class ViewsSql(SqlBase):
    _VIEWS = "item_views"  # the cache table
    _stamp = ""  # the stamp `attach_views` was given

    def _view_table(self) -> tuple[str, str, list[Any]]:
        """The cache table as `v`, the condition choosing this stamp's rows, its arguments."""
        return f"{self._VIEWS} v", "v.stamp = ?", [self._stamp]

    def _latest(self) -> str:
        """A table or subquery of (item_id, last): each item's latest event id."""
        return LATEST_EVENTS

    def _scope(self, campaign: str | None, body_id: str | None, owner: str | None
               ) -> tuple[str, list[Any]]:
        """FROM and WHERE over the cached views (and items, for a campaign or body)."""
        table, stamp_cond, args = self._view_table()
        where, wargs = item_filters(campaign, body_id)
        conds = [stamp_cond, *(f"i.{w}" for w in where)]
        if owner is not None:
            conds.append("v.owner = ?")
            wargs.append(owner)
        join = " JOIN items i ON i.id = v.item_id" if where else ""
        return f"FROM {table}{join} WHERE " + " AND ".join(conds), [*args, *wargs]

    def stale_views(self, stamp: str, campaign: str | None, body_id: str | None
                    ) -> list[Stale]:
        """(id, kind, nation, latest event id, seq) of each item whose view is missing or out
        of date."""
        return self._read_stale(*self._all_stale(stamp), campaign, body_id)[0]

    def _all_stale(self, stamp: str) -> tuple[str, list[Any]]:
        """The query comparing every item's view with its latest event, and its arguments."""
        table, stamp_cond, stamp_args = self._view_table()
        return (f"SELECT {ITEM_LEAN_I}, m.last, i.seq FROM items i "
                f"LEFT JOIN {self._latest()} m ON m.item_id = i.id "
                f"LEFT JOIN {table} ON v.item_id = i.id AND {stamp_cond} "
                "WHERE (v.item_id IS NULL OR v.stamp <> ? "
                "OR COALESCE(v.last_event, -1) <> COALESCE(m.last, -1))",
                [*stamp_args, stamp])

    def _read_stale(self, sql: str, args: list[Any], campaign: str | None,
                    body_id: str | None) -> tuple[list[Stale], bool]:
        """Run a query of stale items (lean item columns, latest event, seq) under the
        campaign and body filters; and whether a damaged item row was left out (reported,
        and looked at again next time)."""
        where, wargs = item_filters(campaign, body_id)
        stale: list[Stale] = []
        damaged = False
        for r in self.db.execute(sql + "".join(f" AND i.{w}" for w in where), [*args, *wargs]):
            if item_row_problem(r):
                read_items([r[:10]])  # reports it, and leaves it out
                damaged = True
                continue
            stale.append((r[0], r[2], r[9], r[10], int(r[11])))
        return stale, damaged

    def view_page(self, today: int, *, campaign: str | None, body_id: str | None,
                  states: Sequence[str] | None, open_only: bool, due_by: int | None,
                  limit: int | None, owner: str | None = None) -> tuple[list[Item], int]:
        """Items in order of urgency (overdue first, then by the date of their next action,
        then by due date, then as they were added), and how many match in all."""
        scope, params = self._scope(campaign, body_id, owner)
        conds: list[str] = []
        if states:
            conds.append(f"{_STATE} IN ({', '.join('?' * len(states))})")
            params += [today, *states]
        if open_only:
            conds.append(f"{_RANK} < 2")
            params.append(today)
        if due_by is not None:
            conds.append("v.due IS NOT NULL AND v.due BETWEEN ? AND ?")
            params += [today, due_by]
        scope += "".join(f" AND {c}" for c in conds)
        total = int(self.db.one(f"SELECT COUNT(*) {scope}", params)[0])
        page = (f"SELECT v.item_id AS id, {_RANK} AS r, {_NEXT} AS n, v.due AS d, v.seq AS s "
                f"{scope} ORDER BY {_RANK}, {_NEXT}, v.due IS NULL, v.due, v.seq"
                + (" LIMIT ?" if limit is not None else ""))
        args = [today] * 3 + params + [today] * 3 + ([limit] if limit is not None else [])
        sql = (f"SELECT {ITEM_SELECT_I} FROM ({page}) p JOIN items i ON i.id = p.id "
               "ORDER BY p.r, p.n, p.d IS NULL, p.d, p.s")
        return read_items(self.db.execute(sql, args)), total

    def view_counts(self, today: int, campaign: str | None, body_id: str | None,
                    owner: str | None = None) -> dict[str, int]:
        scope, args = self._scope(campaign, body_id, owner)
        rows = self.db.execute(f"SELECT {_STATE}, COUNT(*) {scope} GROUP BY 1", [today, *args])
        return {state: int(n) for state, n in rows}
