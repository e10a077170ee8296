"""Batch campaigns: every ICB, every trust in a region, every MP — each drafted once, and never
twice however often the batch is run; with a warning for near-identical letters."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from konpfoi.directory.filters import Filter
from konpfoi.directory.lookup import Directory
from konpfoi.errors import InvalidInput, NotFound
from konpfoi.law.aggregation import likeness, shingles
from konpfoi.ledger.migrations import batch_key
from konpfoi.ledger.model import Item
from konpfoi.ledger.store import Ledger
from konpfoi.letters import drafting
from konpfoi.letters.addressing import Sender, recipient
from konpfoi.letters.questions import QuestionSet
from konpfoi.letters.templates import Templates


@dataclass(frozen=True)
class Skip:
    target: str
    reason: str
    warning: bool = False  # worth a warning (a mistake in the input), not just a note


@dataclass
class Plan:
    targets: list[drafting.Target] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)


def plan_bodies(d: Directory, done: set[tuple[str, str | None]], templates: Templates,
                template: str, qs: QuestionSet | None, to: list[str] | None,
                where: str | None, extra: Mapping[str, Filter] | None = None) -> Plan:
    """One target per selected body; closed bodies, bodies with no address for this kind of
    letter and bodies already drafted in this campaign are skipped, each with its reason."""
    plan = Plan()
    already = {body for body, _ in done}
    for b in d.select(to=to, where=where, include_closed=True, extra=extra):
        if b.closed:
            plan.skipped.append(Skip(b.id, f"closed body (closed {b.closed}"
                                     + (f"; successor {b.successor})" if b.successor else ")")))
            continue
        if b.id in already:
            plan.skipped.append(Skip(b.id, "already drafted in this campaign"))
            continue
        target = drafting.Target(b)
        try:
            _, kind = drafting.kind_of_target(templates, template, target, qs)
            recipient(b, kind)
        except NotFound as exc:
            plan.skipped.append(Skip(b.id, f"no address ({exc.message}; {exc.hint})"))
            continue
        except InvalidInput as exc:
            plan.skipped.append(Skip(b.id, f"not for this body ({exc.message})"))
            continue
        plan.targets.append(target)
    return plan


def campaign_keys(items: list[Item]) -> set[tuple[str, str | None]]:
    """What a campaign has drafted already: (body, sender) pairs."""
    return {(i.body_id, i.sender_email) for i in items}


def draft_batch(ledger: Ledger, plan: Plan, campaign: str, sender: Sender,
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


def similarity(texts: list[str], sample: int = 40) -> float | None:
    """The median likeness (Jaccard of word triples) of pairs of letters, 0 to 1."""
    if len(texts) < 2:
        return None
    step = max(1, len(texts) // sample)
    picked = [shingles(t) for t in texts[::step][:sample]]
    scores = [likeness(a, b) for i, a in enumerate(picked) for b in picked[i + 1:] if a or b]
    return statistics.median(scores) if scores else None


def identical_warning(score: float | None, personal: bool, supporters: bool,
                      threshold: float = 0.8) -> str | None:
    if score is None or score < threshold or personal:
        return None
    how = ("Add a personal paragraph (a 'personal' column in the supporters CSV)" if supporters
           else "Write to fewer MPs with a letter of your own, or have supporters write to "
                "their own MP (--supporters)")
    return (f"these letters are {score:.0%} alike: MPs' offices (and WriteToThem) treat "
            f"near-identical letters as a mass mailing and may not answer them. {how}")
