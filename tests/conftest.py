"""Shared fixtures: every test gets its own workspace, cache and working folder."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from konpfoi.cli.main import app
from konpfoi.ledger.backends import open_ledger

pytest_plugins = ["servers.fixtures"]  # real Dovecot, PostgreSQL and SMTP servers on loopback

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TODAY = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked `backends(...)` (a whole module with `pytestmark`) runs once on each
    ledger backend named; every other test on the embedded default, SQLite."""
    marker = metafunc.definition.get_closest_marker("backends")
    if marker and "ledger_backend" in metafunc.fixturenames:
        metafunc.parametrize("ledger_backend", marker.args or BACKENDS, indirect=True)


@pytest.fixture
def ledger_backend(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture
def new_ledger(request: pytest.FixtureRequest, ledger_backend: str, tmp_path: Path):
    """A factory of empty ledgers on this test's backend: a file, or a fresh database."""
    made = iter(range(1, 1000))

    def make() -> str:
        n = next(made)
        if ledger_backend == "postgresql":
            return request.getfixturevalue("pg_databases")()
        path = tmp_path / f"ledger-{n}" / "konpfoi.db"
        open_ledger(path).close()  # a ledger named by KONPFOI_LEDGER must be there
        return str(path)

    return make


@pytest.fixture
def ledger_url(ledger_backend: str, isolated: Path) -> str:
    """This test's ledger: the workspace's konpfoi.db, or its PostgreSQL database."""
    return os.environ.get("KONPFOI_LEDGER") or str(isolated / "konpfoi.db")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ledger_backend: str,
             request: pytest.FixtureRequest) -> Path:
    """Point KONPFOI_HOME and the cache at tmp_path; never touch the user's real folders.
    On the PostgreSQL backend, KONPFOI_LEDGER names a fresh database of this test's own."""
    home = tmp_path / "home"
    monkeypatch.setenv("KONPFOI_HOME", str(home))
    monkeypatch.setenv("KONPFOI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    for var in ("KONPFOI_SMTP_PASSWORD", "KONPFOI_IMAP_PASSWORD", "KONPFOI_DEBUG",
                "KONPFOI_LEDGER", "PGPASSWORD", "PGSERVICE", "PGHOST", "PGUSER", "PGDATABASE"):
        monkeypatch.delenv(var, raising=False)
    if ledger_backend == "postgresql":
        monkeypatch.setenv("KONPFOI_LEDGER", request.getfixturevalue("pg_databases")())
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return home


@pytest.fixture(scope="session")
def pg_admin(postgres):
    """One superuser connection for the session, to make databases quickly."""
    import psycopg

    with psycopg.connect(postgres.url("postgres"), autocommit=True) as conn:
        yield conn


@pytest.fixture
def pg_databases(pg_admin, postgres):
    """A factory of fresh databases for this test (dropped after it): their URLs."""
    import secrets

    made: list[str] = []

    def make() -> str:
        name = f"t_{secrets.token_hex(6)}"
        pg_admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        made.append(name)
        return postgres.url(name)

    yield make
    for name in made:
        pg_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def open_test_ledger():  # type: ignore[no-untyped-def]
    """The ledger of the workspace the test works in, whichever backend it is."""
    from konpfoi.context import Context

    return Context().ledger()


def ledger_rows(sql: str, args: tuple = ()) -> list[tuple]:
    """The rows of a query on this test's ledger (either backend; `?` placeholders)."""
    from konpfoi.context import Context

    with Context().ledger() as ledger:
        cursor = ledger.db.execute(sql, args)
        return [tuple(r) for r in cursor.fetchall()] if cursor.description else []


@pytest.fixture
def frozen():
    """The clock stopped at noon on TODAY; a module opts in with pytest.mark.usefixtures."""
    with time_machine.travel(TODAY, tick=False):
        yield


@contextmanager
def on_day(day: str) -> Iterator[None]:
    """What is inside happens at noon on `day`: a request drafted before it was sent."""
    with time_machine.travel(dt.datetime.fromisoformat(f"{day}T12:00:00+00:00"), tick=False):
        yield


@pytest.fixture
def home(isolated: Path) -> Path:
    return isolated


class Run:
    """Invoke the CLI in-process, as a user would type it."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int | None = 0, input: str | None = None):  # noqa: A002
        result = self.runner.invoke(app, list(args), input=input, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, (
                f"exit {result.exit_code}, wanted {code}\nstdout:\n{result.stdout}\n"
                f"stderr:\n{result.stderr}"
            )
        return result

    def json(self, *args: str, code: int = 0):
        result = self(*args, "--json", code=code)
        return json.loads(result.stdout)


@pytest.fixture
def run() -> Run:
    return Run()


@pytest.fixture
def me(run: Run, home: Path) -> Path:
    """A workspace with the requester's details filled in."""
    run("init", str(home), "--name", "Jo Campaigner", "--email", "jo@example.org",
        "--address", "1 High Street\nLondon SE1 1AA")
    return home


def add_lothian(workspace: Path) -> None:
    """NHS Lothian with an FOI address (the shipped directory has none for Scottish boards)."""
    write(workspace / "bodies.yaml", """\
bodies:
  - id: hb:S08000024
    kind: hb
    name: NHS Lothian
    nation: scotland
    contacts: [{role: foi, email: foi@lothian.scot.nhs.uk}]
""")


def with_group(home: Path) -> None:
    """Give the workspace a campaign group (it signs letters from the group to MPs)."""
    text = (home / "konpfoi.yaml").read_text()
    text = text.replace("group:\n  name: \n  email: \n", "group:\n  name: Lambeth KONP\n"
                        "  email: lambeth@konp.example\n")
    text = text.replace("  website: \n", "  website: https://konp.example/lambeth-group\n")
    (home / "konpfoi.yaml").write_text(text)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777


class Loopback:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""

    def __init__(self, *, refuse: set[str] | None = None, drop_at: int | None = None,
                 delay: float = 0.0, login: tuple[str, str] | None = None,
                 pipelining: bool = False) -> None:
        import threading

        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.received: list[tuple[list[str], bytes]] = []
        self.connections: list[tuple[object, float]] = []  # (client's address, when): each
        self.refuse = refuse or set()
        self.drop_at = drop_at
        self.lock = threading.Lock()
        outer = self

        class Handler:
            async def handle_EHLO(self, server, session, envelope, hostname, responses):
                session.host_name = hostname
                if pipelining:  # as Gmail, Microsoft 365 and Postfix do (aiosmtpd does not)
                    responses = [*responses[:-1], "250-PIPELINING", responses[-1]]
                return responses

            async def handle_RCPT(self, server, session, envelope, address, options):
                if address in outer.refuse:
                    return "550 5.1.1 no such user here"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                if delay:
                    import asyncio

                    await asyncio.sleep(delay)
                with outer.lock:
                    if outer.drop_at is not None and len(outer.received) + 1 >= outer.drop_at:
                        outer.drop_at = None
                        server.transport.close()  # gone, without an answer
                        return None
                    outer.received.append((list(envelope.rcpt_tos), envelope.content))
                    outer.connections.append((session.peer, time.monotonic()))
                return "250 2.0.0 OK queued"

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = login is not None and (auth_data.login.decode(), auth_data.password.decode()) \
                == login
            return AuthResult(success=ok, handled=False)

        kwargs = {}
        if login:
            kwargs = {"authenticator": authenticator, "auth_required": True,
                      "auth_require_tls": False}
        import socket

        with socket.socket() as probe:  # a free port (the controller checks it by connecting)
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
        self.controller.start()
        self.host, self.port = "127.0.0.1", port

    def overlapping(self) -> bool:
        """Whether two connections (two konpfoi processes) delivered at the same time."""
        spans: dict[object, list[float]] = {}
        for peer, when in self.connections:
            span = spans.setdefault(peer, [when, when])
            span[1] = when
        ordered = sorted(spans.values())
        return any(b[0] < a[1] for a, b in zip(ordered, ordered[1:], strict=False))

    def message_ids(self) -> list[str]:
        import re

        with self.lock:
            return [m.group(1).decode() for _, raw in self.received
                    if (m := re.search(rb"(?m)^Message-ID: (<[^>]+>)", raw))]

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp():
    servers: list[Loopback] = []

    def start(**kwargs) -> Loopback:
        servers.append(Loopback(**kwargs))
        return servers[-1]

    yield start
    for s in servers:
        s.stop()


def use_server(home: Path, server: Loopback, user: str | None = None) -> None:
    """Point the workspace's smtp settings at a loopback server."""
    text = (home / "konpfoi.yaml").read_text()
    start = text.index("smtp:\n")
    end = text.index("\n\n", start)
    block = text[start:end]
    block = block.replace("  host: \n", f"  host: {server.host}\n")
    block = block.replace("  port: \n", f"  port: {server.port}\n")
    block = block.replace("  security: starttls", "  security: none")
    block = block.replace("  rate: 20/min", "  rate: none")  # tests need not wait
    if user:
        block = block.replace("  user: \n", f"  user: {user}\n")
    (home / "konpfoi.yaml").write_text(text[:start] + block + text[end:])


def use_imap(home: Path, host: str, port: int, user: str, security: str = "none",
             extra: str = "") -> None:
    """Point the workspace's imap settings at a loopback server (`extra`: more lines)."""
    path = home / "konpfoi.yaml"
    text = path.read_text()
    start = text.index("imap:\n")
    end = text.index("\n\n", start)
    block = (f"imap:\n  host: {host}\n  port: {port}\n  user: {user}\n"
             f"  security: {security}\n" + extra)
    path.write_text(text[:start] + block.rstrip("\n") + text[end:])
