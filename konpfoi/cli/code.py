"""`konpfoi code`: what a reply said, question by question."""

from __future__ import annotations

from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, stdout


def code_answers(
    item: Annotated[str, typer.Argument(metavar="ID", help="The item, e.g. K-0042.")],
    q: Annotated[list[str] | None, typer.Option(
        "--q", help='N=outcome[:exemptions][:answer], e.g. 1=answered:"Yes, since 2024" or '
                    "5=refused:s43. Without --q, konpfoi asks question by question.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Code a reply per question: answered, partly, refused (with exemptions), not held."""
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.tracking import answers as coding

    s = Context()
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
