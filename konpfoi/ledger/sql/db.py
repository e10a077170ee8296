"""A DB-API connection behind one small surface: statements written once with `?` placeholders,
run on any backend, with the driver's errors turned into konpfoi's own."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from konpfoi.errors import Conflict, InvalidInput, StorageError


class DriverError(StorageError):
    """The database driver failed: a damaged file, a lost server, a full disk."""

    reason = ""


class Db:
    """Runs statements on one connection; a driver error becomes a StorageError (or a Conflict
    for a broken uniqueness rule), so nothing above the backend knows which driver it is."""

    def __init__(self, conn: Any, where: str, errors: tuple[type[BaseException], ...],
                 integrity: tuple[type[BaseException], ...],
                 translate: Callable[[str], str] | None = None) -> None:
        self.conn = conn
        self.where = where
        self.errors = errors
        self.integrity = integrity
        self._translate = translate
        self._sql: dict[str, str] = {}

    def _text(self, sql: str) -> str:
        if self._translate is None:
            return sql
        out = self._sql.get(sql)
        if out is None:
            out = self._sql[sql] = self._translate(sql)
        return out

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        """A cursor over the statement's rows."""
        try:
            return self.conn.execute(self._text(sql), args)
        except UnicodeEncodeError:
            raise InvalidInput("some text given is not valid Unicode (it came from bytes that "
                               "are not UTF-8)", hint="type it again, or save the file as "
                                                      "UTF-8; nothing was changed") from None
        except self.integrity as exc:
            raise Conflict(f"the ledger refused a duplicate ({_first_line(exc)})",
                           hint="nothing was changed") from None
        except self.errors as exc:
            raise self.failure(exc) from None

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            cur = self.conn.cursor()
            cur.executemany(self._text(sql), rows)
        except self.integrity as exc:
            raise Conflict(f"the ledger refused a duplicate ({_first_line(exc)})",
                           hint="nothing was changed") from None
        except self.errors as exc:
            raise self.failure(exc) from None

    def one(self, sql: str, args: Sequence[Any] = ()) -> Any:
        """The first row, or None; the statement is read to its end (a RETURNING insert)."""
        rows = self.execute(sql, args).fetchall()
        return rows[0] if rows else None

    def failure(self, exc: BaseException) -> StorageError:
        error = DriverError(
            f"the ledger {self.where} cannot be read or written ({_first_line(exc)})",
            hint="nothing was changed; restore it from a backup (konpfoi export) or check "
                 "the disk")
        error.reason = _first_line(exc)
        return error

    def close(self) -> None:
        with contextlib.suppress(*self.errors):
            self.conn.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
