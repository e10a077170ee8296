"""What a published page must not say, taken out, and every removal listed (`publish --check`).

Always: the requester's and every supporter's name, email and address (and the name a reply
greets them by). By default also officials' names (a reply's sender, its signature, a name
with a title), their direct email addresses (a body's published addresses and role mailboxes
stay) and telephone numbers; `--no-redact` leaves those, as an explicit choice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w/])(?:\+44\s?\(?0?\)?\s?|\(?0)\d[\d\s()-]{7,14}\d(?![\w/])")
_ROLE = re.compile(r"^(foi|foia|freedom|info|information|enquir|contact|governance|ig\b|dpo|data|"
                   r"pals|press|media|comms|communications|board|secretary|corporate|office|"
                   r"admin|requests?|complaints|feedback|patient|customer|service|team|"
                   r"england|nhs|hello|general|help|mailbox|ics|icb)", re.I)
_TITLE = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Sir|Dame)\.? "
                    r"(?:[A-Z][a-z'’-]+ ){0,2}[A-Z][a-z'’-]+")
_CLOSING = re.compile(r"^\s*(yours (sincerely|faithfully|truly)|(kind|best|warm|many) "
                      r"(regards|wishes|thanks)|regards|best|thanks|thank you|with thanks),?\s*$",
                      re.I)
_NAME = re.compile(r"^(?:(?:Dr|Mr|Mrs|Ms|Miss|Prof)\.? )?[A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+"
                   r"| [A-Z]\.?){1,3}$")
_NOT_A_NAME = re.compile(r"\b(NHS|Trust|Team|Office|Officer|Information|Governance|Board|ICB|"
                         r"Integrated|Care|Foundation|Council|Department|Service|Services|"
                         r"Freedom|Manager|Lead|Head|Director|Secretary|Hospital|University|"
                         r"Unit|Group|Directorate|Corporate|Requests?)\b")
_GREETING = re.compile(r"(?im)^(\s*(?:dear|hello|hi)\s+)([^,\n]{1,60})(,?)")
_ANONYMOUS = re.compile(r"^(sir|madam|sir/madam|sir or madam|requester|applicant|colleague|"
                        r"all|team|enquirer)s?$", re.I)


@dataclass(frozen=True)
class Redaction:
    page: str  # the published file it was taken out of
    kind: str  # requester, supporter, name, email, phone
    text: str  # what was taken out: shown by --check, never published


@dataclass
class Redactor:
    """Takes out personal data, and remembers each removal."""

    private: dict[str, str]  # text -> requester | supporter (always taken out)
    keep: frozenset[str] = frozenset()  # addresses a body publishes (left in)
    officials: bool = True  # also officials' names, direct emails and phones
    made: list[Redaction] = field(default_factory=list)

    @classmethod
    def of(cls, requester: Iterable[tuple[str, str]], supporters: Iterable[tuple[str, str]],
           keep: Iterable[str], officials: bool) -> Redactor:
        """From people's details, each (what, text) — a name (and each part of it), an email,
        an address (each line with a number or more than one word, never a lone town name;
        its postcode) — as the ledger and konpfoi.yaml hold them."""
        private: dict[str, str] = {}
        for kind, details in (("supporter", supporters), ("requester", requester)):
            for what, text in details:
                for piece in _pieces(what, str(text or "")):
                    private[piece] = kind
        return cls(private, frozenset(a.lower() for a in keep), officials)

    def _take(self, text: str, found: str, kind: str, page: str, mark: str) -> str:
        self.made.append(Redaction(page, kind, found))
        return text.replace(found, mark)

    def private_text(self, text: str, page: str) -> str:
        """The requester's and supporters' details taken out (always): whole words, a lone
        part of a name only with its capital."""
        for word in sorted(self.private, key=len, reverse=True):
            if word.lower() not in text.lower():
                continue
            flags = 0 if " " not in word and "@" not in word else re.I
            for m in list(re.finditer(rf"(?<![\w@.]){re.escape(word)}(?![\w@])", text, flags)):
                text = self._take(text, m.group(0), self.private[word], page,
                                  f"[{self.private[word]}]")
        return text

    def reply_text(self, text: str, page: str, sender_name: str | None = None) -> str:
        """A body's reply as it may be published: the requester's details, and (by default)
        officials' names, direct addresses and phone numbers, taken out."""
        text = self.private_text(text, page)
        for m in list(_GREETING.finditer(text)):
            who = m.group(2).strip()
            if who and not _ANONYMOUS.match(who) and "[" not in who:
                text = self._take(text, m.group(0), "requester", page,
                                  f"{m.group(1)}[requester]{m.group(3)}")
        if not self.officials:
            return text
        for address in dict.fromkeys(_EMAIL.findall(text)):
            local = address.split("@")[0]
            if address.lower() not in self.keep and not _ROLE.match(local):
                text = self._take(text, address, "email", page, "[email removed]")
        for m in list(_PHONE.finditer(text)):
            if 10 <= sum(c.isdigit() for c in m.group(0)) <= 13:
                text = self._take(text, m.group(0), "phone", page, "[phone removed]")
        for name in self._names(text, sender_name):
            text = self._take(text, name, "name", page, "[name removed]")
        return text

    def _names(self, text: str, sender_name: str | None) -> list[str]:
        """Officials' names: the sender's, the lines signed under a closing, a titled name."""
        found = []
        if sender_name and _person(sender_name):
            found.append(sender_name.strip())
        lines = text.splitlines()
        for n, line in enumerate(lines):
            if _CLOSING.match(line):
                following = [x.strip() for x in lines[n + 1:n + 4] if x.strip()][:2]
                found += [x for x in following if _person(x)]
        found += [m.group(0) for m in _TITLE.finditer(text)]
        return sorted(dict.fromkeys(f for f in found if f in text), key=len, reverse=True)


_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", re.I)


def _pieces(what: str, text: str) -> list[str]:
    """What of one detail must never be published."""
    text = text.strip()
    if what == "email":
        return [text] if "@" in text else []
    if what == "name":
        name = " ".join(text.split())
        return ([name] if len(name) >= 3 else []) + [
            w for w in re.findall(r"[A-Za-z'’-]{3,}", name) if w[0].isupper()]
    out = []
    for line in text.splitlines():
        line = " ".join(line.split()).strip(" ,")
        if len(line) >= 3 and (" " in line or any(c.isdigit() for c in line)):
            out.append(line)
        out += [m.group(0) for m in _POSTCODE.finditer(line)]
    return out


def _person(text: str) -> bool:
    text = " ".join(text.split())
    return bool(_NAME.match(text)) and not _NOT_A_NAME.search(text)
