"""`konpfoi ledger copy|upgrade`: move a ledger between SQLite and PostgreSQL, and bring a
shared ledger's schema up to date."""

from __future__ import annotations

from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, counted, emit_json, register, stdout

app = typer.Typer(help="Move a ledger, or upgrade a shared one.", no_args_is_help=True)

UrlOpt = Annotated[str | None, typer.Option(
    "--from", metavar="URL", help="Another ledger than the workspace's.")]


def copy_ledger(
    to: Annotated[str, typer.Option(
        "--to", metavar="URL",
        help="postgresql://host/dbname (no password) or sqlite:///path/to/file.db")],
    source: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Copy the ledger, losslessly, to another (SQLite to PostgreSQL or back).

    Items, events, messages, attachments, answers, inbound mail and volunteers keep their
    ids; `konpfoi export` of both gives the same bytes. Running it again changes nothing.
    """
    from konpfoi.context import Context
    from konpfoi.ledger import exchange
    from konpfoi.ledger.backends import open_ledger
    from konpfoi.workspace.ledger_url import check

    s = Context()
    target_url = check(to, "--to")
    # Opened as nobody: a copy records nothing of its own, so both export the same bytes.
    with open_ledger(check(source, "--from") if source else s.ws.ledger_url) as src, \
            open_ledger(target_url) as target:
        added, skipped = exchange.copy(src, target)
        where = target.url
    if as_json:
        emit_json({"to": where, "added": dict(added), "already_present": dict(skipped)})
        return
    stdout().print(f"Copied {counted(added)} to {where}; already there: {counted(skipped)}",
                   soft_wrap=True)
    if added:
        stdout().print(f"To use it here: konpfoi init --ledger {to}", soft_wrap=True)


def upgrade_ledger(source: UrlOpt = None, as_json: JsonOpt = False) -> None:
    """Bring a ledger's schema up to this konpfoi's (run it as the database's owner).

    Every command does this for a ledger it may change; a volunteer's login role on a
    shared database may not, so the coordinator runs this once after upgrading konpfoi.
    """
    from konpfoi.context import Context
    from konpfoi.ledger.backends import open_ledger
    from konpfoi.workspace.ledger_url import check

    s = Context()
    with open_ledger(check(source, "--from") if source else s.ws.ledger_url) as ledger:
        version, where = ledger.schema_version(), ledger.url
    if as_json:
        emit_json({"ledger": where, "schema": version})
        return
    stdout().print(f"{where}: schema {version}, up to date", soft_wrap=True)


register(app, "copy", copy_ledger)
register(app, "upgrade", upgrade_ledger)
