"""A supporter's pack: the email that puts a supporter's own letter to their MP in their hands,
from the organiser. It holds the letter to copy, a `mailto:` link that opens it addressed to
their MP (with a blind copy to the group, whose copy tells the ledger it went), the letter as
an .eml to open and send, and — when the supporters file names their GP practice — a Type 1
opt-out letter for them to complete (their date of birth and NHS number are theirs to fill
in: konpfoi never asks for them).

A pack is drafted beside the letter (`followup-drafted`, kind "pack") and sent by `konpfoi
send` like a follow-up, so it goes once, and its delivery (`pack-sent`) is not the letter's:
the letter is sent when the supporter sends it.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from konpfoi.law.correspondence import SUPPORTER_PACK
from konpfoi.ledger.model import Event, Item
from konpfoi.ledger.store import Ledger
from konpfoi.letters.addressing import Sender
from konpfoi.letters.drafting import Draft, group_context
from konpfoi.letters.templates import Templates
from konpfoi.letters.wording import unwrap, wrap
from konpfoi.mail import mailto, outgoing
from konpfoi.mail.attachments import sanitise
from konpfoi.workspace.config import Config

PACK = SUPPORTER_PACK.key  # drafted (followup-drafted) and sent (pack-sent) under this kind
TEMPLATE = SUPPORTER_PACK.template
OPT_OUT_TEMPLATE = "gp-type1-opt-out"
# Where anyone in England makes the national data opt-out (NHS England).
NATIONAL_OPT_OUT = "https://www.nhs.uk/your-nhs-data-matters/"
# A Type 1 opt-out is recorded by a GP practice in England (NHS England's GP data collections).
OPT_OUT_NATIONS = ("england",)


@dataclass(frozen=True)
class Extras:
    """What the supporters file says that only the pack needs (kept nowhere else)."""

    gp_practice: str | None = None
    address: str | None = None


@dataclass
class Pack:
    item: Item
    event: Event
    eml: Path
    mailto: mailto.Mailto
    opt_out: bool
    opt_out_elsewhere: bool = False  # a practice named, outside England: no Type 1 letter


def bcc_address(config: Config) -> str | None:
    """Whom supporters copy: the group's address, else the organiser's."""
    return config.group.email or config.email


def make(ledger: Ledger, templates: Templates, d: Draft, organiser: Sender, config: Config,
         extras: Extras, now: dt.datetime, *, drafts: Path, root: Path,
         mp_constituency: str = "", nation: str = "england") -> Pack:
    """Draft one supporter's pack for their letter `d` and record it (in the caller's
    transaction)."""
    item = d.item
    bcc = bcc_address(config)
    subject = item.subject
    link = mailto.link(str(item.body_email), subject, unwrap(d.text), bcc)
    eml_name = sanitise(f"letter-to-{item.body_name}.eml".replace(" ", "-"))
    opt_out = None
    if extras.gp_practice and nation in OPT_OUT_NATIONS:
        opt_out = {"practice": extras.gp_practice, "national": NATIONAL_OPT_OUT}
    supporter = {"name": item.sender_name or "", "email": item.sender_email or "",
                 "address": extras.address or ""}
    context: dict[str, Any] = {
        "supporter": supporter, "organiser": {"name": organiser.name, "email": organiser.email},
        "mp": {"name": item.body_name, "email": item.body_email or "",
               "constituency": mp_constituency},
        "letter": {"subject": subject, "text": d.text.rstrip("\n"), "reference": item.id},
        "mailto": {"url": link.url, "complete": link.complete}, "bcc": bcc or "",
        "eml_name": eml_name, "opt_out": opt_out, "group": group_context(config),
    }
    rendered = templates.render(TEMPLATE, context)
    text = wrap(rendered.text).rstrip("\n") + "\n"
    files = [outgoing.Attachment(eml_name, "message/rfc822",
                                 outgoing.to_send_yourself(d.raw, bcc))]
    if opt_out:
        letter = templates.render(OPT_OUT_TEMPLATE, {
            "practice": extras.gp_practice, "supporter": supporter,
            "national": NATIONAL_OPT_OUT})
        files.append(outgoing.Attachment("gp-opt-out-letter.txt", "text/plain",
                                         wrap(letter.text).encode("utf-8")))
    msg_id = outgoing.message_id(f"{item.id}-{PACK}", organiser.email)
    pack_subject = " ".join((rendered.subject or f"Your letter to {item.body_name}").split())
    raw = outgoing.build(sender_name=organiser.name, sender_email=organiser.email,
                         to_name=supporter["name"], to_email=supporter["email"],
                         subject=pack_subject, text=text, msg_id=msg_id, date=now,
                         attachments=files, html=as_html(unwrap(text), link.url,
                                                         item.body_name))
    names = [f.name for f in files]
    eml, _ = outgoing.write_draft(
        raw, outgoing.text_copy(supporter["name"], supporter["email"], pack_subject, text, names),
        drafts, f"{item.id}-{PACK}", sync=False)
    event = ledger.add_event(item.id, "followup-drafted", now.date().isoformat(), data={
        "kind": PACK, "template": TEMPLATE, "draft": str(eml.relative_to(root)),
        "to": supporter["email"], "from": organiser.email, "message_id": msg_id,
        "message": ledger.put_blob(raw), "attachments": names, "mailto_complete": link.complete})
    return Pack(item, event, eml, link, bool(opt_out),
                bool(extras.gp_practice) and nation not in OPT_OUT_NATIONS)


_URL = re.compile(r"(https?://[^\s<>\"]+|mailto:[^\s<>\"]+)(?<![.,;:!?)])")


def as_html(text: str, link: str, mp_name: str) -> str:
    """The pack as HTML, so the link is one to click: paragraphs as they are in the text,
    the mailto: link under words, other addresses linked."""
    parts = []
    for para in text.strip("\n").split("\n\n"):
        if para.strip() == link:
            parts.append(f'<p><a href="{html.escape(link, quote=True)}" style="font-size:1.2em;'
                         f'font-weight:bold">Write to {html.escape(mp_name)} (opens your '
                         "email)</a></p>")
            continue
        body = "<br>\n".join(_linked(line) for line in para.split("\n"))
        parts.append(f"<p>{body}</p>")
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1"></head><body style="font-family:'
            'sans-serif;line-height:1.5;max-width:40em;overflow-wrap:anywhere">'
            + "\n".join(parts) + "</body></html>")


def _linked(line: str) -> str:
    out, pos = [], 0
    for m in _URL.finditer(line):
        out.append(html.escape(line[pos:m.start()]))
        url = m.group(0)
        out.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(url)}</a>')
        pos = m.end()
    out.append(html.escape(line[pos:]))
    return "".join(out)
