"""`konpfoi export` and `konpfoi import`: the ledger as JSON Lines, for backup and exchange."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, counted, emit_json, stdout


def export_ledger(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write, e.g. ledger.jsonl")],
    as_json: JsonOpt = False,
) -> None:
    """Write the ledger as JSON Lines, for backup or to share."""
    from konpfoi.context import Context
    from konpfoi.ledger import exchange

    s = Context()
    with s.ledger() as ledger:
        counts = exchange.export(ledger, path)
    if as_json:
        emit_json({"file": str(path), **counts})
        return
    stdout().print(f"Exported {counted(counts)} to {path}", soft_wrap=True, markup=False)


def import_ledger(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="A file from konpfoi export.")],
    as_json: JsonOpt = False,
) -> None:
    """Add an export's records to this ledger (twice adds nothing)."""
    from konpfoi.context import Context
    from konpfoi.ledger import exchange

    s = Context()
    with s.ledger() as ledger:
        added, skipped = exchange.import_file(ledger, path)
    if as_json:
        emit_json({"added": dict(added), "already_present": dict(skipped)})
        return
    stdout().print(f"Imported {counted(added)}; already present: {counted(skipped)}",
                   soft_wrap=True, markup=False)
