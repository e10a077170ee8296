"""Which request a received message concerns, and why — or why not, with ranked guesses.

Evidence, most certain first: a Message-ID we issued in In-Reply-To/References (for a bounce,
the returned original's); our reference (K-0042) in the subject or text; the body's own
reference, seen before, kept whole ("GSTT/FOI/26/1234", never "FOI/26/1234"); the sender's
address, or a mail domain only one body uses, when that body has one open request. Two
references that disagree, or a body with several open requests, are never guessed between.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from konpfoi.ledger.model import ITEM_ID_PATTERN, Event, Item
from konpfoi.mail.classify import Verdict, own_words
from konpfoi.mail.incoming import Mail
from konpfoi.tracking.lifecycle import effective

SHARED_DOMAINS = frozenset({
    "nhs.net", "nhs.uk", "nhs.scot", "parliament.uk", "gov.uk", "gov.scot", "gov.wales",
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.co.uk",
    "yahoo.com", "yahoo.co.uk", "icloud.com", "btinternet.com", "me.com", "aol.com",
})
_OUR_ID = re.compile(rf"\b{ITEM_ID_PATTERN}\b")
_OUR_ID_WHOLE = re.compile(ITEM_ID_PATTERN)
# A reference as bodies write them: pieces joined by / - _ . (or a space between a capital
# and a number, as in "FOI 26/0412"), with at least one digit.
_TOKEN = re.compile(r"(?<![\w/-])[A-Za-z0-9]+(?:(?:[/_.-]|(?<=[A-Z]) (?=\d))[A-Za-z0-9]+)*")
_LABELLED = re.compile(
    r"\b(?:our|case|request|foi|eir|my)?\s*(?:case\s+)?ref(?:erence)?(?:\s+(?:no|number))?"
    r"\.?(?:\s+is)?\s*[:#]?\s*(?=[A-Za-z0-9])", re.I)
_YOUR_REF = re.compile(r"\byour\s+(?:case\s+)?ref(?:erence)?\b[^\n]{0,4}$", re.I)
_CODED = re.compile(r"(?:^|[/_ -])(?:FOI|FOIR|FOISA|EIR|SAR|IR|DPA)(?:$|[/_ -])|\d{4,}", re.I)
_DISPLAY_ORG = re.compile(r"\(([^()]{4,})\)\s*$")
# Words of body names too common to point at one body when a message mentions them.
_COMMON = frozenset({
    "nhs", "trust", "foundation", "integrated", "care", "board", "icb", "hospitals",
    "hospital", "teaching", "university", "health", "and", "the", "for", "mp", "mr", "ms",
    "mrs", "dr", "sir", "dame", "services", "partnership", "community", "mental", "london",
    "north", "south", "east", "west", "central", "council", "committee"})


@dataclass(frozen=True)
class Contacts:
    """What the directory knows of a body: its addresses and the domains it mails from."""

    name: str
    emails: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()


def contacts_of(bodies: Iterable[Any]) -> dict[str, Contacts]:
    """Each directory body's addresses and domains (its mail and website domains)."""
    out = {}
    for b in bodies:
        emails = frozenset(c.email.lower() for c in b.contacts if c.email)
        domains = {e.rpartition("@")[2] for e in emails}
        if b.website:
            host = re.sub(r"^[a-z]+://", "", b.website.lower()).split("/")[0]
            domains.add(host.removeprefix("www."))
        out[b.id] = Contacts(b.name, emails, frozenset(d for d in domains if d))
    return out


@dataclass
class Match:
    item: str | None
    how: str  # in-reply-to, our-ref, their-ref, sender, or none
    why: str
    candidates: list[dict[str, Any]] = field(default_factory=list)
    origin: str | None = None  # in-reply-to: "request", or the follow-up whose Message-ID it is


def normal_ref(ref: str) -> str:
    return " ".join(ref.upper().split())


def ref_tokens(text: str) -> set[str]:
    """Every reference-like token in a text, normalised."""
    return {normal_ref(t) for t in _TOKEN.findall(text) if any(c.isdigit() for c in t)
            and len(t) >= 4}


def their_reference(mail: Mail) -> str | None:
    """The body's own reference, whole: the first labelled ("Our ref: ...") or coded one
    ("WY-FOI-2026-1187") in its own words, else in the subject. Never one of ours."""
    words = own_words(mail.text)[:4000]
    for text in (words, mail.subject):
        found: list[tuple[int, str]] = []
        for m in _LABELLED.finditer(text):
            if _YOUR_REF.search(text[max(0, m.start() - 30):m.end()]):
                continue  # "your reference" is ours
            token = _TOKEN.match(text, m.end())
            if token and _plausible(token.group(0)):
                found.append((token.start(), token.group(0)))
        found += [(t.start(), t.group(0)) for t in _TOKEN.finditer(text)
                  if _plausible(t.group(0)) and _CODED.search(t.group(0))]
        if found:
            return min(found)[1]
    return None


def _plausible(token: str) -> bool:
    return (any(c.isdigit() for c in token) and len(token) >= 4
            and not _OUR_ID_WHOLE.fullmatch(token) and not token.isdigit()
            and not re.fullmatch(r"\d{1,2}[/.-]\d{1,2}([/.-]\d{2,4})?", token))


def _subject_key(subject: str) -> str:
    s = re.sub(r"^\s*((re|fw|fwd|aw|sv|tr|wg)\s*(\[\d+\])?\s*:\s*)+", "", subject, flags=re.I)
    s = _OUR_ID.sub("", s)
    return " ".join(re.findall(r"[a-z0-9]+", s.lower()))


class Matcher:
    """What we know of every item, to tell which one a message concerns."""

    def __init__(self, items: Sequence[Item], events: dict[str, list[Event]],
                 contacts: dict[str, Contacts]) -> None:
        self.items = {i.id: i for i in items}
        self.by_msgid: dict[str, tuple[str, str]] = {}
        self.their_refs: dict[str, set[str]] = {}
        self.open: set[str] = set()
        for i in items:
            if i.message_id:
                self.by_msgid[i.message_id.strip()] = (i.id, "request")
            evs = effective(events.get(i.id, []))
            sent = closed = False
            for e in evs:
                if e.kind == "sent":
                    sent = True
                elif e.kind in ("closed", "withdrawn", "complaint-outcome"):
                    closed = True
                elif e.kind == "reopened":
                    closed = False
                if e.mentions("message_id") and e.data.get("message_id"):
                    origin = e.data.get("followup") or e.data.get("kind") or "request"
                    self.by_msgid.setdefault(str(e.data["message_id"]).strip(),
                                             (i.id, str(origin)))
                if e.mentions("their_ref") and e.data.get("their_ref"):
                    self.learn(i.id, str(e.data["their_ref"]))
            if sent and not closed:
                self.open.add(i.id)
        self.body_items: dict[str, list[str]] = {}
        for i in items:
            self.body_items.setdefault(i.body_id, []).append(i.id)
        self.by_address: dict[str, set[str]] = {}
        users: dict[str, set[str]] = {}
        for body_id, c in contacts.items():
            for d in c.domains:
                users.setdefault(d, set()).add(body_id)
        for i in items:
            known = contacts.get(i.body_id)
            for a in (known.emails if known else frozenset()) | ({i.body_email.lower()}
                                                          if i.body_email else set()):
                self.by_address.setdefault(a, set()).add(i.body_id)
                users.setdefault(a.rpartition("@")[2], set()).add(i.body_id)
        self.by_domain = {d: b for d, b in users.items() if len(b) == 1
                          and d not in SHARED_DOMAINS and d in _domains_of(items, contacts)}
        self.names = {b: c.name for b, c in contacts.items() if b in self.body_items}
        self.subjects = {i.id: _subject_key(i.subject) for i in items}

    def learn(self, item_id: str, ref: str) -> None:
        """Remember a body's reference for an item (from an acknowledgement or a reply)."""
        self.their_refs.setdefault(normal_ref(ref), set()).add(item_id)

    def knows(self, address: str | None) -> bool:
        """Whether an address is a body's we wrote to (or on a domain only it uses)."""
        return bool(address) and bool(self.bodies_of(address or ""))

    def bodies_of(self, address: str) -> set[str]:
        address = address.lower()
        found = self.by_address.get(address)
        if found:
            return found
        domain = address.rpartition("@")[2]
        while domain:
            if domain in self.by_domain:
                return self.by_domain[domain]
            domain = domain.partition(".")[2]
        return set()

    # -- the evidence, in order ------------------------------------------------------------

    def match(self, mail: Mail, verdict: Verdict) -> Match:
        """The item a message concerns, with how and why; or none, with ranked guesses."""
        extra = [verdict.returned] if verdict.returned else []
        if verdict.kind in ("forward", "own"):
            extra += mail.enclosed
        ids = list(mail.in_reply_to) + list(reversed(mail.references))
        ids += [x for e in extra for x in ([e.message_id] if e.message_id else [])
                + e.references]
        if verdict.kind == "own" and mail.message_id:
            ids.insert(0, mail.message_id)
        hits = [self.by_msgid[x] for x in ids if x in self.by_msgid]
        if hits:
            item, origin = hits[0]
            where = "the returned message's Message-ID" if verdict.kind == "bounce" \
                else "In-Reply-To/References"
            return Match(item, "in-reply-to", f"{where} names our message to {item}",
                         origin=origin)
        texts = [mail.subject, mail.text] + [t for e in extra for t in (e.subject, e.text)]
        joined = "\n".join(texts)
        ours = sorted({m for m in _OUR_ID.findall(joined) if m in self.items})
        if len(ours) == 1:
            return Match(ours[0], "our-ref", f"our reference {ours[0]} is in it")
        if len(ours) > 1:
            return Match(None, "none", "it names several of our requests: " + ", ".join(ours),
                         [{"item": i, "why": f"{i} is named in it", "score": 0.9}
                          for i in ours])
        theirs = sorted({i for tok in ref_tokens(joined) for i in self.their_refs.get(tok, ())})
        if len(theirs) == 1:
            ref = next(t for t in ref_tokens(joined) if theirs[0] in self.their_refs.get(t, ()))
            return Match(theirs[0], "their-ref", f"the body's reference {ref} is in it")
        if len(theirs) > 1:
            return Match(None, "none", "it names references of several requests", [
                {"item": i, "why": "the body's reference for it is in it", "score": 0.8}
                for i in theirs])
        return self._by_sender(mail, verdict)

    def _by_sender(self, mail: Mail, verdict: Verdict) -> Match:
        who = verdict.failed if verdict.kind == "bounce" else (
            [] if verdict.kind == "forward" else [mail.from_addr or ""])
        bodies = {b for a in who if a for b in self.bodies_of(a)}
        label = ", ".join(a for a in who if a) or "its sender"
        pool = [i for b in sorted(bodies) for i in self.body_items.get(b, [])]
        live = [i for i in pool if i in self.open]
        if len(live) == 1:
            return Match(live[0], "sender", f"{label} is {self.items[live[0]].body_name}'s, and "
                         f"{live[0]} is its only open request")
        if live:
            why = (f"{label} is {self._names(bodies)}'s, which has {len(live)} open requests: "
                   "it does not say which")
            return Match(None, "none", why, self._ranked(mail, live, "same body, open"))
        if pool:
            why = f"{label} is {self._names(bodies)}'s, but none of its requests is open"
            return Match(None, "none", why, self._ranked(mail, pool, "same body"))
        why = (f"nothing we sent went to {label}" if verdict.kind != "forward"
               else f"a forward from {mail.from_addr or 'someone'}: it does not say which "
               "request it concerns")
        return Match(None, "none", why, self._guesses(mail, verdict))

    def _names(self, bodies: set[str]) -> str:
        return " / ".join(sorted(self.names.get(b, b) for b in bodies))

    def _ranked(self, mail: Mail, pool: list[str], why: str) -> list[dict[str, Any]]:
        key = _subject_key(mail.subject)
        scored = sorted(((difflib.SequenceMatcher(None, key, self.subjects[i]).ratio(), i)
                         for i in set(pool)), reverse=True)
        return [{"item": i, "score": round(s, 2), "why": f"{why}; subject {s:.0%} alike"}
                for s, i in scored[:5]]

    def _guesses(self, mail: Mail, verdict: Verdict) -> list[dict[str, Any]]:
        """Weaker signs, for the user to weigh: the organisation in an NHSmail display name,
        an address of a body's quoted in a forward, a similar subject."""
        found: dict[str, tuple[float, str]] = {}

        def add(item: str, score: float, why: str) -> None:
            if score > found.get(item, (0.0, ""))[0]:
                found[item] = (score, why)

        org = _DISPLAY_ORG.search(mail.from_name or "")
        if org:
            wanted = org.group(1).lower()
            for b, name in self.names.items():
                ratio = difflib.SequenceMatcher(None, wanted, name.lower()).ratio()
                if ratio >= 0.75:
                    for i in self.body_items.get(b, []):
                        add(i, round(0.5 + ratio / 4, 2), f"the sender's name says {org.group(1)}")
        quoted = re.findall(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", mail.text[:20000])
        for address in dict.fromkeys(a.lower() for a in quoted):
            for b in self.by_address.get(address, ()):
                for i in self.body_items.get(b, []):
                    add(i, 0.6, f"it quotes {address}")
        words = set(re.findall(r"[a-z']{4,}", f"{mail.subject}\n{mail.text[:5000]}".lower()))
        for i, item in self.items.items():
            named = sorted(w for w in re.findall(r"[a-z']{4,}", item.body_name.lower())
                           if w not in _COMMON and w in words)
            if named:
                add(i, 0.4, f"it mentions {', '.join(n.title() for n in named)}")
        key = _subject_key(mail.subject)
        for i, subject in self.subjects.items():
            ratio = difflib.SequenceMatcher(None, key, subject).quick_ratio()
            if ratio >= 0.6:
                ratio = difflib.SequenceMatcher(None, key, subject).ratio()
                if ratio >= 0.6:
                    add(i, round(ratio * 0.7, 2), f"subject {ratio:.0%} alike")
        ranked = sorted(found.items(), key=lambda kv: (-kv[1][0], kv[0]))[:5]
        return [{"item": i, "score": s, "why": why} for i, (s, why) in ranked]


def _domains_of(items: Sequence[Item], contacts: dict[str, Contacts]) -> set[str]:
    """The domains of the bodies we wrote to (the only ones a domain match may point at)."""
    out = set()
    for i in items:
        c = contacts.get(i.body_id)
        if c:
            out |= set(c.domains)
        if i.body_email:
            out.add(i.body_email.lower().rpartition("@")[2])
    return out
