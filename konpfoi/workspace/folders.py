"""Find the workspace (like git, then KONPFOI_HOME, then a per-user default) and make one."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from konpfoi.workspace import ledger_url
from konpfoi.workspace.config import (
    Config,
    load_config,
    render_config,
    update_config_file,
    validate_details,
)
from konpfoi.workspace.files import atomic_write, private_dir

CONFIG_NAME = "konpfoi.yaml"
LEDGER_ENV = "KONPFOI_LEDGER"
LEDGER_NAME = "konpfoi.db"
HOLIDAY_FEED_NAME = "bank-holidays.json"


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: Config
    found_by: str  # "folder", "KONPFOI_HOME" or "per-user default"

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def ledger_path(self) -> Path:
        """The workspace's own SQLite file: the default ledger, not always the one in use
        (ledger_url is; ledger_exists says whether there is one to read)."""
        return self.root / LEDGER_NAME

    @property
    def ledger_source(self) -> str:
        """Where the ledger's URL came from: KONPFOI_LEDGER, konpfoi.yaml or the default."""
        if os.environ.get(LEDGER_ENV, "").strip():
            return LEDGER_ENV
        return CONFIG_NAME if self.config.ledger else "workspace"

    @property
    def ledger_url(self) -> str:
        """KONPFOI_LEDGER, else `ledger:` in konpfoi.yaml, else konpfoi.db here. A file's path
        is absolute (a relative one in konpfoi.yaml is taken from the workspace)."""
        env = os.environ.get(LEDGER_ENV, "").strip()
        if env:
            url = ledger_url.check(env, LEDGER_ENV)
            base = Path.cwd()
        elif self.config.ledger:
            url, base = self.config.ledger, self.root
        else:
            return str(self.ledger_path)
        if ledger_url.scheme(url) == "sqlite":
            return str(ledger_url.sqlite_path(url, base))
        return url

    def ledger_exists(self) -> bool:
        """Whether there is a ledger to read (a database server is asked when it is opened)."""
        url = self.ledger_url
        return ledger_url.scheme(url) != "sqlite" or Path(url).exists()

    @property
    def drafts(self) -> Path:
        return private_dir(self.root / "drafts")

    @property
    def files(self) -> Path:
        return private_dir(self.root / "files")

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def questions_dir(self) -> Path:
        return self.root / "questions"

    @property
    def bodies_overlay(self) -> Path:
        """Your own bodies and overrides; read last, so it wins."""
        return self.root / "bodies.yaml"

    @property
    def bodies_imported(self) -> Path:
        """What `konpfoi bodies import` changed from the packaged directory."""
        return self.root / "bodies-imported.yaml"

    @property
    def bodies_history(self) -> Path:
        """The imported directory as it was before each import, for `bodies import --undo`."""
        return self.root / "bodies-history"

    @property
    def holiday_feed(self) -> Path:
        return self.root / HOLIDAY_FEED_NAME


def cache_dir() -> Path:
    """Where parsed caches go (safe to delete): KONPFOI_CACHE_DIR, else the platform's cache dir."""
    env = os.environ.get("KONPFOI_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return platformdirs.user_cache_path("konpfoi")


def find(start: Path | None = None) -> Workspace:
    """The folder upward holding konpfoi.yaml, else KONPFOI_HOME, else the per-user default."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return open_workspace(folder, "folder")
    env = os.environ.get("KONPFOI_HOME")
    if env:
        return _ensure(Path(env).expanduser(), "KONPFOI_HOME")
    import platformdirs

    return _ensure(platformdirs.user_data_path("konpfoi"), "per-user default")


def _ensure(root: Path, found_by: str) -> Workspace:
    if not (root / CONFIG_NAME).is_file():
        private_dir(root)
        atomic_write(root / CONFIG_NAME, render_config(Config()))
    return open_workspace(root, found_by)


def open_workspace(root: Path, found_by: str = "folder") -> Workspace:
    return Workspace(root=root, config=load_config(root / CONFIG_NAME), found_by=found_by)


def init(root: Path, **details: Any) -> tuple[Workspace, bool]:
    """Make `root` a workspace, or update the given details of an existing one.

    Returns the workspace and whether it was newly created.
    """
    path = root / CONFIG_NAME
    created = not path.exists()
    config = Config() if created else load_config(path)
    given: dict[str, Any] = {k: v for k, v in details.items() if v is not None}
    if "prefix" in given:
        given["prefix"] = str(given["prefix"]).strip().upper()
    if "other_emails" in given:
        given["other_emails"] = tuple(dict.fromkeys(
            [*config.other_emails, *(a.strip().lower() for a in given["other_emails"])]))
    config = validate_details(replace(config, **given))
    private_dir(root)
    if created:
        atomic_write(path, render_config(config))
    else:
        update_config_file(path, {k: list(v) if isinstance(v, tuple) else v
                                  for k, v in given.items()})
    for sub in ("drafts", "files"):
        private_dir(root / sub)
    return open_workspace(root, "folder"), created
