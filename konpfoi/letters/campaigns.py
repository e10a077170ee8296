"""Batch campaigns: every ICB, every trust in a region, every MP — each drafted once, and never
twice however often the batch is run; with a warning for near-identical letters."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field

from konpfoi.directory.filters import Filter
from konpfoi.directory.lookup import Directory
from konpfoi.errors import InvalidInput, NotFound
from konpfoi.law.aggregation import likeness, shingles
from konpfoi.ledger.model import Item
from konpfoi.letters import drafting
from konpfoi.letters.addressing import recipient
from konpfoi.letters.questions import QuestionSet
from konpfoi.letters.templates import Templates


@dataclass(frozen=True)
class Skip:
    target: str
    reason: str


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


def similarity(texts: list[str], sample: int = 40) -> float | None:
    """The median likeness (Jaccard of word triples) of pairs of letters, 0 to 1."""
    if len(texts) < 2:
        return None
    step = max(1, len(texts) // sample)
    picked = [shingles(t) for t in texts[::step][:sample]]
    scores = [likeness(a, b) for i, a in enumerate(picked) for b in picked[i + 1:] if a | b]
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
