"""Follow-up letters: a chaser, a clarification, an internal review request, a complaint to the
regulator — each drafted with the dates the clocks give, and each starting the next clock when
it is sent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi.errors import Conflict, InvalidInput
from konpfoi.law.correspondence import FOLLOWUPS
from konpfoi.law.regimes import DEFAULT_POLICY, Policy, calendar_regime
from konpfoi.law.workdays import Calendars
from konpfoi.ledger.model import Event, Item
from konpfoi.ledger.store import Ledger
from konpfoi.letters.templates import Templates
from konpfoi.mail import outgoing
from konpfoi.tracking.lifecycle import derive, effective

# Where a complaint goes. The ICO prefers its online form, whose sections the draft follows.
REGULATORS = {
    "ico": {"name": "Information Commissioner's Office", "email": "casework@ico.org.uk",
            "form": "https://ico.org.uk/make-a-complaint/foi-and-eir-complaints/"
                    "official-information-complaint/"},
    "sic": {"name": "Scottish Information Commissioner",
            "email": "enquiries@itspublicknowledge.info",
            "form": "https://www.itspublicknowledge.info/appeal"},
}
LAWS: dict[str, dict[str, Any]] = {
    "foi": {"act": "Freedom of Information Act 2000", "review_days": 20,
            "next_step": "ask for an internal review and complain to the Information "
                         "Commissioner's Office",
            "review_rule": "The Code of Practice under section 45 of the Act expects a review "
                           "within 20 working days, so by {due}."},
    "eir": {"act": "Environmental Information Regulations 2004", "review_days": 40,
            "next_step": "ask for an internal review and complain to the Information "
                         "Commissioner's Office",
            "review_rule": "Regulation 11 requires you to respond within 40 working days, so "
                           "by {due}."},
    "foisa": {"act": "Freedom of Information (Scotland) Act 2002", "review_days": 20,
              "next_step": "require a review under section 20 of the Act and then apply to "
                           "the Scottish Information Commissioner",
              "review_rule": "Section 21 of the Act requires you to respond within 20 working "
                             "days, so by {due}."},
}


def when(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


@dataclass
class Followup:
    kind: str
    event: Event
    eml: Path
    txt: Path
    to: str
    warnings: list[str] = field(default_factory=list)


def draft(ledger: Ledger, templates: Templates, root: Path, drafts_dir: Path, item_id: str,
          kind: str, *, reason: str | None, sender: tuple[str, str], cals: Calendars,
          now: dt.datetime, policy: Policy = DEFAULT_POLICY,
          address: str | None = None) -> Followup:
    """Draft a follow-up to an item and record it (`followup-drafted`)."""
    if kind not in FOLLOWUPS:
        raise InvalidInput(f"unknown follow-up {kind!r}", hint="kinds: " + ", ".join(FOLLOWUPS))
    today = now.date()
    with ledger.write():
        item = ledger.item(item_id)
        if item.kind == "foisa" and kind == "ico-complaint":
            kind = "sic-application"  # a Scottish body answers to the Scottish Commissioner
        if item.kind in ("sar", "email") and kind in ("internal-review", "sic-application"):
            raise InvalidInput(f"there is no {kind.replace('-', ' ')} for a {item.kind} item")
        k = FOLLOWUPS[kind]
        if k.needs_reason and not (reason and reason.strip()):
            raise InvalidInput(f"a {kind.replace('-', ' ')} needs your reasons",
                               hint='give --reason "..." (what you want reviewed, and why)')
        events = ledger.events([item.id]).get(item.id, [])
        if not any(e.kind == "sent" for e in effective(events)):
            raise Conflict(f"{item.id} has not been sent, so there is nothing to follow up",
                           hint=f"konpfoi mark-sent {item.id} first")
        view = derive(item.kind, events, cals, today, item_id=item.id, nation=item.nation,
                      policy=policy)
        context, warnings = _context(ledger, item, view, kind, reason, sender, address, cals,
                                     today)
        rendered = templates.render(k.template, context)
        to = context["regulator"]["email"] if k.to != "body" else str(item.body_email)
        to_name = context["regulator"]["name"] if k.to != "body" else item.body_name
        subject = " ".join((rendered.subject or item.subject).split())
        msg_id = outgoing.message_id(f"{item.id}-{kind}", sender[1])
        raw = outgoing.build(sender_name=sender[0], sender_email=sender[1], to_name=to_name,
                             to_email=to, subject=subject, text=rendered.text, msg_id=msg_id,
                             date=now, in_reply_to=item.message_id if k.to == "body" else None)
        stem = f"{item.id}-{kind}"
        n = 1
        while (drafts_dir / f"{stem}.eml").exists():
            n += 1
            stem = f"{item.id}-{kind}-{n}"
        eml, txt = outgoing.write_draft(raw, outgoing.text_copy(to_name, to, subject,
                                                                rendered.text),
                                        drafts_dir, stem)
        event = ledger.add_event(item.id, "followup-drafted", today.isoformat(), data={
            "kind": kind, "draft": str(eml.relative_to(root)), "message_id": msg_id,
            "to": to, "message": ledger.put_blob(raw)})
    return Followup(kind, event, eml, txt, to, warnings)


def _context(ledger: Ledger, item: Item, view: Any, kind: str, reason: str | None,
             sender: tuple[str, str], address: str | None, cals: Calendars, today: dt.date
             ) -> tuple[dict[str, Any], list[str]]:
    regime = item.kind if item.kind in LAWS else "foi"
    cal = cals.for_regime(calendar_regime(regime), item.nation)
    clocks = {c.key: c for c in view.clocks}
    response = clocks.get("response") or clocks.get("chase")
    warnings = []
    due = response.due if response else None
    late = response.left(today, cal) if response and due else None
    events = effective(ledger.events([item.id]).get(item.id, []))
    reply = next((e for e in reversed(events) if e.kind == "reply"), None)
    answers = ledger.answers([item.id]).get(item.id, {})
    labels = {q["number"]: q.get("label") or f"question {q['number']}" for q in item.questions}
    withheld = [{"number": n, "name": f"question {n} ({labels.get(n, '')})".replace(" ()", ""),
                 "exemptions": a["exemptions"]} for n, a in sorted(answers.items())
                if a["outcome"] in ("refused", "partly-answered", "not-held")]
    exemptions = sorted({x for w in withheld for x in w["exemptions"]})
    review_req = next((e for e in events if e.kind == "review-requested"), None)
    review_out = next((e for e in events if e.kind == "review-outcome"), None)
    review_clock = clocks.get("review-answer")
    if kind == "chaser" and late is not None and late >= 0:
        warnings.append(f"the response is not due until {due}: a chaser now may be early")
    if kind == "internal-review" and reply is None and (late is None or late >= 0):
        warnings.append("there is no response to review yet")
    if kind in ("ico-complaint", "sic-application"):
        if review_req is None:
            warnings.append("the regulator usually expects you to ask for an internal review "
                            "first")
        regulator = clocks.get("regulator")
        if regulator and regulator.due and regulator.due < today:
            warnings.append(f"the usual window to complain closed on {regulator.due}")
    law = dict(LAWS[regime])
    review_due = cal.add(today, law["review_days"])
    law["review_rule"] = law["review_rule"].format(due=when(review_due))
    title = item.subject.split(": ", 1)[-1].rsplit(" [", 1)[0]
    context = {
        "item": {"id": item.id, "subject": item.subject, "title": title,
                 "sent": when(view.sent), "due": when(due),
                 "days_late": -late if late is not None and late < 0 else 0,
                 "their_ref": view.their_ref or "", "questions": item.questions},
        "reply": {"date": when(dt.date.fromisoformat(reply.date)),
                  "outcome": view.outcome or ""} if reply else None,
        "withheld": withheld, "exemptions": exemptions,
        "review": {"requested": when(dt.date.fromisoformat(review_req.date)),
                   "due": when(review_clock.due if review_clock else None),
                   "outcome": when(dt.date.fromisoformat(review_out.date))
                   if review_out else ""} if review_req else None,
        "reason": " ".join((reason or "").split()), "law": law,
        "regulator": REGULATORS["sic" if kind == "sic-application" else "ico"],
        "body": {"id": item.body_id, "name": item.body_name, "email": item.body_email or ""},
        "requester": {"name": sender[0], "email": sender[1], "address": address or ""},
        "today": when(today),
    }
    return context, warnings
