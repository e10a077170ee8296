"""`konpfoi bodies list|show|search`: the directory of ICBs, trusts, MPs and devolved bodies."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, note, register, stdout

if TYPE_CHECKING:
    from konpfoi.directory.bodies import Body

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
    """List bodies, filtered by kind, region, parent, party or tag."""
    from konpfoi.context import Context

    d = Context().directory
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
    """Show one body, its contacts and where they came from."""
    from konpfoi.context import Context

    d = Context().directory
    resolved = d.resolve(body, follow_closed=False)
    if resolved.body.closed:
        note(f"{resolved.body.id} closed on {resolved.body.closed}"
             + (f"; its successor is {resolved.body.successor}" if resolved.body.successor
                else ""))
    if resolved.note:
        note(resolved.note)
    b = resolved.body
    if as_json:
        emit_json(b.to_dict())
        return
    from rich.markup import escape

    from konpfoi.directory.bodies import KINDS

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


def import_bodies(
    kind: Annotated[str, typer.Argument(help="What the file is: " + ", ".join(
        ["icb-list", "icb-names", "icb-contacts", "trust-list", "ods-trusts", "trust-contacts",
         "mps", "mps-api", "devolved"]) + ".")],
    file: Annotated[Path, typer.Argument(help="The downloaded file.")],
    yes: Annotated[bool, typer.Option("--yes", help="Apply the changes (default: only show "
                                      "them).")] = False,
    checked: Annotated[str | None, typer.Option(
        help="Date the file's contacts were checked (default: today).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Refresh the directory from an official data file.

    Shows what is added, changed, closed and merged; writes only with --yes.
    """
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.directory import refresh
    from konpfoi.law.dates import parse_date

    s = Context()
    day = parse_date(checked, "--checked").isoformat() if checked else \
        dt.date.today().isoformat()
    referenced: dict[str, int] = {}
    if s.ws.ledger_exists():
        with s.ledger(create=False) as ledger:
            referenced = ledger.body_counts()
    result = refresh.import_file(kind, file, checked=day, imported=s.ws.bodies_imported,
                                 overlay_file=s.ws.bodies_overlay, referenced=referenced,
                                 write=yes)
    if as_json:
        emit_json({"kind": kind, "file": str(file), "applied": bool(yes and result.changes),
                   "counts": result.counts(), "notes": result.notes,
                   "changes": [c.to_dict() for c in result.changes]})
        return
    _show_changes(result, kind, file, yes)


def _show_changes(result, kind: str, file: Path, yes: bool) -> None:  # type: ignore[no-untyped-def]
    from rich.markup import escape

    con = stdout()
    colours = {"added": "green", "changed": "yellow", "closed": "red", "merged": "red",
               "reopened": "green"}
    for c in result.changes[:200]:
        line = f"[{colours[c.what]}]{c.what:<8}[/] {c.id} {escape(c.name)}"
        if c.what in ("closed", "merged") and c.fields.get("successor", (None, None))[1]:
            line += f" -> {c.fields['successor'][1]}"
        if c.referenced:
            line += f" [bold]({c.referenced} item(s) in your ledger refer to it; it is kept)[/]"
        con.print(line, soft_wrap=True)
        if c.what == "changed":
            for key, (old, new) in list(c.fields.items())[:6]:
                con.print(f"           {key}: {escape(_brief(old))} -> {escape(_brief(new))}",
                          soft_wrap=True)
    if len(result.changes) > 200:
        con.print(f"... and {len(result.changes) - 200} more (--json lists them all)")
    for n in result.notes:
        note(n)
    counts = ", ".join(f"{n} {w}" for w, n in result.counts().items()) or "no changes"
    if not result.changes:
        con.print(f"{file}: the directory already says all this ({kind}).")
    elif yes:
        con.print(f"Applied: {counts}.")
    else:
        con.print(f"{counts}. Nothing written: run again with --yes to apply.")


def _brief(value) -> str:  # type: ignore[no-untyped-def]
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return "; ".join(f"{c.get('role')} {c.get('email') or c.get('url')}" for c in value)
    text = str(value) if value not in (None, "", []) else "-"
    return text if len(text) <= 80 else text[:77] + "..."


def check_bodies(
    stale_days: Annotated[int, typer.Option(help="A contact older than this is stale.")]
    = 365,
    as_json: JsonOpt = False,
) -> None:
    """Lint the directory: broken links, no contact, stale checks."""
    import datetime as dt

    from rich.markup import escape

    from konpfoi.context import Context
    from konpfoi.directory import catalogue
    from konpfoi.errors import InvalidInput

    s = Context()
    try:
        findings = catalogue.check(s.directory, dt.date.today().isoformat(), stale_days)
    except InvalidInput as exc:
        findings = [catalogue.Finding("error", "-", exc.message)]
    errors = [f for f in findings if f.severity == "error"]
    if as_json:
        emit_json([f.to_dict() for f in findings])
    else:
        con = stdout()
        for f in findings:
            colour = "red" if f.severity == "error" else "yellow"
            con.print(f"[{colour}]{f.severity:<7}[/] {f.body_id:<16} {escape(f.message)}",
                      soft_wrap=True)
        con.print(f"{len(s.directory) if not errors or errors[0].body_id != '-' else 0} bodies: "
                  f"{len(errors)} error(s), {len(findings) - len(errors)} warning(s)")
    if errors:
        raise typer.Exit(5)


register(app, "list", list_bodies)
register(app, "show", show_body)
register(app, "search", search_bodies)
register(app, "import", import_bodies)
register(app, "check", check_bodies)
