"""How messages leave: a transport hands one message to a server and says what it answered.

SMTP is the one transport today; the sending loop sees only the `Transport` interface.
Passwords come from the environment, the system keyring or a prompt — never from a file.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from konpfoi.errors import DeliveryError, InvalidInput
from konpfoi.mail import credentials
from konpfoi.mail.credentials import Login
from konpfoi.mail.tls import cannot_connect, tls_context
from konpfoi.workspace.config import SECURITY_MODES, SmtpSettings

PASSWORD_ENV = credentials.PASSWORD_ENV["smtp"]
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
TIMEOUT = 60


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str | None
    security: str
    ca_file: str | None = None  # trust this CA only (a private server)
    auth: str = "password"  # or oauth2

    def __str__(self) -> str:
        who = f"{self.user} at " if self.user else ""
        return f"{who}{self.host}:{self.port} ({self.security})"

# What a user sets to send (the README's providers table gives them for Gmail, Microsoft 365,
# Proton Mail): said by a dry run with no server, and by a real run that needs one.
SETUP = ("set smtp.host (and smtp.port, smtp.user, smtp.security) in konpfoi.yaml - the "
         "README's providers table has them for Gmail, Microsoft 365 and Proton Mail - or "
         "give --smtp-host; then konpfoi login keeps your password in the system keyring")


def server(settings: SmtpSettings, *, host: str | None = None, port: int | None = None,
           user: str | None = None, security: str | None = None) -> Server:
    """The server from konpfoi.yaml, each setting overridable from the command line."""
    security = (security or settings.security or "starttls").lower()
    if security not in SECURITY_MODES:
        raise InvalidInput(f"unknown --smtp-security {security!r}",
                           hint="none, starttls or ssl")
    host = host or settings.host
    if not host:
        raise InvalidInput("no SMTP server is set", hint=SETUP)
    return Server(host, port or settings.port or DEFAULT_PORTS[security], user or settings.user,
                  security, settings.ca_file, settings.auth)


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine (named, or a loopback address; never looked up)."""
    if host.lower().rstrip(".") in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Reachable(Protocol):
    """A mail server one signs in to: an SMTP Server or an IMAP one."""

    host: str
    user: str | None
    security: str


def cleartext_warning(srv: Reachable, kind: str = "smtp") -> str | None:
    """What to say before signing in without encryption to another machine: the password
    would cross the network as plain text."""
    if srv.security != "none" or not srv.user or is_loopback(srv.host):
        return None
    return (f"security 'none': signing in to {srv.host} sends the password for {srv.user} "
            "UNENCRYPTED over the network, where anyone on the way can read it. Use "
            f"--{kind}-security starttls or ssl ({kind}.security in konpfoi.yaml)")


def password(srv: Server, ask: Callable[[str], str] | None = None) -> str | None:
    """From KONPFOI_SMTP_PASSWORD, else the system keyring if installed, else asked for
    (mail.credentials, the one home of this rule). Never written anywhere."""
    if not srv.user:
        return None
    return credentials.password("smtp", srv.user, srv.host, ask)


class NotHandedOver(Exception):
    """The connection broke before the message was handed over: it was certainly not sent."""


class Transport(Protocol):
    """Hands messages to a server, one at a time, over one connection."""

    srv: Server

    def deliver(self, sender: str, to: str, raw: bytes) -> tuple[bool, str]:
        """(accepted, the server's reply). A lost connection raises OSError (or an
        smtplib.SMTPServerDisconnected): the outcome is then unknown."""
        ...

    def close(self) -> None: ...


class SmtpTransport:
    """One SMTP connection, reused for a whole batch."""

    def __init__(self, srv: Server, secret: str | Login | None) -> None:
        self.srv = srv
        context = tls_context(srv.ca_file) if srv.security != "none" else None
        try:
            if srv.security == "ssl":
                self.smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    srv.host, srv.port, timeout=TIMEOUT, context=context)
            else:
                self.smtp = smtplib.SMTP(srv.host, srv.port, timeout=TIMEOUT)
            self.smtp.ehlo()
            if srv.security == "starttls":
                self.smtp.starttls(context=context)
                self.smtp.ehlo()
            if isinstance(secret, Login) and secret.token is not None:
                self._oauth2(secret)
            elif srv.user:
                self.smtp.login(srv.user, secret.password or "" if isinstance(secret, Login)
                                else secret or "")
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(f"{srv.host} does not offer STARTTLS",
                                hint="use --smtp-security ssl (or none, on a network you "
                                     "trust)") from None
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"{srv.host} refused the login for {srv.user} "
                                f"({exc.smtp_code} {_text(exc.smtp_error)})",
                                hint="check the user and password; nothing was sent") from None
        except ssl.SSLCertVerificationError as exc:
            raise cannot_connect(str(srv), exc) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot connect to {srv} ({exc})",
                                hint="check smtp settings in konpfoi.yaml; nothing was sent"
                                ) from None

    def _oauth2(self, login: Login) -> None:
        """AUTH XOAUTH2 / OAUTHBEARER; an error challenge is answered empty, then refused."""
        answered = False

        def answer(challenge: bytes | None = None) -> str:
            nonlocal answered
            if answered or challenge:
                return "" if login.mechanism == "xoauth2" else "\x01"
            answered = True
            return login.sasl().decode()

        self.smtp.user = login.user  # smtplib reads it in its error messages
        self.smtp.auth(login.mechanism.upper(), answer)

    def close(self) -> None:
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()

    def deliver(self, sender: str, to: str, raw: bytes) -> tuple[bool, str]:
        """(accepted, server reply). A refusal resets the session for the next message;
        a lost connection raises (the outcome is then unknown).

        Where the server offers PIPELINING (RFC 2920: Gmail, Microsoft 365, Postfix...), MAIL,
        RCPT and DATA go together and their replies are read together: two round trips a
        message instead of four."""
        wire = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # SMTP lines end CRLF
        try:  # until the message itself, a broken connection means the server has nothing
            refused = self._envelope(sender, to)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise NotHandedOver(str(exc) or "disconnected") from exc
        if refused:
            self.smtp.rset()
            return False, refused
        self.smtp.send(_DOT.sub(b"..", wire) + (b"" if wire.endswith(b"\r\n") else b"\r\n")
                       + b".\r\n")
        code, answer = self.smtp.getreply()
        if code != 250:
            self.smtp.rset()
            return False, f"{code} {_text(answer)}"
        return True, f"{code} {_text(answer)}"

    def _envelope(self, sender: str, to: str) -> str | None:
        """MAIL, RCPT and DATA, up to the server's go-ahead; why not, if it refused."""
        commands = [("mail", f"FROM:{_quoted(sender)}", (250,)),
                    ("rcpt", f"TO:{_quoted(to)}", (250, 251)),
                    ("data", "", (354,))]
        if self.smtp.has_extn("pipelining"):
            self.smtp.send("".join(f"{c} {a}".rstrip() + "\r\n" for c, a, _ in commands))
            replies = [self.smtp.getreply() for _ in commands]
        else:
            replies = []
            for c, a, ok in commands:
                self.smtp.putcmd(c, a)
                replies.append(self.smtp.getreply())
                if replies[-1][0] not in ok:
                    break
        for (_, _, ok), (code, reply) in zip(commands, replies, strict=False):
            if code not in ok:  # the first refusal is the reason (the rest follow from it)
                if len(replies) == 3 and replies[2][0] == 354:  # a server that said go on
                    self.smtp.send(".\r\n")  # anyway gets an empty message, refused
                    self.smtp.getreply()
                return f"{code} {_text(reply)}"
        return None


_quoted = functools.lru_cache(maxsize=4096)(smtplib.quoteaddr)  # parses the address each time
_DOT = re.compile(rb"(?m)^\.")  # a line starting with a dot gets another (RFC 5321 4.5.2)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
