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
