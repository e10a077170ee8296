"""The one place that wires a workspace to its config, directory, templates, question sets, clocks
and ledger, each loaded the first time a command asks for it."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from konpfoi.workspace import folders
from konpfoi.workspace.config import Config

if TYPE_CHECKING:
    from konpfoi.directory.lookup import Directory
    from konpfoi.law.bank_holidays import HolidayTable
    from konpfoi.law.regimes import Policy
    from konpfoi.law.workdays import Calendars
    from konpfoi.ledger.model import Volunteer
    from konpfoi.ledger.store import Ledger
    from konpfoi.letters.templates import Templates
    from konpfoi.mail.imap import ImapConnection, ImapServer
    from konpfoi.mail.matching import Contacts
    from konpfoi.mail.signin import Ask, Show


class Context:
    """Loads each part of the workspace the first time a command asks for it."""

    def __init__(self, start: Path | None = None) -> None:
        self.ws = folders.find(start)

    @property
    def config(self) -> Config:
        return self.ws.config

    @property
    def policy(self) -> Policy:
        """The campaign's choices for clocks: day-0 rule and reminder days."""
        from konpfoi.law.regimes import Policy

        return Policy(self.config.rule, self.config.mp_chase_days)

    @cached_property
    def directory(self) -> Directory:
        from konpfoi.directory import catalogue

        return catalogue.load(self.ws.bodies_imported, self.ws.bodies_overlay)

    @property
    def own_addresses(self) -> set[str]:
        """The user's own addresses: mail from them is never a body's reply."""
        return {a.lower() for a in (self.config.email, *self.config.other_emails) if a}

    @cached_property
    def contacts(self) -> dict[str, Contacts]:
        """Each body's addresses and mail domains, for matching what comes in."""
        from konpfoi.mail.matching import contacts_of

        return contacts_of(self.directory)

    @cached_property
    def templates(self) -> Templates:
        from konpfoi.letters import templates

        return templates.Templates(templates.search_path(self.ws.templates_dir))

    @cached_property
    def holiday_table(self) -> HolidayTable:
        import datetime as dt

        from konpfoi.law import bank_holidays

        return bank_holidays.load(self.config, self.ws.holiday_feed, dt.date.today(),
                                folders.cache_dir())

    @cached_property
    def calendars(self) -> Calendars:
        from konpfoi.law.workdays import Calendars

        return Calendars(self.holiday_table)

    @property
    def question_dirs(self) -> list[Path]:
        from konpfoi.letters import questions

        return questions.search_path(self.ws.questions_dir)

    @property
    def volunteer(self) -> Volunteer | None:
        """Who is at work here: the name and email in konpfoi.yaml."""
        from konpfoi.ledger.model import Volunteer

        return Volunteer.of(self.config.name, self.config.email)

    def ledger(self, create: bool = True) -> Ledger:
        """The workspace's ledger (KONPFOI_LEDGER, `ledger:` in konpfoi.yaml, or konpfoi.db);
        every event written through it says this workspace's volunteer recorded it."""
        from konpfoi.ledger.backends import open_ledger

        return open_ledger(self.ws.ledger_url, create=create, volunteer=self.volunteer)

    # -- the mail account ----------------------------------------------------------------------

    def imap_server(self, *, host: str | None = None, port: int | None = None,
                    user: str | None = None, security: str | None = None) -> ImapServer:
        """The IMAP server from konpfoi.yaml and the command line's overrides; the user is
        imap.user, else smtp.user, else your email address."""
        from dataclasses import replace

        from konpfoi.mail import imap

        settings = self.config.imap
        if not settings.user:
            settings = replace(settings, user=self.config.smtp.user or self.config.email)
        return imap.server(settings, host=host, port=port, user=user, security=security)

    def imap(self, srv: ImapServer, ask: Ask | None = None,
             show: Show | None = None) -> ImapConnection:
        """A signed-in IMAP connection (a password or an OAuth2 token, as configured)."""
        from konpfoi.mail import imap, signin

        login = signin.login("imap", srv.user, srv.host, srv.auth, self.config.oauth, ask, show)
        return imap.ImapConnection(srv, login)
