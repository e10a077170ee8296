"""One batch run: plan the targets (bodies, or supporters to their own MPs), hold back requests
that overlap one in the ledger (law.aggregation), draft the rest in one transaction, each body
claimed so that two batches of one campaign never both draft it, and write one mbox of them
(named so that no two runs share it) for a mail client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from konpfoi.directory.lookup import Directory
from konpfoi.law.correspondence import kind_of
from konpfoi.law.workdays import Calendar
from konpfoi.ledger.store import Ledger
from konpfoi.letters import campaigns, drafting, overlaps, supporters
from konpfoi.letters.addressing import Sender, placeholder_warning
from konpfoi.letters.questions import QuestionSet
from konpfoi.letters.templates import Templates
from konpfoi.mail import outgoing
from konpfoi.workspace.config import Config


@dataclass
class Batch:
    drafts: list[drafting.Draft] = field(default_factory=list)
    skipped: list[campaigns.Skip] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    similarity: float | None = None  # of the letters to MPs
    mbox: Path | None = None


@dataclass(frozen=True)
class Where:
    """Where a batch writes: the drafts folder and the workspace root it is relative to."""

    drafts: Path
    root: Path


def run(*, ledger: Ledger, directory: Directory, templates: Templates, where: Where,
        template: str, qs: QuestionSet | None, campaign: str, subject: str | None,
        to: list[str] | None, select: str | None, supporters_csv: Path | None,
        postcodes: Path | None, sender: Sender, config: Config, cal: Calendar,
        now: dt.datetime, force: bool = False,
        progress: Callable[[int, int], None] | None = None) -> Batch:
    """Draft a campaign's batch; running it again drafts only what is missing."""
    out = Batch()
    done = campaigns.campaign_keys(ledger.items(campaign=campaign))
    if supporters_csv is not None:
        plan = supporters.plan_supporters(directory, supporters_csv, done, postcodes)
    else:
        plan = campaigns.plan_bodies(directory, done, templates, template, qs, to, select)
    out.skipped = plan.skipped
    held = _overlapping(ledger, plan, templates, template, qs, cal, now.date(), config)
    for n, line in held.items():
        if force:
            out.warnings.append(f"{plan.targets[n].body.id}: {line}")
        else:
            out.skipped.append(campaigns.Skip(
                plan.targets[n].body.id, f"overlaps an earlier request: {line}; --force drafts it"))
    plan.targets = [t for n, t in enumerate(plan.targets) if force or n not in held]
    total = len(plan.targets)
    # claimed body by body, so that batches of one campaign run at once draft each body once
    out.drafts = campaigns.draft_batch(
        ledger, plan, campaign, sender, templates=templates, drafts_dir=where.drafts,
        template=template, qs=qs, subject=subject, now=now, drafts_root=where.root,
        config=config, on_progress=(lambda n: progress(n, total)) if progress else None)
    if out.drafts:
        out.mbox = outgoing.write_mbox([d.raw for d in out.drafts], where.drafts
                                       / campaigns.mbox_name(campaign, now,
                                                             out.drafts[0].item.id))
    to_mps = [d.text for d in out.drafts if kind_of(d.item.kind).key in ("mp", "constituent")]
    out.similarity = campaigns.similarity(to_mps) if len(to_mps) > 1 else None
    personal = any(t.extra.get("personal") for t in plan.targets)
    for w in (campaigns.identical_warning(out.similarity, personal, supporters_csv is not None),
              placeholder_warning(sender) if supporters_csv is None and out.drafts else None):
        if w:
            out.warnings.append(w)
    return out


def _overlapping(ledger: Ledger, plan: campaigns.Plan, templates: Templates, template: str,
                 qs: QuestionSet | None, cal: Calendar, day: dt.date, config: Config
                 ) -> dict[int, str]:
    """The planned requests that overlap one in the ledger: target index -> why."""
    if qs is None or templates.info(template).kind != "request":
        return {}
    words = overlaps.words_of(drafting.questions_context(qs)["questions"])
    wanted = [(str(n), t.body.id, words) for n, t in enumerate(plan.targets)]
    found = overlaps.check(ledger, wanted, cal, day,
                           repeat_months=config.letters.repeat_months)
    return {int(k): v[0].describe() + (f" (and {len(v) - 1} more)" if len(v) > 1 else "")
            for k, v in found.items()}
