"""An IMAP account over the standard library's imaplib: sign in (a password, or an OAuth2 token
by XOAUTH2 or OAUTHBEARER), certificates always verified (a private CA through `ca_file`),
folders read by UID with BODY.PEEK (nothing is marked read), the special-use Sent and Drafts
folders found, messages appended and looked up by Message-ID.

imaplib rather than a third-party client: it does all of this, and konpfoi gains no dependency.
"""

from __future__ import annotations

import base64
import datetime as dt
import imaplib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from konpfoi.errors import DeliveryError, InvalidInput
from konpfoi.mail.credentials import Login
from konpfoi.mail.mailboxes import Message
from konpfoi.mail.tls import cannot_connect, tls_context
from konpfoi.workspace.config import SECURITY_MODES, ImapSettings

DEFAULT_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
TIMEOUT = 60
# imaplib refuses a response line over 1 MB; a UID SEARCH of a large folder is one line.
imaplib._MAXLINE = max(imaplib._MAXLINE, 50_000_000)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str | None
    security: str
    ca_file: str | None = None
    auth: str = "password"

    @property
    def account(self) -> str:
        """The name under which the ledger remembers how far each folder was read."""
        return f"{self.user or ''}@{self.host}:{self.port}"

    def __str__(self) -> str:
        who = f"{self.user} at " if self.user else ""
        return f"{who}{self.host}:{self.port} ({self.security})"


def server(settings: ImapSettings, *, host: str | None = None, port: int | None = None,
           user: str | None = None, security: str | None = None) -> ImapServer:
    """The IMAP server from konpfoi.yaml, each setting overridable from the command line."""
    security = (security or settings.security or "ssl").lower()
    if security not in SECURITY_MODES:
        raise InvalidInput(f"unknown --imap-security {security!r}", hint="none, starttls or ssl")
    host = host or settings.host
    if not host:
        raise InvalidInput("no IMAP server is set",
                           hint="set imap.host in konpfoi.yaml, or give --imap-host")
    return ImapServer(host, port or settings.port or DEFAULT_PORTS[security],
                      user or settings.user, security, settings.ca_file, settings.auth)


@dataclass(frozen=True)
class Fetched:
    uid: int
    date: dt.datetime | None  # the server's INTERNALDATE: when it arrived or was saved
    raw: bytes


@dataclass(frozen=True)
class FetchedMessages:
    """Messages fetched from a folder, as a Mailbox that intake reads."""

    name: str
    fetched: Sequence[Fetched]

    def messages(self) -> Iterator[Message]:
        for f in self.fetched:
            yield f"{self.name} UID {f.uid}", f.raw


class ImapConnection:
    """One signed-in IMAP session."""

    def __init__(self, srv: ImapServer, login: Login | None) -> None:
        self.srv = srv
        context = tls_context(srv.ca_file)
        try:
            if srv.security == "ssl":
                self.imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    srv.host, srv.port, ssl_context=context, timeout=TIMEOUT)
            else:
                self.imap = imaplib.IMAP4(srv.host, srv.port, timeout=TIMEOUT)
                if srv.security == "starttls":
                    self.imap.starttls(ssl_context=context)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise cannot_connect(str(srv), exc) from None
        if login is not None:
            self._sign_in(login)
        self._listing: list[tuple[set[str], str]] | None = None

    def _sign_in(self, login: Login) -> None:
        try:
            if login.token is not None:
                answered = False

                def answer(_challenge: bytes) -> bytes:
                    nonlocal answered  # an error comes as a challenge: answer it empty
                    if answered:
                        return b"" if login.mechanism == "xoauth2" else b"\x01"
                    answered = True
                    return login.sasl()

                self.imap.authenticate(login.mechanism.upper(), answer)
            else:
                self.imap.login(login.user, login.password or "")
        except (imaplib.IMAP4.error, OSError) as exc:
            self.close()
            how = "token" if login.token is not None else "password"
            raise DeliveryError(f"{self.srv.host} refused the sign-in for {login.user} "
                                f"({_text(exc)})",
                                hint=f"check the user and {how}; nothing was read") from None

    def close(self) -> None:
        try:
            self.imap.logout()
        except (OSError, imaplib.IMAP4.error):
            self.imap.shutdown()

    def __enter__(self) -> ImapConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- folders ---------------------------------------------------------------------------

    def listing(self) -> list[tuple[set[str], str]]:
        """(flags, name) of every folder, names decoded from modified UTF-7."""
        if self._listing is None:
            typ, data = self.imap.list()
            _ok(typ, data, "LIST")
            out = []
            for line in data:
                parsed = _list_line(line)
                if parsed:
                    out.append(parsed)
            self._listing = out
        return self._listing

    def special(self, use: str) -> str | None:
        """The folder the server marks with a special use (\\Sent, \\Drafts), if any."""
        return next((name for flags, name in self.listing()
                     if use.lower() in {f.lower() for f in flags}), None)

    def folder(self, configured: str | None, use: str) -> str:
        """The configured folder, else the special-use one; an error saying how to set it."""
        name = configured or self.special(use)
        if name is None:
            what = use.strip("\\").lower()
            raise InvalidInput(f"{self.srv.host} marks no folder as {use}",
                               hint=f"set imap.{what} in konpfoi.yaml to your {what} folder's "
                                    "name")
        return name

    def select(self, folder: str) -> tuple[str, int]:
        """Open a folder read-only (EXAMINE): (UIDVALIDITY, UIDNEXT - 1)."""
        typ, data = self.imap.select(quote(folder), readonly=True)
        if typ != "OK":
            raise InvalidInput(f"no folder {folder!r} on {self.srv.host} ({_text(data)})",
                               hint="folders: " + ", ".join(n for _, n in self.listing()))
        validity = self.imap.response("UIDVALIDITY")[1][0]
        uidnext = self.imap.response("UIDNEXT")[1][0]
        return _text(validity), int(uidnext) - 1 if uidnext else 0

    def uids(self, after: int = 0, since: dt.date | None = None) -> list[int]:
        """UIDs above `after` (and arrived on or after `since`) in the selected folder."""
        criteria = [f"UID {after + 1}:*"] if after else []
        if since is not None:
            criteria += ["SINCE", since.strftime("%d-%b-%Y")]
        typ, data = self.imap.uid("SEARCH", *(criteria or ["ALL"]))
        _ok(typ, data, "SEARCH")
        found = [int(n) for n in b" ".join(d for d in data if d).split()]
        return sorted(u for u in found if u > after)  # `n:*` also names the last message

    def fetch(self, uids: Sequence[int], headers_only: bool = False) -> list[Fetched]:
        """The messages (or only their headers) by UID, without marking them read."""
        if not uids:
            return []
        part = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
        typ, data = self.imap.uid("FETCH", sequence_set(uids), f"(UID INTERNALDATE {part})")
        _ok(typ, data, "FETCH")
        return sorted(_fetched(data), key=lambda f: f.uid)

    def append(self, folder: str, raw: bytes, flags: str, when: dt.datetime) -> None:
        typ, data = self.imap.append(quote(folder), flags, imaplib.Time2Internaldate(when), raw)
        _ok(typ, data, f"APPEND to {folder}")

    def find(self, folder: str, message_id: str) -> list[Fetched]:
        """The messages in a folder with this Message-ID (headers only)."""
        self.select(folder)
        typ, data = self.imap.uid("SEARCH", "HEADER", "Message-ID", quote(message_id))
        _ok(typ, data, "SEARCH")
        uids = [int(n) for n in b" ".join(d for d in data if d).split()]
        return self.fetch(uids, headers_only=True)


# -- the wire ------------------------------------------------------------------------------


def quote(text: str) -> str:
    """An IMAP quoted string; a folder name outside ASCII in modified UTF-7 (RFC 3501 5.1.3)."""
    wire = utf7_encode(text)
    return '"' + wire.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sequence_set(uids: Sequence[int]) -> str:
    """1,2,3,7,8 -> 1:3,7:8"""
    runs: list[list[int]] = []
    for u in sorted(uids):
        if runs and u == runs[-1][1] + 1:
            runs[-1][1] = u
        else:
            runs.append([u, u])
    return ",".join(f"{a}:{b}" if a != b else str(a) for a, b in runs)


_UID = re.compile(rb"\bUID (\d+)")
_DATE = re.compile(rb'INTERNALDATE "([^"]+)"')
_LIST = re.compile(rb'\((?P<flags>[^)]*)\) (?P<delim>"(?:[^"\\]|\\.)*"|NIL) (?P<name>.+)$')


def _fetched(data: list) -> Iterator[Fetched]:
    """Messages from imaplib's FETCH answer: (meta, literal) pairs, each followed by the rest
    of its line (where a server may put UID or INTERNALDATE after the literal)."""
    for n, part in enumerate(data):
        if not isinstance(part, tuple):
            continue
        meta = part[0]
        after = data[n + 1] if n + 1 < len(data) else b""
        if isinstance(after, bytes):
            meta += after
        uid = _UID.search(meta)
        if uid is None:
            continue
        date = _DATE.search(meta)
        yield Fetched(int(uid.group(1)), _internaldate(date.group(1)) if date else None,
                      part[1])


def _internaldate(text: bytes) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text.decode().strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None


def _list_line(line: bytes | tuple | None) -> tuple[set[str], str] | None:
    if isinstance(line, tuple):  # the name came as a literal
        head, name_bytes = line[0], line[1]
        m = _LIST.match(head.rsplit(b" ", 1)[0] + b" x")
        return (set(m.group("flags").decode().split()), utf7_decode(name_bytes.decode())
                ) if m else None
    if not line:
        return None
    m = _LIST.match(line)
    if not m:
        return None
    name = m.group("name").decode("ascii", "replace")
    if name.startswith('"') and name.endswith('"'):
        name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return set(m.group("flags").decode().split()), utf7_decode(name)


def utf7_encode(text: str) -> str:
    """Modified UTF-7 for folder names: '&' is '&-', other non-ASCII runs are base64."""
    out, run = [], ""
    for ch in text + "\0":
        if ch != "\0" and not (" " <= ch <= "~"):
            run += ch
            continue
        if run:
            b64 = base64.b64encode(run.encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + b64.replace("/", ",") + "-")
            run = ""
        if ch != "\0":
            out.append("&-" if ch == "&" else ch)
    return "".join(out)


def utf7_decode(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        body = m.group(1)
        if not body:
            return "&"
        b64 = body.replace(",", "/")
        return base64.b64decode(b64 + "=" * (-len(b64) % 4)).decode("utf-16-be", "replace")

    return re.sub(r"&([A-Za-z0-9+,]*)-", one, text)


def _ok(typ: str, data: list, what: str) -> None:
    if typ != "OK":
        raise DeliveryError(f"the IMAP server refused {what} ({_text(data)})")


def _text(value: object) -> str:
    if isinstance(value, BaseException):  # imaplib's errors carry the reply's bytes as repr
        text = str(value)
        return text[2:-1] if text.startswith(("b'", 'b"')) and len(text) > 2 else text
    if isinstance(value, list):
        value = b" ".join(v for v in value if isinstance(v, bytes))
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
