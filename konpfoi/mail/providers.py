"""What konpfoi knows of the big mail providers: which of them file the mail sent through their
SMTP server in the Sent folder themselves (so that a copy from konpfoi would be a duplicate).
One home: `send` reads it, and the README's provider notes say the same."""

from __future__ import annotations

from dataclasses import dataclass

from konpfoi.errors import InvalidInput


@dataclass(frozen=True)
class Provider:
    name: str
    smtp_hosts: tuple[str, ...]  # host names, or host:port for a local bridge
    keeps_sent: bool  # files what is sent through its SMTP server in Sent by itself


PROVIDERS = (
    Provider("Gmail", ("smtp.gmail.com", "smtp.googlemail.com"), True),
    Provider("Microsoft 365 / Outlook.com",
             ("smtp.office365.com", "smtp-mail.outlook.com", "smtp.outlook.com"), True),
    Provider("Proton Mail Bridge", ("127.0.0.1:1025", "localhost:1025"), True),
)


def provider(host: str, port: int) -> Provider | None:
    host = host.lower().rstrip(".")
    return next((p for p in PROVIDERS
                 if host in p.smtp_hosts or f"{host}:{port}" in p.smtp_hosts), None)


def sent_copies(mode: str, smtp_host: str, smtp_port: int, imap_host: str | None
                ) -> tuple[bool, str]:
    """Whether `send` puts a copy of each message in the Sent folder, and why."""
    if mode == "off":
        return False, "smtp.sent_copies is off"
    if mode == "on":
        if not imap_host:
            raise InvalidInput("smtp.sent_copies is on but no IMAP server is set",
                               hint="set imap.host in konpfoi.yaml, or sent_copies: off")
        return True, "smtp.sent_copies is on"
    known = provider(smtp_host, smtp_port)
    if known is not None and known.keeps_sent:
        return False, f"{known.name} files sent mail in Sent itself"
    if not imap_host:
        return False, "no IMAP server is set"
    return True, "your server does not file sent mail by itself"
