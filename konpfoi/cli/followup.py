"""`konpfoi followup`: draft the next letter."""

from __future__ import annotations

from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, note, stdout, warn


def draft_followup(
    item: Annotated[str, typer.Argument(metavar="ID", help="The item, e.g. K-0042.")],
    kind: Annotated[str, typer.Option(
        help="chaser, clarification, internal-review, ico-complaint or sic-application.")],
    reason: Annotated[str | None, typer.Option(
        help="Your reasons (a review or complaint), or your clarification.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Draft the next letter: a chaser, clarification, internal review or complaint.

    The statutory wording and dates are filled in; sending it (konpfoi send ID --followup KIND,
    or mark-sent ID --followup KIND) starts the next clock.
    """
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.letters import followups
    from konpfoi.letters.drafting import sender_from_config

    s = Context()
    sender = sender_from_config(s.config)
    with s.ledger(create=False) as ledger:
        f = followups.draft(ledger, s.templates, s.ws.root, s.ws.drafts, item, kind,
                            reason=reason, sender=(sender.name, sender.email),
                            cals=s.calendars, now=dt.datetime.now().astimezone(),
                            policy=s.policy,
                            address=s.config.address)
    for w in f.warnings:
        warn(w)
    if as_json:
        emit_json({"item": f.event.item_id, "kind": f.kind, "to": f.to, "eml": str(f.eml),
                   "txt": str(f.txt), "warnings": f.warnings})
        return
    stdout().print(f"{f.event.item_id} {f.kind.replace('-', ' ')} to {f.to}\n  {f.eml}\n"
                   f"  {f.txt}", soft_wrap=True, markup=False)
    note(f"send it with: konpfoi send {f.event.item_id} --followup {f.kind} --yes "
         f"(or konpfoi mark-sent {f.event.item_id} --followup {f.kind} once you have)")
