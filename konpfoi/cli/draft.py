"""`konpfoi draft`: write request or letter drafts to bodies and record them in the ledger."""

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
    force: Annotated[bool, typer.Option(
        "--force", help="Draft even a request that repeats or overlaps one in the ledger.")]
    = False,
    as_json: JsonOpt = False,
) -> None:
    """Draft a request or letter to each body.

    Writes drafts/<id>.eml and a .txt copy per body, and records each as an item in the
    ledger. Nothing is written unless every body and template works. A request that repeats
    or overlaps one already sent to the body is refused unless --force.
    """
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.errors import InvalidInput
    from konpfoi.law.correspondence import kind_of
    from konpfoi.letters import drafting
    from konpfoi.letters import questions as qmod
    from konpfoi.letters.addressing import placeholder_warning, sender_from_config

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
    sender = sender_from_config(s.config)
    with s.ledger() as ledger:
        drafts = drafting.draft(
            ledger=ledger, templates=s.templates, drafts_dir=s.ws.drafts, targets=targets,
            sender=sender, template=template, qs=qs, campaign=campaign, subject=subject,
            now=dt.datetime.now().astimezone(), drafts_root=s.ws.root, config=s.config,
            cal=s.calendars.for_regime("foia"), force=force,
        )
    placeholder = placeholder_warning(sender) if any(
        kind_of(d.item.kind).signer != "supporter" for d in drafts) else None
    from konpfoi.directory.doubts import address_doubts

    for d, target in zip(drafts, targets, strict=True):
        if d.note:
            note(d.note)
        for w in d.warnings:
            warn(w)
        for doubt in address_doubts(target.body, d.item.body_email or ""):
            warn(f"{d.item.id} to {d.item.body_email}: {doubt}")
    if placeholder:
        warn(placeholder)
    if as_json:
        emit_json([{
            "item": d.item.id, "body": d.item.body_id, "body_name": d.item.body_name,
            "to": d.item.body_email, "kind": d.item.kind, "kind_name": kind_of(d.item.kind).name,
            "subject": d.item.subject, "template": d.item.template,
            "message_id": d.item.message_id, "eml": str(d.eml), "txt": str(d.txt),
            "warnings": d.warnings + ([placeholder] if placeholder else []),
        } for d in drafts])
        return
    from rich.markup import escape

    con = stdout()
    for d in drafts:
        con.print(f"[bold]{escape(d.item.id)}[/] {escape(kind_of(d.item.kind).name)} to "
                  f"{escape(f'{d.item.body_name} <{d.item.body_email}>')}", soft_wrap=True)
        con.print(f"  {d.eml}\n  {d.txt}", soft_wrap=True, markup=False)
