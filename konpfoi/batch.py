"""Batch campaigns: every ICB, every trust in a region, every MP, or each supporter's own MP —
each drafted once, and never twice however often the batch is run."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi import drafting
from konpfoi.directory.bodies import Body
from konpfoi.directory.lookup import Directory, normalise
from konpfoi.errors import InvalidInput, NotFound
from konpfoi.ledger.model import Item
from konpfoi.workspace.tables import csv_rows
from konpfoi.workspace.yamlfile import is_email


@dataclass(frozen=True)
class Skip:
    target: str
    reason: str


@dataclass
class Plan:
    targets: list[drafting.Target] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)


def plan_bodies(d: Directory, done: set[tuple[str, str | None]], template_kind: str,
                to: list[str] | None, where: str | None) -> Plan:
    """One target per selected body; closed bodies, bodies with no address and bodies already
    drafted in this campaign are skipped, each with its reason."""
    plan = Plan()
    already = {body for body, _ in done}
    for b in d.select(to=to, where=where, include_closed=True):
        if b.closed:
            plan.skipped.append(Skip(b.id, f"closed body (closed {b.closed}"
                                     + (f"; successor {b.successor})" if b.successor else ")")))
        elif b.id in already:
            plan.skipped.append(Skip(b.id, "already drafted in this campaign"))
        else:
            try:
                drafting.recipient(b, template_kind)
            except NotFound as exc:
                plan.skipped.append(Skip(b.id, f"no address ({exc.hint})"))
                continue
            plan.targets.append(drafting.Target(b))
    return plan


SUPPORTER_COLUMNS = ("name", "email")


def plan_supporters(d: Directory, path: Path, done: set[tuple[str, str | None]],
                    postcodes: Path | None = None) -> Plan:
    """Each supporter writes to their own MP, found by MP id, constituency or postcode.

    Every row is checked first; a row that cannot be placed is an error naming the row.
    """
    rows = list(csv_rows(path, required=SUPPORTER_COLUMNS))
    if not rows:
        raise InvalidInput(f"{path}: no supporters in the file")
    cols = set(rows[0][1])
    if not cols & {"mp", "constituency", "postcode"}:
        raise InvalidInput(f"{path}:1: needs a column mp, constituency or postcode",
                           hint="columns: name, email, and mp (id), constituency or postcode; "
                                "optional: personal, address")
    lookup = _postcode_lookup(postcodes) if postcodes else None
    seats = _seats(d)
    plan = Plan()
    for n, row in rows:
        name, email = row["name"], row["email"]
        if not name or any(ch in name for ch in "\r\n"):
            raise InvalidInput(f"{path}:{n}: a supporter needs a name (on one line)")
        if not is_email(email):
            raise InvalidInput(f"{path}:{n}: not an email address: {email!r}")
        mp = _their_mp(d, seats, row, lookup, f"{path}:{n}")
        if (mp.id, email) in done:
            plan.skipped.append(Skip(f"{email} -> {mp.id}", "already drafted in this campaign"))
            continue
        sender = drafting.Sender(name=name, email=email, address=row.get("address") or None)
        plan.targets.append(drafting.Target(mp, sender=sender,
                                            extra={"personal": row.get("personal") or ""}))
    return plan


def _seats(d: Directory) -> dict[str, Body]:
    out = {}
    for b in d:
        if b.kind == "mp" and not b.closed:
            for key in (b.constituency, b.codes.get("ons")):
                if key:
                    out[normalise(key)] = b
    return out


def _their_mp(d: Directory, seats: dict[str, Body], row: dict[str, str],
              lookup: dict[str, str] | None, where: str) -> Body:
    if row.get("mp"):
        ref = row["mp"] if row["mp"].startswith("mp:") else f"mp:{row['mp']}"
        if ref not in d.bodies or d.bodies[ref].kind != "mp":
            raise InvalidInput(f"{where}: no MP with id {row['mp']!r}")
        return d.resolve(ref).body
    seat = row.get("constituency")
    if not seat and row.get("postcode"):
        if lookup is None:
            raise InvalidInput(f"{where}: a postcode needs a postcode lookup file",
                               hint="add a constituency column, or pass --postcodes with the "
                                    "ONS postcode directory (columns pcds and pcon)")
        seat = lookup.get(_postcode_key(row["postcode"]))
        if not seat:
            raise InvalidInput(f"{where}: postcode {row['postcode']!r} is not in the lookup")
    if not seat:
        raise InvalidInput(f"{where}: no mp, constituency or postcode given")
    mp = seats.get(normalise(seat))
    if mp is None:
        import difflib

        close = difflib.get_close_matches(normalise(seat), list(seats), n=1, cutoff=0.6)
        raise InvalidInput(f"{where}: no MP for constituency {seat!r}",
                           hint=f"did you mean {seats[close[0]].constituency}?" if close
                           else "check the spelling against konpfoi bodies search")
    return mp


def _postcode_key(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def _postcode_lookup(path: Path) -> dict[str, str]:
    out = {}
    for _, row in csv_rows(path):
        pc = row.get("pcds") or row.get("pcd") or row.get("postcode")
        seat = row.get("pcon") or row.get("pcon24cd") or row.get("constituency")
        if pc and seat:
            out[_postcode_key(pc)] = seat
    if not out:
        raise InvalidInput(f"{path}: no postcodes found",
                           hint="expected columns pcds (or postcode) and pcon (or constituency)")
    return out


def campaign_keys(items: list[Item]) -> set[tuple[str, str | None]]:
    """What a campaign has drafted already: (body, sender) pairs."""
    return {(i.body_id, i.sender_email) for i in items}


# -- identical letters --------------------------------------------------------------------------


def _shingles(text: str, k: int = 3) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i:i + k]) for i in range(max(1, len(words) - k + 1))}


def similarity(texts: list[str], sample: int = 40) -> float | None:
    """The median likeness (Jaccard of word triples) of pairs of letters, 0 to 1."""
    if len(texts) < 2:
        return None
    step = max(1, len(texts) // sample)
    picked = [_shingles(t) for t in texts[::step][:sample]]
    scores = [len(a & b) / len(a | b) for i, a in enumerate(picked) for b in picked[i + 1:]
              if a | b]
    return statistics.median(scores) if scores else None


def identical_warning(score: float | None, personal: bool, threshold: float = 0.8
                      ) -> str | None:
    if score is None or score < threshold or personal:
        return None
    return (f"these letters are {score:.0%} alike: MPs' offices (and WriteToThem) treat "
            "near-identical letters as a mass mailing and may not answer them. Add a "
            "personal paragraph (a 'personal' column in the supporters CSV) or write your own")


# -- s.12 aggregation ---------------------------------------------------------------------------


def _words(items: list[dict[str, Any]]) -> set[str]:
    return set(re.findall(r"[a-z]{4,}", " ".join(q.get("text", "") for q in items).lower()))


def aggregation_warnings(targets: list[drafting.Target], earlier: list[Item],
                         sent_dates: dict[str, dt.date], set_id: str | None,
                         questions: list[dict[str, Any]], cal: Any, today: dt.date
                         ) -> list[str]:
    """Earlier similar FOI requests from this workspace to the same bodies within 60 working
    days: a body may add them together and refuse on cost (FOIA s.12)."""
    from konpfoi.law.aggregation import Earlier, aggregation_conflicts

    mine = _words(questions)
    by_body: dict[str, list[Earlier]] = {}
    for item in earlier:
        if item.kind == "email":
            continue
        theirs = item.questions
        alike = (set_id is not None and item.question_set == set_id) or (
            bool(mine) and len(mine & _words(theirs)) / max(1, len(mine | _words(theirs)))
            >= 0.5)
        day = sent_dates.get(item.id) or dt.date.fromisoformat(item.created_at[:10])
        by_body.setdefault(item.body_id, []).append(Earlier(item.id, day, alike))
    out = []
    for t in targets:
        hits = aggregation_conflicts(today, by_body.get(t.body.id, []), cal)
        if hits:
            e, gap = hits[0]
            out.append(f"{t.body.id} {t.body.display_name}: a similar request ({e.item_id}, "
                       f"{e.date}) is {gap} working days old; within 60 working days the "
                       "body may add the two together and refuse on cost (FOIA s.12)")
    return out
