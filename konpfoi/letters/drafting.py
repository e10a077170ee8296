"""Turn a template, a question set and some bodies into drafts on disk and items in the ledger."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi.directory.bodies import Body
from konpfoi.errors import InvalidInput, NotFound
from konpfoi.ledger.model import DEFAULT_PREFIX, Item, new_uid, now_utc
from konpfoi.ledger.store import Ledger
from konpfoi.letters.questions import QuestionSet
from konpfoi.letters.templates import Templates
from konpfoi.mail import outgoing
from konpfoi.workspace import files
from konpfoi.workspace.config import EMAIL_PLACEHOLDER, NAME_PLACEHOLDER, Config

DEFAULT_REQUEST_TEMPLATE = "foi-request"


@dataclass(frozen=True)
class Sender:
    name: str
    email: str
    address: str | None = None
    signature: str | None = None
    placeholders: tuple[str, ...] = ()  # which details are still placeholders


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


def sender_from_config(config: Config) -> Sender:
    missing = []
    if not config.name:
        missing.append("name")
    if not config.email:
        missing.append("email")
    return Sender(
        name=config.name or NAME_PLACEHOLDER, email=config.email or EMAIL_PLACEHOLDER,
        address=config.address, signature=config.signature, placeholders=tuple(missing),
    )


def placeholder_warning(sender: Sender) -> str | None:
    if not sender.placeholders:
        return None
    parts = {"name": f"your name ({NAME_PLACEHOLDER})",
             "email": f"your email address ({EMAIL_PLACEHOLDER})"}
    return (
        "the draft has placeholders for " + " and ".join(parts[p] for p in sender.placeholders)
        + " (an FOI request must give your real name and an address for correspondence, "
        "FOIA s.8). Run: konpfoi init --name 'Your Name' --email you@example.org, then draft "
        "again; a draft with placeholders cannot be sent."
    )


def choose_template(templates: Templates, name: str, body: Body) -> str:
    """The FOISA variant of a request template for a Scottish body, where one exists."""
    if body.law == "foisa" and templates.exists(f"{name}-foisa"):
        return f"{name}-foisa"
    return name


def item_kind(template_kind: str, body: Body, qs: QuestionSet | None) -> str:
    if template_kind != "request":
        return "email"
    if qs is not None and qs.regime == "eir":
        return "eir"
    return "foisa" if body.law == "foisa" else "foi"


def recipient(body: Body, template_kind: str) -> str:
    """The address a draft goes to; a request needs an FOI inbox, an email any address."""
    roles = ("foi", "foi-alt") if template_kind == "request" else (
        "board", "general", "foi", "foi-alt")
    for role in roles:
        c = body.contact(role)
        if c and c.email:
            return c.email
    form = next((c.url for c in body.contacts if c.url), None)
    where = f"its request form {form}" if form else (
        f"its website {body.website}" if body.website else "its website")
    what = "FOI email address" if template_kind == "request" else "email address"
    raise NotFound(
        f"{body.id} {body.name} has no {what} in the directory",
        hint=f"send the request through {where}, or add the address to your workspace's "
             "bodies.yaml",
    )


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


def draft(*, ledger: Ledger, templates: Templates, drafts_dir: Path, targets: list[Target],
          sender: Sender, template: str, qs: QuestionSet | None, campaign: str | None,
          subject: str | None, now: dt.datetime, drafts_root: Path | None = None,
          on_progress: Callable[[int], None] | None = None,
          prefix: str = DEFAULT_PREFIX) -> list[Draft]:
    """Render and write every target's draft, then record all the items in one transaction.

    Nothing is kept unless every target renders: a bad template or body changes nothing.
    """
    if subject is not None:
        outgoing.check_header(subject, "subject")
    kinds = {}
    for t in targets:
        name = choose_template(templates, template, t.body)
        kinds[t.body.id] = (name, templates.info(name).kind)
        recipient(t.body, kinds[t.body.id][1])  # fail early, before anything is written
    done: list[Draft] = []
    written: list[Path] = []
    try:
        with ledger.write():
            ids = ledger.allocate_ids(len(targets), prefix)
            for n, t in enumerate(targets):
                item_id = ids[n]
                name, tkind = kinds[t.body.id]
                who = t.sender or sender
                context = {
                    "body": body_context(t.body), "questions": questions_context(qs),
                    "requester": {"name": who.name, "email": who.email,
                                  "address": who.address or "", "signature": who.signature or ""},
                    "reference": item_id, "campaign": campaign or "",
                    "today": now.date().isoformat(), "personal": "", **t.extra,
                }
                rendered = templates.render(name, context)
                subj = subject or rendered.subject
                if not subj:
                    raise InvalidInput(f"template {name} sets no subject",
                                       hint="give --subject or add {% set subject = ... %}")
                to_email = recipient(t.body, tkind)
                msg_id = outgoing.message_id(item_id, who.email)
                subj = " ".join(subj.split())
                raw = outgoing.build(
                    sender_name=who.name, sender_email=who.email, to_name=t.body.name,
                    to_email=to_email, subject=subj, text=rendered.text, msg_id=msg_id, date=now,
                )
                eml, txt = outgoing.write_draft(
                    raw, outgoing.text_copy(t.body.name, to_email, subj, rendered.text),
                    drafts_dir, item_id, sync=len(targets) < 20)
                written += [eml, txt]
                item = Item(
                    id=item_id, uid=new_uid(), kind=item_kind(tkind, t.body, qs),
                    body_id=t.body.id, body_name=t.body.name, subject=subj,
                    created_at=now_utc(), campaign=campaign, body_email=to_email,
                    nation=t.body.nation, sender_name=who.name, sender_email=who.email,
                    template=name, question_set=qs.id if qs else None,
                    questions_json=json.dumps(questions_context(qs)["questions"],
                                              ensure_ascii=False),
                    draft_path=str(eml.relative_to(drafts_root)) if drafts_root else str(eml),
                    content_hash=outgoing.content_hash(rendered.text), message_id=msg_id,
                    message_sha256=ledger.put_blob(raw),
                )
                ledger.add_item(item)
                ledger.add_event(item_id, "drafted", now.date().isoformat(),
                                 data={"template": name})
                done.append(Draft(item, raw, rendered.text, eml, txt, t.note))
                if on_progress:
                    on_progress(n + 1)
            if len(targets) >= 20:
                files.sync_files(written)  # one pass at the end for a batch
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return done
