"""`konpfoi publish`: the campaign's website, built from the ledger as a set of files, then
written to a folder changing only what changed.

The figures are the report's (`report.campaign`), never counted again here. Only requests for
information are published (FOI, EIR, FOISA): never a subject access request, nor a
supporter's letter. What a page says of people passes through the redactor first.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from konpfoi.directory.lookup import Directory
from konpfoi.law.correspondence import KINDS
from konpfoi.law.deadlines import working_deadline
from konpfoi.law.regimes import DEFAULT_POLICY, Policy, calendar_regime
from konpfoi.law.workdays import Calendars
from konpfoi.ledger.model import EVENT_KINDS, OUTCOME_LABELS, Event, Item
from konpfoi.ledger.store import Ledger
from konpfoi.mail import incoming
from konpfoi.mail.classify import own_words
from konpfoi.report import campaign
from konpfoi.report.publish import bodypage, data, documents, pages
from konpfoi.report.publish.pages import Document, Options, Reply, Request
from konpfoi.report.publish.redact import Redaction, Redactor
from konpfoi.tracking import register
from konpfoi.tracking.lifecycle import derive, effective

PUBLIC_KINDS = tuple(k for k, v in KINDS.items() if v.request)
# What happened after a request, as its page lists it (replies have their own section).
FOLLOWUP_EVENTS = ("acknowledged", "clarification-requested", "clarification-sent",
                   "extension-claimed", "chased", "review-requested", "review-outcome",
                   "complaint-filed", "complaint-outcome", "withdrawn", "closed")


@dataclass
class Site:
    files: dict[str, bytes]
    redactions: list[Redaction]
    withheld: list[tuple[str, str, str]]  # (item, document, why)
    report: campaign.Report


def build(ledger: Ledger, directory: Directory, cals: Calendars, today: dt.date, *,
          requester: Sequence[tuple[str, str]], options: Options,
          sets_info: dict[str, dict[str, Any]] | None = None,
          policy: Policy = DEFAULT_POLICY) -> Site:
    """Every page and download of the site, in memory, with what was taken out of it."""
    with ledger.read():
        r = campaign.build(ledger, cals, today, options.campaign, policy,
                           question_set=options.question_set, sets_info=sets_info,
                           kinds=PUBLIC_KINDS)
        everything = ledger.items()
        ids = [x.item for x in r.rows]
        items = {i.id: i for i in everything if i.id in set(ids)}
        events = ledger.events(ids if len(ids) <= 500 else None)
        known = register.load(ledger)
    supporters = [(w, v) for i in everything if KINDS.get(i.kind) and
                  KINDS[i.kind].signer == "supporter"
                  for w, v in (("name", i.sender_name), ("email", i.sender_email)) if v]
    requesters = list(requester) + [(w, v) for i in items.values()
                                    for w, v in (("name", i.sender_name),
                                                 ("email", i.sender_email)) if v]
    keep = {c.email for b in directory for c in b.contacts if c.email}
    red = Redactor.of(requesters, supporters, keep, options.officials)
    _redact_answers(r, red)
    withheld: list[tuple[str, str, str]] = []
    files: dict[str, bytes] = {}
    requests: dict[str, list[Request]] = {}
    for row in r.rows:
        item = items[row.item]
        evs = effective(events.get(item.id, []))
        page = pages.body_path(item.body_id)
        requests.setdefault(item.body_id, []).append(_request(
            ledger, row, item, evs, cals, today, policy, red, page, files, withheld,
            options.unchecked))
    site = pages.Pages(r, directory, known, options, today)
    for body_id, reqs in requests.items():
        files[pages.body_path(body_id)] = bodypage.render(site, body_id, reqs).encode("utf-8")
    for qs in r.sets:
        for q in qs.questions:
            files[pages.question_path(qs.id, q["number"])] = \
                site.question(qs, q).encode("utf-8")
    files.update(data.downloads(r, known, directory))
    files["index.html"] = site.front(set(requests)).encode("utf-8")
    return Site(files, red.made, withheld, r)


def _redact_answers(r: campaign.Report, red: Redactor) -> None:
    """The coded answers' words, redacted once for every page and download."""
    for row in r.rows:
        for n, c in list(row.cells.items()):
            if c.answer:
                row.cells[n] = replace(c, answer=red.reply_text(c.answer, "answers"))


def _request(ledger: Ledger, row: campaign.Row, item: Item, evs: list[Event], cals: Calendars,
             today: dt.date, policy: Policy, red: Redactor, page: str, files: dict[str, bytes],
             withheld: list[tuple[str, str, str]], unchecked: bool) -> Request:
    view = derive(item.kind, evs, cals, today, item_id=item.id, nation=item.nation,
                  policy=policy, explain=True)
    working, skipped = [], []
    if view.clocks:
        clock = view.clocks[0]
        working = list(clock.explanation) + ([f"{clock.basis}: due {clock.due}"]
                                             if clock.due else [])
        if clock.working and clock.day0 and clock.days:
            cal = cals.for_regime(calendar_regime(item.kind), item.nation)
            steps = working_deadline(clock.day0, clock.days, cal).steps
            skipped = [f"{s.date:%a %-d %b %Y}: {s.holiday.name}" for s in steps
                       if s.what == "holiday" and s.holiday]
    replies = []
    kept = ledger.attachments([e.uid for e in evs if e.kind in ("reply", "review-outcome")])
    for e in evs:
        if e.kind not in ("reply", "review-outcome"):
            continue
        what = "Internal review outcome" if e.kind == "review-outcome" else "Reply"
        reply = Reply(e.date, what, "")
        for a in kept.get(e.uid, []):
            raw = _blob(ledger, a["sha256"])
            if raw is None:
                continue
            if a["content_type"] == "message/rfc822" and not reply.text:
                mail = incoming.parse(raw)
                reply.text = red.reply_text(own_words(mail.text).strip(), page, mail.from_name)
            elif documents.is_document(a["name"], a["content_type"]):
                ok, why = documents.verdict(a["name"], raw, red.people)
                if not ok and not (unchecked and why.startswith("its text")):
                    withheld.append((item.id, a["name"], why))
                    continue
                href = f"files/{a['sha256'][:16]}/{a['name']}"
                files[href] = raw
                reply.documents.append(Document(a["name"], href, len(raw)))
        replies.append(reply)
    return Request(row, item, red.private_text(_letter(ledger, item), page), working, skipped,
                   replies, _followups(evs))


def _blob(ledger: Ledger, sha: str) -> bytes | None:
    from konpfoi.errors import NotFound

    try:
        return ledger.blob(sha)
    except NotFound:
        return None


def _letter(ledger: Ledger, item: Item) -> str:
    raw = _blob(ledger, item.message_sha256) if item.message_sha256 else None
    return incoming.parse(raw).text.strip() if raw else ""


def _followups(evs: Iterable[Event]) -> list[tuple[str, str]]:
    out = []
    for e in evs:
        if e.kind in FOLLOWUP_EVENTS:
            what = EVENT_KINDS[e.kind]
            outcome = e.data.get("outcome") if e.mentions("outcome") else None
            if outcome:
                what += f": {OUTCOME_LABELS.get(outcome, outcome)}"
            out.append((e.date, what[:1].upper() + what[1:]))
    return out


# -- writing ---------------------------------------------------------------------------------

MANIFEST = ".konpfoi-site.json"  # the files a run wrote: only these are ever removed


@dataclass
class Written:
    folder: Path
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def write(site: Site, folder: Path) -> Written:
    """Write the site to `folder`: a file is rewritten only when it changed, and a file an
    earlier run wrote that this one does not is removed (nothing else in the folder is)."""
    from konpfoi.workspace.files import atomic_write

    out = Written(folder)
    folder.mkdir(parents=True, exist_ok=True)
    before = _manifest(folder)
    for rel, content in sorted(site.files.items()):
        path = folder / rel
        if path.is_file() and path.read_bytes() == content:
            out.unchanged += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, content, mode=0o644)
        out.written.append(rel)
    for rel in sorted(set(before) - set(site.files)):
        (folder / rel).unlink(missing_ok=True)
        out.removed.append(rel)
    atomic_write(folder / MANIFEST, json.dumps(sorted(site.files), indent=1) + "\n", mode=0o644)
    return out


def _manifest(folder: Path) -> list[str]:
    try:
        found = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [str(p) for p in found if isinstance(p, str) and ".." not in Path(p).parts]
