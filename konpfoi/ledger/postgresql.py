"""A ledger a group shares: one PostgreSQL database, reached through psycopg 3 (the optional
`postgres` extra) by any libpq URL.

The only module that imports psycopg, and only when a PostgreSQL URL is opened. The SQL is the
portable SQL every backend shares (ledger/sql/); what is PostgreSQL's own is here and in
postgresql_views: the advisory lock migrations run under, the row lock that claims an item
(`FOR UPDATE SKIP LOCKED`), and the status cache kept in the database itself.
"""

from __future__ import annotations

import getpass
from typing import Any

from konpfoi.errors import StorageError
from konpfoi.ledger import migrations
from konpfoi.ledger.migrations import POSTGRESQL
from konpfoi.ledger.postgresql_views import PostgresViews
from konpfoi.ledger.sql.claims import ClaimsSql
from konpfoi.ledger.sql.db import Db
from konpfoi.ledger.sql.dump import DumpSql
from konpfoi.ledger.sql.erasure import ErasureSql
from konpfoi.ledger.sql.events import EventsSql
from konpfoi.ledger.sql.facts import FactsSql
from konpfoi.ledger.sql.inbound import InboundSql
from konpfoi.ledger.sql.items import ItemsSql
from konpfoi.ledger.sql.mailfolders import MailFoldersSql
from konpfoi.ledger.sql.volunteers import VolunteersSql
from konpfoi.workspace.ledger_url import PASSWORD_HINT, display

EXTRA_HINT = "pip install 'konpfoi[postgres]'"
# pg_advisory_xact_lock's key for migrations: "konpfoi" in ASCII, the same for every version.
MIGRATION_LOCK = 0x6B6F6E70666F69


def _driver() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StorageError("a PostgreSQL ledger needs psycopg, which is not installed",
                           hint=EXTRA_HINT) from None
    return psycopg


def _placeholders(sql: str) -> str:
    """The shared SQL's `?` placeholders in psycopg's style (a literal % doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresLedger(ItemsSql, EventsSql, InboundSql, MailFoldersSql, FactsSql, ErasureSql,
                     VolunteersSql, ClaimsSql, DumpSql, PostgresViews):
    """A ledger in one PostgreSQL database (its current schema)."""

    BEGIN_WRITE = "BEGIN"
    BEGIN_READ = "BEGIN ISOLATION LEVEL REPEATABLE READ"  # one snapshot for an export

    def __init__(self, url: str) -> None:
        psycopg = _driver()
        self.url = display(url)
        conn = connect(psycopg, url, self.url)
        self._start(Db(conn, self.url, (psycopg.Error,), (psycopg.errors.IntegrityError,),
                       translate=_placeholders), POSTGRESQL)
        try:
            self._check_ours()
            self._migrate()
        except BaseException:
            self.close()
            raise

    def _tables(self) -> set[str]:
        rows = self.db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        return {r[0] for r in rows}

    def _check_ours(self) -> None:
        tables = self._tables()
        if tables and "konpfoi_meta" not in tables:
            raise StorageError(
                f"the database {self.url} holds tables konpfoi did not create; it was left "
                "untouched", hint="give konpfoi a database (or schema) of its own")

    def _lock_schema(self) -> None:
        self.db.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))

    def _migrate(self) -> None:
        try:
            super()._migrate()
        except StorageError as exc:
            if "permission denied" not in exc.message and "must be owner" not in exc.message:
                raise
            raise StorageError(
                f"the ledger {self.url} needs its schema brought up to version "
                f"{migrations.SCHEMA_VERSION}, which only its owner may do "
                f"({getattr(exc, 'reason', '') or exc.message})",
                hint="ask your coordinator to run: konpfoi ledger upgrade, connected as the "
                     "database's owner role") from None

    def lock_item(self, item_id: str) -> bool:
        assert self._in_tx, "the lock lasts as long as its transaction"
        row = self.db.one("SELECT 1 FROM items WHERE id = ? FOR UPDATE SKIP LOCKED", (item_id,))
        return row is not None


def connect(psycopg: Any, url: str, shown: str) -> Any:
    """A connection in autocommit mode (konpfoi says BEGIN itself). A password libpq did not
    find (PGPASSFILE, a service file, PGPASSWORD) is looked for in the system keyring."""
    options: dict[str, Any] = {"autocommit": True}
    info = psycopg.conninfo.conninfo_to_dict(url)
    if "connect_timeout" not in info:
        options["connect_timeout"] = 10
    if "application_name" not in info:
        options["application_name"] = "konpfoi"
    try:
        return psycopg.connect(url, **options)
    except psycopg.Error as exc:
        first = _first_line(exc)
        if "password" in first and "password" not in info:
            secret = _keyring_password(info)
            if secret:
                try:
                    return psycopg.connect(url, password=secret, **options)
                except psycopg.Error as again:
                    first = _first_line(again)
        raise StorageError(f"cannot open the ledger {shown} ({first})",
                           hint=_connection_hint(first)) from None


def _connection_hint(reason: str) -> str:
    if "password" in reason:
        return PASSWORD_HINT
    if "certificate" in reason or "SSL" in reason:
        return ("check the server's certificate: name its CA in the URL "
                "(sslrootcert=/path/to/ca.pem) or put it in ~/.postgresql/root.crt")
    return ("check the host, database name and user in the ledger URL (konpfoi where), and "
            "that the server is running")


def _keyring_password(info: dict[str, Any]) -> str | None:
    """The password kept in the system keyring for service konpfoi, user
    postgresql://USER@HOST (when the keyring package is installed)."""
    user = info.get("user") or getpass.getuser()
    host = info.get("host") or "localhost"
    try:
        import keyring  # an optional extra: konpfoi works without it

        found = keyring.get_password("konpfoi", f"postgresql://{user}@{host}")
    except Exception:  # not installed, or no keyring backend on this machine
        return None
    return str(found) if found else None


def _first_line(exc: BaseException) -> str:
    """libpq's reason, without the socket or address it tried (the URL says which)."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if text.startswith("connection failed:"):
        text = text.rsplit(" failed: ", 1)[-1]
    return text
