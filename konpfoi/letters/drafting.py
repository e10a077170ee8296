"""Turn a template, a question set and some bodies into drafts on disk and items in the ledger.

Each draft is one kind of correspondence (law.correspondence): an FOI, EIR or FOISA request, a
subject access request, a letter from the group to an MP, a supporter's letter to their own MP,
a letter to a board. The kind decides the address it goes to and who signs it. A request that
overlaps one already in the ledger (law.aggregation) is refused unless forced.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi.directory.bodies import Body
from konpfoi.errors import Conflict, InvalidInput
from konpfoi.law.correspondence import kind_for, kind_of
from konpfoi.law.workdays import Calendar
from konpfoi.ledger.model import Item, new_uid, now_utc
from konpfoi.ledger.store import Ledger
from konpfoi.letters import overlaps
from konpfoi.letters.addressing import Sender, fallback_warning, recipient, signer
from konpfoi.letters.questions import QuestionSet
from konpfoi.letters.templates import Templates
from konpfoi.letters.wording import wrap
from konpfoi.mail import outgoing
from konpfoi.tracking import register
from konpfoi.workspace import files
from konpfoi.workspace.config import Config
from konpfoi.workspace.words import count

DEFAULT_REQUEST_TEMPLATE = "foi-request"


@dataclass(frozen=True)
class Target:
    body: Body
    note: str | None = None  # e.g. how a predecessor id was resolved
    sender: Sender | None = None  # a supporter writing to their own MP
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. a personal paragraph


@dataclass
class Draft:
    item: Item
    raw: bytes  # the RFC 5322 message
    text: str  # its body
    eml: Path
    txt: Path
    note: str | None = None
    warnings: list[str] = field(default_factory=list)
    unknown_fdp: bool = False  # its template asked the register, which does not know


def choose_template(templates: Templates, name: str, kind: str) -> str:
    """The FOISA or EIR variant of a request template (`<name>-foisa`, `<name>-eir`), where
    one exists: a Scottish body is asked under FOISA, environmental information under the
    EIR."""
    variant = {"foisa": f"{name}-foisa", "eir": f"{name}-eir"}.get(kind)
    return variant if variant and templates.exists(variant) else name


def kind_of_target(templates: Templates, template: str, t: Target, qs: QuestionSet | None
                   ) -> tuple[str, str]:
    """(template name, item kind) for one target; a mismatch is one clear error."""
    info = templates.info(template)
    if info.kind in ("pack", "followup"):
        raise InvalidInput(f"template {template} is a {info.kind} template, not a letter to a "
                           "body", hint="packs come with --supporters; follow-ups with "
                                        "konpfoi followup")
    kind = kind_for(info.kind, body_kind=t.body.kind, body_law=t.body.law,
                    set_regime=qs.regime if qs else None, supporter=t.sender is not None)
    return choose_template(templates, template, kind), kind


def body_context(body: Body) -> dict[str, Any]:
    return {
        "id": body.id, "kind": body.kind, "name": body.name, "short_name": body.display_name,
        "nation": body.nation, "law": body.law, "region": body.region or "",
        "website": body.website or "", "email": body.email or "",
        "constituency": body.constituency or "", "party": body.party or "",
    }


def questions_context(qs: QuestionSet | None) -> dict[str, Any]:
    if qs is None:
        return {"id": "", "title": "", "description": "", "source": "", "questions": []}
    return {"id": qs.id, "title": qs.title, "description": qs.description, "source": qs.source,
            "questions": [{"number": q.number, "label": q.label, "text": q.text}
                          for q in qs.questions]}


def group_context(config: Config) -> dict[str, str]:
    g = config.group
    return {"name": g.name or "", "email": g.email or "", "address": g.address or "",
            "website": g.website or ""}


def letter_context(kind: str, config: Config | None = None) -> dict[str, Any]:
    """What kind of letter it is, and what the workspace lets a request say."""
    k = kind_of(kind)
    config = config or Config()
    return {"kind": k.key, "name": k.name, "regime": k.regime or "", "signer": k.signer,
            "constituent": k.key == "constituent", "salutation": k.salutation or "",
            "name_campaign": config.letters.name_campaign,
            "credit_questions": config.letters.credit_questions}


def _check_overlaps(ledger: Ledger, targets: list[Target], kinds: list[tuple[str, str]],
                    qs: QuestionSet | None, cal: Calendar, day: dt.date, config: Config,
                    force: bool) -> dict[int, list[str]]:
    """The one duplicate and repeat rule, before anything is written: refused unless forced."""
    if qs is None:
        return {}
    words = overlaps.words_of(questions_context(qs)["questions"])
    wanted = [(str(n), t.body.id, words) for n, t in enumerate(targets)
              if kind_of(kinds[n][1]).request]
    found = overlaps.check(ledger, wanted, cal, day,
                           repeat_months=config.letters.repeat_months)
    lines = {int(k): [overlaps.describe(targets[int(k)].body.id, v)] for k, v in found.items()}
    if lines and not force:
        first = next(iter(lines.values()))[0]
        more = f" (and {count(len(lines) - 1, 'more target')})" if len(lines) > 1 else ""
        raise Conflict(first + more, hint="wait, withdraw the earlier one (konpfoi record ID "
                                          "withdrawn), or give --force to draft anyway",
                       overlaps=[x for v in lines.values() for x in v])
    return lines


def draft(*, ledger: Ledger, templates: Templates, drafts_dir: Path, targets: list[Target],
          sender: Sender, template: str, qs: QuestionSet | None, campaign: str | None,
          subject: str | None, now: dt.datetime, drafts_root: Path | None = None,
          on_progress: Callable[[int], None] | None = None, config: Config | None = None,
          cal: Calendar | None = None, force: bool = False) -> list[Draft]:
    """Render and write every target's draft, then record all the items in one transaction.

    Nothing is kept unless every target renders: a bad template or body changes nothing. With
    `cal`, a request that overlaps one in the ledger (law.aggregation) is refused unless
    `force`, and then drafted with the warning.
    """
    config = config or Config()
    if subject is not None:
        outgoing.check_header(subject, "subject")
    kinds = [kind_of_target(templates, template, t, qs) for t in targets]
    for t, (_, kind) in zip(targets, kinds, strict=True):
        recipient(t.body, kind)  # fail early, before anything is written
        signer(kind, config, sender, t.sender)
    done: list[Draft] = []
    # The drafts appear together, on disk, before the ledger records them; or none does.
    staged = files.Staged(drafts_dir)
    where = str(drafts_dir.relative_to(drafts_root) if drafts_root else drafts_dir)
    try:
        with ledger.write():
            warned = _check_overlaps(ledger, targets, kinds, qs, cal, now.date(), config,
                                     force) if cal is not None else {}
            ids = ledger.allocate_ids(len(targets), config.prefix)
            known = register.load(ledger)
            asks: dict[str, bool] = {}  # template -> whether it says anything from the register
            for n, t in enumerate(targets):
                facts = register.letter_context(known.get(t.body.id))
                d = _one(ledger, templates, staged, where, ids[n], t, kinds[n],
                         signer(kinds[n][1], config, sender, t.sender), qs, campaign, subject,
                         now, config, facts)
                d.warnings = warned.get(n, []) + fallback_warning(t.body, kinds[n][1])
                if kinds[n][0] not in asks:
                    asks[kinds[n][0]] = asks_register(templates, kinds[n][0])
                d.unknown_fdp = asks[kinds[n][0]] and not facts["fdp"]["known"]
                done.append(d)
                if on_progress:
                    on_progress(n + 1)
            staged.commit()
    except BaseException:
        staged.discard()
        raise
    return done


def asks_register(templates: Templates, name: str) -> bool:
    """Whether a template says anything from the FDP register (`facts.`)."""
    return "facts." in templates.path(name).read_text(encoding="utf-8")


def _one(ledger: Ledger, templates: Templates, staged: files.Staged, where: str,
         item_id: str, t: Target, kind: tuple[str, str], who: Sender, qs: QuestionSet | None,
         campaign: str | None, subject: str | None, now: dt.datetime, config: Config,
         facts: dict[str, Any]) -> Draft:
    """Render, build, write and record one target's draft."""
    name, item_kind = kind
    context = {
        "body": body_context(t.body), "questions": questions_context(qs),
        "requester": {"name": who.name, "email": who.email, "address": who.address or "",
                      "signature": who.signature or ""},
        "group": group_context(config), "letter": letter_context(item_kind, config),
        "reference": item_id, "campaign": campaign or "",
        "today": now.date().isoformat(), "personal": "", "facts": facts, **t.extra,
    }
    rendered = templates.render(name, context)
    text = wrap(rendered.text).rstrip("\n") + "\n"
    subj = subject or rendered.subject
    if not subj:
        raise InvalidInput(f"template {name} sets no subject",
                           hint="give --subject or add {% set subject = ... %}")
    to_email = recipient(t.body, item_kind)
    msg_id = outgoing.message_id(item_id, who.email)
    subj = " ".join(subj.split())
    raw = outgoing.build(sender_name=who.name, sender_email=who.email, to_name=t.body.name,
                         to_email=to_email, subject=subj, text=text, msg_id=msg_id, date=now)
    eml, txt = outgoing.write_draft(raw, outgoing.text_copy(t.body.name, to_email, subj, text),
                                    staged.folder, item_id, staged)
    item = Item(
        id=item_id, uid=new_uid(), kind=item_kind, body_id=t.body.id, body_name=t.body.name,
        subject=subj, created_at=now_utc(), campaign=campaign, body_email=to_email,
        nation=t.body.nation, sender_name=who.name, sender_email=who.email, template=name,
        question_set=qs.id if qs else None,
        questions_json=json.dumps(questions_context(qs)["questions"], ensure_ascii=False),
        draft_path=os.path.join(where, eml.name),
        content_hash=outgoing.content_hash(text), message_id=msg_id,
        message_sha256=ledger.put_blob(raw),
    )
    ledger.add_item(item)
    ledger.add_event(item_id, "drafted", now.date().isoformat(), data={"template": name})
    return Draft(item, raw, text, eml, txt, t.note)
