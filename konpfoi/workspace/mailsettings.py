"""The mail account's settings in konpfoi.yaml beyond `smtp:` — `imap:` (where replies, Sent and
Drafts are) and `oauth:` (how to get a token where a provider wants OAuth2) — read with file
and line in every error. Never a password or a token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from konpfoi.workspace import yamlfile

SECURITY_MODES = ("none", "starttls", "ssl")
AUTH_MODES = ("password", "oauth2")
OAUTH_PROVIDERS = ("command", "microsoft", "google")
OAUTH_MECHANISMS = ("xoauth2", "oauthbearer")
SENT_COPIES = ("auto", "on", "off")
SECRET_KEYS = ("password", "pass", "token", "access_token", "refresh_token")


@dataclass(frozen=True)
class ImapSettings:
    """The IMAP account: where replies arrive, and the Sent and Drafts folders."""

    host: str | None = None
    port: int | None = None
    user: str | None = None
    security: str = "ssl"
    ca_file: str | None = None  # trust this CA (a private server: Proton Mail Bridge)
    auth: str = "password"
    folders: tuple[str, ...] = ("INBOX",)  # what `replies fetch` reads
    sent: str | None = None  # default: the folder the server marks \Sent
    drafts: str | None = None  # default: the folder the server marks \Drafts


@dataclass(frozen=True)
class OAuthSettings:
    """Where an OAuth2 access token comes from, for IMAP and SMTP alike."""

    provider: str | None = None  # command | microsoft | google
    command: str | None = None  # prints an access token (msmtp's passwordeval convention)
    client_id: str | None = None
    client_secret: str | None = None  # Google's installed apps have one; it is not secret
    tenant: str = "common"  # Microsoft: common, organizations, consumers or a tenant id
    mechanism: str = "xoauth2"


def check_secrets(ck: yamlfile.Checker, m: yamlfile.YMap, what: str) -> None:
    """Refuse a password or token written into konpfoi.yaml."""
    for key in SECRET_KEYS:
        if key in m:
            ck.fail(m, key, f"{what}: passwords and tokens are never stored in konpfoi.yaml",
                    hint="remove it; konpfoi reads them from the environment, the system "
                         "keyring (konpfoi login) or asks")


def choice(ck: yamlfile.Checker, m: yamlfile.YMap, key: str, what: str,
           allowed: tuple[str, ...], default: str) -> str:
    value = (ck.text(m, key, what) or default).lower()
    if value not in allowed:
        ck.fail(m, key, f"{what}: {key} must be one of {', '.join(allowed)}")
    return value


def port(ck: yamlfile.Checker, m: yamlfile.YMap, what: str) -> int | None:
    value = m.get("port")
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                              or not 0 < value < 65536):
        ck.fail(m, "port", f"{what}: port must be a number from 1 to 65535")
    return value


def load_imap(ck: yamlfile.Checker, data: yamlfile.YMap) -> ImapSettings:
    m = ck.mapping(data.get("imap") or yamlfile.YMap(), "imap", data, "imap")
    check_secrets(ck, m, "imap")
    ck.fields(m, "imap", (), ("host", "port", "user", "security", "ca_file", "auth",
                              "folders", "sent", "drafts"))
    folders = tuple(ck.text_list(m, "folders", "imap")) or ("INBOX",)
    for f in folders:
        if not f.strip() or any(ch in f for ch in "\r\n\0"):
            ck.fail(m, "folders", f"imap: {f!r} is not a folder name")
    return ImapSettings(
        host=ck.text(m, "host", "imap") or None, port=port(ck, m, "imap"),
        user=ck.text(m, "user", "imap") or None,
        security=choice(ck, m, "security", "imap", SECURITY_MODES, "ssl"),
        ca_file=ck.text(m, "ca_file", "imap") or None,
        auth=choice(ck, m, "auth", "imap", AUTH_MODES, "password"),
        folders=folders, sent=ck.text(m, "sent", "imap") or None,
        drafts=ck.text(m, "drafts", "imap") or None)


def load_oauth(ck: yamlfile.Checker, data: yamlfile.YMap) -> OAuthSettings:
    m = ck.mapping(data.get("oauth") or yamlfile.YMap(), "oauth", data, "oauth")
    check_secrets(ck, m, "oauth")
    ck.fields(m, "oauth", (), ("provider", "command", "client_id", "client_secret", "tenant",
                               "mechanism"))
    provider = ck.text(m, "provider", "oauth")
    if provider is not None and provider.lower() not in OAUTH_PROVIDERS:
        ck.fail(m, "provider", f"oauth: provider must be one of {', '.join(OAUTH_PROVIDERS)}")
    return OAuthSettings(
        provider=provider.lower() if provider else None,
        command=ck.text(m, "command", "oauth") or None,
        client_id=ck.text(m, "client_id", "oauth") or None,
        client_secret=ck.text(m, "client_secret", "oauth") or None,
        tenant=ck.text(m, "tenant", "oauth") or "common",
        mechanism=choice(ck, m, "mechanism", "oauth", OAUTH_MECHANISMS, "xoauth2"))


def smtp_extras(ck: yamlfile.Checker, m: yamlfile.YMap) -> dict[str, Any]:
    """The smtp: settings that came with IMAP and OAuth2: ca_file, auth, rate, sent_copies."""
    copies = m.get("sent_copies")
    if isinstance(copies, bool):  # YAML reads a bare on/off as true/false
        m["sent_copies"] = "on" if copies else "off"
    rate = m.get("rate")
    if rate is not None and not isinstance(rate, str):
        ck.fail(m, "rate", "smtp: rate must be like 20/min, or none")
    return {"ca_file": ck.text(m, "ca_file", "smtp") or None,
            "auth": choice(ck, m, "auth", "smtp", AUTH_MODES, "password"),
            "rate": rate.strip() if isinstance(rate, str) and rate.strip() else None,
            "sent_copies": choice(ck, m, "sent_copies", "smtp", SENT_COPIES, "auto")}


SMTP_EXTRA_FIELDS = ("ca_file", "auth", "rate", "sent_copies")

TEMPLATE = """\
# Reading replies, your Sent and Drafts folders (konpfoi replies fetch, drafts upload). The
# password comes from KONPFOI_IMAP_PASSWORD, the system keyring (konpfoi login) or a prompt.
imap:
  host: {imap_host}
  port: {imap_port}
  user: {imap_user}
  security: {imap_security}          # none | starttls | ssl
  folders: [INBOX]       # where replies arrive
  # ca_file: ~/bridge.pem   # trust a private certificate authority (Proton Mail Bridge)
  # auth: oauth2            # password | oauth2 (then see oauth: below; also for smtp:)

# OAuth2 sign-in (Microsoft 365 / Outlook.com, Gmail): see "Sign-in" in the README.
# oauth:
#   provider: microsoft     # microsoft | google | command
#   client_id: 00000000-0000-0000-0000-000000000000
#   command: oama access you@example.org   # provider: command — prints an access token
"""
