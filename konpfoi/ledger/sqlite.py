"""The embedded default ledger: one SQLite file in the workspace (WAL, foreign keys, owner-only).

The only module that imports sqlite3. A file konpfoi did not make is refused before anything
could change it.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from konpfoi.errors import NotFound, StorageError
from konpfoi.ledger.migrations import SQLITE
from konpfoi.ledger.sql.claims import ClaimsSql
from konpfoi.ledger.sql.db import Db, DriverError
from konpfoi.ledger.sql.dump import DumpSql
from konpfoi.ledger.sql.erasure import ErasureSql
from konpfoi.ledger.sql.events import EventsSql
from konpfoi.ledger.sql.facts import FactsSql
from konpfoi.ledger.sql.inbound import InboundSql
from konpfoi.ledger.sql.items import ItemsSql
from konpfoi.ledger.sql.mailfolders import MailFoldersSql
from konpfoi.ledger.sql.volunteers import VolunteersSql
from konpfoi.ledger.sqlite_views import SqliteViews
from konpfoi.workspace.files import PRIVATE_FILE

_SQLITE_MAGIC = b"SQLite format 3\x00"


class SqliteLedger(ItemsSql, EventsSql, InboundSql, MailFoldersSql, FactsSql, ErasureSql,
                   VolunteersSql, ClaimsSql, DumpSql, SqliteViews):
    """A ledger in one SQLite file."""

    BEGIN_WRITE = "BEGIN IMMEDIATE"  # take the write lock at once: no deadlock on upgrade

    def __init__(self, path: Path, create: bool = True) -> None:
        self.path = path
        self.url = str(path)
        if not path.exists():
            if not create:
                raise NotFound(f"no ledger at {path}", hint="draft something first")
            path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
        else:
            _check_is_sqlite(path)
        try:
            conn = sqlite3.connect(path, timeout=60, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 60000")
            self._start(Db(conn, str(path), (sqlite3.Error,), (sqlite3.IntegrityError,)),
                        SQLITE)
            self._views: Path | None = None
            self._check_ours()  # before anything that would change someone else's file
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except (sqlite3.DatabaseError, DriverError) as exc:
            raise StorageError(
                f"{path} cannot be used as a ledger ({getattr(exc, 'reason', exc)}); it was "
                "left untouched",
                hint="restore it from a backup (konpfoi export) or move it aside",
            ) from None

    def lock_item(self, item_id: str) -> bool:
        return True  # the write transaction (BEGIN IMMEDIATE) holds the whole file

    def _tables(self) -> set[str]:
        rows = self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {r[0] for r in rows}

    def _check_ours(self) -> None:
        tables = self._tables()
        if tables and "konpfoi_meta" not in tables:
            raise StorageError(
                f"{self.path} is an SQLite database that konpfoi did not create; "
                "it was left untouched",
                hint="move it aside, or use another workspace folder",
            )

    def _views_path(self, cache_dir: Path) -> Path:
        # (the last part names the cache's format: a new one starts a new file)
        key = hashlib.sha256(f"{self.path.resolve()}\0{self.uid}\0v3".encode()).hexdigest()[:20]
        return cache_dir / f"status-{key}.db"


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


def write_tables(path: Path, tables: dict[str, tuple[Sequence[str], Sequence[Sequence[Any]]]]
                 ) -> None:
    """A plain SQLite file of `tables` (name -> columns, rows), ready for Datasette: each
    column typed by its values, the first column the key where it is unique. Written to
    `path` anew (a file already there is replaced)."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    try:
        for name, (columns, rows) in tables.items():
            types = []
            for n, _ in enumerate(columns):
                sample = next((r[n] for r in rows if r[n] is not None), "")
                types.append("INTEGER" if isinstance(sample, int) else
                             "REAL" if isinstance(sample, float) else "TEXT")
            unique = len({r[0] for r in rows}) == len(rows)
            cols = ", ".join(f'"{c}" {t}' + (" PRIMARY KEY" if n == 0 and unique else "")
                             for n, (c, t) in enumerate(zip(columns, types, strict=True)))
            conn.execute(f'CREATE TABLE "{name}" ({cols})')
            conn.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(columns))})',
                             rows)
        conn.commit()
    finally:
        conn.close()
