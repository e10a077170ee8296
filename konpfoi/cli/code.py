"""`konpfoi code`: what a reply said, question by question."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, note, stdout, warn

if TYPE_CHECKING:
    from konpfoi.ledger.model import Item
    from konpfoi.tracking.answers import Answer

_CHOICES = ["answered", "partly", "refused", "not-held", "skip"]


def code_answers(
    item: Annotated[str, typer.Argument(metavar="ID", help="The item, e.g. K-0042.")],
    q: Annotated[list[str] | None, typer.Option(
        "--q", help='N=outcome[:exemptions][:answer], e.g. 1=answered:"Yes, since 2024", '
                    "5=refused:s43 or 2=refused:reg 12(5)(e),s43; all=not-held codes every "
                    "question at once. Without --q, konpfoi asks question by question.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Code a reply per question: answered, partly, refused (with exemptions), not held."""
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.errors import InvalidInput
    from konpfoi.tracking import answers as coding

    s = Context()
    with s.ledger(create=False) as ledger:
        it = ledger.item(item)
        if q:
            answers, complete = [coding.parse(spec, it.kind) for spec in q], True
        else:
            answers, complete = _ask(it)
        if not answers:
            raise InvalidInput("no answers given",
                               hint="answer the prompts, or give --q N=outcome...")
        notes: list[str] = []
        event = coding.record(ledger, it.id, answers, dt.date.today(),
                              rules=_rules(s, it.question_set), notes=notes)
    if as_json:
        emit_json({"item": it.id, "outcome": event.data["outcome"],
                   "questions": event.data["questions"], "register": notes,
                   "answers": [a.__dict__ | {"exemptions": list(a.exemptions)}
                               for a in answers]})
        return
    n = len(event.data["questions"])
    stdout().print(f"{it.id} coded: {event.data['outcome'].replace('-', ' ')} "
                   f"({n} question{'s' if n != 1 else ''})")
    for line in notes:
        (warn if "conflict" in line or "does not say" in line else note)(line)
    if not complete:
        warn(f"stopped before the last question: the {n} answered are kept; run konpfoi "
             f"code {it.id} again for the rest")


def _rules(s, set_id: str | None):  # type: ignore[no-untyped-def]
    """What the item's question set says its answers establish (none if it is gone)."""
    from konpfoi.errors import KonpfoiError
    from konpfoi.letters import questions as qmod

    if not set_id:
        return None
    try:
        return qmod.get(set_id, s.question_dirs).rules()
    except KonpfoiError:
        return None


def _ask(it: Item) -> tuple[list[Answer], bool]:
    """Question by question, with no default: Enter alone asks again. A citation that cannot
    apply asks again for that question only; what was typed before is kept, even if the
    prompts are left early (end of input)."""
    from rich.markup import escape
    from rich.prompt import Prompt

    from konpfoi.ledger.model import parse_outcome
    from konpfoi.tracking import answers as coding

    con = stdout()
    answers: list[coding.Answer] = []
    try:
        same = Prompt.ask("one outcome for every question? (answered, partly, refused, "
                          "not-held; Enter: question by question)", default="",
                          show_default=False).strip()
        if same:
            outcome = parse_outcome(same)
            exemptions = _citations(it, outcome)
            text = Prompt.ask("what they said (short)", default="", show_default=False)
            return [coding.Answer(coding.ALL, outcome, exemptions, text or None)], True
        for question in it.questions:
            con.print(f"\n[bold]{question['number']}. {escape(question.get('label', ''))}[/]\n"
                      f"{escape(question['text'])}", soft_wrap=True)
            word = Prompt.ask("outcome", choices=_CHOICES)
            if word == "skip":
                continue
            outcome = parse_outcome(word)
            exemptions = _citations(it, outcome)
            text = Prompt.ask("what they said (short)", default="", show_default=False)
            answers.append(coding.Answer(question["number"], outcome, exemptions, text or None))
    except EOFError:
        return answers, False
    return answers, True


def _citations(it: Item, outcome: str) -> tuple[str, ...]:
    """The exemptions cited, asked again until every one is one the law allows."""
    from rich.prompt import Prompt

    from konpfoi.errors import InvalidInput
    from konpfoi.law.exemptions import cited

    if outcome not in ("refused", "partly-answered"):
        return ()
    while True:
        typed = Prompt.ask("exemptions cited (e.g. s43, s40(2), reg 12(5)(e); Enter for none)",
                           default="", show_default=False)
        try:
            return cited(typed, it.kind) if typed.strip() else ()
        except InvalidInput as exc:
            warn(exc.message + (f" ({exc.hint})" if exc.hint else ""))
