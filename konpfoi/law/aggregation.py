"""The one rule for requests that overlap or repeat, used by `draft`, `batch` and `send` alike.

- **Aggregation (cost limit).** A public authority may add together the cost of two or more
  requests "for information which is, to any extent, the same or similar", made by one person
  or by "different persons who appear to the public authority to be acting in concert or in
  pursuance of a campaign", when they are received within any period of 60 consecutive working
  days, and refuse them all on cost: FOIA s.12(4) and the Freedom of Information and Data
  Protection (Appropriate Limit and Fees) Regulations 2004 (SI 2004/3244) reg 5; FOISA s.12(2)
  in Scotland; for the EIR the ICO lets authorities weigh the combined burden under reg
  12(4)(b) (manifestly unreasonable). The days are counted from the day each request was
  SENT (an email is received the day it is sent): an unsent draft has no date yet.
- **Repeated request.** An authority need not comply with a request "identical or substantially
  similar" to an earlier one from the same person that it has complied with, "unless a
  reasonable interval has elapsed" (FOIA s.14(2); FOISA s.14(2)). The ICO's guidance ("Dealing
  with repeat requests") says the interval depends on how likely the information is to have
  changed; konpfoi's default is 12 months (`letters: repeat_months`), a campaign's choice.
- **Not yet sent.** The same request to the same body drafted and not sent is a double send
  waiting to happen.

The likeness of two requests is the share of their word triples they have in common (Jaccard
of 3-word shingles), shown as a percentage: 100% is the same text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from konpfoi.law.dates import add_months
from konpfoi.law.workdays import Calendar

WINDOW = 60  # consecutive working days (Fees Regulations reg 5(2))
SIMILAR = 0.4  # "to any extent, the same or similar": a share of word triples this large
REPEATED = 0.9  # "identical or substantially similar"
REPEAT_MONTHS = 12  # konpfoi's default "reasonable interval" (configurable)


def shingles(text: str, k: int = 3) -> frozenset[tuple[str, ...]]:
    """The word triples of a text, lower-cased, punctuation ignored."""
    words = re.findall(r"[a-z0-9']+", text.lower())
    if k == 3 and len(words) >= 3:
        return frozenset(zip(words, words[1:], words[2:], strict=False))
    return frozenset(tuple(words[i:i + k]) for i in range(max(1, len(words) - k + 1)))


def likeness(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    """0 (nothing shared) to 1 (the same words in the same order)."""
    shared = len(a & b)
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


@dataclass(frozen=True)
class Earlier:
    """An earlier request to the same body, as the ledger holds it."""

    item_id: str
    words: frozenset[tuple[str, ...]]  # shingles of its questions
    drafted: dt.date
    sent: dt.date | None  # None: drafted, not sent
    complied: dt.date | None = None  # answered (or said not held): s.14(2) may apply


@dataclass(frozen=True)
class Overlap:
    earlier: Earlier
    rule: str  # "s.12", "s.14(2)" or "unsent"
    score: float
    days: int | None  # working days from its sending to the new request's day
    clear: dt.date | None = None  # the first day the rule no longer applies

    def describe(self) -> str:
        """One line: the earlier item, its dates, the likeness and the rule."""
        e = self.earlier
        alike = f"{self.score:.0%} alike"
        if self.rule == "unsent":
            return (f"{e.item_id} (drafted {e.drafted}, not sent) is the same request to this "
                    f"body ({alike}): sending both would send it twice")
        since = f"sent {e.sent}, {self.days} working day{'s' if self.days != 1 else ''} ago"
        if self.rule == "s.14(2)":
            return (f"{e.item_id} ({since}, answered {e.complied}) asked the same ({alike}): a "
                    "body need not answer a repeated request until a reasonable interval has "
                    f"passed (FOIA s.14(2)); konpfoi warns until {self.clear} (letters: "
                    "repeat_months)")
        return (f"{e.item_id} ({since}) asked for similar information ({alike}): requests "
                f"within {WINDOW} working days may be added together and refused on cost "
                f"(FOIA s.12; Fees Regulations reg 5); from {self.clear} a new one falls "
                "outside that window")


def overlaps(words: frozenset[tuple[str, ...]], day: dt.date, earlier: Iterable[Earlier],
             cal: Calendar, *, repeat_months: int = REPEAT_MONTHS) -> list[Overlap]:
    """What a request with these `words`, sent on `day`, overlaps among earlier requests to the
    same body: repeats first, then aggregation by nearness, then unsent drafts."""
    out = []
    for e in earlier:
        score = likeness(words, e.words)
        if e.sent is None:
            if score >= REPEATED:
                out.append(Overlap(e, "unsent", score, None))
            continue
        days = cal.count(e.sent, day)
        if score >= REPEATED and e.complied is not None \
                and day < add_months(e.complied, repeat_months):
            out.append(Overlap(e, "s.14(2)", score, days,
                               add_months(e.complied, repeat_months)))
        elif score >= SIMILAR and 0 <= days < WINDOW:
            out.append(Overlap(e, "s.12", score, days, cal.add(e.sent, WINDOW)))
    order = {"s.14(2)": 0, "s.12": 1, "unsent": 2}
    return sorted(out, key=lambda o: (order[o.rule], o.days if o.days is not None else 0))
