"""`konpfoi batch`: the same request or email to many bodies, or from each supporter to their MP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    force: Annotated[bool, typer.Option(
        "--force", help="Draft even requests that repeat or overlap one in the ledger.")]
    = False,
    as_json: JsonOpt = False,
) -> None:
    """Draft to many bodies at once: one draft and item each, and one mbox of them all.

    Running the same batch again drafts only what is missing. Requests that repeat or overlap
    one already sent to a body are skipped (each with its reason) unless --force.
    """
    import datetime as dt
    import sys

    from konpfoi.context import Context
    from konpfoi.errors import InvalidInput
    from konpfoi.letters import batch, drafting
    from konpfoi.letters import questions as qmod
    from konpfoi.letters.addressing import sender_from_config

    s = Context()
    if (supporters is None) == (to is None and where is None):
        raise InvalidInput("choose the targets: --to/--where, or --supporters",
                           hint="e.g. --to 'icb:*', --where kind=trust,region=London")
    if template is None:
        if questions is None:
            raise InvalidInput("nothing to draft", hint="give --questions SET or --template NAME")
        template = drafting.DEFAULT_REQUEST_TEMPLATE
    qs = qmod.get(questions, s.question_dirs) if questions else None
    s.templates.path(template)  # an unknown template fails before anything else
    quiet = as_json or not sys.stderr.isatty()
    with s.ledger() as ledger, _progress(quiet) as progress:
        result = batch.run(
            ledger=ledger, directory=s.directory, templates=s.templates,
            where=batch.Where(s.ws.drafts, s.ws.root), template=template, qs=qs,
            campaign=campaign, subject=subject, to=to, select=where,
            supporters_csv=supporters, postcodes=postcodes,
            sender=sender_from_config(s.config), config=s.config,
            cal=s.calendars.for_regime("foia"), now=dt.datetime.now().astimezone(),
            force=force, progress=progress)
    drafts = result.drafts
    for w in result.warnings:
        warn(w)
    if as_json:
        emit_json({"campaign": campaign, "drafted": [d.item.id for d in drafts],
                   "mbox": str(result.mbox) if result.mbox else None,
                   "similarity": result.similarity,
                   "packs": [p.item.id for p in result.packs],
                   "fdp_unknown": result.unknown_fdp,
                   "skipped": [{"target": k.target, "reason": k.reason,
                                "warning": k.warning} for k in result.skipped],
                   "warnings": result.warnings})
        return
    con = stdout()
    if drafts:
        con.print(f"Drafted {len(drafts)} ({drafts[0].item.id} to {drafts[-1].item.id}) in "
                  f"{s.ws.drafts}\n  mbox for your mail client: {result.mbox}", soft_wrap=True,
                  markup=False)
    else:
        con.print("Nothing new to draft.")
    if result.packs:
        n, opt = len(result.packs), sum(p.opt_out for p in result.packs)
        packs = "supporter's pack" if n == 1 else "supporters' packs"
        con.print(f"  {n} {packs} (their letter, a link that opens it in their own mail, the .eml"
                  + (f"; {opt} with a GP opt-out letter" if opt else "") + f"): konpfoi send "
                  f"--campaign {campaign} shows who they go to; add --yes to send them",
                  soft_wrap=True)
        elsewhere = sum(p.opt_out_elsewhere for p in result.packs)
        if elsewhere:
            note(f"{elsewhere} supporter{'s' if elsewhere > 1 else ''} named a GP practice "
                 "outside England: a Type 1 opt-out is recorded by practices in England only, "
                 "so no GP letter goes in their pack")
    if result.unknown_fdp:
        note(f"{len(result.unknown_fdp)} letters make no claim about the FDP: the register "
             "does not know whether their body uses it (konpfoi facts list)")
    reasons: dict[str, list[tuple[str, str]]] = {}  # reason in short -> (target, in full)
    for k in result.skipped:
        if k.warning:  # a mistake in the input (a supporter listed twice): each one shown
            warn(f"skipped {k.target}: {k.reason}")
            continue
        reasons.setdefault(k.reason.split(" (")[0].split(":")[0], []).append(
            (k.target, k.reason))
    for reason, skipped in reasons.items():
        targets = [t for t, _ in skipped]
        shown = ", ".join(targets[:6]) + (f" and {len(targets) - 6} more" if len(targets) > 6
                                          else "")
        said = {full for _, full in skipped}  # one reason for all: said whole
        note(f"skipped {len(targets)}: {said.pop() if len(said) == 1 else reason}: {shown}")
    few = len(result.skipped) <= 6
    for k in result.skipped:
        if not k.warning and (k.reason.startswith("overlaps")
                              or (few and k.reason.startswith("no address"))):
            note(f"{k.target} {k.reason}")


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal for a batch of ten or more; nothing when piped."""
    if quiet:
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = None

        def update(done: int, total: int) -> None:
            nonlocal task
            if total < 10:
                return
            if task is None:
                task = bar.add_task("drafting", total=total)
            bar.update(task, completed=done)

        yield update
