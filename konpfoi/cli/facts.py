"""`konpfoi facts set|list|export|import`: the FDP register — which bodies use Palantir's
Federated Data Platform, with the evidence for each claim."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from konpfoi.cli.common import JsonOpt, emit_json, note, register, stdout, warn

if TYPE_CHECKING:
    from konpfoi.tracking.register import BodyFacts

app = typer.Typer(help="The FDP register: which bodies use the Federated Data Platform, and "
                       "the evidence for each claim.", no_args_is_help=True)


def known_facts(s):  # type: ignore[no-untyped-def]
    """The register as it stands (empty, and no ledger made, before anything was recorded)."""
    from konpfoi.tracking import register as reg

    if not s.ws.ledger_exists():
        return {}
    with s.ledger(create=False) as ledger:
        return reg.load(ledger)


def fact_lines(bf: BodyFacts) -> list[tuple[str, str]]:
    """(label, text) lines for a body's facts: each value with the claims behind it; a
    conflict shows every claim."""
    from konpfoi.tracking.register import KEYS, STATUSES

    out = []
    for key in KEYS:
        s = bf.keys.get(key)
        if s is None:
            continue
        value = "CONFLICT" if s.conflict else (STATUSES.get(s.value or "", s.value) if key ==
                                               "fdp" else s.value)
        out.append((KEYS[key], str(value)))
        for c in s.claims:
            said = f' "{c.note}"' if c.note else ""
            shown = STATUSES.get(c.value, c.value) if s.conflict else ""
            out.append(("", f"{shown + ': ' if shown else ''}{c.source}{said}, checked "
                            f"{c.checked}" + (" (settled)" if c.settles else "")))
    return out


def facts_json(bf: BodyFacts | None) -> dict[str, Any]:
    """A body's facts as data: its FDP status, and each fact with the claims behind it."""
    from dataclasses import asdict

    if bf is None:
        return {"status": "unknown"}
    return {"status": bf.status, **{
        key: {"value": s.value, "conflict": s.conflict,
              "claims": [asdict(c) for c in s.claims]} for key, s in bf.keys.items()}}


def set_facts(
    body: Annotated[str, typer.Argument(metavar="BODY",
                                        help="An id such as trust:RJ1, a code, or a name.")],
    pairs: Annotated[list[str], typer.Argument(
        metavar="FACT=VALUE...", help="fdp=in-use|signed-up|not-in-use|declined|unknown, "
        "fdp-products=TEXT, fdp-since=YYYY-MM.")],
    source: Annotated[str, typer.Option(
        help="Where it came from: a URL (board paper, privacy notice, news item) or a coded "
             "FOI answer, K-0042:Q1.")],
    date: Annotated[str | None, typer.Option(help="The day it was checked (default today).")]
    = None,
    note_text: Annotated[str | None, typer.Option("--note", help="What the source says.")]
    = None,
    settle: Annotated[bool, typer.Option(
        "--settle", help="This claim settles the question: earlier claims give way to it.")]
    = False,
    as_json: JsonOpt = False,
) -> None:
    """Record facts about a body, with their source and the day they were checked.

    A claim never overwrites another: one that disagrees with a claim from another source
    shows both as a conflict until one is recorded with --settle.
    """
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.law.dates import parse_date
    from konpfoi.tracking import register as reg

    s = Context()
    b = s.directory.resolve(body).body
    today = dt.date.today()
    day = parse_date(date, "--date") if date else today
    if day > today:
        from konpfoi.errors import InvalidInput

        raise InvalidInput(f"--date {day} is in the future", hint="give the day you checked it")
    with s.ledger() as ledger:
        bf = reg.set_facts(ledger, b.id, pairs, source, day, note=note_text, settle=settle)
    if as_json:
        emit_json({"body": b.id, "facts": facts_json(bf)})
        return
    con = stdout()
    con.print(f"{b.id} {b.name}", soft_wrap=True)
    _print_lines(fact_lines(bf))
    for st in bf.keys.values():
        if st.conflict:
            warn(f"claims about {b.id} disagree: settle it with konpfoi facts set {b.id} "
                 f"{st.key}=VALUE --source ... --settle")


def _print_lines(lines: list[tuple[str, str]]) -> None:
    from rich.markup import escape

    con = stdout()
    for label, text in lines:
        con.print(f"  {label:<19} {escape(text)}", soft_wrap=True)


def list_facts(
    where: Annotated[str | None, typer.Option(
        help="Filter bodies: fdp=in-use,kind=trust,region=London ...")] = None,
    conflicts: Annotated[bool, typer.Option("--conflicts", help="Only bodies in conflict.")]
    = False,
    as_json: JsonOpt = False,
) -> None:
    """List the bodies the register knows something about, with their FDP status."""
    from konpfoi.context import Context
    from konpfoi.tracking import register as reg

    s = Context()
    known = known_facts(s)
    d = s.directory
    chosen = d.select(where=where, extra=reg.where_filters(known), include_closed=True) \
        if where else [d.bodies[b] for b in known if b in d.bodies]
    rows = [(b, known.get(b.id)) for b in chosen if b.id in known or where]
    if conflicts:
        rows = [(b, bf) for b, bf in rows if bf and any(x.conflict for x in bf.keys.values())]
    if as_json:
        emit_json([{"body": b.id, "name": b.name, "region": b.region,
                    "facts": facts_json(bf)} for b, bf in rows])
        return
    if not rows:
        note("nothing in the register yet: konpfoi facts set BODY fdp=STATUS --source URL, "
             "or code a palantir-fdp reply (konpfoi code ID)" if not known
             else "no body in the register matches")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(rows)} bod{'y' if len(rows) == 1 else 'ies'}",
                  header_style="bold")
    for col in ("id", "name", "FDP", "since", "products", "evidence"):
        table.add_column(col, overflow="fold")
    for b, bf in rows:
        status = bf.status if bf else "unknown"
        claims = bf.keys["fdp"].claims if bf and "fdp" in bf.keys else []
        table.add_row(b.id, escape(b.name), reg.STATUSES.get(status, status),
                      (bf.value("fdp-since") or "") if bf else "",
                      escape((bf.value("fdp-products") or "") if bf else ""),
                      escape("; ".join(c.source for c in claims)))
    stdout().print(table)


def export_facts(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="The CSV file to write.")],
) -> None:
    """Write every claim in the register, with its evidence, to a CSV file to share."""
    from konpfoi.context import Context
    from konpfoi.tracking import register_csv

    s = Context()
    with s.ledger() as ledger:
        n = register_csv.export(ledger, path, s.config.group.name)
    stdout().print(f"Wrote {n} claim{'s' if n != 1 else ''} to {path}")


def import_facts(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="A CSV from facts export.")],
    as_json: JsonOpt = False,
) -> None:
    """Add the claims in a CSV file (another group's export) to the register.

    Claims already held are skipped; none is overwritten; disagreements show as conflicts.
    """
    from konpfoi.context import Context
    from konpfoi.tracking import register_csv

    s = Context()
    with s.ledger() as ledger:
        got = register_csv.import_file(ledger, path, set(s.directory.bodies))
    if as_json:
        emit_json(got.__dict__)
        return
    stdout().print(f"Added {got.added}, already held {got.skipped}.")
    if got.unknown_bodies:
        warn("bodies not in your directory: " + ", ".join(sorted(set(got.unknown_bodies))))
    for body_id in got.conflicts:
        warn(f"{body_id}: claims disagree (konpfoi bodies show {body_id})")


register(app, "set", set_facts)
register(app, "list", list_facts)
register(app, "export", export_facts)
register(app, "import", import_facts)
