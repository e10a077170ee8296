"""`konpfoi init` and `konpfoi where`: make a workspace, and say which files are in use."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, stdout, warn


def init_workspace(
    folder: Annotated[Path, typer.Argument(help="Folder to make a workspace (default: here).")]
    = Path("."),
    name: Annotated[str | None, typer.Option(help="Your real name (FOIA s.8 needs it).")]
    = None,
    email: Annotated[str | None, typer.Option(help="Your email address for replies.")] = None,
    address: Annotated[str | None, typer.Option(help="Postal address (optional).")] = None,
    signature: Annotated[str | None, typer.Option(help="Lines under your name.")] = None,
    prefix: Annotated[str | None, typer.Option(
        help="Item ids start with this (default K: K-0001). Give each volunteer's workspace "
             "its own, so shared ledgers never have two items with one id.")] = None,
    other_email: Annotated[list[str] | None, typer.Option(
        "--other-email", help="Another address you send from; mail from it is your own "
                              "(repeat for several).")] = None,
    ledger: Annotated[str | None, typer.Option(
        metavar="URL", help="A shared ledger: postgresql://host/dbname (no password), or "
                            "sqlite:///path/to/file.db.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Make a folder a workspace, or update your details in one."""
    from konpfoi.workspace import folders, ledger_url

    if ledger is not None:
        ledger = ledger_url.check(ledger, "--ledger")

    if sys.stdin.isatty() and not as_json:
        if name is None:
            name = typer.prompt("Your full name (it goes on every request)", default="",
                                show_default=False) or None
        if email is None:
            email = typer.prompt("Your email address for correspondence", default="",
                                 show_default=False) or None
    ws, created = folders.init(folder.resolve(), name=name, email=email, address=address,
                               signature=signature, prefix=prefix,
                               other_emails=other_email or None, ledger=ledger)
    shown = ledger_url.display(ws.config.ledger) if ws.config.ledger else None
    if as_json:
        emit_json({"workspace": str(ws.root), "created": created, "config": str(ws.config_path),
                   "name": ws.config.name, "email": ws.config.email,
                   "prefix": ws.config.prefix, "other_emails": list(ws.config.other_emails),
                   "ledger": shown})
        return
    verb = "Created" if created else "Updated"
    stdout().print(f"{verb} workspace {ws.root}\n  config: {ws.config_path}"
                   + (f"\n  ledger: {shown}" if shown else ""), soft_wrap=True, markup=False)
    if not ws.config.name or not ws.config.email:
        warn("no name or email yet: drafts will carry placeholders until you run "
             "konpfoi init --name 'Your Name' --email you@example.org")


def show_where(as_json: JsonOpt = False) -> None:
    """Print the files konpfoi is using, and why."""
    from konpfoi.workspace import folders, ledger_url
    from konpfoi.workspace.resources import packaged

    ws = folders.find()
    paths = {
        "workspace": str(ws.root),
        "found_by": ws.found_by,
        "config": str(ws.config_path),
        "ledger": ledger_url.display(ws.ledger_url),
        "ledger_from": ws.ledger_source,
        "drafts": str(ws.root / "drafts"),
        "files": str(ws.root / "files"),
        "templates": [str(p) for p in (ws.templates_dir, packaged("templates")) if p.is_dir()],
        "questions": [str(p) for p in (ws.questions_dir, packaged("questions")) if p.is_dir()],
        "bodies": [str(p) for p in (packaged("bodies.yaml"), ws.bodies_overlay) if p.is_file()],
        "holiday_feed": str(ws.holiday_feed) if ws.holiday_feed.is_file() else None,
        "cache": str(folders.cache_dir()),
    }
    if as_json:
        emit_json(paths)
        return
    con = stdout()
    for key, value in paths.items():
        if isinstance(value, list):
            value = ("\n" + " " * 14).join(value) or "-"
        con.print(f"{key:<12}  {value if value is not None else '-'}", soft_wrap=True,
                  markup=False)
