"""When each follow-up may be sent, and why not: checked on the day it is drafted and again on
the day it is sent. A refusal is one line with the date and the rule.

- chaser: only once the response deadline has passed with no response (a chaser says "was due
  by"), not while the body waits for a clarification or a fee.
- clarification: only once the body has asked for one.
- internal review (FOIA: s.45 Code; EIR: reg 11; FOISA: s.20): after a response, or after the
  deadline passed without one; within 40 working days of the response (EIR and FOISA: or of the
  missed deadline, reg 11(2), s.20(5)). Past that, refused unless --late, and the letter then
  says so. Once only.
- ICO complaint (FOIA s.50, EIR reg 18; SAR: UK GDPR Art 77): after the review outcome (within 6
  weeks), once the review is overdue, or once the response is overdue when there was none. A
  complaint about a reply with no review is drafted with a warning: the ICO may decline it
  until the body's own procedure is exhausted (s.50(2)(a)). Never for a Scottish authority.
- SIC application (FOISA s.47): only after a requirement for review (s.47(1)), once its outcome
  came or its deadline (s.21(1)) passed; within 6 months (s.47(4)), else only with --late.
- reminder: for a letter to an MP or a board, once its reminder date has passed with no reply;
  it cites no statute. A request is chased instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from konpfoi.errors import Conflict, InvalidInput
from konpfoi.law.correspondence import FOLLOWUPS, LAW_WORDS, REGULATORS
from konpfoi.letters.grounds import Grounds
from konpfoi.letters.wording import when
from konpfoi.workspace.words import a

ONE_DAY = dt.timedelta(days=1)


def check(g: Grounds, key: str, late: bool = False) -> list[str]:
    """Warnings for follow-up `key` to the item of `g` today; Conflict or InvalidInput when it
    is not available (with the reason and, where there is one, the date it will be)."""
    if key not in FOLLOWUPS:
        raise InvalidInput(f"unknown follow-up {key!r}", hint="kinds: " + ", ".join(FOLLOWUPS))
    item, f = g.item, g.facts
    if key not in g.kind.followups:
        raise InvalidInput(*_not_for(g, key))
    if f.sent is None:
        raise Conflict(f"{item.id} has not been sent, so there is nothing to follow up",
                       hint=f"konpfoi mark-sent {item.id} first")
    if f.withdrawn or f.closed:
        raise Conflict(f"{item.id} is {'withdrawn' if f.withdrawn else 'closed'}",
                       hint=f"konpfoi record {item.id} reopened, if it is not over")
    if f.complaint_filed is not None:
        raise Conflict(f"{item.id} is with the regulator since {f.complaint_filed}",
                       hint=f"record what the regulator decides: konpfoi record {item.id} "
                            "complaint-outcome --note ...")
    return RULES[key](g, late)


def _not_for(g: Grounds, key: str) -> tuple[str, str]:
    """Why a follow-up does not exist for this kind of item, and what to do instead."""
    name, body, regime = g.kind.name, g.item.body_name, g.regime
    if regime is None:
        return (f"{a(name)} runs no statutory clock: {body} has no duty in law to answer it, so "
                f"there is no {key.replace('-', ' ')}",
                f"send a courteous reminder: konpfoi followup {g.item.id} --kind reminder")
    if key == "ico-complaint" and regime == "foisa":
        return (f"{body} answers under FOISA: its regulator is the Scottish Information "
                "Commissioner, not the ICO",
                f"konpfoi followup {g.item.id} --kind sic-application, after a requirement for "
                "review (FOISA s.47(1))")
    if key == "sic-application":
        return ("the Scottish Information Commissioner decides only on Scottish public "
                f"authorities under FOISA; {body} answers to the ICO",
                f"konpfoi followup {g.item.id} --kind ico-complaint")
    if key == "reminder":
        return (f"{a(name)} is chased, not reminded",
                f"konpfoi followup {g.item.id} --kind chaser")
    return (f"{a(name)} has no {key.replace('-', ' ')}",
            f"complain to the ICO once it is overdue: konpfoi followup {g.item.id} --kind "
            "ico-complaint")


def _not_yet(g: Grounds, what: str, due: dt.date | None, available: str) -> Conflict:
    return Conflict(f"{g.item.id}: {what} is not due until {when(due)}: {available} from "
                    f"{when(due + ONE_DAY) if due else 'then'}",
                    hint=f"konpfoi status lists what is due when; konpfoi show {g.item.id} "
                         "--explain shows how the date was counted")


def _chaser(g: Grounds, late: bool) -> list[str]:
    item = g.item
    if g.replied:
        raise Conflict(f"{item.id} was answered on {when(g.replied)}: there is nothing to chase",
                       hint=f"konpfoi followup {item.id} --kind internal-review"
                       if "internal-review" in g.kind.followups else None)
    if "clarification" in g.paused:
        raise Conflict(f"{item.id} waits for your clarification, so nothing is due from the "
                       "body", hint=f"konpfoi followup {item.id} --kind clarification")
    if g.paused:
        raise Conflict(f"{item.id}: {g.paused}", hint=f"konpfoi record {item.id} fee-paid")
    if g.facts.review_requested:
        raise Conflict(f"{item.id}: you asked for a review on {g.facts.review_requested}",
                       hint="once the review is overdue, complain to the regulator")
    if not g.past(g.due):
        raise _not_yet(g, "the response", g.due, "a chaser is available")
    return []


def _clarification(g: Grounds, late: bool) -> list[str]:
    if "clarification" not in g.paused:
        raise Conflict(f"{g.item.body_name} has not asked for clarification of {g.item.id}",
                       hint=f"record it first: konpfoi record {g.item.id} "
                            "clarification-requested")
    return []


def _internal_review(g: Grounds, late: bool) -> list[str]:
    item, f, law = g.item, g.facts, g.law
    if f.review_requested:
        raise Conflict(f"{item.id}: you asked for {law.review} on {when(f.review_requested)}",
                       hint="once the review is overdue, complain to the regulator")
    if not g.replied and not g.past(g.due):
        raise _not_yet(g, "the response", g.due, "a review of a missing response is available")
    window = g.clocks.get("review-window")
    if window and window.due and g.past(window.due) and not late:
        start = f"your response of {when(g.replied)}" if g.replied else \
            f"the missed deadline of {when(g.due)}"
        raise Conflict(f"{item.id}: the window to ask for {law.review} closed on "
                       f"{when(window.due)} ({law.review_window} of {start})",
                       hint="--late drafts it anyway and says that it is late")
    warnings = []
    if g.replied and g.facts.outcome == "answered" and not _unhappy(g):
        warnings.append("the response is coded as answering every question: say in --reason "
                        "what you want reviewed")
    return warnings + _uncoded(g)


def _ico_complaint(g: Grounds, late: bool) -> list[str]:
    item, f = g.item, g.facts
    if g.regime == "sar":
        if not g.replied and not g.past(g.due):
            raise _not_yet(g, "the response", g.due, "a complaint is available")
        _window(g, late, "3 months from your last contact with the body (ICO)")
        return [] if g.chased or g.replied else [
            f"the ICO expects you to have raised it with {item.body_name} first: a chaser "
            f"(konpfoi followup {item.id} --kind chaser) is that"]
    if f.review_requested:
        _review_missing(g)
        _window(g, late, "6 weeks from the review outcome, or from when it was overdue (ICO)")
        waited = g.cal.add(f.review_requested, 40)
        early = [] if f.review_outcome or g.past(waited) else [
            f"the ICO normally expects the review to be finished, or 40 working days to have "
            f"passed since you asked for it ({when(waited)}): it may ask you to wait"]
        return early + _uncoded(g)
    if not g.replied:
        if not g.past(g.due):
            raise _not_yet(g, "the response", g.due, "a complaint is available")
        return []
    return ["the ICO may decline a complaint until the body's own review is done (FOIA "
            f"s.50(2)(a)): ask for one first with konpfoi followup {item.id} --kind "
            "internal-review"] + _uncoded(g)


def _sic_application(g: Grounds, late: bool) -> list[str]:
    item, f = g.item, g.facts
    if f.review_requested is None:
        raise Conflict(f"{item.id}: you can apply to the Scottish Information Commissioner only "
                       "after requiring a review (FOISA s.47(1))",
                       hint=f"konpfoi followup {item.id} --kind internal-review")
    _review_missing(g)
    _window(g, late, "6 months from the review outcome or the missed review deadline (FOISA "
                     "s.47(4))")
    return _uncoded(g)


def _reminder(g: Grounds, late: bool) -> list[str]:
    item = g.item
    if g.replied:
        raise Conflict(f"{item.body_name} replied to {item.id} on {when(g.replied)}")
    if not g.past(g.due):
        raise Conflict(f"{item.id}: no reminder is due until after {when(g.due)} (the working "
                       "days in clocks: mp_chase_days)")
    return []


def _review_missing(g: Grounds) -> None:
    """A complaint about a missing review only once the review is overdue."""
    clock = g.clocks.get("review-answer")
    if g.facts.review_outcome is None and clock and not g.past(clock.due):
        raise _not_yet(g, "the review outcome", clock.due,
                       "a complaint that it is missing is available")


def _window(g: Grounds, late: bool, rule: str) -> None:
    clock = g.clocks.get("regulator")
    if clock and clock.due and g.past(clock.due) and not late:
        regulator = REGULATORS[LAW_WORDS[g.regime or "foia"].regulator].name
        raise Conflict(f"{g.item.id}: the time to go to the {regulator} ended on "
                       f"{when(clock.due)} ({rule})",
                       hint="--late drafts it anyway and says that it is late")


def _unhappy(g: Grounds) -> bool:
    return any(a.get("outcome") != "answered" for a in g.answers.values())


def _uncoded(g: Grounds) -> list[str]:
    """A refusal coded without the exemption cannot be named in a letter: say so."""
    bare = [n for n, a in sorted(g.answers.items())
            if a.get("outcome") in ("refused", "partly-answered") and not a.get("exemptions")]
    if not bare:
        return []
    return [f"question(s) {', '.join(map(str, bare))} are coded refused without the "
            f"{g.law.term} the body cited, so the letter cannot name it: konpfoi code "
            f"{g.item.id} --q {bare[0]}=refused:CODE"]


RULES: dict[str, Callable[[Grounds, bool], list[str]]] = {
    "chaser": _chaser, "clarification": _clarification, "internal-review": _internal_review,
    "ico-complaint": _ico_complaint, "sic-application": _sic_application,
    "reminder": _reminder,
}


def is_late(g: Grounds, key: str) -> bool:
    """Whether a follow-up sent today is past its window (the letter must then say so)."""
    name = {"internal-review": "review-window", "ico-complaint": "regulator",
            "sic-application": "regulator"}.get(key)
    clock = g.clocks.get(name) if name else None
    return bool(clock and g.past(clock.due))
