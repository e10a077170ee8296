"""`konpfoi bodies list|show|search`: the directory of ICBs, trusts, MPs and devolved bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, note, register, stdout

if TYPE_CHECKING:
    from konpfoi.bodies import Body

app = typer.Typer(help="List, show and search the directory of public bodies.",
                  no_args_is_help=True)

LAW_NAMES = {"foia": "FOIA 2000", "foisa": "FOISA 2002 (Scotland)", "none": "not an FOI body"}


def _table(bodies: list[Body], title: str | None = None) -> None:
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for col in ("id", "name", "region", "FOI / email"):
        table.add_column(col, overflow="fold")
    for b in bodies:
        label = b.name + (f" - {b.constituency}" if b.constituency else "")
        if b.closed:
            label += f" (closed {b.closed})"
        table.add_row(b.id, label, b.region or "", b.email or "[yellow]none known[/]")
    stdout().print(table)


def list_bodies(
    kind: Annotated[str | None, typer.Option(help="icb, trust, mp, hb, lhb, hsc, ...")] = None,
    where: Annotated[str | None, typer.Option(
        help="Filter: kind=trust,region=London,parent=icb:QKK,party=...,nation=...,tag=...")]
    = None,
    parent: Annotated[str | None, typer.Option(help="Only bodies under this one.")] = None,
    include_closed: Annotated[bool, typer.Option("--all", help="Include closed bodies.")]
    = False,
    as_json: JsonOpt = False,
) -> None:
    """List bodies in the directory, filtered by kind, region, parent, party, nation or tag."""
    from konpfoi.session import Session

    d = Session().directory
    parts = [p for p in (where, f"kind={kind}" if kind else None,
                         f"parent={d.get(parent).id}" if parent else None) if p]
    if parts:
        found = d.select(where=",".join(parts), include_closed=include_closed)
    else:
        found = [b for b in d if include_closed or not b.closed]
    if as_json:
        emit_json([b.to_dict() for b in found])
        return
    _table(found, title=f"{len(found)} bodies")


def show_body(
    body: Annotated[str, typer.Argument(help="An id such as icb:QKK, a code, or a name.")],
    as_json: JsonOpt = False,
) -> None:
    """Show one body: names, codes, contacts with their source and when they were checked."""
    from konpfoi.session import Session

    d = Session().directory
    resolved = d.resolve(body)
    if resolved.note:
        note(resolved.note)
    b = resolved.body
    if as_json:
        emit_json(b.to_dict())
        return
    from rich.markup import escape

    from konpfoi.bodies import KINDS

    con = stdout()
    con.print(f"[bold]{b.id}[/]  {escape(b.name)}")
    rows = [
        ("short name", b.short_name), ("kind", f"{KINDS.get(b.kind, b.kind)} ({b.kind})"),
        ("nation", b.nation),
        ("FOI law", LAW_NAMES.get(b.law, b.law)), ("region", b.region),
        ("parent", f"{b.parent} {d.bodies[b.parent].name}" if b.parent in d.bodies
         else b.parent),
        ("constituency", b.constituency), ("party", b.party),
        ("website", b.website),
        ("codes", ", ".join(f"{k} {v}" for k, v in b.codes.items())),
        ("aliases", "; ".join(b.aliases)),
        ("predecessors", ", ".join(b.predecessors)), ("formed", b.formed),
        ("closed", b.closed), ("successor", b.successor), ("tags", ", ".join(b.tags)),
        ("notes", b.notes), ("from", b.origin),
    ]
    for label, value in rows:
        if value:
            con.print(f"  {label:<13} {escape(str(value))}", soft_wrap=True)
    if not b.contacts:
        con.print("  [yellow]no contact known[/]: look on the body's website")
    for c in b.contacts:
        where = c.email or c.url or ""
        con.print(f"  {c.role:<13} {escape(where)}", soft_wrap=True)
        detail = "; ".join(x for x in (
            f"source {c.source}" if c.source else "", f"checked {c.checked}" if c.checked else "",
        ) if x)
        if detail:
            con.print(f"  {'':<13} [dim]{escape(detail)}[/]", soft_wrap=True)
    if b.law != "none" and not b.foi_email:
        con.print("  [yellow]no FOI email known[/]: drafting to it will say so")


def search_bodies(
    query: Annotated[str, typer.Argument(help="Part of a name, constituency or code.")],
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Find bodies by name, short name, alias, constituency or code (best match first)."""
    from konpfoi.errors import NotFound
    from konpfoi.session import Session

    d = Session().directory
    found = d.search(query, kind=kind)
    if not found:
        close = d.suggest(query)
        raise NotFound(
            f"no body matches {query!r}",
            hint=("did you mean: " + "; ".join(f"{b.id} {b.name}" for b in close)) if close
            else "try fewer words, or konpfoi bodies list",
        )
    if as_json:
        emit_json([b.to_dict() for b in found[:limit]])
        return
    more = f" (showing {limit})" if len(found) > limit else ""
    matches = "match" if len(found) == 1 else "matches"
    _table(found[:limit], title=f"{len(found)} {matches} for {query!r}{more}")


register(app, "list", list_bodies)
register(app, "show", show_body)
register(app, "search", search_bodies)
