"""Where a workspace's ledger is: a SQLite file (a path, or `sqlite:///path/to/file.db`) or a
PostgreSQL database (any libpq URL, `postgresql://user@host/dbname?sslmode=verify-full`).

A ledger URL never holds a password: libpq finds it (PGPASSFILE, a service file, PGPASSWORD)
or the system keyring does. What is shown to people has any password taken out all the same.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from konpfoi.errors import InvalidInput, Unsafe

POSTGRES_SCHEMES = ("postgresql", "postgres")
PASSWORD_HINT = ("give it as libpq does: a ~/.pgpass line (or PGPASSFILE), a service in "
                 "~/.pg_service.conf, PGPASSWORD, or the system keyring (service konpfoi, "
                 "user postgresql://USER@HOST)")


def scheme(url: str) -> str:
    """'sqlite' for a path or sqlite: URL, 'postgresql' for a libpq URL."""
    found = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", url)
    name = found.group(1).lower() if found else ""
    if name in POSTGRES_SCHEMES:
        return "postgresql"
    if name == "sqlite" or "://" not in url:
        return "sqlite"
    raise InvalidInput(f"unknown ledger URL scheme {name!r}",
                       hint="use a file path, sqlite:///path/to/konpfoi.db or "
                            "postgresql://host/dbname")


def check(url: str, where: str = "the ledger URL") -> str:
    """The URL, refused if it holds a password or names no known kind of ledger."""
    url = url.strip()
    if not url:
        raise InvalidInput(f"{where} is empty", hint="e.g. postgresql://db.example.org/campaign")
    if scheme(url) == "postgresql" and _has_password(url):
        raise Unsafe(f"{where} holds a password; konpfoi never keeps one", hint=PASSWORD_HINT)
    return url


def _has_password(url: str) -> bool:
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    return ":" in userinfo or any(k == "password" for k, _ in parse_qsl(parts.query))


def sqlite_path(url: str, base: Path | None = None) -> Path:
    """The file a path or sqlite: URL names; a relative one is taken from `base`."""
    text = url.removeprefix("sqlite:").removeprefix("//") if url.startswith("sqlite:") else url
    path = Path(text or ".").expanduser()
    return path if path.is_absolute() or base is None else base / path


def display(url: str) -> str:
    """The URL for people: any password replaced by '***'."""
    if scheme(url) != "postgresql":
        return url
    parts = urlsplit(url)
    user, at, host = parts.netloc.rpartition("@")
    if ":" in user:
        user = user.split(":", 1)[0] + ":***"
    query = urlencode([(k, "***" if k == "password" else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)], safe="/")
    return urlunsplit((parts.scheme, f"{user}{at}{host}", parts.path, query, parts.fragment))
