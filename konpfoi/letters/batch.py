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
from konpfoi.letters import campaigns, drafting, overlaps, packs, supporters
from konpfoi.letters.addressing import Sender, placeholder_warning
from konpfoi.letters.questions import QuestionSet
from konpfoi.letters.templates import Templates
from konpfoi.mail import outgoing
from konpfoi.tracking import register
from konpfoi.workspace.config import Config
from konpfoi.workspace.files import sync_files
from konpfoi.workspace.words import count, plural


@dataclass
class Batch:
    drafts: list[drafting.Draft] = field(default_factory=list)
    skipped: list[campaigns.Skip] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    similarity: float | None = None  # of the letters to MPs
    mbox: Path | None = None
    packs: list[packs.Pack] = field(default_factory=list)  # supporters' packs

    @property
    def unknown_fdp(self) -> list[str]:
        """Letters whose body's FDP status is not known: they claim neither way."""
        return [d.item.body_id for d in self.drafts if d.unknown_fdp]


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
        plan = supporters.plan_supporters(directory, supporters_csv, done, postcodes,
                                          set(ledger.left_out()))
    else:
        plan = campaigns.plan_bodies(directory, done, templates, template, qs, to, select,
                                     extra=register.where_filters(register.load(ledger)))
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
    with ledger.write():  # the letters and the supporters' packs land together, or neither
        # claimed body by body, so that batches of one campaign run at once draft each body once
        out.drafts = campaigns.draft_batch(
            ledger, plan, campaign, sender, templates=templates, drafts_dir=where.drafts,
            template=template, qs=qs, subject=subject, now=now, drafts_root=where.root,
            config=config, on_progress=(lambda n: progress(n, total)) if progress else None)
        if supporters_csv is not None:
            out.packs = _packs(ledger, templates, where, plan.targets, out.drafts, sender,
                               config, now)
    if out.drafts:
        out.mbox = outgoing.write_mbox([d.raw for d in out.drafts], where.drafts
                                       / campaigns.mbox_name(campaign, now,
                                                             out.drafts[0].item.id))
    to_mps = [d.text for d in out.drafts if kind_of(d.item.kind).key in ("mp", "constituent")]
    out.similarity = campaigns.similarity(to_mps) if len(to_mps) > 1 else None
    personal = any(t.extra.get("personal") for t in plan.targets)
    for w in (campaigns.identical_warning(out.similarity, personal, supporters_csv is not None),
              placeholder_warning(sender) if supporters_csv is None and out.drafts else None,
              _no_address_warning(plan.targets, out.drafts) if supporters_csv else None):
        if w:
            out.warnings.append(w)
    return out


def _no_address_warning(targets: list[drafting.Target], drafts: list[drafting.Draft]
                        ) -> str | None:
    """MPs answer their own constituents, and most ask for a postal address to know them."""
    made = {(d.item.body_id, d.item.sender_email) for d in drafts}
    bare = [t.sender.email for t in targets if t.sender is not None and not t.sender.address
            and (t.body.id, t.sender.email) in made]
    if not bare:
        return None
    shown = ", ".join(bare[:3]) + (f" and {len(bare) - 3} more" if len(bare) > 3 else "")
    return (f"{count(len(bare), 'letter')} {plural('has', len(bare))} no postal address "
            f"({shown}): most MPs answer only a constituent who gives one; add an address "
            "column to the supporters file, or ask them to add theirs before they send")


def _packs(ledger: Ledger, templates: Templates, where: Where, targets: list[drafting.Target],
           drafts: list[drafting.Draft], organiser: Sender, config: Config, now: dt.datetime
           ) -> list[packs.Pack]:
    """A pack for each supporter's letter, written beside it; nothing is kept if one fails."""
    made: list[packs.Pack] = []
    try:
        for t, d in zip(targets, drafts, strict=True):
            extras = packs.Extras(t.extra.get("gp_practice"),
                                  t.sender.address if t.sender else None)
            made.append(packs.make(ledger, templates, d, organiser, config, extras, now,
                                   drafts=where.drafts, root=where.root,
                                   mp_constituency=t.body.constituency or "",
                                   nation=t.body.nation))
    except BaseException:
        for p in made:
            p.eml.unlink(missing_ok=True)
            p.eml.with_suffix(".txt").unlink(missing_ok=True)
        for d in drafts:
            d.eml.unlink(missing_ok=True)
            d.txt.unlink(missing_ok=True)
        raise
    sync_files([p.eml for p in made] + [p.eml.with_suffix(".txt") for p in made])
    return made


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
