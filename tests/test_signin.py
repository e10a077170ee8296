"""Signing in as providers require it, against real servers: passwords from the keyring
(`konpfoi login`), OAuth2 tokens from a command or from the Microsoft and Google flows (tested
at their boundary: the token they hand on), TLS verified against a private CA only."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import keyring
import keyring.backend
import pytest
from conftest import use_imap
from servers import IMAP_PASSWORD, IMAP_USER

from konpfoi.mail import oauth

pytestmark = pytest.mark.backends()  # the ledger on SQLite and on PostgreSQL


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.kept.pop((service, username), None)


@pytest.fixture
def vault():
    before = keyring.get_keyring()
    mem = MemoryKeyring()
    keyring.set_keyring(mem)
    yield mem
    keyring.set_keyring(before)


@pytest.fixture
def drafted(run, me: Path) -> Path:
    run("batch", "--to", "icb:QKK", "--to", "icb:QWO", "-q", "palantir-fdp", "--campaign", "c")
    return me


def set_smtp(home: Path, server, user: str | None, extra: str = "") -> None:
    text = (home / "konpfoi.yaml").read_text()
    start, end = text.index("smtp:\n"), text.index("\n\n", text.index("smtp:\n"))
    block = (f"smtp:\n  host: {server.host}\n  port: {server.port}\n"
             + (f"  user: {user}\n" if user else "") + "  security: none\n  rate: none\n"
             + extra)
    (home / "konpfoi.yaml").write_text(text[:start] + block.rstrip("\n") + text[end:])


def add_oauth(home: Path, text: str) -> None:
    path = home / "konpfoi.yaml"
    path.write_text(path.read_text() + "oauth:\n" + text)


def test_login_keeps_the_password_in_the_keyring(run, drafted: Path, dovecot, smtp_server,
                                                 vault) -> None:
    use_imap(drafted, dovecot.host, dovecot.port, IMAP_USER)
    server = smtp_server(users={"jo@example.org": "smtp-pw"}, auth_require_tls=False)
    set_smtp(drafted, server, "jo@example.org")
    wrong = run("login", "--imap", input="nope\n", code=8)
    assert "refused the sign-in" in wrong.stderr and vault.kept == {}
    out = run("login", input=f"{IMAP_PASSWORD}\nsmtp-pw\n")
    assert "IMAP: the password for jo@example.org at 127.0.0.1 is in the system keyring" \
        in out.stdout
    assert vault.kept == {("konpfoi", "imap:jo@example.org@127.0.0.1"): IMAP_PASSWORD,
                          ("konpfoi", "jo@example.org@127.0.0.1"): "smtp-pw"}
    assert run.json("replies", "fetch")["folders"][0]["folder"] == "INBOX"
    assert len(run.json("send", "--campaign", "c", "--yes")["sent"]) == 2
    for secret in (IMAP_PASSWORD, "smtp-pw"):
        assert secret not in (drafted / "konpfoi.yaml").read_text()


def test_a_password_in_the_config_is_refused(run, me: Path) -> None:
    path = me / "konpfoi.yaml"
    path.write_text(path.read_text().replace("imap:\n", "imap:\n  password: hunter2\n"))
    out = run("where", code=5)
    assert "passwords and tokens are never stored in konpfoi.yaml" in out.stderr


def test_oauth2_token_from_a_command_for_imap_and_smtp(run, drafted: Path, dovecot_oauth,
                                                       smtp_server, tmp_path) -> None:
    dovecot_oauth.add_token(IMAP_USER, "tok-from-command")
    server = smtp_server(tokens={"tok-from-command": IMAP_USER})
    use_imap(drafted, dovecot_oauth.host, dovecot_oauth.port, IMAP_USER,
             extra="  auth: oauth2\n")
    set_smtp(drafted, server, IMAP_USER, extra="  auth: oauth2\n")
    add_oauth(drafted, "  provider: command\n  command: printf 'tok-from-command\\n'\n")
    assert run.json("replies", "fetch")["folders"]
    assert "tok-from-command" in dovecot_oauth.introspection.requests
    assert len(run.json("send", "--campaign", "c", "--yes")["sent"]) == 2
    assert server.counters.auth[-1] == ("XOAUTH2", IMAP_USER, True)
    bad = tmp_path / "bad.sh"
    bad.write_text("echo 'token expired' >&2; exit 3\n")
    text = (drafted / "konpfoi.yaml").read_text().replace(
        "printf 'tok-from-command\\n'", f"sh {bad}")
    (drafted / "konpfoi.yaml").write_text(text)
    out = run("replies", "fetch", code=8)
    assert "the token command gave no token (token expired)" in out.stderr


def test_oauthbearer_and_a_refused_token(run, drafted: Path, dovecot_oauth) -> None:
    dovecot_oauth.add_token(IMAP_USER, "good")
    use_imap(drafted, dovecot_oauth.host, dovecot_oauth.port, IMAP_USER,
             extra="  auth: oauth2\n")
    add_oauth(drafted, "  command: echo good\n  mechanism: oauthbearer\n")
    assert run.json("replies", "fetch")["account"]
    text = (drafted / "konpfoi.yaml").read_text().replace("echo good", "echo revoked")
    (drafted / "konpfoi.yaml").write_text(text)
    out = run("replies", "fetch", code=8)
    assert "refused the sign-in for jo@example.org" in out.stderr


def fake_msal(tokens: list[str]) -> types.ModuleType:
    """msal's surface as konpfoi uses it: a device flow, then silent refreshes from the cache
    (what the keyring keeps). Nothing reaches Microsoft."""
    mod = types.ModuleType("msal")
    calls: list[tuple] = []

    class SerializableTokenCache:
        def __init__(self) -> None:
            self.state, self.has_state_changed = "", False

        def deserialize(self, text: str) -> None:
            self.state = text

        def serialize(self) -> str:
            return self.state

    class PublicClientApplication:
        def __init__(self, client_id, authority=None, token_cache=None) -> None:
            calls.append(("app", client_id, authority))
            self.cache = token_cache

        def get_accounts(self, username=None):
            return [{"username": username}] if self.cache.state else []

        def acquire_token_silent(self, scopes, account):
            calls.append(("silent", tuple(scopes)))
            return {"access_token": tokens.pop(0)}

        def initiate_device_flow(self, scopes=None):
            calls.append(("device", tuple(scopes)))
            return {"user_code": "KQ7-ABC", "message": "To sign in, open "
                    "https://microsoft.com/devicelogin and enter the code KQ7-ABC"}

        def acquire_token_by_device_flow(self, flow):
            self.cache.state, self.cache.has_state_changed = "refresh-state", True
            return {"access_token": tokens.pop(0)}

    mod.SerializableTokenCache = SerializableTokenCache
    mod.PublicClientApplication = PublicClientApplication
    mod.calls = calls
    return mod


def test_microsoft_device_code_sign_in_hands_on_its_token(run, drafted: Path, dovecot_oauth,
                                                          vault, monkeypatch) -> None:
    msal = fake_msal(["ms-first", "ms-refreshed"])
    monkeypatch.setitem(sys.modules, "msal", msal)
    for token in ("ms-first", "ms-refreshed"):
        dovecot_oauth.add_token(IMAP_USER, token)
    use_imap(drafted, dovecot_oauth.host, dovecot_oauth.port, IMAP_USER,
             extra="  auth: oauth2\n")
    add_oauth(drafted, "  provider: microsoft\n  client_id: my-app-id\n  tenant: consumers\n")
    out = run("login", "--imap")
    assert "enter the code KQ7-ABC" in out.stderr
    assert "IMAP: signed in as jo@example.org with OAuth2 (microsoft)" in out.stdout
    assert msal.calls[0] == ("app", "my-app-id", "https://login.microsoftonline.com/consumers")
    assert ("device", tuple(oauth.MICROSOFT_SCOPES)) in msal.calls
    assert vault.kept[("konpfoi", "oauth:microsoft:jo@example.org")] == "refresh-state"
    assert dovecot_oauth.introspection.requests[-1] == "ms-first"
    run("replies", "fetch")  # no prompt: refreshed silently from the keyring
    assert dovecot_oauth.introspection.requests[-1] == "ms-refreshed"


def test_microsoft_without_a_sign_in_says_what_to_do(run, drafted: Path, dovecot_oauth,
                                                     vault, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "msal", fake_msal([]))
    use_imap(drafted, dovecot_oauth.host, dovecot_oauth.port, IMAP_USER,
             extra="  auth: oauth2\n")
    add_oauth(drafted, "  provider: microsoft\n")
    assert "oauth.client_id is not set" in run("replies", "fetch", code=5).stderr
    text = (drafted / "konpfoi.yaml").read_text() + "  client_id: x\n"
    (drafted / "konpfoi.yaml").write_text(text)
    out = run("replies", "fetch", code=5)
    assert "not signed in to Microsoft as jo@example.org" in out.stderr
    assert "konpfoi login" in out.stderr


def test_google_installed_app_sign_in_hands_on_its_token(run, drafted: Path, dovecot_oauth,
                                                        vault, monkeypatch) -> None:
    seen: dict = {}

    class Creds:
        def __init__(self, token=None, refresh_token=None, **kw) -> None:
            self.token, self.refresh_token = token, refresh_token
            seen["refresh_with"] = (refresh_token, kw.get("client_id"), kw.get("scopes"))

        def refresh(self, request) -> None:
            self.token = "g-refreshed"

    class InstalledAppFlow:
        @classmethod
        def from_client_config(cls, config, scopes):
            seen["config"], seen["scopes"] = config, scopes
            return cls()

        def run_local_server(self, **kw):
            seen["server"] = kw
            return Creds("g-first", "g-refresh-token")

    mods = {name: types.ModuleType(name) for name in (
        "google", "google.auth", "google.auth.exceptions", "google.auth.transport",
        "google.auth.transport.requests", "google.oauth2", "google.oauth2.credentials",
        "google_auth_oauthlib", "google_auth_oauthlib.flow")}
    mods["google_auth_oauthlib.flow"].InstalledAppFlow = InstalledAppFlow
    mods["google.oauth2.credentials"].Credentials = Creds
    mods["google.auth.transport.requests"].Request = object
    mods["google.auth.exceptions"].RefreshError = RuntimeError
    for name, mod in mods.items():
        monkeypatch.setitem(sys.modules, name, mod)
    for token in ("g-first", "g-refreshed"):
        dovecot_oauth.add_token(IMAP_USER, token)
    use_imap(drafted, dovecot_oauth.host, dovecot_oauth.port, IMAP_USER,
             extra="  auth: oauth2\n")
    add_oauth(drafted, "  provider: google\n  client_id: cid.apps.googleusercontent.com\n"
                       "  client_secret: not-really-secret\n")
    out = run("login", "--imap")
    assert "Sign in as jo@example.org in the browser window" in out.stderr
    assert seen["scopes"] == ["https://mail.google.com/"]
    assert seen["config"]["installed"]["client_id"] == "cid.apps.googleusercontent.com"
    assert seen["server"]["port"] == 0 and seen["server"]["login_hint"] == IMAP_USER
    assert "g-refresh-token" in vault.kept[("konpfoi", "oauth:google:jo@example.org")]
    assert dovecot_oauth.introspection.requests[-1] == "g-first"
    run("replies", "fetch")
    assert seen["refresh_with"][:2] == ("g-refresh-token", "cid.apps.googleusercontent.com")
    assert dovecot_oauth.introspection.requests[-1] == "g-refreshed"


def test_tls_is_verified_against_the_private_ca_only(run, drafted: Path, dovecot_tls,
                                                     smtp_server, monkeypatch) -> None:
    monkeypatch.setenv("KONPFOI_IMAP_PASSWORD", IMAP_PASSWORD)
    use_imap(drafted, "127.0.0.1", dovecot_tls.ssl_port, IMAP_USER, security="ssl")
    out = run("replies", "fetch", code=8)
    assert "certificate of jo@example.org at 127.0.0.1" in out.stderr
    assert "ca_file" in out.stderr
    use_imap(drafted, "127.0.0.1", dovecot_tls.ssl_port, IMAP_USER, security="ssl",
             extra=f"  ca_file: {dovecot_tls.ca_file}\n")
    assert run.json("replies", "fetch")["folders"]
    use_imap(drafted, "127.0.0.1", dovecot_tls.port, IMAP_USER, security="starttls",
             extra=f"  ca_file: {dovecot_tls.ca_file}\n")
    assert run.json("replies", "fetch")["folders"]
    server = smtp_server(users={"jo": "pw"}, starttls=True)
    monkeypatch.setenv("KONPFOI_SMTP_PASSWORD", "pw")
    set_smtp(drafted, server, "jo", extra=f"  ca_file: {server.ca_file}\n  sent_copies: off\n")
    text = (drafted / "konpfoi.yaml").read_text()
    (drafted / "konpfoi.yaml").write_text(text.replace("  security: none\n  rate",
                                                       "  security: starttls\n  rate"))
    assert len(run.json("send", "--campaign", "c", "--yes")["sent"]) == 2
    assert server.received[0].tls and server.received[0].user == "jo"
