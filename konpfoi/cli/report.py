"""`konpfoi report`: what the campaign found."""

from __future__ import annotations

from typing import Annotated

import typer

from konpfoi.cli.common import note


def campaign_report(
    campaign: Annotated[str | None, typer.Option(help="One campaign (default: everything).")]
    = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, csv, json or html.")] = "md",
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="Write to this file (default: print).")] = None,
    today: Annotated[str | None, typer.Option(help="Report as of this day.")] = None,
) -> None:
    """What the campaign found: answers by body and question, refusals, who was late."""
    import datetime as dt
    from pathlib import Path

    from konpfoi.context import Context
    from konpfoi.errors import InvalidInput
    from konpfoi.law.dates import parse_date
    from konpfoi.report import campaign as findings
    from konpfoi.report import formats
    from konpfoi.workspace.files import atomic_write

    if fmt not in formats.FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}", hint="formats: " + ", ".join(formats.FORMATS))
    s = Context()
    day = parse_date(today, "--today") if today else dt.date.today()
    if not s.ws.ledger_exists():
        raise InvalidInput("the ledger is empty", hint="draft and send some requests first")
    with s.ledger(create=False) as ledger:
        if campaign and campaign not in ledger.campaigns():
            raise InvalidInput(f"no campaign {campaign!r}",
                               hint="campaigns: " + (", ".join(ledger.campaigns()) or "none"))
        r = findings.build(ledger, s.calendars, day, campaign, policy=s.policy)
    text = formats.render(r, fmt)
    if output:
        atomic_write(Path(output), text, mode=0o644)
        note(f"wrote {output}")
    else:
        typer.echo(text, nl=False)
