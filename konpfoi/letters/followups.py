"""Follow-up letters — a chaser, a clarification, an internal review, a complaint to the right
regulator, a reminder for a letter — composed from the facts the ledger holds (letters.grounds)
when each is available (letters.availability), and starting the next clock when sent.

Dates in a follow-up ("so by <date>", "was due by <date>, N working days ago") must be true on
the day it is SENT. konpfoi keeps what a follow-up was drafted from (its kind, reasons, --late,
attachments) and `konpfoi send` renders it again on the day it goes: if anything changed it
records the new version, and if the follow-up is no longer true (a reply came, say) it is not
sent. A draft you send yourself counts its dates from the day it was drafted: send it that day,
or draft it again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from email import message_from_bytes
from email.policy import default
from typing import Any

from konpfoi.errors import InvalidInput, NotFound
from konpfoi.law.correspondence import FOLLOWUPS, SAR_COMPLAINT_FORM, kind_of, regulator_for
from konpfoi.ledger.model import Event, Item
from konpfoi.ledger.store import Ledger
from konpfoi.letters import availability, grounds
from konpfoi.letters.drafting import letter_context
from konpfoi.letters.grounds import Grounds
from konpfoi.letters.templates import Templates
from konpfoi.letters.wording import join, quote, when, wrap
from konpfoi.workspace.words import a


@dataclass
class Letter:
    """A composed follow-up: what it says and where it goes."""

    subject: str
    text: str
    to_name: str
    to_email: str
    to_body: bool  # to the body (threaded under the request) rather than a regulator
    warnings: list[str] = field(default_factory=list)


def compose(templates: Templates, g: Grounds, key: str, *, reason: str | None,
            late: bool = False, attachments: tuple[str, ...] = (),
            requester: dict[str, str], group: dict[str, str], original: str) -> Letter:
    """The follow-up `key` to the item of `g`, as it reads on `g.today`; refused (Conflict,
    InvalidInput) when it is not available that day."""
    warnings = availability.check(g, key, late)
    f = FOLLOWUPS[key]
    if f.needs_reason and not (reason and reason.strip()):
        raise InvalidInput(f"{a(_said(key))} needs your reasons",
                           hint='give --reason "..." (what you want reviewed, and why)')
    item = g.item
    if f.to == "regulator":  # the regulator did none of it: the body is named, not "you"
        g = replace(g, third=item.body_name)
    regulator = regulator_for(g.regime) if g.regime else None
    form = SAR_COMPLAINT_FORM if g.regime == "sar" else (regulator.form if regulator else "")
    context = {
        "letter": letter_context(item.kind),
        "item": {"id": item.id, "subject": item.subject, "title": _title(item),
                 "sent": when(g.facts.sent), "their_ref": g.view.their_ref or ""},
        "law": asdict(g.law) if g.regime else {},
        "lines": {"opening": _opening(g, key), "chaser": grounds.chaser_lines(g)
                  if key == "chaser" else [],
                  "response": grounds.response_lines(g) if f.to != "body" or
                  key == "internal-review" else [],
                  "answers": grounds.answer_lines(g) if key != "chaser" else [],
                  "review": grounds.review_lines(g), "asks": grounds.asks(g)
                  if key in ("internal-review", "ico-complaint") else [],
                  "clarified": _clarified(g)},
        "late": _late(g, key) if late else "", "deadline": grounds.review_deadline(g) or "",
        "reason": _sentence(reason), "attachments": list(attachments),
        "copies": _copies(g),
        "regulator": {"name": regulator.name, "email": regulator.email, "form": form}
        if regulator else {"name": "", "email": "", "form": ""},
        "body": {"id": item.body_id, "name": item.body_name, "email": item.body_email or ""},
        "requester": requester, "group": group, "original": original,
        "today": when(g.today),
    }
    rendered = templates.render(f.template, context)
    if f.to == "body":
        to_name, to_email = item.body_name, str(item.body_email)
    else:
        assert regulator is not None
        to_name, to_email = regulator.name, regulator.email
        if not attachments:
            warnings.append(f"the {regulator.name} asks for copies of your request and the "
                            "correspondence: add them with --attach FILE")
    subject = " ".join((rendered.subject or item.subject).split())
    text = wrap(rendered.text).rstrip("\n") + "\n"
    return Letter(subject, text, to_name, to_email, f.to == "body", warnings)


def _sentence(text: str | None) -> str:
    """The user's reasons on one line, ending as a sentence ends."""
    text = " ".join((text or "").split())
    return text + "." if text and text[-1] not in ".!?\"')" else text


def _title(item: Item) -> str:
    return item.subject.split(": ", 1)[-1].rsplit(" [", 1)[0]


def _refs(g: Grounds) -> str:
    ref = f"our reference {g.item.id}"
    return ref + (f"; your reference {g.view.their_ref}" if g.view.their_ref else "")


def _opening(g: Grounds, key: str) -> str:
    body, sent, title = g.item.body_name, when(g.facts.sent), _title(g.item)
    law, refs = g.law, _refs(g)
    if key == "clarification":
        return f"Thank you for asking me to clarify my request of {sent} ({refs})."
    if key == "internal-review":
        if g.regime == "eir":
            return (f"Under regulation 11 of the Environmental Information Regulations 2004, I "
                    f"make representations about {body}'s response to my request \"{title}\" "
                    f"of {sent} ({refs}), and ask you to reconsider it.")
        if g.regime == "foisa":
            return (f"Under section 20 of the Freedom of Information (Scotland) Act 2002, I "
                    f"require {body} to review its actions and decisions in relation to my "
                    f"request \"{title}\" of {sent} ({refs}).")
        return (f"I ask for an internal review of {body}'s handling of my request \"{title}\" "
                f"of {sent} ({refs}).")
    if key == "sic-application":
        return (f"I apply under {law.complaint_basis} for a decision on whether {body} dealt "
                f"with my request for information of {sent} ({refs}) in accordance with Part 1 "
                "of the Act.")
    if key == "ico-complaint":
        what = "subject access request" if g.regime == "sar" else "request for information"
        return (f"I complain under {law.complaint_basis} about how {body} dealt with my {what} "
                f"of {sent} ({refs}).")
    return ""


def _clarified(g: Grounds) -> str:
    if g.regime is None:
        return ""
    if g.regime == "sar":
        return f"With this clarification, {g.law.clarified}."
    return (f"With this clarification, {g.law.clarified}: a response is due by "
            f"{when(g.cal.add(g.today, 20))}.")


def _late(g: Grounds, key: str) -> str:
    """What a late follow-up honestly says about its lateness (only when it is late)."""
    if not availability.is_late(g, key):
        return ""
    if key == "internal-review":
        window = g.clocks["review-window"]
        start = f"your response of {when(g.replied)}" if g.replied else \
            f"the missed deadline of {when(g.due)}"
        return (f"I know that {g.law.review_window} of {start}, that is by "
                f"{when(window.due)}, and that this comes later. {g.law.late_review}")
    end = g.clocks["regulator"].due
    if key == "sic-application":
        return (f"I know that this application comes after {when(end)}, the end of the six "
                "months section 47(4) of the Act allows; I ask the Commissioner to consider "
                "it nonetheless.")
    period = "three months after my last contact with the body" if g.regime == "sar" else (
        "six weeks after the review outcome" if g.facts.review_outcome else
        "six weeks after the review should have been completed")
    return (f"I know that this complaint comes after {when(end)}, more than {period}; I ask "
            "the Commissioner to consider it nonetheless.")


def _copies(g: Grounds) -> str:
    f, docs = g.facts, []
    if g.replied:
        docs.append(f"the response of {when(g.replied)}")
    if f.review_requested:
        docs.append(f"my request for review of {when(f.review_requested)}")
    if f.review_outcome:
        docs.append(f"the review outcome of {when(f.review_outcome)}")
    tail = f" I can send copies of {join(docs)} if you need them." if docs else ""
    return "My request is quoted below." + tail


def original(raw: bytes | None, item: Item, sent: dt.date | None) -> str:
    """The request (or letter) as drafted, quoted, under a line with its date and reference."""
    text = ""
    if raw:
        msg = message_from_bytes(raw, policy=default)
        part = msg.get_body(("plain",))  # type: ignore[attr-defined]
        text = part.get_content() if part is not None else ""
    if not text:
        text = "\n\n".join(f"{q['number']}. {q['text']}" for q in item.questions)
    what = "request" if kind_of(item.kind).statutory else "letter"
    return f"My {what} of {when(sent)} (our reference {item.id}):\n\n{quote(text)}"


def blob_or_none(ledger: Ledger, sha: str | None) -> bytes | None:
    if not sha:
        return None
    try:
        return ledger.blob(sha)
    except NotFound:
        return None


def inputs(event: Event) -> dict[str, Any] | None:
    """What a drafted follow-up was made from, to render it again on the day it is sent;
    None for a draft made before konpfoi kept them."""
    data = event.data
    return data if "reason" in data else None


def _said(key: str) -> str:
    """'ico-complaint' as said: 'ICO complaint'; 'sic-application': 'SIC application'."""
    head, _, rest = key.partition("-")
    return " ".join([head.upper() if head in ("ico", "sic") else head, *rest.split("-")]
                    ).strip()
