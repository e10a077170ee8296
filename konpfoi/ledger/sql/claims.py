"""Claims: which item's message is being sent right now, by whom (see mail.sending)."""

from __future__ import annotations

from collections.abc import Sequence

from konpfoi.ledger.model import Claim
from konpfoi.ledger.sql.base import SqlBase

_COLUMNS = ("item_id", "what", "actor", "host", "pid", "claimed_at", "until")


class ClaimsSql(SqlBase):
    def put_claim(self, claim: Claim) -> None:
        self.db.execute(
            f"INSERT INTO claims ({', '.join(_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (item_id, what) DO UPDATE SET actor = excluded.actor, "
            "host = excluded.host, pid = excluded.pid, claimed_at = excluded.claimed_at, "
            "until = excluded.until",
            tuple(getattr(claim, c) for c in _COLUMNS))

    def drop_claim(self, item_id: str, what: str) -> None:
        self.db.execute("DELETE FROM claims WHERE item_id = ? AND what = ?", (item_id, what))

    def claims(self, item_ids: Sequence[str] | None = None) -> dict[tuple[str, str], Claim]:
        rows = self.db.execute(f"SELECT {', '.join(_COLUMNS)} FROM claims")
        wanted = set(item_ids) if item_ids is not None else None
        return {(r[0], r[1]): Claim(*r) for r in rows if wanted is None or r[0] in wanted}
