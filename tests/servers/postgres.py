"""A throwaway PostgreSQL cluster that listens only on a unix socket in its own temp folder.

    with PostgresCluster() as pg:
        url = pg.create_database("ledger")  # postgresql://postgres@/ledger?host=/tmp/…/sock
        psycopg.connect(url)

With tls=True it also listens on 127.0.0.1 (.tcp_port), TLS only, with a certificate from a
throwaway CA (.certs.ca_file) for localhost and 127.0.0.1.

Run as root, the cluster belongs to the `postgres` user (initdb refuses root): the folder is
chowned to it and initdb / pg_ctl run through `runuser -u postgres --`. Run as anyone else,
they run as that user. Authentication is `trust` for everyone except roles made with
create_role(), which must give their password (scram-sha-256 or md5).

Administration goes through the server's own psql, so this module needs no driver.
"""

from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

from ._net import free_port, is_root, make_tempdir, remove_tree

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def find_bindir() -> Path | None:
    """The newest PostgreSQL server binaries: $KONPFOI_PG_BINDIR, Debian's
    /usr/lib/postgresql/N/bin, or initdb on PATH."""
    candidates = []
    if os.environ.get("KONPFOI_PG_BINDIR"):
        candidates.append(Path(os.environ["KONPFOI_PG_BINDIR"]))
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                    key=lambda p: [int(x) for x in re.findall(r"\d+", p)], reverse=True)
    candidates += [Path(p) for p in debian]
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).parent)
    for bindir in candidates:
        if all((bindir / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres", "psql")):
            return bindir
    return None


def available() -> str | None:
    """None when a cluster can be made here, else why not (for pytest.skip)."""
    if find_bindir() is None:
        return ("PostgreSQL server binaries not found (apt-get install postgresql, "
                "or set KONPFOI_PG_BINDIR)")
    if is_root():
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root but there is no postgres user to own the cluster"
        if not shutil.which("runuser"):
            return "running as root but runuser (util-linux) is missing"
    return None


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


class PostgresCluster:
    def __init__(self, *, bindir: Path | None = None, start_timeout: int = 60,
                 tls: bool = False, settings: dict[str, str] | None = None) -> None:
        self.bindir = bindir or find_bindir()
        self.tls = tls
        self.settings = settings or {}  # more -c NAME=VALUE for the server (a benchmark's)
        self.tcp_port: int | None = None
        self.certs = None
        self.start_timeout = start_timeout
        self.folder: Path | None = None
        self.data: Path | None = None
        self.sockdir: Path | None = None
        self.port = 5432  # names the socket file only: nothing listens on TCP
        self.superuser = "postgres"
        self.running = False
        self.started_in: float | None = None
        self._hba_roles: list[tuple[str, str]] = []

    # ---- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> PostgresCluster:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _as_owner(self, *cmd: str | Path, check: bool = True,
                  timeout: float = 120) -> subprocess.CompletedProcess:
        args = [str(c) for c in cmd]
        if is_root():
            args = ["runuser", "-u", "postgres", "--", *args]
        result = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                                cwd=self.folder, check=False)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n"
                               f"{result.stdout}{result.stderr}{self.log()}")
        return result

    def start(self) -> PostgresCluster:
        if self.bindir is None or is_root():
            reason = available()  # no binaries; or root without a postgres user / runuser
            if self.bindir is None or reason:
                raise RuntimeError(reason or "PostgreSQL server binaries not found")
        began = time.monotonic()
        self.folder = make_tempdir("konpfoi-pg-")
        try:
            self.data = self.folder / "data"
            self.sockdir = self.folder / "sock"
            self.sockdir.mkdir()
            if is_root():
                import pwd

                pw = pwd.getpwnam("postgres")
                for path in (self.folder, self.sockdir):
                    os.chown(path, pw.pw_uid, pw.pw_gid)
            self._as_owner(self.bindir / "initdb", "-D", self.data, "-U", self.superuser,
                           "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync",
                           "--no-instructions")
            self._write_hba()
            listen = "''"
            if self.tls:
                listen = "127.0.0.1"
                self.port = self.tcp_port = free_port()
                self._install_certs()
            opts = (f"-c listen_addresses={listen} -k {self.sockdir} -p {self.port} "
                    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                    "-c max_connections=50 -c shared_buffers=16MB")
            if self.tls:
                opts += " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key"
            opts += "".join(f" -c {k}={v}" for k, v in self.settings.items())
            self._opts = opts
            self._as_owner(self.bindir / "pg_ctl", "start", "-w", "-t", str(self.start_timeout),
                           "-D", self.data, "-l", self.folder / "postgres.log", "-o", opts)
            self.running = True
        except BaseException:
            self.stop()
            raise
        self.started_in = time.monotonic() - began
        return self

    def restart(self) -> None:
        """Stop and start the same cluster: its data kept, its shared buffers empty."""
        assert self.data is not None and self.folder is not None
        self._as_owner(self.bindir / "pg_ctl", "restart", "-w", "-m", "fast", "-t",
                       str(self.start_timeout), "-D", self.data, "-l",
                       self.folder / "postgres.log", "-o", self._opts)

    def stop(self) -> None:
        if self.running and self.data is not None:
            self._as_owner(self.bindir / "pg_ctl", "stop", "-D", self.data, "-m", "immediate",
                           "-w", check=False)
            self.running = False
        remove_tree(self.folder)
        self.folder = self.data = self.sockdir = None

    def log(self) -> str:
        if self.folder is None or not (self.folder / "postgres.log").exists():
            return ""
        return (self.folder / "postgres.log").read_text(errors="replace")

    # ---- pg_hba: trust for all, a password for the roles made with create_role -------------

    def _install_certs(self) -> None:
        from .certs import make_certs

        assert self.folder is not None and self.data is not None
        self.certs = make_certs(self.folder)
        for src, name in ((self.certs.cert_file, "server.crt"),
                          (self.certs.key_file, "server.key")):
            dest = self.data / name
            shutil.copyfile(src, dest)
            dest.chmod(0o600)  # the server refuses a key others may read
            if is_root():
                import pwd

                pw = pwd.getpwnam("postgres")
                os.chown(dest, pw.pw_uid, pw.pw_gid)

    def _write_hba(self) -> None:
        assert self.data is not None
        lines = ["# konpfoi test cluster: unix socket, and TCP on 127.0.0.1 over TLS only"]
        lines += [f"local all {role} {method}" for role, method in self._hba_roles]
        lines += ["local all all trust", "hostnossl all all all reject",
                  "hostssl all all 127.0.0.1/32 trust"]
        hba = self.data / "pg_hba.conf"
        hba.write_text("\n".join(lines) + "\n")  # as root: keeps the postgres owner

    # ---- SQL through psql ------------------------------------------------------------------

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run SQL as the superuser; returns psql's unaligned, tuples-only output."""
        assert self.sockdir is not None and self.bindir is not None
        result = subprocess.run(
            [str(self.bindir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-h", str(self.sockdir), "-p", str(self.port), "-U", self.superuser,
             "-d", dbname, "-c", sql],
            capture_output=True, text=True, timeout=60, check=False,
            env={**os.environ, "PGCONNECT_TIMEOUT": "10"})
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {sql}\n{result.stderr}")
        return result.stdout.strip()

    def url(self, dbname: str = "postgres", user: str | None = None,
            password: str | None = None) -> str:
        """A libpq URL for dbname over this cluster's socket."""
        assert self.sockdir is not None
        who = quote(user or self.superuser, safe="")
        if password is not None:
            who += ":" + quote(password, safe="")
        return (f"postgresql://{who}@/{quote(dbname, safe='')}"
                f"?host={quote(str(self.sockdir), safe='/')}&port={self.port}")

    @property
    def host(self) -> str:
        """The socket folder, as libpq's host (PGHOST) takes it."""
        assert self.sockdir is not None
        return str(self.sockdir)

    def create_database(self, name: str | None = None, owner: str | None = None) -> str:
        """Create a database (a fresh random name when none is given); returns its URL."""
        name = _check_name(name or f"test_{secrets.token_hex(6)}")
        self.psql(f'CREATE DATABASE "{name}"'
                  + (f' OWNER "{_check_name(owner)}"' if owner else ""))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{_check_name(name)}" WITH (FORCE)')

    def databases(self) -> list[str]:
        return self.psql("SELECT datname FROM pg_database WHERE NOT datistemplate "
                         "ORDER BY datname").splitlines()

    def create_role(self, name: str, password: str, method: str = "scram-sha-256",
                    superuser: bool = False) -> None:
        """A login role that must give password over the socket (method: scram-sha-256 or
        md5). pg_hba.conf gets `local all NAME METHOD` ahead of the trust line."""
        if method not in ("scram-sha-256", "md5", "password"):
            raise ValueError(f"unsupported method {method!r}")
        _check_name(name)
        literal = "'" + password.replace("'", "''") + "'"
        encryption = "md5" if method == "md5" else "scram-sha-256"
        self.psql(f"SET password_encryption = '{encryption}'; "
                  f'CREATE ROLE "{name}" LOGIN {"SUPERUSER" if superuser else ""} '
                  f"PASSWORD {literal}")
        self._hba_roles.append((name, method))
        self._write_hba()
        self.psql("SELECT pg_reload_conf()")
        self._wait_for_hba(name)

    def _wait_for_hba(self, name: str, timeout: float = 5.0) -> None:
        # pg_reload_conf() only signals the postmaster: wait until a password-less login as
        # the role is refused, i.e. the new rule is in force.
        assert self.sockdir is not None and self.bindir is not None
        env = {k: v for k, v in os.environ.items() if k not in ("PGPASSWORD", "PGPASSFILE")}
        env["PGPASSFILE"] = os.devnull
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = subprocess.run(
                [str(self.bindir / "psql"), "-X", "-w", "-h", str(self.sockdir),
                 "-p", str(self.port), "-U", name, "-d", "postgres", "-c", "SELECT 1"],
                capture_output=True, text=True, timeout=30, check=False, env=env)
            if result.returncode != 0 and "password" in result.stderr:
                return
            time.sleep(0.02)
        raise RuntimeError(f"pg_hba rule for {name} was not loaded:\n{self.log()}")
