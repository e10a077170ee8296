"""`open_ledger(url)`: the one place that chooses a ledger backend (as pipx's `backends/` are
chosen by a factory). Only the chosen backend's module, and its driver, are imported."""

from __future__ import annotations

from pathlib import Path

from konpfoi.errors import InvalidInput
from konpfoi.ledger.store import Ledger


def open_ledger(where: str | Path, create: bool = True) -> Ledger:
    """The ledger at a path or URL: a file path or `sqlite:///path/to/file.db` (the embedded
    default, SQLite). Only the chosen backend's module, and its driver, are imported."""
    text = str(where)
    if text.startswith("sqlite:"):
        path = Path(text.removeprefix("sqlite:").removeprefix("//") or ".")
    elif "://" in text:
        scheme = text.split("://", 1)[0]
        raise InvalidInput(f"unknown ledger URL scheme {scheme!r}",
                           hint="use a file path or sqlite:///path/to/konpfoi.db")
    else:
        path = Path(text)
    from konpfoi.ledger.sqlite import SqliteLedger

    return SqliteLedger(path, create=create)
