"""Signing in to the mail servers as konpfoi.yaml says: a password, or an OAuth2 token from the
configured provider (mail.oauth); and `konpfoi login`, which tries a password and keeps it in
the system keyring, or signs in to the OAuth2 provider once."""

from __future__ import annotations

from typing import Any

from konpfoi.errors import InvalidInput
from konpfoi.mail.credentials import Ask, Login, Show, keyring_user, password, to_keyring
from konpfoi.workspace.config import OAuthSettings

__all__ = ["Ask", "Login", "Show", "login", "remember"]


def login(service: str, user: str | None, host: str, auth: str, oauth: OAuthSettings,
          ask: Ask | None = None, show: Show | None = None) -> Login | None:
    """How to sign in to one server: None when no user is set (an open relay on loopback)."""
    if not user:
        return None
    if auth == "oauth2":
        from konpfoi.mail import oauth as oauth2

        return Login(user, token=oauth2.access_token(oauth, user, show=show),
                     mechanism=oauth.mechanism)
    return Login(user, password=password(service, user, host, ask))


def remember(servers: dict[str, Any], oauth: OAuthSettings, ask: Ask, show: Show, *,
             check: bool = True) -> list[dict[str, str]]:
    """`konpfoi login`: each server's password asked for, tried (with `check`) and kept in
    the keyring; an OAuth2 provider signed in to once for all of them."""
    done: list[dict[str, str]] = []
    signed_in: set[str] = set()
    for service, srv in servers.items():
        if not srv.user:
            raise InvalidInput(f"no {service} user is set",
                               hint=f"set {service}.user in konpfoi.yaml")
        if srv.auth == "oauth2":
            if srv.user not in signed_in:
                from konpfoi.mail import oauth as oauth2

                token = oauth2.sign_in(oauth, srv.user, show)
                signed_in.add(srv.user)
                if check:
                    _try(service, srv, Login(srv.user, token=token,
                                             mechanism=oauth.mechanism))
            done.append({"service": service, "user": srv.user, "host": srv.host,
                         "what": f"{service.upper()}: signed in as {srv.user} with OAuth2 "
                                 f"({oauth.provider or 'command'})"})
            continue
        secret = ask(f"{service.upper()} password for {srv.user} at {srv.host}")
        if not secret:
            raise InvalidInput("no password given", hint="nothing was kept")
        if check:
            _try(service, srv, Login(srv.user, password=secret))
        to_keyring(keyring_user(service, srv.user, srv.host), secret)
        done.append({"service": service, "user": srv.user, "host": srv.host,
                     "what": f"{service.upper()}: the password for {srv.user} at {srv.host} "
                             "is in the system keyring"})
    return done


def _try(service: str, srv: Any, login: Login) -> None:
    """Sign in once, to refuse a wrong password before it is kept."""
    if service == "imap":
        from konpfoi.mail.imap import ImapConnection

        ImapConnection(srv, login).close()
    else:
        from konpfoi.mail.transport import SmtpTransport

        SmtpTransport(srv, login).close()
