"""pytest fixtures for the loopback servers. Pull them in with

    pytest_plugins = ["servers.fixtures"]

in tests/conftest.py or in a test module.

IMAP (Dovecot; skipped where it is not installed)
  dovecot            a fresh server for this test, with user IMAP_USER / IMAP_PASSWORD
  dovecot_tls        the same with STARTTLS on .port and implicit TLS on .ssl_port (.ca_file)
  dovecot_oauth      the same with XOAUTH2 / OAUTHBEARER: dovecot_oauth.add_token(user, token)
  dovecot_factory    start any number with your own options: dovecot_factory(tls=True, ...)
  dovecot_shared     one plain server for the whole session (add your own users)
  imap_account       a fresh user (.user, .password) on dovecot_shared: cheap isolation
PostgreSQL (skipped where the server binaries are absent)
  postgres           one cluster for the whole session (PostgresCluster)
  pg_url             a fresh database on it for this test, dropped afterwards: its libpq URL
SMTP (aiosmtpd)
  smtp_server        a factory: smtp_server(users={...}, starttls=True, tempfail_first=2, ...)
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from . import postgres as _postgres
from .dovecot import IMAP_PASSWORD, IMAP_USER, Dovecot, dovecot_binary
from .postgres import PostgresCluster
from .smtp import SmtpServer

__all__ = ["IMAP_PASSWORD", "IMAP_USER"]


def _need_dovecot() -> None:
    if dovecot_binary() is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")


@pytest.fixture
def dovecot_factory() -> Iterator[Callable[..., Dovecot]]:
    _need_dovecot()
    started: list[Dovecot] = []

    def start(users: dict[str, str] | None = None, **options) -> Dovecot:
        server = Dovecot({IMAP_USER: IMAP_PASSWORD} if users is None else users, **options)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def dovecot(dovecot_factory) -> Dovecot:
    return dovecot_factory()


@pytest.fixture
def dovecot_tls(dovecot_factory) -> Dovecot:
    return dovecot_factory(tls=True)


@pytest.fixture
def dovecot_oauth(dovecot_factory) -> Dovecot:
    return dovecot_factory(oauth2=True)


@pytest.fixture(scope="session")
def dovecot_shared() -> Iterator[Dovecot]:
    _need_dovecot()
    with Dovecot({}) as server:
        yield server


@dataclass
class ImapAccount:
    server: Dovecot
    user: str
    password: str

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> int:
        return self.server.port


@pytest.fixture
def imap_account(dovecot_shared: Dovecot) -> ImapAccount:
    user = f"u{secrets.token_hex(4)}@example.org"
    password = secrets.token_urlsafe(12)
    dovecot_shared.add_user(user, password)
    return ImapAccount(dovecot_shared, user, password)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    reason = _postgres.available()
    if reason:
        pytest.skip(reason)
    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture
def pg_url(postgres: PostgresCluster) -> Iterator[str]:
    name = f"test_{secrets.token_hex(6)}"
    url = postgres.create_database(name)
    yield url
    postgres.drop_database(name)


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., SmtpServer]]:
    started: list[SmtpServer] = []

    def start(**options) -> SmtpServer:
        server = SmtpServer(**options)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
