"""`konpfoi followup`: draft the next letter."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, note, stdout, warn


def draft_followup(
    item: Annotated[str, typer.Argument(metavar="ID", help="The item, e.g. K-0042.")],
    kind: Annotated[str, typer.Option(
        help="chaser, clarification, internal-review, ico-complaint, sic-application (a "
             "request) or reminder (a letter to an MP or a board).")],
    reason: Annotated[str | None, typer.Option(
        help="Your reasons (a review or complaint), or your clarification.")] = None,
    attach: Annotated[list[Path] | None, typer.Option(
        "--attach", help="A file to attach (your request, the response...); repeat for "
                         "several.")] = None,
    late: Annotated[bool, typer.Option(
        "--late", help="Draft a review or complaint after its window has closed; the letter "
                       "says so.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Draft the next letter: a chaser, clarification, review, complaint or reminder.

    Only what the ledger holds is stated, and only the follow-ups open on the day are drafted
    (each refusal says why and from when). Sending it (konpfoi send ID --followup KIND, or
    mark-sent ID --followup KIND) starts the next clock; konpfoi send counts its dates from the
    day it goes.
    """
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.letters import followup_drafts

    s = Context()
    setup = followup_drafts.Setup(s.templates, s.ws.root, s.ws.drafts, s.calendars, s.config,
                                  s.policy)
    with s.ledger(create=False) as ledger:
        f = followup_drafts.draft(ledger, setup, item, kind, reason=reason,
                                  now=dt.datetime.now().astimezone(), late=late,
                                  attach=list(attach or []))
    for w in f.warnings:
        warn(w)
    if as_json:
        emit_json({"item": f.event.item_id, "kind": f.kind, "to": f.to, "eml": str(f.eml),
                   "txt": str(f.txt), "warnings": f.warnings, "sent_by": f.by_hand})
        return
    stdout().print(f"{f.event.item_id} {f.kind.replace('-', ' ')} to {f.to}\n  {f.eml}\n"
                   f"  {f.txt}", soft_wrap=True, markup=False)
    if f.by_hand:
        note(f"it is {f.by_hand}'s letter: pass the draft to them to send from their own "
             f"address, then konpfoi mark-sent {f.event.item_id} --followup {f.kind}")
        return
    note(f"send it today with: konpfoi send {f.event.item_id} --followup {f.kind} --yes (it "
         f"counts its dates from the day it goes), or from your own mail client today and then "
         f"konpfoi mark-sent {f.event.item_id} --followup {f.kind}")
