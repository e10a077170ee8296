"""The volunteers who share a ledger: one row each (email, name), and what each has recorded."""

from __future__ import annotations

from typing import Any

from konpfoi.ledger.model import Volunteer, now_utc
from konpfoi.ledger.sql.base import SqlBase

# A known email with a new name takes the new name; an unchanged row is not rewritten.
_KEEP = ("INSERT INTO volunteers (email, name, joined_at) VALUES (?, ?, ?) "
         "ON CONFLICT (email) DO UPDATE SET name = excluded.name "
         "WHERE volunteers.name <> excluded.name")


class VolunteersSql(SqlBase):
    def join(self, volunteer: Volunteer | None) -> None:
        self.volunteer = volunteer
        if volunteer is None:
            return
        row = self.db.one("SELECT name FROM volunteers WHERE email = ?", (volunteer.email,))
        if row is None or row[0] != volunteer.name:
            with self.write():
                self.add_volunteer(volunteer)
    def add_volunteer(self, volunteer: Volunteer, joined_at: str | None = None) -> None:
        self.db.execute(_KEEP, (volunteer.email, volunteer.name, joined_at or now_utc()))

    def volunteers(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT email, name, joined_at FROM volunteers ORDER BY email")
        return [{"email": e, "name": n, "joined_at": j} for e, n, j in rows]

    def activity(self) -> list[tuple[str, str, int, str]]:
        rows = self.db.execute(
            "SELECT actor, kind, COUNT(*), MAX(recorded_at) FROM events "
            "WHERE actor IS NOT NULL GROUP BY actor, kind ORDER BY actor, kind")
        return [(a, k, int(n), last) for a, k, n, last in rows]
