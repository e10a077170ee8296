"""What a follow-up may state as fact: read from an item's events and coded answers on the day
the letter is sent, and phrased only when true on that day.

Every sentence here is a fact from the ledger (a date passed, an outcome, an exemption, a late
response, an extension) or a request that follows from one. The rules, with sources (LAW.md):

- A date is "due by" / "was due by" only when it is before the day the letter is sent.
- "You said you do not hold" only for a question coded not held; the letter then asks for the
  searches made (FOIA s.1(1)(a); EIR reg 12(4)(a); FOISA s.17(1)).
- "Withheld ... citing" only for a question coded refused or partly answered with the
  exemptions (FOIA Part II, FOISA Part 2) or exceptions (EIR reg 12(4), 12(5), 13) the body
  cited; each named once, with its plain name.
- A refusal on cost (FOIA, FOISA s.12) or as vexatious or repeated (s.14) is no exemption: the
  body "refused to comply, saying that" the cost would exceed the limit, or the request was
  vexatious or repeated; never "withheld", never "exemption".
- A response after its deadline is a breach of FOIA s.10(1), EIR reg 5(2), FOISA s.10(1) or UK
  GDPR Art 12(3); the letter says by how many working (or, for a SAR, calendar) days.
- A FOIA public interest extension (s.10(3)) past 20 further working days goes beyond what the
  ICO's guidance accepts save in exceptional cases; an EIR extension is at most 40 working days
  in all (reg 7(1)); FOISA allows none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from konpfoi.law.clocks import Clock, clocks_for
from konpfoi.law.correspondence import LAW_WORDS, Kind, LawWords, kind_of
from konpfoi.law.exemptions import ABSOLUTE, NOT_HELD, is_refusal_ground, section
from konpfoi.law.regimes import DEFAULT_POLICY, Policy, calendar_regime
from konpfoi.law.workdays import Calendar, Calendars
from konpfoi.ledger.model import Event, Item
from konpfoi.letters.wording import cite, distinct_codes, join, refusals, when
from konpfoi.tracking import facts as facts_mod
from konpfoi.tracking.lifecycle import View, derive
from konpfoi.workspace.words import count


@dataclass
class Grounds:
    """One item as the ledger holds it on `today`: every fact a follow-up may state."""

    item: Item
    kind: Kind
    today: dt.date
    cal: Calendar
    view: View
    facts: facts_mod.Facts
    clocks: dict[str, Clock]
    answers: dict[int, dict[str, Any]]
    statutory_due: dt.date | None = None  # the response deadline before any extension
    extension: tuple[dt.date, dt.date | None] | None = None  # claimed on, until (as given)
    chased: bool = False  # a chaser or reminder was sent
    labels: dict[int, str] = field(default_factory=dict)
    # The body by name when the letter goes to its regulator (the ICO, the Scottish
    # Commissioner), who did none of what the body did; None: the letter speaks to the body.
    third: str | None = None

    def they(self, start: bool = False) -> str:
        """The body as the letter speaks of it: "you" to the body itself; to a regulator, by
        name at the start of a sentence and "it" inside one."""
        if self.third is None:
            return "You" if start else "you"
        return self.third if start else "it"

    @property
    def do_not_hold(self) -> str:
        return "do not hold" if self.third is None else "does not hold"

    @property
    def its(self) -> str:
        return "your" if self.third is None else "its"

    @property
    def regime(self) -> str | None:
        return self.kind.regime

    @property
    def law(self) -> LawWords:
        return LAW_WORDS[self.kind.regime or "foia"]

    @property
    def response(self) -> Clock | None:
        return self.clocks.get("response") or self.clocks.get("chase")

    @property
    def due(self) -> dt.date | None:
        """The response deadline as it stands (with a lawful extension), or the reminder date."""
        return self.response.due if self.response else None

    @property
    def replied(self) -> dt.date | None:
        return self.facts.replied

    @property
    def paused(self) -> str:
        return (self.response.paused or "") if self.response else ""

    def past(self, day: dt.date | None) -> bool:
        """Whether `day` is before the day the letter is sent."""
        return day is not None and day < self.today

    def late_by(self, due: dt.date, day: dt.date) -> str:
        """'3 working days' (or '5 days' for a calendar-month clock) from `due` to `day`; a day
        after the deadline that is not a working day (a Saturday after a Friday deadline) is
        counted in calendar days, since no working day has passed."""
        working = self.response.working if self.response else True
        days = self.cal.count(due, day) if working else 0
        if days > 0:
            return count(days, "working day")
        return count((day - due).days, "day")


def read(item: Item, events: list[Event], answers: dict[int, dict[str, Any]], cals: Calendars,
         today: dt.date, policy: Policy = DEFAULT_POLICY) -> Grounds:
    """The grounds of `item` on `today`, from its events (all of them, as recorded)."""
    view = derive(item.kind, events, cals, today, item_id=item.id, nation=item.nation,
                  policy=policy)
    f = facts_mod.read(view.events)
    kind = kind_of(item.kind)
    cal = cals.for_regime(calendar_regime(item.kind), item.nation)
    g = Grounds(item, kind, today, cal, view, f, {c.key: c for c in view.clocks}, answers)
    g.labels = {q["number"]: q.get("label") or "" for q in item.questions}
    g.chased = any(e.kind == "chased" for e in view.events)
    claims = [(d, ev) for k, d, ev in f.clock_events if k == "extension-claimed"
              and (f.review_requested is None or d < f.review_requested)]
    if claims and f.sent is not None:
        day, ev = claims[-1]
        until = ev.data.get("until")
        g.extension = (day, dt.date.fromisoformat(until) if until else None)
        plain = replace(f, clock_events=[c for c in f.clock_events
                                         if c[0] != "extension-claimed"])
        first = clocks_for(item.kind, plain, cals, policy=policy, nation=item.nation,
                           explain=False)
        g.statutory_due = first[0].due if first else None
    else:
        g.statutory_due = g.due
    return g


# -- sentences ------------------------------------------------------------------------------


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def extension_lines(g: Grounds) -> list[str]:
    """What the body did with more time, and how that stands with the law."""
    if g.extension is None or g.regime is None:
        return []
    claimed, until = g.extension
    law, due = g.law, g.due
    if g.regime == "foisa":
        tense = "was" if g.past(g.statutory_due) else "is"
        return [f"On {when(claimed)} {g.they()} said {g.they()} needed more time, but the Act "
                f"allows no "
                f"extension: the deadline {tense} {when(g.statutory_due)} ({law.duty})."]
    if g.regime == "sar":
        return [f"On {when(claimed)} {g.they()} extended the time by two further months under "
                f"Article 12(3) of the UK GDPR, to {when(due)}."]
    if g.regime == "eir":
        given = until or due
        line = (f"On {when(claimed)} {g.they()} extended the time under {law.extension}, for "
                f"complex and voluminous information, to {when(given)}")
        if until and due and until > due:
            tense = "was" if g.past(due) else "is"
            line += (f"; regulation 7(1) allows at most 40 working days from receipt, so the "
                     f"deadline {tense} {when(due)}")
        return [line + "."]
    line = (f"On {when(claimed)} {g.they()} extended the time to {when(due)} to consider the "
            f"public interest ({law.extension} of the Act)")
    if g.statutory_due and due:
        further = g.cal.count(g.statutory_due, due)
        if further > 20:
            line += (f": {count(further, 'working day')} beyond the deadline of "
                     f"{when(g.statutory_due)}, more than the 20 further working days the "
                     "ICO's guidance accepts save in exceptional cases")
        if g.statutory_due < claimed:
            line += (f". {g.they(True)} told me so after the deadline of "
                     f"{when(g.statutory_due)}, by which section 17(1) required {g.its} refusal "
                     "notice")
    return [line + "."]


def response_lines(g: Grounds) -> list[str]:
    """When the body responded (late or not), or that it has not although it was due."""
    law, due = g.law, g.due
    lines = extension_lines(g)
    if g.replied:
        if due and g.replied > due:
            lines.append(f"{g.they(True)} responded on {when(g.replied)}, "
                         f"{g.late_by(due, g.replied)} "
                         f"after the deadline of {when(due)}: a breach of {law.duty}.")
        else:
            lines.append(f"{g.they(True)} responded on {when(g.replied)}.")
    elif g.past(due):
        assert due is not None
        lines.append(f"I have had no response, although one was due by {when(due)} under "
                     f"{law.duty}, {g.late_by(due, g.today)} ago.")
    else:
        lines.append("I have had no response.")
    return lines


def _question(g: Grounds, n: int) -> str:
    label = g.labels.get(n)
    return f"question {n} ({label})" if label else f"question {n}"


def answer_lines(g: Grounds) -> list[str]:
    """Per question, what the coding says the body did; or the reply's overall outcome.
    Questions answered alike are said together, each section named once."""
    said_of: dict[str, list[int]] = {}
    for n, a in sorted(g.answers.items()):
        line = _answer(g, a)
        if line:
            said_of.setdefault(line, []).append(n)
    lines = [f"{_questions(g, ns)}: {line}" for line, ns in said_of.items()]
    if not g.answers and g.replied:
        they, hold = g.they(True), g.do_not_hold
        overall = {"not-held": f"{they} said {g.they()} {hold} the information I asked for.",
                   "refused": f"{they} refused my request.",
                   "partly-answered": f"{they} answered my request only in part."}
        if g.facts.outcome in overall:
            lines.append(overall[g.facts.outcome])
    return lines


def _questions(g: Grounds, numbers: list[int]) -> str:
    if len(numbers) == 1:
        return _cap(_question(g, numbers[0]))
    return "Questions " + join([str(n) for n in numbers])


def _answer(g: Grounds, a: dict[str, Any]) -> str | None:
    """What the body did with one question, after "Question N: "; None if it answered."""
    regime, they = g.regime or "foia", g.they()
    every = distinct_codes(list(a.get("exemptions") or []))
    held = [c for c in every if c in NOT_HELD]  # EIR reg 12(4)(a), FOISA s.17: not held
    grounds = [c for c in every if is_refusal_ground(c)]  # s.12, s.14: no exemption
    codes = [c for c in every if c not in NOT_HELD and c not in grounds]
    cited = join([cite(c, regime) for c in codes])
    outcome = a.get("outcome")
    said = (f"said {they} {g.do_not_hold} {'the rest' if codes or grounds else 'the information'}"
            + (f" ({join([cite(c, regime) for c in held])})" if held else ""))
    if outcome in ("refused", "partly-answered") and grounds:
        return _refusal_line(they, outcome, refusals(grounds, regime), cited,
                             said if held else "")
    if outcome == "not-held" or (outcome == "refused" and held and not codes):
        return f"{they} {said}."
    if outcome == "refused":
        return (f"{they} withheld the information, citing {cited}"
                + (f", and {said}" if held else "") + "." if codes
                else f"{they} refused to provide the information.")
    if outcome == "partly-answered":
        return (f"{they} answered in part and withheld the rest, citing {cited}." if codes
                else f"{they} answered in part and {said}." if held
                else f"{they} answered only in part.")
    return None


def _refusal_line(they: str, outcome: str, why: str, cited: str, said: str) -> str:
    """A question refused (or partly answered) on cost or as vexatious or repeated: the body
    refused to comply, which is not withholding under an exemption; any exemption cited
    beside it is said as such."""
    line = f"{they} " + ("refused to comply" if outcome == "refused" else
                         "answered in part and refused to comply with the rest")
    line += f", saying that {why}"
    if cited:
        line += f", and withheld {'the' if outcome == 'refused' else 'some'} information, " \
                f"citing {cited}"
    return line + (f", and {said}" if said else "") + "."


def cited(g: Grounds) -> list[str]:
    """Every exemption or exception relied on to withhold, once each (not-held grounds and
    refusals to comply apart)."""
    return distinct_codes([c for _, a in sorted(g.answers.items())
                           for c in a.get("exemptions") or []
                           if c not in NOT_HELD and not is_refusal_ground(c)])


def refused_on(g: Grounds) -> list[str]:
    """Every ground for refusing to comply cited (s.12 cost, s.14 vexatious or repeated)."""
    return distinct_codes([c for _, a in sorted(g.answers.items())
                           for c in a.get("exemptions") or [] if is_refusal_ground(c)])


def not_held(g: Grounds) -> bool:
    """Whether the body said, for any question, that it does not hold the information."""
    return any(a.get("outcome") == "not-held" or set(a.get("exemptions") or []) & NOT_HELD
               for a in g.answers.values()) or (
        not g.answers and g.facts.outcome == "not-held")


def asks(g: Grounds) -> list[str]:
    """What to ask for, given what the body did: of the body itself, or (to its regulator)
    what the requester asks the Commissioner to decide."""
    regime, law, to_body = g.regime or "foia", g.law, g.third is None
    out = []
    if not_held(g):
        where = law.not_held + (" of the Act" if law.unit == "section" else "")
        out.append("Where you said you do not hold the information, please tell me what "
                   "searches you made to establish that: which records, where, and for which "
                   f"terms ({where})." if to_body else
                   "Where it said it does not hold the information, I ask the Commissioner to "
                   f"establish what searches it made to establish that ({where}).")
    codes = cited(g)
    weigh = "please set out how you weighed" if to_body else \
        "I ask the Commissioner to decide whether it weighed"
    if regime == "eir" and codes:
        out.append("Every exception is subject to the public interest test, with a presumption "
                   "in favour of disclosure (regulation 12(1)(b) and 12(2)): "
                   f"{weigh} it {'for each' if to_body else 'properly for each'}.")
    elif codes:
        qualified = [c for c in codes if section(c) not in ABSOLUTE.get(regime, frozenset())]
        if qualified:
            names = join([cite(c, regime) for c in qualified])
            out.append(f"Where {g.they()} {'rely' if to_body else 'relies'} on {names}, which "
                       f"{'is' if len(qualified) == 1 else 'are'} subject to the public "
                       f"interest test, {weigh} the public interest"
                       + ("." if to_body else " properly."))
    if regime != "eir" and any(section(c) == "s.12" for c in refused_on(g)):
        advice = "section 15" if regime == "foisa" else "section 16"
        out.append("Where you relied on the cost limit (section 12), please tell me how the "
                   f"request could be narrowed to fall within it ({advice} of the Act)."
                   if to_body else
                   "Where it relied on the cost limit (section 12), I ask the Commissioner to "
                   "consider whether it advised me how the request could be narrowed to fall "
                   f"within it ({advice} of the Act).")
    if codes or any(a.get("outcome") == "partly-answered" for a in g.answers.values()):
        out.append("Please release any part of the information that can be released."
                   if to_body else "I ask the Commissioner to require the release of any "
                   "part of the information that can be released.")
    return out


def review_lines(g: Grounds) -> list[str]:
    """The internal review asked for, and its outcome or that it is missing."""
    f = g.facts
    if f.review_requested is None:
        return []
    law = g.law
    clock = g.clocks.get("review-answer")
    review_due = clock.due if clock else None
    lines = [f"I asked for {law.review} on {when(f.review_requested)}."]
    if f.review_outcome is not None:
        line = ("Your" if g.third is None else "The") + \
            f" review outcome came on {when(f.review_outcome)}"
        if review_due and f.review_outcome > review_due:
            line += (f", {g.late_by(review_due, f.review_outcome)} after it was due by "
                     f"{when(review_due)}")
        lines.append(line + ", and it did not resolve my complaint.")
    elif g.past(review_due):
        assert review_due is not None
        lines.append(f"No review outcome has come, although it was due by {when(review_due)}, "
                     f"{g.late_by(review_due, g.today)} ago.")
    else:
        lines.append("No review outcome has come yet.")
    return lines


def chaser_lines(g: Grounds) -> list[str]:
    """A chaser's facts: the request, the duty, the deadline passed (checked past by the
    caller), any extension."""
    law = g.law
    ref = f"our reference {g.item.id}" + (f"; your reference {g.view.their_ref}"
                                         if g.view.their_ref else "")
    lines = [f"On {when(g.facts.sent)} I made the request quoted below ({ref}).",
             f"{_cap(law.duty)} required you {law.duty_words}, so by "
             f"{when(g.statutory_due)}."]
    lines += extension_lines(g)
    if g.due:
        lines.append(f"The deadline of {when(g.due)} passed {g.late_by(g.due, g.today)} ago, "
                     "and I have not received a response.")
    return lines


def review_deadline(g: Grounds) -> str | None:
    """'... so by <date>': counted from the day the letter is sent."""
    law = g.law
    if not law.review_answer:
        return None
    return f"{law.review_answer}, so by {when(g.cal.add(g.today, law.review_days))}."
