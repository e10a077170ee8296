"""A real Dovecot 2.3 IMAP server on 127.0.0.1 with a standalone configuration in a temp folder.

    with Dovecot({"jo@example.org": "secret"}) as imap:
        imap.append("jo@example.org", "INBOX", b"Subject: hi\\r\\n\\r\\nbody\\r\\n")
        client = imaplib.IMAP4(imap.host, imap.port)
        client.login("jo@example.org", "secret")

Options: tls=True gives a throwaway CA (ca_file), STARTTLS on `port` and implicit TLS on
`ssl_port`; ssl_required=True also refuses any login before TLS. oauth2=True adds Dovecot's
oauth2 passdb (XOAUTH2 and OAUTHBEARER) checked against a token-introspection endpoint served
from a thread here: register tokens with add_token(user, token).

The helpers (append, messages, flags, uidvalidity) log in as the user through a master user
(`user*konpfoi-master`), so they work for token-only users too and never mark mail \\Seen.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ._net import HOST, free_port, is_root, make_tempdir, remove_tree, wait_for_port
from .certs import Certs, make_certs

IMAP_USER = "jo@example.org"      # the user the fixtures make
IMAP_PASSWORD = "imap-secret"
MASTER = "konpfoi-master"
SEPARATOR = "*"
REMOTE_HOST = "127.0.0.2"
SPECIAL = {"Sent": r"\Sent", "Drafts": r"\Drafts", "Trash": r"\Trash", "Junk": r"\Junk"}


def dovecot_binary() -> str | None:
    for candidate in (shutil.which("dovecot"), "/usr/sbin/dovecot"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def dovecot_version() -> str | None:
    binary = dovecot_binary()
    if not binary:
        return None
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip() or None


class Introspection:
    """An RFC 7662-style token introspection endpoint on loopback, in a thread.

    Dovecot POSTs `token=...`; the answer is {"active": true, "username": USER} for a
    registered, active token and {"active": false} for anything else.
    """

    def __init__(self) -> None:
        self.tokens: dict[str, tuple[str, bool]] = {}
        self.requests: list[str] = []  # the tokens asked about, in order
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                self._answer((form.get("token") or [""])[0])

            def do_GET(self) -> None:  # noqa: N802  (introspection_mode = get / auth)
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                token = (query.get("token") or query.get("access_token") or [""])[0]
                auth = self.headers.get("Authorization", "")
                if auth.lower().startswith("bearer "):
                    token = auth[7:].strip()
                self._answer(token)

            def _answer(self, token: str) -> None:
                with outer.lock:
                    outer.requests.append(token)
                    user, active = outer.tokens.get(token, ("", False))
                body = {"active": True, "username": user} if active else {"active": False}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://{HOST}:{self.port}/introspect"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True, name="oauth2-introspection")
        self.thread.start()

    def add(self, user: str, token: str, active: bool = True) -> None:
        with self.lock:
            self.tokens[token] = (user, active)

    def revoke(self, token: str) -> None:
        with self.lock:
            if token in self.tokens:
                self.tokens[token] = (self.tokens[token][0], False)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class Dovecot:
    """One Dovecot master process (foreground, own process group) and everything it needs."""

    def __init__(self, users: dict[str, str] | None = None, *, tls: bool = False,
                 ssl_required: bool = False, oauth2: bool = False, debug: bool = False,
                 host: str | None = None, auth_failure_delay: int = 0,
                 auth_penalty: bool = False,
                 start_timeout: float = 10.0) -> None:
        self.users: dict[str, str] = dict(users or {})
        self.tls = tls or ssl_required
        self.ssl_required = ssl_required
        self.oauth2 = oauth2
        self.debug = debug
        # seconds; Dovecot's own default is 2. Even at 0 a refusal takes up to 0.5 s: the auth
        # process sends delayed failures from a queue it checks twice a second.
        self.auth_failure_delay = auth_failure_delay
        # Dovecot's anvil slows every login from an IP after a failure (2, 4, 8, 15 s):
        # off unless a test asks for it, so a refused login does not delay the next test.
        self.auth_penalty = auth_penalty
        self.start_timeout = start_timeout
        # Dovecot counts a connection whose client and server addresses are equal as
        # "secured" (client-common.c: secured = ssl || trusted || remote_ip == local_ip), so
        # on 127.0.0.1 `ssl = required` would still take a plain LOGIN. Listening on
        # 127.0.0.2 (Linux routes all of 127/8 to lo; clients come from 127.0.0.1) makes the
        # server refuse it, as a remote one would.
        self.host = host or (REMOTE_HOST if ssl_required else HOST)
        self.port = 0                  # plain IMAP (STARTTLS offered when tls)
        self.ssl_port: int | None = None  # implicit TLS (imaps), when tls
        self.folder: Path | None = None
        self.certs: Certs | None = None
        self.introspection: Introspection | None = None
        self.proc: subprocess.Popen | None = None
        self.master_password = secrets.token_hex(12)
        self.started_in: float | None = None  # seconds from start() to the first greeting

    # ---- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> Dovecot:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> Dovecot:
        binary = dovecot_binary()
        if not binary:
            raise RuntimeError("dovecot is not installed (apt-get install dovecot-imapd)")
        began = time.monotonic()
        self.folder = make_tempdir("konpfoi-dovecot-")
        try:
            for sub in ("run", "state"):
                (self.folder / sub).mkdir()
            mail = self.folder / "mail"
            mail.mkdir()
            if is_root():
                os.chown(mail, 65534, 65534)  # the mail processes run as nobody
            if self.tls:
                tls_dir = self.folder / "tls"
                tls_dir.mkdir()
                self.certs = make_certs(tls_dir)
            if self.oauth2:
                self.introspection = Introspection()
            self._write_passwd()
            for attempt in range(3):  # a probed free port can be taken before dovecot binds it
                self.port = free_port(self.host)
                self.ssl_port = free_port(self.host) if self.tls else None
                self._write_config()
                if self._launch(binary):
                    break
                if attempt == 2:
                    raise RuntimeError(f"dovecot did not start:\n{self.log()}")
        except BaseException:
            self.stop()
            raise
        self.started_in = time.monotonic() - began
        return self

    def _launch(self, binary: str) -> bool:
        assert self.folder is not None
        log = self.folder / "dovecot.log"
        log.write_text("")
        with open(self.folder / "stderr.log", "ab") as stderr:
            self.proc = subprocess.Popen(
                [binary, "-F", "-c", str(self.folder / "dovecot.conf")],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                start_new_session=True)
        # Ready when a greeting arrives: imap-login greets only once auth is up, and the
        # master binds the ports before it may still give up ("Failed to start listeners").
        alive = lambda: self.proc is not None and self.proc.poll() is None  # noqa: E731
        deadline = time.monotonic() + self.start_timeout
        ready = wait_for_port(self.host, self.port, self.start_timeout, alive)
        while ready and time.monotonic() < deadline and alive():
            if self._greets():
                return True
            time.sleep(0.02)
        self._kill()
        return False

    def _greets(self) -> bool:
        try:
            client = imaplib.IMAP4(self.host, self.port, timeout=2)
        except (OSError, imaplib.IMAP4.error):
            return False
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
        if self.ssl_port:
            try:
                with socket.create_connection((self.host, self.ssl_port), timeout=2):
                    pass
            except OSError:
                return False
        return True

    def stop(self) -> None:
        self._kill()
        if self.introspection is not None:
            self.introspection.stop()
            self.introspection = None
        remove_tree(self.folder)
        self.folder = None

    def _kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        # SIGTERM makes the master wait about a second for its children; the folder is
        # thrown away anyway, so kill the whole process group (master, login, auth, imap).
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
        proc.wait(5)
        deadline = time.monotonic() + 5  # until the group's last process is gone
        while group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.01)

    # ---- configuration ---------------------------------------------------------------------

    def _write_passwd(self, only: str | None = None) -> None:
        """One passwd-file per user (users/USER) plus the master user's file.

        Dovecot stats a passwd-file at most once a second and reloads it only when its mtime
        or size changed, so a user added to one shared file could stay unknown for up to a
        second. A new user's file is read the first time that user logs in.
        """
        assert self.folder is not None
        users = self.folder / "users"
        users.mkdir(mode=0o755, exist_ok=True)
        files = [(self.folder / "master-users", MASTER, self.master_password)]
        files += [(users / u, u, p) for u, p in self.users.items() if only in (None, u)]
        for path, user, password in files:
            tmp = path.with_name(path.name + ".new")
            tmp.write_text(f"{user}:{{PLAIN}}{password}\n")
            tmp.chmod(0o644)  # read by the auth process, which runs as the dovecot user
            tmp.replace(path)

    def _write_config(self) -> None:
        d = self.folder
        assert d is not None
        if is_root():
            uid = gid = 65534
            accounts = chroot = ""
        else:  # a plain user: everything runs as that user
            import grp
            import pwd

            uid, gid = os.getuid(), os.getgid()
            me, group = pwd.getpwuid(uid).pw_name, grp.getgrgid(gid).gr_name
            accounts = (f"default_login_user = {me}\ndefault_internal_user = {me}\n"
                        f"default_internal_group = {group}\n"
                        f"first_valid_uid = {uid}\nfirst_valid_gid = {gid}\n")
            # chroot needs root: the anvil and login processes stay in the real root
            accounts += "service anvil {\n  chroot =\n}\n"
            chroot = "  chroot =\n"
        mechanisms = "plain login" + (" xoauth2 oauthbearer" if self.oauth2 else "")
        ssl_mode = "required" if self.ssl_required else ("yes" if self.tls else "no")
        if self.tls:
            assert self.certs is not None
            tls = (f"ssl_cert = <{self.certs.cert_file}\nssl_key = <{self.certs.key_file}\n"
                   "ssl_min_protocol = TLSv1.2\n")
        else:
            tls = ""
        mailboxes = "".join(
            f"  mailbox {name} {{\n    special_use = {flag}\n    auto = subscribe\n  }}\n"
            for name, flag in SPECIAL.items())
        password_passdb = (
            "passdb {\n  driver = passwd-file\n"
            f"  args = scheme=PLAIN username_format=%u {d}/users/%u\n"
            + ("  mechanisms = plain login\n" if self.oauth2 else "") + "}\n")
        oauth_passdb = ""
        if self.oauth2:
            assert self.introspection is not None
            (d / "oauth2.conf").write_text(
                f"introspection_url = {self.introspection.url}\n"
                "introspection_mode = post\n"
                "force_introspection = yes\n"
                "username_attribute = username\n"
                "username_format = %u\n"
                "active_attribute = active\n"
                "active_value = true\n"
                "timeout_msecs = 5000\n"
                + ("debug = yes\n" if self.debug else ""))
            (d / "oauth2.conf").chmod(0o644)
            oauth_passdb = ("passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
                            f"  args = {d}/oauth2.conf\n}}\n")
        imaps = (f"  inet_listener imaps {{\n    address = {self.host}\n"
                 f"    port = {self.ssl_port}\n    ssl = yes\n  }}\n") if self.ssl_port else ""
        debug = "auth_debug = yes\nauth_verbose = yes\nmail_debug = yes\n" if self.debug else \
            "auth_verbose = yes\n"
        penalty = "" if self.auth_penalty else (
            "service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}\n")
        config = f"""\
# konpfoi test server: standalone, everything inside {d}
instance_name = {d.name}
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = {self.host}
shutdown_clients = yes
{accounts}ssl = {ssl_mode}
{tls}disable_plaintext_auth = {"yes" if self.ssl_required else "no"}
auth_mechanisms = {mechanisms}
auth_master_user_separator = {SEPARATOR}
auth_failure_delay = {self.auth_failure_delay} secs
{debug}mail_location = maildir:~/Maildir
mail_privileged_group =
namespace inbox {{
  inbox = yes
{mailboxes}}}
passdb {{
  driver = passwd-file
  master = yes
  args = scheme=PLAIN username_format=%u {d}/master-users
}}
{password_passdb}{oauth_passdb}userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%u
}}
service imap-login {{
{chroot}  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
{imaps}}}
{penalty}"""
        (d / "dovecot.conf").write_text(config)

    # ---- what tests set up -------------------------------------------------------------------

    def add_user(self, user: str, password: str) -> None:
        if "/" in user or user.startswith("."):
            raise ValueError(f"a user name becomes a file name: {user!r}")
        changed = self.users.get(user) not in (None, password)
        self.users[user] = password
        if self.folder is not None:
            if changed:  # the old file may have been read this second: wait for the next
                time.sleep(1.05 - time.time() % 1)
            self._write_passwd(only=user)
            if changed:
                os.utime(self.folder / "users" / user)

    def add_token(self, user: str, token: str, active: bool = True) -> None:
        """Make the introspection endpoint vouch for token as user (oauth2=True only)."""
        if self.introspection is None:
            raise RuntimeError("add_token needs Dovecot(oauth2=True)")
        self.introspection.add(user, token, active)

    def revoke_token(self, token: str) -> None:
        if self.introspection is None:
            raise RuntimeError("revoke_token needs Dovecot(oauth2=True)")
        self.introspection.revoke(token)

    @property
    def ca_file(self) -> Path | None:
        return self.certs.ca_file if self.certs else None

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's CA (tls=True only)."""
        if self.certs is None:
            raise RuntimeError("ssl_context needs Dovecot(tls=True)")
        return self.certs.client_context()

    def log(self) -> str:
        if self.folder is None:
            return ""
        parts = []
        for name in ("dovecot.log", "stderr.log"):
            path = self.folder / name
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "".join(parts)

    # ---- test-side IMAP ----------------------------------------------------------------------

    def connect(self, user: str | None = None, password: str | None = None) -> imaplib.IMAP4:
        """A client connection (implicit TLS when tls), logged in when user is given.

        With no password, logs in through the master user: as that user, without theirs.
        """
        if self.tls:
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(self.host, self.ssl_port,
                                                      ssl_context=self.ssl_context(),
                                                      timeout=10)
        else:
            client = imaplib.IMAP4(self.host, self.port, timeout=10)
        if user is not None:
            if password is None:
                client.login(f"{user}{SEPARATOR}{MASTER}", self.master_password)
            else:
                client.login(user, password)
        return client

    def _session(self, user: str):
        return _Session(self.connect(user))

    def append(self, user: str, folder: str, raw: bytes, flags=(),
               date: dt.datetime | None = None) -> int | None:
        """APPEND raw to folder as user; returns the new message's UID (from APPENDUID)."""
        with self._session(user) as c:
            flag_list = "(" + " ".join(flags) + ")" if flags else None
            when = imaplib.Time2Internaldate(date) if date is not None else None
            typ, data = c.append(_quote(folder), flag_list, when, raw)
            if typ != "OK":
                raise RuntimeError(f"APPEND to {folder} failed: {data}")
            m = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
            return int(m.group(1)) if m else None

    def fetch(self, user: str, folder: str) -> list[tuple[int, set[str], bytes]]:
        """(uid, flags, raw) for every message in folder, in UID order, leaving \\Seen alone."""
        with self._session(user) as c:
            _ok(c.select(_quote(folder), readonly=True))
            typ, data = c.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            _ok((typ, data))
            out = []
            for item in data:
                if not isinstance(item, tuple):
                    continue
                meta = item[0]
                uid = int(re.search(rb"UID (\d+)", meta).group(1))
                flag_m = re.search(rb"FLAGS \(([^)]*)\)", meta)
                flags = set(flag_m.group(1).decode().split()) if flag_m else set()
                out.append((uid, flags, item[1]))
            return sorted(out)

    def messages(self, user: str, folder: str) -> list[bytes]:
        return [raw for _, _, raw in self.fetch(user, folder)]

    def flags(self, user: str, folder: str) -> dict[int, set[str]]:
        """The flags of each message (after FLAGS only: a FETCH without PEEK sets \\Seen)."""
        with self._session(user) as c:
            _ok(c.select(_quote(folder), readonly=True))
            typ, data = c.uid("FETCH", "1:*", "(UID FLAGS)")
            _ok((typ, data))
            out = {}
            for line in data:
                if not line:
                    continue
                line = line if isinstance(line, bytes) else line[0]
                m = re.search(rb"UID (\d+)", line)
                f = re.search(rb"FLAGS \(([^)]*)\)", line)
                if m:
                    out[int(m.group(1))] = set(f.group(1).decode().split()) if f else set()
            return out

    def uidvalidity(self, user: str, folder: str) -> int:
        with self._session(user) as c:
            typ, data = c.status(_quote(folder), "(UIDVALIDITY)")
            _ok((typ, data))
            return int(re.search(rb"UIDVALIDITY (\d+)", data[0]).group(1))

    def create_folder(self, user: str, folder: str) -> None:
        with self._session(user) as c:
            _ok(c.create(_quote(folder)))
            c.subscribe(_quote(folder))


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is still running (zombies, which only wait for
    init to reap them, do not count)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


class _Session:
    def __init__(self, client: imaplib.IMAP4) -> None:
        self.client = client

    def __enter__(self) -> imaplib.IMAP4:
        return self.client

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(Exception):  # the connection may be gone already
            self.client.logout()


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ok(result) -> None:
    typ, data = result
    if typ != "OK":
        raise RuntimeError(f"IMAP command failed: {typ} {data}")
