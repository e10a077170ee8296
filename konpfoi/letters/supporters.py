"""Supporters writing to their own MP: each row of a supporters CSV becomes one letter, from the
supporter, to the MP for their constituency (found by MP id, constituency or postcode). Only
here does a letter speak as a constituent: the signer's constituency is the MP's.

What konpfoi keeps of a supporter is what their letter needs: their name and email (on the
item), their address if given (in the letter); a postcode only finds their MP, and a GP
practice only goes in their pack. A file with a column for a date of birth or an NHS number
is refused: those are the supporter's to write in, never ours to hold. Someone who asked to
be left out (`supporters forget`) is skipped, whatever file names them again."""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from konpfoi.directory.bodies import Body
from konpfoi.directory.lookup import Directory, normalise
from konpfoi.errors import InvalidInput
from konpfoi.ledger.model import left_out_digest
from konpfoi.letters import drafting
from konpfoi.letters.addressing import Sender
from konpfoi.letters.campaigns import Plan, Skip
from konpfoi.workspace.tables import csv_rows
from konpfoi.workspace.yamlfile import is_email

SUPPORTER_COLUMNS = ("name", "email")
# Columns that would hold a supporter's own sensitive data: never read, never kept.
SENSITIVE = re.compile(r"(dob|d\.o\.b\.?|date[ _-]*of[ _-]*birth|birth[ _-]*date|birthday|born|"
                       r"(nhs|chi)([ _-]*(no\.?|num|number|id))?)", re.I)
GP_COLUMNS = ("gp_practice", "gp practice", "gp", "practice")


def plan_supporters(d: Directory, path: Path, done: set[tuple[str, str | None]],
                    postcodes: Path | None = None, left_out: Collection[str] = ()) -> Plan:
    """Each supporter writes to their own MP, found by MP id, constituency or postcode.

    Every row is checked first; a row that cannot be placed is an error naming the row.
    """
    rows = list(csv_rows(path, required=SUPPORTER_COLUMNS, row_like=_looks_like_a_supporter))
    if not rows:
        raise InvalidInput(f"{path}: no supporters in the file")
    cols = set(rows[0][1])
    sensitive = sorted(c for c in cols if SENSITIVE.fullmatch(c))
    if sensitive:
        raise InvalidInput(f"{path}:1: column {sensitive[0]!r} would hold a supporter's date "
                           "of birth or NHS number, which konpfoi never reads or keeps",
                           hint="delete the column: supporters fill these in themselves, on "
                                "their own letter")
    gp_col = next((c for c in GP_COLUMNS if c in cols), None)
    if not cols & {"mp", "constituency", "postcode"}:
        raise InvalidInput(f"{path}:1: needs a column mp, constituency or postcode",
                           hint="columns: name, email, and mp (id), constituency or postcode; "
                                "optional: personal, address, gp_practice")
    lookup = _postcode_lookup(postcodes) if postcodes else None
    seats = _seats(d)
    plan = Plan()
    seen: dict[tuple[str, str], int] = {}
    for n, row in rows:
        name, email = row["name"], row["email"]
        if not name or any(ch in name for ch in "\r\n"):
            raise InvalidInput(f"{path}:{n}: a supporter needs a name (on one line)")
        if not is_email(email):
            raise InvalidInput(f"{path}:{n}: not an email address: {email!r}")
        if left_out_digest(email) in left_out:
            plan.skipped.append(Skip(f"row {n}", "asked to be left out (supporters forget)"))
            continue
        mp = _their_mp(d, seats, row, lookup, f"{path}:{n}")
        first = seen.setdefault((mp.id, email.lower()), n)
        if first != n:
            plan.skipped.append(Skip(f"{path.name}:{n} {email} -> {mp.id}",
                                     f"a duplicate of row {first} (the same supporter and MP); "
                                     "one letter each", warning=True))
            continue
        if (mp.id, email) in done:
            plan.skipped.append(Skip(f"{email} -> {mp.id}", "already drafted in this campaign"))
            continue
        sender = Sender(name=name, email=email, address=row.get("address") or None)
        extra = {"personal": row.get("personal") or ""}
        if gp_col and row.get(gp_col):
            extra["gp_practice"] = " ".join(row[gp_col].split())
        plan.targets.append(drafting.Target(mp, sender=sender, extra=extra))
    return plan


def _looks_like_a_supporter(fields: list[str]) -> bool:
    """A line, inside a field, that holds someone's email address among other fields: a row
    swallowed by a quote left open (a paragraph rarely has an address on its own)."""
    return len(fields) >= 2 and any(is_email(f.strip()) for f in fields)


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

        # A seat named in part ("Leeds Central", now "Leeds Central and Headingley") first,
        # then one spelt nearly the same.
        words = normalise(seat).split()
        close = [k for k in seats if set(words) <= set(k.split())][:3] or \
            difflib.get_close_matches(normalise(seat), list(seats), n=3, cutoff=0.6)
        raise InvalidInput(f"{where}: no MP for constituency {seat!r}",
                           hint="did you mean " + " or ".join(seats[k].constituency or k
                                                              for k in close) + "?" if close
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
