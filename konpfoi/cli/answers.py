"""`konpfoi code` and `konpfoi followup`: what a reply said, and what to send next."""

from __future__ import annotations

from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, note, stdout, warn


def code_answers(
    item: Annotated[str, typer.Argument(metavar="ID", help="The item, e.g. K-0042.")],
    q: Annotated[list[str] | None, typer.Option(
        "--q", help='N=outcome[:exemptions][:answer], e.g. 1=answered:"Yes, since 2024" or '
                    "5=refused:s43. Without --q, konpfoi asks question by question.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Code a reply per question: answered, partly, refused (with exemptions), not held."""
    import datetime as dt

    from konpfoi.session import Session
    from konpfoi.tracking import answers as coding

    s = Session()
    with s.ledger(create=False) as ledger:
        it = ledger.item(item)
        answers = [coding.parse(spec, it.kind) for spec in q] if q else _ask(it)
        event = coding.record(ledger, it.id, answers, dt.date.today())
    if as_json:
        emit_json({"item": it.id, "outcome": event.data["outcome"],
                   "answers": [a.__dict__ | {"exemptions": list(a.exemptions)}
                               for a in answers]})
        return
    stdout().print(f"{it.id} coded: {event.data['outcome'].replace('-', ' ')} "
                   f"({len(answers)} question(s))")


def _ask(it):  # type: ignore[no-untyped-def]
    """Question by question, with Rich prompts."""
    from rich.markup import escape
    from rich.prompt import Prompt

    from konpfoi.errors import InvalidInput
    from konpfoi.law.exemptions import exemption
    from konpfoi.ledger.model import parse_outcome
    from konpfoi.tracking import answers as coding

    con = stdout()
    answers = []
    try:
        for question in it.questions:
            con.print(f"\n[bold]{question['number']}. {escape(question.get('label', ''))}[/]\n"
                      f"{escape(question['text'])}", soft_wrap=True)
            word = Prompt.ask("outcome", choices=["answered", "partly", "refused", "not-held",
                                                  "skip"], default="answered")
            if word == "skip":
                continue
            outcome = parse_outcome(word)
            exemptions: tuple[str, ...] = ()
            if outcome in ("refused", "partly-answered"):
                cited = Prompt.ask("exemptions cited (e.g. s43, s40; blank for none)",
                                   default="")
                exemptions = tuple(exemption(c, it.kind)
                                   for c in cited.replace(",", " ").split())
            text = Prompt.ask("what they said (short)", default="") or None
            answers.append(coding.Answer(question["number"], outcome, exemptions, text))
    except EOFError:
        raise InvalidInput("no answers given",
                           hint="answer the prompts, or give --q N=outcome... ") from None
    return answers


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

    from konpfoi.letters import followups
    from konpfoi.letters.drafting import sender_from_config
    from konpfoi.session import Session

    s = Session()
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
                   f"  {f.txt}", soft_wrap=True)
    note(f"send it with: konpfoi send {f.event.item_id} --followup {f.kind} --yes "
         f"(or konpfoi mark-sent {f.event.item_id} --followup {f.kind} once you have)")


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

    from konpfoi.errors import InvalidInput
    from konpfoi.law.dates import parse_date
    from konpfoi.report import campaign as findings
    from konpfoi.report import formats
    from konpfoi.session import Session
    from konpfoi.workspace.files import atomic_write

    if fmt not in formats.FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}", hint="formats: " + ", ".join(formats.FORMATS))
    s = Session()
    day = parse_date(today, "--today") if today else dt.date.today()
    if not s.ws.ledger_path.exists():
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
