"""`konpfoi bodies list|show|search|check`: the directory of national bodies, ICBs, trusts, devolved
bodies and MPs; `import`, `set`, `add`, `note` and sharing changes live beside it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from konpfoi.cli.bodies_edit import (
    add_body,
    export_changes,
    import_changes,
    note_body,
    set_contact,
)
from konpfoi.cli.bodies_import import import_bodies
from konpfoi.cli.common import JsonOpt, emit_json, note, register, stdout

if TYPE_CHECKING:
    from konpfoi.directory.bodies import Body

app = typer.Typer(help="List, show, search, check, refresh and correct the directory of public "
                       "bodies.",
                  no_args_is_help=True)

LAW_NAMES = {"foia": "FOIA 2000", "foisa": "FOISA 2002 (Scotland)", "none": "not an FOI body"}


def _table(bodies: list[Body], title: str | None = None) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title) if title else None, show_lines=False,
                  header_style="bold")
    for col in ("id", "name", "region", "FOI / email"):
        table.add_column(col, overflow="fold")
    for b in bodies:
        label = b.name + (f" - {b.constituency}" if b.constituency else "")
        if b.closed:
            label += f" (closed {b.closed})"
        page = next((c.url for c in b.contacts if c.role in ("foi", "foi-alt") and c.url), None)
        table.add_row(escape(b.id), escape(label), escape(b.region or ""),
                      escape(b.email or (f"page: {page}" if page else "")) or
                      "[yellow]none known[/]")
    stdout().print(table)


def list_bodies(
    kind: Annotated[str | None, typer.Option(
        help="national, icb, trust, mp, hb, lhb, hsc, ...")] = None,
    where: Annotated[str | None, typer.Option(
        help="Filter: kind=trust,region=London,parent=icb:QKK,party=Labour,nation=...,tag=...")]
    = None,
    parent: Annotated[str | None, typer.Option(help="Only bodies under this one.")] = None,
    nation: Annotated[str | None, typer.Option(
        help="england, wales, scotland, northern-ireland or uk (UK-wide bodies).")] = None,
    include_closed: Annotated[bool, typer.Option("--all", help="Include closed bodies.")]
    = False,
    as_json: JsonOpt = False,
) -> None:
    """List bodies, filtered by kind, nation, region, parent, party or tag."""
    from konpfoi.cli.facts import known_facts
    from konpfoi.context import Context
    from konpfoi.tracking import register as reg

    s = Context()
    d = s.directory
    parts = [p for p in (where, f"kind={kind}" if kind else None,
                         f"nation={nation}" if nation else None,
                         f"parent={d.get(parent).id}" if parent else None) if p]
    if parts:
        found = d.select(where=",".join(parts), include_closed=include_closed,
                         extra=reg.where_filters(known_facts(s) if "fdp" in (where or "")
                                                 else {}))
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
    """Show one body, its contacts and where they came from."""
    import datetime as dt

    from konpfoi.context import Context

    s = Context()
    d = s.directory
    resolved = d.resolve(body, follow_closed=False)
    if resolved.body.closed:
        note(f"{resolved.body.id} closed on {resolved.body.closed}"
             + (f"; its successor is {resolved.body.successor}" if resolved.body.successor
                else ""))
    if resolved.note:
        note(resolved.note)
    b = resolved.body
    from konpfoi.cli.facts import fact_lines, facts_json, known_facts

    bf = known_facts(s).get(b.id)
    if as_json:
        emit_json({**b.to_dict(), "facts": facts_json(bf)})
        return
    from rich.markup import escape

    from konpfoi.directory.bodies import KINDS
    from konpfoi.directory.doubts import contact_doubts
    from konpfoi.directory.routes import missing_hint
    from konpfoi.workspace.config import UK_WIDE

    con = stdout()
    con.print(f"[bold]{escape(b.id)}[/]  {escape(b.name)}", soft_wrap=True)
    mine = str(s.ws.bodies_overlay)
    rows = [
        ("short name", b.short_name), ("kind", f"{KINDS.get(b.kind, b.kind)} ({b.kind})"),
        ("nation", "UK-wide" if b.nation == UK_WIDE else b.nation),
        ("FOI law", LAW_NAMES.get(b.law, b.law)), ("region", b.region),
        ("parent", f"{b.parent} {d.bodies[b.parent].name}" if b.parent in d.bodies
         else b.parent),
        ("constituency", b.constituency), ("party", b.party),
        ("website", b.website),
        ("codes", ", ".join(f"{k} {v}" for k, v in b.codes.items())),
        ("aliases", "; ".join(b.aliases)),
        ("predecessors", ", ".join(b.predecessors)), ("formed", b.formed),
        ("closed", b.closed), ("successor", b.successor), ("tags", ", ".join(b.tags)),
        ("notes", b.notes), ("your notes", b.own_notes),
        ("from", b.origin + (" (added by you)" if b.defined_in == mine else "")),
    ]
    for label, value in rows:
        if value:
            con.print(f"  {label:<13} {escape(str(value))}", soft_wrap=True)
    if not b.contacts:
        con.print("  [yellow]no contact known[/]: look on the body's website")
    today = dt.date.today().isoformat()
    for c in b.contacts:
        own = " [bold](your change)[/]" if c.origin == mine else ""
        con.print(f"  {escape(f'{c.role:<13}')} {escape(c.where)}{own}", soft_wrap=True)
        detail = "; ".join(x for x in (
            f"source {c.source}" if c.source else "", f"checked {c.checked}" if c.checked else "",
        ) if x)
        for line in (detail, c.note or ""):
            if line:
                con.print(f"  {'':<13} [dim]{escape(line)}[/]", soft_wrap=True)
        for doubt in contact_doubts(b, c, today):
            con.print(f"  {'':<13} [yellow]doubt:[/] {escape(doubt.text)}", soft_wrap=True)
    if b.kind in ("icb", "trust"):
        lines = fact_lines(bf) if bf else [("FDP status", "not known (konpfoi facts set "
                                            f"{b.id} fdp=STATUS --source URL)")]
        for label, text in lines:
            con.print(f"  {label:<13} {escape(text)}", soft_wrap=True)
    if b.law != "none" and not b.foi_email:
        con.print("  [yellow]no FOI email known[/]: " + escape(missing_hint(b, "foi")),
                  soft_wrap=True)


def search_bodies(
    query: Annotated[str, typer.Argument(help="Part of a name, constituency or code.")],
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Find bodies by name, constituency or code."""
    from konpfoi.context import Context
    from konpfoi.errors import NotFound

    d = Context().directory
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


def check_bodies(
    stale_days: Annotated[int, typer.Option(help="A contact older than this is stale.")]
    = 365,
    as_json: JsonOpt = False,
) -> None:
    """Check the directory: coverage, broken links, no contact, doubtful or stale contacts.

    The table says, per kind and nation, how many open bodies have a usable FOI route (an
    email), only a web page or form, or nothing; a board route; a DPO.
    """
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.directory import catalogue
    from konpfoi.directory.coverage import coverage
    from konpfoi.errors import InvalidInput

    s = Context()
    today = dt.date.today().isoformat()
    try:
        d = s.directory
        findings = catalogue.check(d, today, stale_days)
        rows = coverage(d, today)
    except InvalidInput as exc:
        d, rows = None, []
        findings = [catalogue.Finding("error", "-", exc.message)]
    errors = [f for f in findings if f.severity == "error"]
    if as_json:
        emit_json({"coverage": [r.to_dict() for r in rows],
                   "findings": [f.to_dict() for f in findings]})
    else:
        _show_check(rows, findings, len(d) if d is not None else 0)
    if errors:
        raise typer.Exit(5)


def _show_check(rows, findings, total: int) -> None:  # type: ignore[no-untyped-def]
    from rich.markup import escape
    from rich.table import Table

    con = stdout()
    table = Table(title="Coverage of open bodies", header_style="bold")
    for col in ("kind", "nation", "bodies", "FOI email", "page/form only", "no FOI route",
                "doubtful FOI", "board", "DPO"):
        table.add_column(col, justify="left" if col in ("kind", "nation") else "right")
    for r in rows:
        foi = [str(x) for x in (r.foi_email, r.foi_page_only, r.foi_none, r.foi_doubtful)] \
            if r.foi_applies else ["-"] * 4
        table.add_row(r.kind, r.nation, str(r.bodies), *foi, str(r.board), str(r.dpo))
    con.print(table)
    for r in rows:
        for label, ids in (("FOI by web page or form only", r.page_only),
                           ("no FOI route at all", r.nothing)):
            if ids:
                con.print(f"{r.kind} {r.nation}, {label}: " + ", ".join(ids), soft_wrap=True,
                          markup=False)
    for f in findings:
        colour = "red" if f.severity == "error" else "yellow"
        con.print(f"[{colour}]{f.severity:<7}[/] {escape(f'{f.body_id:<16}')} "
                  f"{escape(f.message)}", soft_wrap=True)
    errors = sum(1 for f in findings if f.severity == "error")
    con.print(f"{total} bodies: {errors} error(s), {len(findings) - errors} warning(s)")


register(app, "list", list_bodies)
register(app, "show", show_body)
register(app, "search", search_bodies)
register(app, "check", check_bodies)
register(app, "import", import_bodies)
register(app, "set", set_contact)
register(app, "add", add_body)
register(app, "note", note_body)
register(app, "export-changes", export_changes)
register(app, "import-changes", import_changes)
