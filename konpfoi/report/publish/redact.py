"""What a published page must not say, taken out, and every removal listed (`publish --check`).

Always: the requester's and every supporter's name, email and address (and the name a reply
greets them by). A supporter's name is taken out whole ("Ann Smith", "Ann Mary Smith", "Smith,
Ann") and never by a part alone: an official who shares a surname is not a supporter. The
requester's name may also go by a part alone (replies say "Dear Ms Campaigner"), but never a
part of someone else's name. Where a private name sits inside a longer one ("Mary Ann Smith",
"Ann Smith-Jones"), or is cut to an initial ("A. Smith"), that name is not known to be theirs:
it goes as "[name removed]", never labelled. By default also officials' names (a reply's
sender, its signature, a name with a title), their direct email addresses (a body's published
addresses and role mailboxes stay) and telephone numbers; `--no-redact` leaves those, as an
explicit choice.
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

    private: dict[str, str]  # text -> requester | supporter | name (always taken out)
    names: frozenset[str] = frozenset()  # which of those are (parts of) names
    keep: frozenset[str] = frozenset()  # addresses a body publishes (left in)
    officials: bool = True  # also officials' names, direct emails and phones
    made: list[Redaction] = field(default_factory=list)

    @classmethod
    def of(cls, requester: Iterable[tuple[str, str]], supporters: Iterable[tuple[str, str]],
           keep: Iterable[str], officials: bool) -> Redactor:
        """From people's details, each (what, text) — a name (whole, as `_names_of` writes it;
        the requester's also each part of it), an email,
        an address (each line with a number or more than one word, never a lone town name;
        its postcode) — as the ledger and konpfoi.yaml hold them."""
        private: dict[str, str] = {}
        names: set[str] = set()
        for kind, details in (("supporter", supporters), ("requester", requester)):
            for what, text in details:
                if what == "name":
                    for piece, label in _names_of(str(text or ""), kind == "requester"):
                        if private.get(piece) not in ("requester", "supporter"):
                            private[piece] = label or kind
                        names.add(piece)
                    continue
                for piece in _pieces(what, str(text or "")):
                    private[piece] = kind
        return cls(private, frozenset(names), frozenset(a.lower() for a in keep), officials)

    @property
    def people(self) -> list[str]:
        """What names the requester or a supporter for certain (a document naming one is
        withheld)."""
        return [t for t, kind in self.private.items() if kind != "name"]

    def _take(self, text: str, found: str, kind: str, page: str, mark: str) -> str:
        self.made.append(Redaction(page, kind, found))
        return text.replace(found, mark)

    def private_text(self, text: str, page: str) -> str:
        """The requester's and supporters' details taken out (always): whole words, a lone
        part of a name only with its capital, and only when it is not part of another name."""
        for word in sorted(self.private, key=len, reverse=True):
            if word.lower() not in text.lower():
                continue
            kind = self.private[word]
            flags = re.I if (" " in word or "@" in word) and kind != "name" else 0
            for m in reversed(list(re.finditer(rf"(?<![\w@.]){re.escape(word)}(?![\w@])",
                                               text, flags))):
                start, end, label = m.start(), m.end(), kind
                if word in self.names:
                    wider = _whole_name(text, start, end)
                    if wider != (start, end):  # inside someone else's name: not theirs
                        if " " not in word:
                            continue  # a part alone: that name is another person's
                        (start, end), label = wider, "name"
                self.made.append(Redaction(page, label, text[start:end]))
                mark = "[name removed]" if label == "name" else f"[{label}]"
                text = text[:start] + mark + text[end:]
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
    out = []
    for line in text.splitlines():
        line = " ".join(line.split()).strip(" ,")
        if len(line) >= 3 and (" " in line or any(c.isdigit() for c in line)):
            out.append(line)
        out += [m.group(0) for m in _POSTCODE.finditer(line)]
    return out


# Capitalised words that stand beside a name without being part of it.
_BESIDE = frozenset((
    "dear", "hello", "hi", "thanks", "thank", "regards", "sincerely", "faithfully", "yours",
    "kind", "best", "warm", "many", "with", "from", "to", "cc", "re", "subject", "signed",
    "attn", "for", "and", "or", "but", "if", "as", "on", "at", "in", "by", "of", "the", "a",
    "an", "i", "we", "our", "your", "my", "this", "that", "name", "contact", "supporter",
    "requester", "member", "mp", "dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor",
    "sir", "dame", "lord", "lady", "cllr", "councillor", "rev"))
_LEFT = re.compile(r"(?:(?<=[\s(\[])|^)([A-Z][\w'’-]*\.?)[ \t]+$|[A-Za-z]-$")
_RIGHT = re.compile(r"^(?:[ \t]+([A-Z][\w'’-]*)|-[A-Za-z][\w'’-]*)")


def _joins(word: str | None) -> bool:
    """Whether a capitalised word beside a name is part of it."""
    if word is None or re.fullmatch(r"[A-Z]\.", word):  # joined by a hyphen; an initial
        return True
    return word.rstrip(".").lower() not in _BESIDE and not _NOT_A_NAME.search(word)


def _whole_name(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the name that text[start:end] is part of begins and ends: widened over the
    name words beside it."""
    while (m := _LEFT.search(text[max(0, start - 40):start])) and _joins(m.group(1)):
        start = _word_start(text, start - 1) if m.group(1) is None else start - len(m.group(0))
    while (m := _RIGHT.match(text[end:end + 40])) and _joins(m.group(1)):
        end += len(m.group(0))
    return start, end


def _word_start(text: str, i: int) -> int:
    while i > 0 and (text[i - 1].isalpha() or text[i - 1] in "'’-"):
        i -= 1
    return i


def _names_of(name: str, parts: bool) -> list[tuple[str, str | None]]:
    """How a person's name is written, each with how it is labelled (None: as theirs):
    whole, first and last only, "Last, First"; an initial and the surname (not known to be
    theirs: "[name removed]"); with `parts`, each part alone (the requester: "Ms Campaigner")."""
    name = " ".join(name.split())
    words = [w for w in name.split(" ") if w]
    if len(name) < 3 or not words:
        return []
    out: list[tuple[str, str | None]] = [(name, None)]
    if len(words) >= 2:
        first, last = words[0], words[-1]
        if len(words) > 2:
            out.append((f"{first} {last}", None))
        out.append((f"{last}, {' '.join(words[:-1])}", None))
        if first[:1].isalpha():
            out += [(f"{first[0]}. {last}", "name"), (f"{first[0]} {last}", "name")]
    if parts:
        out += [(w, None) for w in re.findall(r"[A-Za-z'’-]{3,}", name) if w[0].isupper()]
    return out


def _person(text: str) -> bool:
    text = " ".join(text.split())
    return bool(_NAME.match(text)) and not _NOT_A_NAME.search(text)
