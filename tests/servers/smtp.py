"""A real SMTP server on 127.0.0.1 (aiosmtpd in a thread) that keeps what it receives and can
be told to misbehave.

    with SmtpServer(users={"jo": "pw"}, starttls=True) as smtp:
        client = smtplib.SMTP(smtp.host, smtp.port)
        client.starttls(context=smtp.ssl_context())
        client.login("jo", "pw")

Options
  users={login: password}      AUTH PLAIN and LOGIN (AUTH is then required before MAIL)
  tokens={token: user}         AUTH XOAUTH2 (add more with add_token); a bad token gets
                               Gmail's answer: a 334 JSON challenge, then 535 after the
                               client's empty line
  starttls=True                STARTTLS with a throwaway CA (ca_file, ssl_context()); AUTH
                               only after STARTTLS unless auth_require_tls=False;
                               require_starttls=True refuses MAIL before it
  implicit_tls=True            TLS from the first byte (SMTPS, as on port 465)
Faults
  tempfail_first=N             the first N DATA attempts end in 451 (then 250)
  reject={address: reply}      RCPT TO that address is refused (default reply 550 5.1.1)
  drop_at=K                    DATA attempt K (1-based, over all connections) loses its
                               connection: drop="mid-data" closes it after the 354 and the
                               first line of the message (nothing received); drop=
                               "after-data" takes the whole message and closes without an
                               answer (kept in .unanswered, not .received)
  delay=seconds                wait that long before answering each message
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ._net import HOST, free_port, make_tempdir, remove_tree
from .certs import Certs, make_certs


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    user: str | None = None  # who authenticated, if anyone
    tls: bool = False        # whether the session was encrypted

    # (envelope, bytes) unpacking like the conftest Loopback's received items
    def __iter__(self):
        return iter((self.rcpt_tos, self.raw))


@dataclass
class Counters:
    data_attempts: int = 0
    auth: list[tuple[str, str, bool]] = field(default_factory=list)  # (mech, user, ok)


class SmtpServer:
    def __init__(self, *, users: dict[str, str] | None = None,
                 tokens: dict[str, str] | None = None, starttls: bool = False,
                 implicit_tls: bool = False, require_starttls: bool = False,
                 auth_require_tls: bool | None = None, tempfail_first: int = 0,
                 tempfail_reply: str = "451 4.3.0 Temporary failure, try again later",
                 reject: set[str] | dict[str, str] | None = None,
                 drop_at: int | None = None, drop: str = "mid-data",
                 delay: float = 0.0) -> None:
        if drop not in ("mid-data", "after-data"):
            raise ValueError("drop is 'mid-data' or 'after-data'")
        self.users = dict(users or {})
        self.tokens = dict(tokens or {})
        self.xoauth2 = tokens is not None
        self.starttls = starttls
        self.implicit_tls = implicit_tls
        self.require_starttls = require_starttls
        self.auth_require_tls = (starttls and not implicit_tls) if auth_require_tls is None \
            else auth_require_tls
        self.tempfail_first = tempfail_first
        self.tempfail_reply = tempfail_reply
        if isinstance(reject, dict):
            self.reject = dict(reject)
        else:
            self.reject = {a: "550 5.1.1 No such user here" for a in (reject or ())}
        self.drop_at = drop_at
        self.drop = drop
        self.delay = delay
        self.host = HOST
        self.port = 0
        self.received: list[Received] = []
        self.unanswered: list[Received] = []  # taken whole, then the line went dead
        self.counters = Counters()
        self.lock = threading.Lock()
        self.certs: Certs | None = None
        self.folder: Path | None = None
        self.controller = None

    # ---- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> SmtpServer:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

        outer = self
        if self.starttls or self.implicit_tls:
            self.folder = make_tempdir("konpfoi-smtp-", 0o700)
            self.certs = make_certs(self.folder)

        class Server(SMTP):
            attempt = 0
            dropped = False

            async def hang_up(self) -> None:
                """Close the connection and read nothing more: connection_lost() cancels
                this coroutine (the sleep is only a backstop)."""
                self.dropped = True
                self.transport.close()
                await asyncio.sleep(30)

            async def push(self, status) -> None:
                if not self.dropped:
                    await super().push(status)

            async def smtp_DATA(self, arg: str) -> None:
                session, envelope = self.session, self.envelope
                valid = (session is not None and session.host_name and envelope is not None
                         and envelope.rcpt_tos and not arg
                         and (not self._auth_required or session.authenticated))
                if not valid:  # the base class says what is wrong
                    return await super().smtp_DATA(arg)
                with outer.lock:
                    outer.counters.data_attempts += 1
                    self.attempt = outer.counters.data_attempts
                if outer.drop_at == self.attempt and outer.drop == "mid-data":
                    await self.push("354 End data with <CR><LF>.<CR><LF>")
                    with contextlib.suppress(Exception):  # the first line of the message
                        await asyncio.wait_for(self._reader.readuntil(b"\r\n"), 5)
                    await self.hang_up()
                    return None
                return await super().smtp_DATA(arg)

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, options):
                if address in outer.reject:
                    return outer.reject[address]
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                if outer.delay:
                    await asyncio.sleep(outer.delay)
                item = Received(envelope.mail_from, list(envelope.rcpt_tos),
                                bytes(envelope.original_content or envelope.content or b""),
                                user=_user_of(session), tls=session.ssl is not None
                                or outer.implicit_tls)
                if outer.drop_at == server.attempt and outer.drop == "after-data":
                    with outer.lock:
                        outer.unanswered.append(item)
                    await server.hang_up()
                    return "250 never sent"
                if server.attempt <= outer.tempfail_first:
                    return outer.tempfail_reply
                with outer.lock:
                    outer.received.append(item)
                return "250 2.0.0 OK queued"

            async def auth_XOAUTH2(self, server, args):  # noqa: N802 (aiosmtpd's naming)
                if len(args) == 1:
                    blob = await server.challenge_auth("")
                    if not isinstance(blob, bytes):
                        return AuthResult(success=False, handled=True)
                else:
                    try:
                        blob = base64.b64decode(args[1], validate=True)
                    except ValueError:
                        await server.push("501 5.5.2 Can't decode base64")
                        return AuthResult(success=False, handled=True)
                fields = dict(part.split("=", 1) for part in blob.decode(errors="replace")
                              .split("\x01") if "=" in part)
                user = fields.get("user", "")
                bearer = fields.get("auth", "")
                token = bearer[7:] if bearer.lower().startswith("bearer ") else None
                with outer.lock:
                    ok = token is not None and outer.tokens.get(token) == user
                    outer.counters.auth.append(("XOAUTH2", user, ok))
                if ok:
                    return AuthResult(success=True,
                                      auth_data=LoginPassword(user.encode(), b""))
                error = json.dumps({"status": "400", "schemes": "Bearer",
                                    "scope": "https://mail.google.com/"})
                await server.challenge_auth(error)  # the client answers with an empty line
                return AuthResult(success=False, handled=False,
                                  message="535 5.7.8 Username and Password not accepted")

        def authenticator(server, session, envelope, mechanism, auth_data):
            user = auth_data.login.decode(errors="replace")
            with outer.lock:
                ok = outer.users.get(user) == auth_data.password.decode(errors="replace")
                outer.counters.auth.append((mechanism, user, ok))
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

        exclude = []
        if not self.xoauth2:
            exclude.append("XOAUTH2")
        if self.xoauth2 and not self.users:
            exclude += ["PLAIN", "LOGIN"]
        kwargs: dict = {"auth_exclude_mechanism": exclude}
        if self.users or self.xoauth2:
            kwargs.update(authenticator=authenticator, auth_required=True,
                          auth_require_tls=self.auth_require_tls)
        if self.starttls:
            assert self.certs is not None
            kwargs.update(tls_context=self.certs.server_context(),
                          require_starttls=self.require_starttls)

        class Control(Controller):
            def factory(self):
                return Server(self.handler, **self.SMTP_kwargs)

        ssl_context = self.certs.server_context() if self.implicit_tls else None
        import warnings

        for attempt in range(3):
            self.port = free_port()
            controller = Control(Handler(), hostname=self.host, port=self.port,
                                 ssl_context=ssl_context, **kwargs)
            try:
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
                    controller.start()
            except OSError:
                if attempt == 2:
                    self.stop()
                    raise
                continue
            self.controller = controller
            break
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
        remove_tree(self.folder)
        self.folder = None

    # ---- what tests ask --------------------------------------------------------------------

    def add_user(self, user: str, password: str) -> None:
        with self.lock:
            self.users[user] = password

    def add_token(self, user: str, token: str) -> None:
        with self.lock:
            self.tokens[token] = user

    @property
    def ca_file(self) -> Path | None:
        return self.certs.ca_file if self.certs else None

    def ssl_context(self) -> ssl.SSLContext:
        """A client context trusting only this server's CA."""
        if self.certs is None:
            raise RuntimeError("ssl_context needs starttls=True or implicit_tls=True")
        return self.certs.client_context()

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m.group(1).decode() for item in self.received
                    if (m := re.search(rb"(?mi)^Message-ID:\s*(<[^>]+>)", item.raw))]

    @property
    def data_attempts(self) -> int:
        return self.counters.data_attempts


def _user_of(session) -> str | None:
    data = getattr(session, "auth_data", None)
    login = getattr(data, "login", None)
    return login.decode(errors="replace") if isinstance(login, bytes) else login
