"""Batch campaigns: every ICB, every trust in a region, every MP — each drafted once, and never
twice however often the batch is run; with warnings for identical letters and s.12."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import dataclass, field
from typing import Any

from konpfoi.directory.lookup import Directory
from konpfoi.errors import NotFound
from konpfoi.ledger.migrations import batch_key
from konpfoi.ledger.model import Item
from konpfoi.ledger.store import Ledger
from konpfoi.letters import drafting
from konpfoi.letters.questions import QuestionSet


@dataclass(frozen=True)
class Skip:
    target: str
    reason: str
    warning: bool = False  # worth a warning (a mistake in the input), not just a note


@dataclass
class Plan:
    targets: list[drafting.Target] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)


def plan_bodies(d: Directory, done: set[tuple[str, str | None]], template_kind: str,
                to: list[str] | None, where: str | None) -> Plan:
    """One target per selected body; closed bodies, bodies with no address and bodies already
    drafted in this campaign are skipped, each with its reason."""
    plan = Plan()
    already = {body for body, _ in done}
    for b in d.select(to=to, where=where, include_closed=True):
        if b.closed:
            plan.skipped.append(Skip(b.id, f"closed body (closed {b.closed}"
                                     + (f"; successor {b.successor})" if b.successor else ")")))
        elif b.id in already:
            plan.skipped.append(Skip(b.id, "already drafted in this campaign"))
        else:
            try:
                drafting.recipient(b, template_kind)
            except NotFound as exc:
                plan.skipped.append(Skip(b.id, f"no address ({exc.hint})"))
                continue
            plan.targets.append(drafting.Target(b))
    return plan


def campaign_keys(items: list[Item]) -> set[tuple[str, str | None]]:
    """What a campaign has drafted already: (body, sender) pairs."""
    return {(i.body_id, i.sender_email) for i in items}


def draft_batch(ledger: Ledger, plan: Plan, campaign: str, sender: drafting.Sender,
                **kwargs: Any) -> list[drafting.Draft]:
    """Draft the plan's targets that no batch of this campaign has drafted, in one transaction.

    Each body is claimed in the ledger (a uniqueness rule), so batches of one campaign run at
    once draft it once: a batch that waited for another skips what that one drafted, and a
    claim lost to a racing writer undoes this whole batch (drafts on disk included).
    """
    def key(t: drafting.Target) -> str:
        return batch_key(campaign, t.body.id, (t.sender or sender).email)

    with ledger.write():
        taken = ledger.claimed([key(t) for t in plan.targets])
        todo = []
        for t in plan.targets:
            if key(t) in taken:
                plan.skipped.append(Skip(t.body.id, "already drafted in this campaign (by "
                                                    "another batch)"))
            else:
                todo.append(t)
        drafts = drafting.draft(ledger=ledger, targets=todo, sender=sender, campaign=campaign,
                                **kwargs) if todo else []
        try:
            for t, d in zip(todo, drafts, strict=True):
                ledger.claim(key(t), d.item.id)
        except BaseException:
            for d in drafts:
                d.eml.unlink(missing_ok=True)
                d.txt.unlink(missing_ok=True)
            raise
    plan.targets = todo
    return drafts


def mbox_name(campaign: str, now: dt.datetime, first_item: str) -> str:
    """A batch's mbox: its campaign, when it ran and its first item, so that two batches, even
    in the same second, never write the same file."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", campaign).strip("-.")[:60] or "batch"
    return f"{safe}-{now:%Y%m%d-%H%M%S}-{first_item}.mbox"


# -- identical letters --------------------------------------------------------------------------


def _shingles(text: str, k: int = 3) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i:i + k]) for i in range(max(1, len(words) - k + 1))}


def similarity(texts: list[str], sample: int = 40) -> float | None:
    """The median likeness (Jaccard of word triples) of pairs of letters, 0 to 1."""
    if len(texts) < 2:
        return None
    step = max(1, len(texts) // sample)
    picked = [_shingles(t) for t in texts[::step][:sample]]
    scores = [len(a & b) / len(a | b) for i, a in enumerate(picked) for b in picked[i + 1:]
              if a | b]
    return statistics.median(scores) if scores else None


def identical_warning(score: float | None, personal: bool, threshold: float = 0.8
                      ) -> str | None:
    if score is None or score < threshold or personal:
        return None
    return (f"these letters are {score:.0%} alike: MPs' offices (and WriteToThem) treat "
            "near-identical letters as a mass mailing and may not answer them. Add a "
            "personal paragraph (a 'personal' column in the supporters CSV) or write your own")


# -- s.12 aggregation ---------------------------------------------------------------------------


def _words(items: list[dict[str, Any]]) -> set[str]:
    return set(re.findall(r"[a-z]{4,}", " ".join(q.get("text", "") for q in items).lower()))


def aggregation_warnings(targets: list[drafting.Target], earlier: list[Item],
                         sent_dates: dict[str, dt.date], set_id: str | None,
                         questions: list[dict[str, Any]], cal: Any, today: dt.date
                         ) -> list[str]:
    """Earlier similar FOI requests from this workspace to the same bodies within 60 working
    days: a body may add them together and refuse on cost (FOIA s.12)."""
    from konpfoi.law.aggregation import Earlier, aggregation_conflicts

    mine = _words(questions)
    by_body: dict[str, list[Earlier]] = {}
    for item in earlier:
        if item.kind == "email":
            continue
        theirs = item.questions
        alike = (set_id is not None and item.question_set == set_id) or (
            bool(mine) and len(mine & _words(theirs)) / max(1, len(mine | _words(theirs)))
            >= 0.5)
        day = sent_dates.get(item.id) or dt.date.fromisoformat(item.created_at[:10])
        by_body.setdefault(item.body_id, []).append(Earlier(item.id, day, alike))
    out = []
    for t in targets:
        hits = aggregation_conflicts(today, by_body.get(t.body.id, []), cal)
        if hits:
            e, gap = hits[0]
            out.append(f"{t.body.id} {t.body.display_name}: a similar request ({e.item_id}, "
                       f"{e.date}) is {gap} working days old; within 60 working days the "
                       "body may add the two together and refuse on cost (FOIA s.12)")
    return out


def aggregation_for(ledger: Ledger, plan: Plan, qs: QuestionSet | None, cal: Any,
                    today: dt.date) -> list[str]:
    """The s.12 warnings for a planned batch, from what the ledger holds for those bodies."""
    bodies = {t.body.id for t in plan.targets}
    earlier = [i for i in ledger.items() if i.body_id in bodies]
    events = ledger.events([i.id for i in earlier]) if earlier else {}
    sent = {}
    for item_id, evs in events.items():
        first = next((e.date for e in evs if e.kind == "sent"), None)
        if first:
            sent[item_id] = dt.date.fromisoformat(first)
    questions = [{"text": q.text} for q in qs.questions] if qs else []
    return aggregation_warnings(plan.targets, earlier, sent, qs.id if qs else None,
                                questions, cal, today)
