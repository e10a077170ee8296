"""Doubt made visible: why a contact in the directory may not reach the body it is listed for.

A contact is doubtful when its source says so (a `doubt` recorded with it), when its address
looks like a legacy inbox (it names a CCG, which closed in July 2022, or a body that merged
away), a commissioning support unit's shared inbox or, for an FOI route, a general inbox, and
when nobody has checked it for over a year (or ever said when they did). `bodies show`, `bodies
check` and `draft` say so; the letters call `doubts(body, role)`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from konpfoi.directory.bodies import Body, Contact

STALE_DAYS = 365
_SMALL = {"nhs", "and", "of", "the", "integrated", "care", "board", "icb", "for"}
_GENERAL_WORDS = ("contactus", "contact", "enquiries", "enquiry", "info", "feedback", "hello",
                  "general", "admin", "reception", "communications", "comms")


@dataclass(frozen=True)
class Doubt:
    kind: str  # stated, legacy, shared, general, stale, undated
    text: str

    @property
    def about_age(self) -> bool:
        return self.kind in ("stale", "undated")


def doubts(body: Body, role: str, today: str | None = None) -> list[str]:
    """Why the body's `role` contact may be wrong, one sentence each; empty when there is no
    such contact or nothing to doubt."""
    c = body.contact(role)
    return [d.text for d in contact_doubts(body, c, today)] if c else []


def address_doubts(body: Body, address: str, today: str | None = None) -> list[str]:
    """The doubts about whichever of the body's contacts has this address (a draft's To)."""
    c = next((c for c in body.contacts if address and address in (c.email, c.url)), None)
    return [d.text for d in contact_doubts(body, c, today)] if c else []


def contact_doubts(body: Body, c: Contact, today: str | None = None) -> list[Doubt]:
    """Every reason to doubt one contact of `body`, those about its address first."""
    out = []
    if c.doubt:
        out.append(Doubt("stated", c.doubt))
    if c.email:  # a doubt someone recorded says more than a guess from the address's words
        out += [d for d in _address(body, c)
                if not (c.doubt and d.kind in ("legacy", "general"))]
    day = dt.date.fromisoformat(today) if today else dt.date.today()
    if not c.checked:
        out.append(Doubt("undated", "nobody recorded when this address was last checked"))
    elif dt.date.fromisoformat(c.checked) < day - dt.timedelta(days=STALE_DAYS):
        out.append(Doubt("stale", f"last checked {c.checked}, over a year ago"))
    return out


def _address(body: Body, c: Contact) -> list[Doubt]:
    assert c.email is not None
    local = c.email.split("@", 1)[0].lower()
    tokens = [t for t in re.split(r"[._\-+]", local) if t]
    out = []
    if any(t == "ccg" or t.endswith("ccg") for t in tokens):
        out.append(Doubt("legacy", f"{c.email} names a CCG (CCGs closed on 1 July 2022): it may "
                                   "be a legacy inbox"))
    predecessor = _names_predecessor(body, tokens)
    if predecessor:
        out.append(Doubt("legacy", f"{c.email} names {predecessor}, which merged into this body: "
                                   "it may be a legacy inbox"))
    if any("csu" in t for t in tokens):
        out.append(Doubt("shared", f"{c.email} is a commissioning support unit's shared inbox, "
                                   "which handles requests for several bodies"))
    foi_words = any("foi" in t or "freedom" in t or "information" in t or t in ("ig", "infogov")
                    for t in tokens)
    general = any(t in _GENERAL_WORDS or t.endswith(_GENERAL_WORDS) for t in tokens)
    if c.role in ("foi", "foi-alt") and general and not foi_words:
        out.append(Doubt("general", f"{c.email} looks like a general inbox, not an FOI one"))
    return out


def _names_predecessor(body: Body, tokens: list[str]) -> str | None:
    """The old name (kept as an alias) that an address's first word spells, where the body's own
    name does not: `frimleyicb.foi` for Thames Valley, `blmkicb.contactus` for Central East."""
    if not body.predecessors or not tokens:
        return None
    word = re.sub(r"(icb|ccg|nhs|trust)$", "", tokens[0])
    if len(word) < 3:
        return None
    own = [body.name, body.short_name or ""]
    if any(word in _spellings(n) for n in own):
        return None
    return next((alias for alias in body.aliases if word in _spellings(alias)), None)


def _spellings(name: str) -> set[str]:
    """How an inbox might spell a name: each word, the words run together, their initials."""
    words = [w for w in re.findall(r"[a-z]+", name.lower()) if w not in _SMALL]
    return {*words, "".join(words), "".join(w[0] for w in words)} - {""}
