"""Code a reply per question: answered, partly answered, refused (under which exemptions), not
held. The item's state follows from the answers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from konpfoi.errors import Conflict, InvalidInput
from konpfoi.law.exemptions import cited
from konpfoi.ledger.model import OUTCOMES, Event, parse_outcome
from konpfoi.ledger.store import Ledger
from konpfoi.tracking import register
from konpfoi.tracking.lifecycle import effective


@dataclass(frozen=True)
class Answer:
    question: int
    outcome: str
    exemptions: tuple[str, ...] = ()
    text: str | None = None


ALL = 0  # the question number of an answer given for every question at once
_CODES = re.compile(r"^\s*((section|sect|sec|s|regulation|reg|r)\.?\s*)?\d+[a-z]?(\(\w+\))*\s*$",
                    re.I)


def parse(spec: str, kind: str) -> Answer:
    """'1=answered:Yes, since 2024', '5=refused:s43', '3=partly:s43,s40:most of it',
    '2=refused:reg 12(5)(e),s43' (EIR and FOIA together), 'all=not-held' (every question)."""
    number, sep, rest = spec.partition("=")
    number = number.strip().lower()
    if not sep or not (number.isdigit() or number in ("all", "*")):
        raise InvalidInput(f"--q {spec!r}: expected N=outcome[:exemptions][:answer]",
                           hint="e.g. --q 1=answered:\"Yes, in use since 2024\" --q 5=refused:s43"
                                " (or --q all=not-held for every question)")
    word, _, tail = rest.partition(":")
    result = parse_outcome(word)
    exemptions: tuple[str, ...] = ()
    text = tail or None
    if tail and result in ("refused", "partly-answered"):
        first, _, more = tail.partition(":")
        pieces = [c for c in re.split(r"[,;/&]|\band\b", first) if c.strip()]
        if pieces and all(_CODES.match(c) for c in pieces):
            exemptions = cited(first, kind)  # a citation that cannot apply is refused
            text = more or None
    return Answer(ALL if number in ("all", "*") else int(number), result, exemptions,
                  text.strip() if text else None)


def expand(answers: list[Answer], numbers: list[int]) -> list[Answer]:
    """An answer for every question (`all=`) becomes one per question; one given for a
    question by number wins over it."""
    given = {a.question for a in answers if a.question != ALL}
    out = [a for a in answers if a.question != ALL]
    for a in answers:
        if a.question == ALL:
            out += [Answer(n, a.outcome, a.exemptions, a.text) for n in numbers
                    if n not in given]
    return sorted(out, key=lambda a: a.question)


def overall(answers: list[Answer]) -> str:
    """One outcome for the reply: answered, partly answered, refused or not held."""
    kinds = {a.outcome for a in answers}
    if kinds <= {"answered"}:
        return "answered"
    if kinds <= {"refused"}:
        return "refused"
    if kinds <= {"not-held"}:
        return "not-held"
    if "answered" in kinds or "partly-answered" in kinds:
        return "partly-answered"
    return "refused" if "refused" in kinds else "not-held"


def record(ledger: Ledger, item_id: str, answers: list[Answer], today: dt.date, *,
           rules: Mapping[int, Mapping[str, register.Rule]] | None = None,
           notes: list[str] | None = None) -> Event:
    """Store the answers and a `coded` event with the overall outcome; one transaction.

    With the question set's `rules`, the answers that establish a fact go into the register,
    with the reply as evidence; what that did (and any conflict) is added to `notes`."""
    if not answers:
        raise InvalidInput("no answers given", hint="--q 1=answered:... or answer the prompts")
    with ledger.write():
        item = ledger.item(item_id)
        events = effective(ledger.events([item.id]).get(item.id, []))
        if not any(e.kind == "reply" for e in events):
            raise Conflict(f"{item.id} has no reply to code yet",
                           hint=f"record it first: konpfoi reply {item.id} --file reply.eml")
        numbers = {q["number"] for q in item.questions} or {a.question for a in answers
                                                             if a.question != ALL}
        if not numbers:
            raise InvalidInput(f"{item.id} has no numbered questions to code",
                               hint=f"record the outcome with the reply: konpfoi reply {item.id}"
                                    " --file reply.eml --outcome answered")
        answers = expand(answers, sorted(numbers))
        for a in answers:
            if a.question not in numbers:
                raise InvalidInput(f"{item.id} has no question {a.question}",
                                   hint=f"questions are 1 to {max(numbers)}")
            if a.outcome not in OUTCOMES:
                raise InvalidInput(f"unknown outcome {a.outcome!r}")
        seen: set[int] = set()
        for a in answers:
            if a.question in seen:
                raise InvalidInput(f"question {a.question} is coded twice")
            seen.add(a.question)
        coded = {**{n: a for n, a in _earlier(ledger, item.id).items()},
                 **{a.question: a for a in answers}}
        result = overall(list(coded.values()))
        event = ledger.add_event(item.id, "coded", today.isoformat(),
                                 data={"outcome": result,
                                       "questions": sorted(a.question for a in answers)})
        for a in answers:
            ledger.add_answer(event.uid, item.id, a.question, a.outcome, list(a.exemptions),
                              a.text)
        if rules:
            replied = max((e.date for e in events if e.kind == "reply"), default=None)
            found = register.from_answers(
                ledger, item.id, item.body_id, [(a.question, a.outcome, a.text) for a in answers],
                rules, replied or today.isoformat())
            if notes is not None:
                notes += found
    return event


def _earlier(ledger: Ledger, item_id: str) -> dict[int, Answer]:
    found = ledger.answers([item_id]).get(item_id, {})
    return {q: Answer(q, a["outcome"], tuple(a["exemptions"]), a["answer"])
            for q, a in found.items()}
