"""`open_ledger(url)`: the one place that chooses a ledger backend (as pipx's `backends/` are
chosen by a factory). Only the chosen backend's module, and its driver, are imported: psycopg
is loaded only for a PostgreSQL URL."""

from __future__ import annotations

from pathlib import Path

from konpfoi.ledger.model import Volunteer
from konpfoi.ledger.store import Ledger
from konpfoi.workspace import ledger_url


def open_ledger(where: str | Path, create: bool = True,
                volunteer: Volunteer | None = None) -> Ledger:
    """The ledger at a path or URL: a file path or `sqlite:///path/to/file.db` (the embedded
    default, SQLite), or `postgresql://...` (a group's shared ledger). Each event written
    through it says `volunteer` recorded it."""
    text = str(where)
    ledger: Ledger
    if ledger_url.scheme(text) == "postgresql":
        from konpfoi.ledger.postgresql import PostgresLedger

        ledger = PostgresLedger(ledger_url.check(text))
    else:
        from konpfoi.ledger.sqlite import SqliteLedger

        ledger = SqliteLedger(ledger_url.sqlite_path(text), create=create)
    try:
        ledger.join(volunteer)
    except BaseException:
        ledger.close()
        raise
    return ledger
