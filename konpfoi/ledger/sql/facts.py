"""The register's claims about bodies (appended, never overwritten), and the keyed hashes of
supporters who asked to be left out."""

from __future__ import annotations

from konpfoi.ledger.model import Fact, now_utc
from konpfoi.ledger.sql.base import SqlBase

FACT_COLUMNS = ("uid", "body_id", "key", "value", "source", "checked", "recorded_at",
                "item_id", "question", "note", "settles")
_SELECT = f"SELECT {', '.join(FACT_COLUMNS)} FROM facts"


def _fact(row: tuple) -> Fact:  # type: ignore[type-arg]
    values = list(row)
    values[-1] = bool(values[-1])
    return Fact(*values)


class FactsSql(SqlBase):
    def add_fact(self, fact: Fact) -> bool:
        """Keep a claim unless one with its uid is already here; True if it was added."""
        if self.db.one("SELECT 1 FROM facts WHERE uid = ?", (fact.uid,)):
            return False
        values = [getattr(fact, c) for c in FACT_COLUMNS]
        values[-1] = int(fact.settles)
        self.db.execute(f"INSERT INTO facts ({', '.join(FACT_COLUMNS)}) "
                        f"VALUES ({', '.join('?' * len(FACT_COLUMNS))})", values)
        return True

    def facts(self, body_id: str | None = None) -> list[Fact]:
        if body_id is None:
            rows = self.db.execute(f"{_SELECT} ORDER BY id")
        else:
            rows = self.db.execute(f"{_SELECT} WHERE body_id = ? ORDER BY id", (body_id,))
        return [_fact(r) for r in rows]

    # -- left out ----------------------------------------------------------------------------

    def leave_out(self, digest: str, recorded_at: str | None = None) -> bool:
        if self.db.one("SELECT 1 FROM left_out WHERE digest = ?", (digest,)):
            return False
        self.db.execute("INSERT INTO left_out (digest, recorded_at) VALUES (?, ?)",
                        (digest, recorded_at or now_utc()))
        return True

    def left_out(self) -> dict[str, str]:
        """digest -> when it was recorded."""
        return {d: at for d, at in self.db.execute(
            "SELECT digest, recorded_at FROM left_out ORDER BY digest")}
