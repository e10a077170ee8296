"""Code a reply per question: answered, partly answered, refused (under which exemptions), not
held. The item's state follows from the answers."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from konpfoi.errors import Conflict, InvalidInput
from konpfoi.ledger import Ledger
from konpfoi.lifecycle import effective
from konpfoi.records import OUTCOMES, Event

# Exemptions and refusal grounds each law allows, with what they are about.
EXEMPTIONS = {
    "foia": {
        "s.12": "cost limit", "s.14": "vexatious or repeated request",
        "s.21": "reasonably accessible by other means", "s.22": "intended for publication",
        "s.22A": "research", "s.23": "security bodies", "s.24": "national security",
        "s.26": "defence", "s.27": "international relations",
        "s.28": "relations within the UK", "s.29": "the economy",
        "s.30": "investigations", "s.31": "law enforcement", "s.32": "court records",
        "s.33": "audit functions", "s.34": "parliamentary privilege",
        "s.35": "formulation of government policy", "s.36": "conduct of public affairs",
        "s.37": "the Royal Family and honours", "s.38": "health and safety",
        "s.39": "environmental information (EIR apply)", "s.40": "personal information",
        "s.41": "provided in confidence", "s.42": "legal professional privilege",
        "s.43": "commercial interests", "s.44": "prohibited by law",
    },
    "foisa": {
        "s.12": "excessive cost", "s.14": "vexatious or repeated request",
        "s.17": "not held", "s.25": "otherwise accessible",
        "s.26": "prohibited by law", "s.27": "intended for publication",
        "s.28": "relations within the UK", "s.29": "formulation of Scottish Government policy",
        "s.30": "conduct of public affairs", "s.31": "national security and defence",
        "s.32": "international relations", "s.33": "commercial interests and the economy",
        "s.34": "investigations", "s.35": "law enforcement", "s.36": "confidentiality",
        "s.37": "court records", "s.38": "personal information",
        "s.39": "health, safety and the environment", "s.40": "audit functions",
        "s.41": "communications with the Royal Family and honours",
    },
    "eir": {
        "reg 12(4)(a)": "not held", "reg 12(4)(b)": "manifestly unreasonable",
        "reg 12(4)(c)": "too general", "reg 12(4)(d)": "unfinished material",
        "reg 12(4)(e)": "internal communications",
        "reg 12(5)(a)": "international relations, defence, national security, public safety",
        "reg 12(5)(b)": "course of justice", "reg 12(5)(c)": "intellectual property",
        "reg 12(5)(d)": "confidentiality of proceedings",
        "reg 12(5)(e)": "commercial confidentiality",
        "reg 12(5)(f)": "interests of the person who gave the information",
        "reg 12(5)(g)": "protection of the environment", "reg 13": "personal data",
    },
}
REGIMES = {"foi": "foia", "foisa": "foisa", "eir": "eir"}
OUTCOME_ALIASES = {"partly": "partly-answered", "partial": "partly-answered",
                   "partly-answered": "partly-answered", "answered": "answered",
                   "refused": "refused", "not-held": "not-held", "notheld": "not-held",
                   "not held": "not-held", "clarification": "clarification-sought",
                   "clarification-sought": "clarification-sought"}


@dataclass(frozen=True)
class Answer:
    question: int
    outcome: str
    exemptions: tuple[str, ...] = ()
    text: str | None = None


def outcome(word: str) -> str:
    found = OUTCOME_ALIASES.get(word.strip().lower())
    if found is None:
        raise InvalidInput(f"unknown outcome {word!r}",
                           hint="answered, partly, refused, not-held or clarification")
    return found


def exemption(code: str, regime: str) -> str:
    """'s43', 'S.43(2)', 'section 43' -> 's.43(2)'; '12(5)(e)' -> 'reg 12(5)(e)'."""
    allowed = EXEMPTIONS.get(REGIMES.get(regime, regime), {})
    text = code.strip().lower().replace(" ", "")
    text = re.sub(r"^(section|sect|sec|s\.?)", "", text)
    text = re.sub(r"^(regulation|reg\.?|r\.?)", "", text)
    m = re.fullmatch(r"(\d+[a-z]?)((?:\(\w+\))*)", text)
    if m:
        base, sub = m.group(1).upper() if m.group(1)[-1].isalpha() else m.group(1), m.group(2)
        for key in allowed:
            if regime == "eir" or REGIMES.get(regime) == "eir":
                if key.replace("reg ", "") == base + sub or (key == f"reg {base}" and not sub):
                    return key
            elif key == f"s.{base}":
                return key + sub
    raise InvalidInput(
        f"{code!r} is not an exemption under {_law(regime)}",
        hint="known: " + ", ".join(allowed) if allowed else "emails carry no exemptions")


def _law(regime: str) -> str:
    return {"foia": "FOIA 2000", "foi": "FOIA 2000", "foisa": "FOISA 2002",
            "eir": "the EIR 2004"}.get(regime, regime)


def parse(spec: str, regime: str) -> Answer:
    """'1=answered:Yes, since 2024', '5=refused:s43', '3=partly:s43,s40:most of it'."""
    number, sep, rest = spec.partition("=")
    if not sep or not number.strip().isdigit():
        raise InvalidInput(f"--q {spec!r}: expected N=outcome[:exemptions][:answer]",
                           hint="e.g. --q 1=answered:\"Yes, in use since 2024\" --q 5=refused:s43")
    word, _, tail = rest.partition(":")
    result = outcome(word)
    exemptions: tuple[str, ...] = ()
    text = tail or None
    if tail and result in ("refused", "partly-answered"):
        first, _, more = tail.partition(":")
        codes = [c for c in re.split(r"[,\s]+", first) if c]
        if codes and all(re.fullmatch(r"(s(ection)?\.?|reg\.?|r)?\d[\w().]*", c, re.I)
                         for c in codes):
            exemptions = tuple(exemption(c, regime) for c in codes)
            text = more or None
    return Answer(int(number), result, exemptions, text.strip() if text else None)


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


def record(ledger: Ledger, item_id: str, answers: list[Answer], today: dt.date) -> Event:
    """Store the answers and a `coded` event with the overall outcome; one transaction."""
    if not answers:
        raise InvalidInput("no answers given", hint="--q 1=answered:... or answer the prompts")
    with ledger.write():
        item = ledger.item(item_id)
        events = effective(ledger.events([item.id]).get(item.id, []))
        if not any(e.kind == "reply" for e in events):
            raise Conflict(f"{item.id} has no reply to code yet",
                           hint=f"record it first: konpfoi reply {item.id} --file reply.eml")
        numbers = {q["number"] for q in item.questions} or {a.question for a in answers}
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
    return event


def _earlier(ledger: Ledger, item_id: str) -> dict[int, Answer]:
    found = ledger.answers([item_id]).get(item_id, {})
    return {q: Answer(q, a["outcome"], tuple(a["exemptions"]), a["answer"])
            for q, a in found.items()}
