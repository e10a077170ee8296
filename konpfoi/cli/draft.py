"""`konpfoi draft`: write FOI request or email drafts to bodies and record them in the ledger."""

from __future__ import annotations

from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, note, stdout, warn


def draft_requests(
    to: Annotated[list[str], typer.Option(
        "--to", help="A body id (icb:QKK), code or name; repeat for several.")],
    questions: Annotated[str | None, typer.Option(
        "--questions", "-q", help="A question set id (konpfoi questions list).")] = None,
    template: Annotated[str | None, typer.Option(
        help="A template name (default foi-request with --questions).")] = None,
    subject: Annotated[str | None, typer.Option(help="Replace the template's subject.")]
    = None,
    campaign: Annotated[str | None, typer.Option(help="Group items under a campaign.")]
    = None,
    as_json: JsonOpt = False,
) -> None:
    """Draft an FOI request or email to each body.

    Writes drafts/<id>.eml and a .txt copy per body, and records each as an item in the
    ledger. Nothing is written unless every body and template works.
    """
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.errors import InvalidInput
    from konpfoi.letters import drafting
    from konpfoi.letters import questions as qmod

    s = Context()
    if template is None:
        if questions is None:
            raise InvalidInput("nothing to draft", hint="give --questions SET or --template NAME")
        template = drafting.DEFAULT_REQUEST_TEMPLATE
    qs = qmod.get(questions, s.question_dirs) if questions else None
    s.templates.path(template)  # an unknown template fails before anything else
    targets = []
    for t in to:
        resolved = s.directory.resolve(t)
        targets.append(drafting.Target(resolved.body, note=resolved.note))
    sender = drafting.sender_from_config(s.config)
    with s.ledger() as ledger:
        drafts = drafting.draft(
            ledger=ledger, templates=s.templates, drafts_dir=s.ws.drafts, targets=targets,
            sender=sender, template=template, qs=qs, campaign=campaign, subject=subject,
            now=dt.datetime.now().astimezone(), drafts_root=s.ws.root, prefix=s.config.prefix,
        )
    warning = drafting.placeholder_warning(sender)
    from konpfoi.directory.doubts import address_doubts

    for d, target in zip(drafts, targets, strict=True):
        if d.note:
            note(d.note)
        for doubt in address_doubts(target.body, d.item.body_email or ""):
            warn(f"{d.item.id} to {d.item.body_email}: {doubt}")
    if warning:
        warn(warning)
    if as_json:
        emit_json([{
            "item": d.item.id, "body": d.item.body_id, "body_name": d.item.body_name,
            "to": d.item.body_email, "kind": d.item.kind, "subject": d.item.subject,
            "template": d.item.template, "message_id": d.item.message_id,
            "eml": str(d.eml), "txt": str(d.txt), "warnings": [warning] if warning else [],
        } for d in drafts])
        return
    con = stdout()
    for d in drafts:
        con.print(f"[bold]{d.item.id}[/] {d.item.kind.upper()} to {d.item.body_name} "
                  f"<{d.item.body_email}>", soft_wrap=True)
        con.print(f"  {d.eml}\n  {d.txt}", soft_wrap=True)
