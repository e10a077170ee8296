"""`konpfoi export` and `konpfoi import`: the ledger as JSON Lines, for backup and exchange."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, stdout


def export_ledger(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write, e.g. ledger.jsonl")],
    as_json: JsonOpt = False,
) -> None:
    """Write the ledger as JSON Lines, for backup or to share."""
    from konpfoi import exchange
    from konpfoi.session import Session

    s = Session()
    with s.ledger() as ledger:
        counts = exchange.export(ledger, path)
    if as_json:
        emit_json({"file": str(path), **counts})
        return
    stdout().print(f"Exported {', '.join(f'{n} {k}s' for k, n in counts.items()) or 'nothing'}"
                   f" to {path}", soft_wrap=True)


def import_ledger(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="A file from konpfoi export.")],
    as_json: JsonOpt = False,
) -> None:
    """Add an export's records to this ledger (twice adds nothing)."""
    from konpfoi import exchange
    from konpfoi.session import Session

    s = Session()
    with s.ledger() as ledger:
        added, skipped = exchange.import_file(ledger, path)
    if as_json:
        emit_json({"added": dict(added), "already_present": dict(skipped)})
        return
    def says(c):  # type: ignore[no-untyped-def]
        return ", ".join(f"{n} {k}s" for k, n in c.items()) or "nothing"
    stdout().print(f"Imported {says(added)}; already present: {says(skipped)}", soft_wrap=True)
