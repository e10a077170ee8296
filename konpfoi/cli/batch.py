"""`konpfoi batch`: the same request or email to many bodies, or from each supporter to their MP."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, note, stdout, warn


def batch_campaign(
    campaign: Annotated[str, typer.Option(help="The campaign the items belong to (required).")],
    to: Annotated[list[str] | None, typer.Option(
        "--to", help="Ids, names or wildcards: 'icb:*', 'mp:*'; repeat for several.")] = None,
    where: Annotated[str | None, typer.Option(
        help="Filter: kind=trust,region=London,parent=icb:QKK,party=...,tag=...")] = None,
    supporters: Annotated[Path | None, typer.Option(
        help="CSV of supporters (name, email, and mp, constituency or postcode; optional "
             "personal, address): each writes to their own MP.")] = None,
    postcodes: Annotated[Path | None, typer.Option(
        help="Postcode to constituency lookup (ONS postcode directory CSV).")] = None,
    questions: Annotated[str | None, typer.Option(
        "--questions", "-q", help="A question set (an FOI request to each body).")] = None,
    template: Annotated[str | None, typer.Option(help="A template (default: foi-request "
                                                      "with --questions).")] = None,
    subject: Annotated[str | None, typer.Option(help="Replace the template's subject.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Draft to many bodies at once: one draft and item each, and one mbox of them all.

    Running the same batch again drafts only what is missing.
    """
    import datetime as dt
    import sys

    from konpfoi.context import Context
    from konpfoi.errors import InvalidInput
    from konpfoi.letters import campaigns, drafting
    from konpfoi.letters import questions as qmod
    from konpfoi.letters import supporters as supporters_mod
    from konpfoi.mail import outgoing
    from konpfoi.mail.attachments import sanitise

    s = Context()
    if (supporters is None) == (to is None and where is None):
        raise InvalidInput("choose the targets: --to/--where, or --supporters",
                           hint="e.g. --to 'icb:*', --where kind=trust,region=London")
    if template is None:
        if questions is None:
            raise InvalidInput("nothing to draft", hint="give --questions SET or --template NAME")
        template = drafting.DEFAULT_REQUEST_TEMPLATE
    qs = qmod.get(questions, s.question_dirs) if questions else None
    kind = s.templates.info(template).kind
    now = dt.datetime.now().astimezone()
    with s.ledger() as ledger:
        done = campaigns.campaign_keys(ledger.items(campaign=campaign))
        if supporters is not None:
            plan = supporters_mod.plan_supporters(s.directory, supporters, done, postcodes)
        else:
            plan = campaigns.plan_bodies(s.directory, done, kind, to, where)
        sender = drafting.sender_from_config(s.config)
        aggregation = campaigns.aggregation_for(ledger, plan, qs, s.calendars.for_regime("foia"),
                                                  now.date()) if kind == "request" else []
        drafts = _draft_with_progress(s, ledger, plan, sender, template, qs, campaign, subject,
                                      now, as_json or not sys.stderr.isatty())
    mbox = None
    if drafts:
        stamp = now.strftime("%Y%m%d-%H%M%S")
        mbox = outgoing.write_mbox([d.raw for d in drafts],
                                   s.ws.drafts / f"{sanitise(campaign)}-{stamp}.mbox")
    to_mps = [d.text for d in drafts if d.item.body_id.startswith("mp:")]
    score = campaigns.similarity(to_mps) if len(to_mps) > 1 else None
    personal = any(t.extra.get("personal") for t in plan.targets)
    identical = campaigns.identical_warning(score, personal)
    placeholder = drafting.placeholder_warning(sender) if supporters is None else None
    for w in aggregation + [x for x in (identical, placeholder) if x]:
        warn(w)
    if as_json:
        emit_json({"campaign": campaign, "drafted": [d.item.id for d in drafts],
                   "mbox": str(mbox) if mbox else None, "similarity": score,
                   "skipped": [{"target": k.target, "reason": k.reason} for k in plan.skipped],
                   "warnings": aggregation + [x for x in (identical, placeholder) if x]})
        return
    con = stdout()
    if drafts:
        con.print(f"Drafted {len(drafts)} ({drafts[0].item.id} to {drafts[-1].item.id}) in "
                  f"{s.ws.drafts}\n  mbox for your mail client: {mbox}", soft_wrap=True)
    else:
        con.print("Nothing new to draft.")
    reasons: dict[str, list[str]] = {}
    for k in plan.skipped:
        reasons.setdefault(k.reason.split(" (")[0], []).append(k.target)
    for reason, targets in reasons.items():
        shown = ", ".join(targets[:6]) + (f" and {len(targets) - 6} more" if len(targets) > 6
                                          else "")
        note(f"skipped {len(targets)}: {reason}: {shown}")


def _draft_with_progress(s, ledger, plan, sender, template, qs, campaign, subject,  # type: ignore[no-untyped-def]
                         now, quiet: bool):
    from konpfoi.letters import drafting

    kwargs = dict(ledger=ledger, templates=s.templates, drafts_dir=s.ws.drafts,
                  targets=plan.targets, sender=sender, template=template, qs=qs,
                  campaign=campaign, subject=subject, now=now, drafts_root=s.ws.root,
                  prefix=s.config.prefix)
    if quiet or len(plan.targets) < 10:
        return drafting.draft(**kwargs)
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("drafting", total=len(plan.targets))
        return drafting.draft(**kwargs, on_progress=lambda n: progress.update(task, completed=n))
