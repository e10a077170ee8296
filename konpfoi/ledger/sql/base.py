"""What every SQL backend shares: transactions, the schema's migrations, and the ledger's
identity. The statements are portable (standard types, ON CONFLICT, RETURNING, `?`
placeholders); a backend supplies the connection, the dialect and its locking."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from konpfoi.errors import Conflict, read_only_error
from konpfoi.ledger import migrations
from konpfoi.ledger.sql.db import Db
from konpfoi.ledger.store import Ledger


class SqlBase(Ledger):
    """Transactions and migrations over a `Db`; the parts that know tables are mixed in."""

    db: Db
    dialect: migrations.Dialect
    BEGIN_WRITE = "BEGIN"
    BEGIN_READ = "BEGIN"

    def _start(self, db: Db, dialect: migrations.Dialect) -> None:
        self.db = db
        self.dialect = dialect
        self._in_tx = False

    def close(self) -> None:
        self.db.close()

    # -- transactions ----------------------------------------------------------------------

    @contextmanager
    def _transaction(self, begin: str, commit: bool) -> Iterator[Ledger]:
        if self._in_tx:
            yield self
            return
        self.db.execute(begin)
        self._in_tx = True
        try:
            yield self
        except self.db.errors as exc:  # raised while reading rows, outside `execute`
            self.db.execute("ROLLBACK")
            raise self.db.failure(exc) from None
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT" if commit else "ROLLBACK")
        finally:
            self._in_tx = False

    def write(self) -> AbstractContextManager[Ledger]:
        if self.read_only:
            raise read_only_error(self.url)
        return self._transaction(self.BEGIN_WRITE, commit=True)

    def cache_write(self) -> AbstractContextManager[Ledger]:
        """A transaction that writes only the disposable status cache: allowed in a ledger
        opened read-only (the cache lives in the user's own cache folder)."""
        return self._transaction(self.BEGIN_WRITE, commit=True)

    def read(self) -> AbstractContextManager[Ledger]:
        return self._transaction(self.BEGIN_READ, commit=True)

    # -- schema ----------------------------------------------------------------------------

    def _tables(self) -> set[str]:
        raise NotImplementedError

    def _applied(self) -> set[str]:
        if "migrations" not in self._tables():
            return set()
        return {r[0] for r in self.db.execute("SELECT name FROM migrations").fetchall()}

    def _check_version(self, applied: set[str]) -> None:
        unknown = sorted(applied - migrations.KNOWN)
        if unknown:
            raise Conflict(
                f"{self.url} was written by a newer konpfoi (its schema has "
                f"{', '.join(unknown)}, which this konpfoi, schema "
                f"{migrations.SCHEMA_VERSION}, does not know)",
                hint="upgrade konpfoi: pip install -U konpfoi")

    def _migrate(self) -> None:
        """Apply what is pending, under the write lock: a second process that waited for it
        finds the work done."""
        applied = self._applied()
        self._check_version(applied)
        if not migrations.pending(applied):
            return
        with self.write():
            self._lock_schema()
            applied = self._applied()
            self._check_version(applied)
            migrations.apply(self.db, self.dialect, applied)

    def _lock_schema(self) -> None:
        """Inside the write transaction: only one process migrates at a time (SQLite's write
        lock already says so)."""

    @property
    def uid(self) -> str:
        row = self.db.one("SELECT value FROM konpfoi_meta WHERE key = 'uid'")
        return str(row[0]) if row else ""

    def schema_version(self) -> int:
        return int(self.db.one("SELECT COUNT(*) FROM migrations")[0])
