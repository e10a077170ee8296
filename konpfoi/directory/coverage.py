"""How much of the directory a campaign can write to: per kind and nation, how many open bodies
have a usable FOI route (an email), only a web page or form, or nothing; a board route; a DPO;
and which FOI addresses are doubtful (`bodies check`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from konpfoi.directory.bodies import Body
from konpfoi.directory.doubts import contact_doubts
from konpfoi.directory.lookup import Directory

_KIND_ORDER = ("national", "icb", "trust", "hb", "lhb", "hsc", "mp")


@dataclass
class Coverage:
    kind: str
    nation: str
    bodies: int = 0
    foi_email: int = 0
    foi_page_only: int = 0
    foi_none: int = 0
    foi_doubtful: int = 0  # an FOI email with a doubt about the address itself
    board: int = 0  # a board or chair address or page
    dpo: int = 0
    general: int = 0
    page_only: list[str] = field(default_factory=list)
    nothing: list[str] = field(default_factory=list)

    @property
    def foi_applies(self) -> bool:
        return self.foi_email + self.foi_page_only + self.foi_none > 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def coverage(d: Directory, today: str | None = None) -> list[Coverage]:
    """One row per kind and nation of the open bodies, national bodies first, MPs last."""
    rows: dict[tuple[str, str], Coverage] = {}
    for b in d:
        if b.closed:
            continue
        row = rows.setdefault((b.kind, b.nation), Coverage(b.kind, b.nation))
        _count(row, b, today)
    order = {k: i for i, k in enumerate(_KIND_ORDER)}
    return sorted(rows.values(), key=lambda r: (order.get(r.kind, 99), r.kind, r.nation))


def _count(row: Coverage, b: Body, today: str | None) -> None:
    row.bodies += 1
    if any(c.role in ("board", "chair") for c in b.contacts):
        row.board += 1
    if any(c.role == "dpo" and c.email for c in b.contacts):
        row.dpo += 1
    if any(c.role == "general" and c.email for c in b.contacts):
        row.general += 1
    if b.law == "none":
        return
    foi = [c for c in b.contacts if c.role in ("foi", "foi-alt")]
    emails = [c for c in foi if c.email]
    if emails:
        row.foi_email += 1
        if any(not d.about_age for d in contact_doubts(b, emails[0], today)):
            row.foi_doubtful += 1
    elif foi:
        row.foi_page_only += 1
        row.page_only.append(b.id)
    else:
        row.foi_none += 1
        row.nothing.append(b.id)
