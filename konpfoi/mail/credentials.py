"""What signs a user in: a password (from the environment, the system keyring or a prompt) or
an OAuth2 access token, and the keyring that keeps them. Nothing secret is written to a file or
passed on a command line; the keyring is imported only when it is asked.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from konpfoi.errors import InvalidInput

KEYRING_SERVICE = "konpfoi"
PASSWORD_ENV = {"smtp": "KONPFOI_SMTP_PASSWORD", "imap": "KONPFOI_IMAP_PASSWORD"}
KEYRING_HINT = "pip install 'konpfoi[keyring]' (or 'konpfoi[oauth]')"

Ask = Callable[[str], str]
Show = Callable[[str], None]


@dataclass(frozen=True)
class Login:
    """Who signs in, and with what: a password, or an OAuth2 access token."""

    user: str
    password: str | None = None
    token: str | None = None
    mechanism: str = "xoauth2"  # or oauthbearer (RFC 7628)

    def sasl(self) -> bytes:
        """The initial client response of XOAUTH2 or OAUTHBEARER for the token."""
        if self.mechanism == "oauthbearer":
            return f"n,a={self.user},\x01auth=Bearer {self.token}\x01\x01".encode()
        return f"user={self.user}\x01auth=Bearer {self.token}\x01\x01".encode()

    def __repr__(self) -> str:  # never print a secret, even in a traceback
        return f"Login(user={self.user!r}, {'token' if self.token else 'password'}=...)"


def keyring_user(service: str, user: str, host: str) -> str:
    """The keyring entry's user name: `you@example.org@smtp.example.org` for SMTP (as before
    IMAP came), `imap:you@example.org@imap.example.org` for IMAP (one host may serve both)."""
    return f"{user}@{host}" if service == "smtp" else f"{service}:{user}@{host}"


def keyring_module():  # type: ignore[no-untyped-def]
    """The keyring package, or an error saying how to install it."""
    try:
        import keyring
    except ImportError:
        raise InvalidInput("the system keyring is not available to konpfoi",
                           hint=KEYRING_HINT) from None
    return keyring


def from_keyring(name: str) -> str | None:
    """A secret kept in the keyring under konpfoi's service, if the keyring is usable."""
    try:
        import keyring

        found = keyring.get_password(KEYRING_SERVICE, name)
    except Exception:  # not installed, or no keyring backend on this machine
        return None
    return str(found) if found else None


def to_keyring(name: str, secret: str) -> None:
    keyring = keyring_module()
    try:
        keyring.set_password(KEYRING_SERVICE, name, secret)
    except Exception as exc:  # no backend (a headless machine), or it refused
        raise InvalidInput(f"the system keyring refused to store it ({exc})",
                           hint="on a machine with no keyring, set the password in the "
                                "environment instead") from None


def password(service: str, user: str, host: str, ask: Ask | None = None) -> str:
    """From KONPFOI_SMTP_PASSWORD / KONPFOI_IMAP_PASSWORD, else the system keyring (where
    `konpfoi login` puts it), else asked for on the terminal. Never written anywhere."""
    env = PASSWORD_ENV[service]
    if os.environ.get(env):
        return os.environ[env]
    found = from_keyring(keyring_user(service, user, host))
    if found:
        return found
    if ask is None:
        raise InvalidInput(f"no password for {user} at {host}",
                           hint=f"set {env}, run konpfoi login --{service} to keep it in the "
                                "system keyring, or run on a terminal to be asked")
    return ask(f"{service.upper()} password for {user} at {host}")
