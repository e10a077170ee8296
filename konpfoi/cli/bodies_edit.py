"""`konpfoi bodies set|add|note|export-changes|import-changes`: your own corrections to the
directory, kept in the workspace's bodies.yaml and shared with a group."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, stdout

if TYPE_CHECKING:
    from konpfoi.context import Context
    from konpfoi.directory.edits import OwnBodies


def _own(s: Context) -> OwnBodies:
    from konpfoi.directory import catalogue
    from konpfoi.directory.edits import OwnBodies

    base = catalogue.load(s.ws.bodies_imported)
    return OwnBodies(s.ws.bodies_overlay, s.directory, set(base.bodies))


def _save(s: Context, own: OwnBodies) -> None:
    from konpfoi.directory import catalogue

    s.ws.root.mkdir(parents=True, exist_ok=True)
    own.save(lambda: catalogue.load(s.ws.bodies_imported, s.ws.bodies_overlay))


def _today() -> str:
    return dt.date.today().isoformat()


def set_contact(
    body: Annotated[str, typer.Argument(help="An id such as icb:QKK, a code, or a name.")],
    assignment: Annotated[str, typer.Argument(
        metavar="ROLE=ADDRESS", help="e.g. foi=foi@example.nhs.uk or board=https://.../board "
        "(roles: foi, foi-alt, general, press, board, chair, dpo).")],
    source: Annotated[str, typer.Option(help="The page or document that states the address.")],
    note_text: Annotated[str | None, typer.Option("--note", help="A note to keep with it.")]
    = None,
    doubt: Annotated[str | None, typer.Option(help="Why the address may be wrong.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Give a body an address of your own for a role (kept across every refresh)."""
    from konpfoi.context import Context
    from konpfoi.directory import edits

    s = Context()
    own = _own(s)
    b, old = edits.set_contact(own, body, assignment, source, _today(), note_text, doubt)
    _save(s, own)
    role = assignment.partition("=")[0].strip().lower()
    if as_json:
        emit_json({"body": b.id, "role": role, "old": old,
                   "new": assignment.partition("=")[2].strip(), "file": str(own.path)})
        return
    was = f" (was {old})" if old else ""
    stdout().print(f"{b.id} {b.name}: {role} is now {assignment.partition('=')[2].strip()}"
                   f"{was}\n  in {own.path}", soft_wrap=True, markup=False)


def add_body(
    body_id: Annotated[str, typer.Argument(metavar="ID", help="kind:code, e.g. "
                                           "council:lambeth-hosc or gp:G85001.")],
    name: Annotated[str, typer.Option(help="The body's official name.")],
    nation: Annotated[str, typer.Option(
        help="england, wales, scotland, northern-ireland or uk.")],
    short_name: Annotated[str | None, typer.Option(help="A shorter name.")] = None,
    website: Annotated[str | None, typer.Option(help="Its website.")] = None,
    parent: Annotated[str | None, typer.Option(help="The body above it (e.g. its ICB).")]
    = None,
    contact: Annotated[list[str] | None, typer.Option(
        "--set", metavar="ROLE=ADDRESS", help="An address; repeat for several.")] = None,
    source: Annotated[str | None, typer.Option(help="The page that states the addresses.")]
    = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a body the packaged directory lacks, to your workspace's own bodies file."""
    from konpfoi.context import Context
    from konpfoi.directory import edits

    s = Context()
    own = _own(s)
    entry = edits.add_body(own, body_id, name, nation.lower(), short_name=short_name,
                           website=website, parent=parent, contacts=contact, source=source,
                           today=_today())
    _save(s, own)
    if as_json:
        emit_json({"body": entry["id"], "file": str(own.path)})
        return
    stdout().print(f"Added {entry['id']} {entry['name']}\n  in {own.path}", soft_wrap=True,
                   markup=False)


def note_body(
    body: Annotated[str, typer.Argument(help="An id such as icb:QKK, a code, or a name.")],
    text: Annotated[str, typer.Argument(help="The note.")],
    as_json: JsonOpt = False,
) -> None:
    """Add a dated note of your own to a body (shown by bodies show)."""
    from konpfoi.context import Context
    from konpfoi.directory import edits

    s = Context()
    own = _own(s)
    b = edits.add_note(own, body, text, _today())
    _save(s, own)
    if as_json:
        emit_json({"body": b.id, "file": str(own.path)})
        return
    stdout().print(f"Noted on {b.id} {b.name}\n  in {own.path}", soft_wrap=True, markup=False)


def export_changes(
    file: Annotated[Path, typer.Argument(help="Where to write your changes.")],
    as_json: JsonOpt = False,
) -> None:
    """Write your own bodies and corrections to a file to share with your group."""
    from konpfoi.context import Context
    from konpfoi.directory import edits

    s = Context()
    n = edits.export_changes(_own(s), file, _today())
    if as_json:
        emit_json({"file": str(file), "bodies": n})
        return
    stdout().print(f"Wrote {n} bodies' changes to {file}", soft_wrap=True, markup=False)


def import_changes(
    file: Annotated[Path, typer.Argument(help="A file from konpfoi bodies export-changes.")],
    yes: Annotated[bool, typer.Option("--yes", help="Take them (default: only show them).")]
    = False,
    theirs: Annotated[bool, typer.Option(
        "--theirs", help="Where theirs and yours differ, take theirs (default: keep yours).")]
    = False,
    as_json: JsonOpt = False,
) -> None:
    """Take another workspace's bodies and corrections into your own bodies file."""
    from rich.markup import escape

    from konpfoi.context import Context
    from konpfoi.directory import edits

    s = Context()
    own = _own(s)
    merged = edits.import_changes(own, file, theirs=theirs)
    if yes and merged:
        _save(s, own)
    if as_json:
        emit_json({"applied": bool(yes and merged), "bodies": [
            {"id": m.id, "taken": m.taken, "conflicts": m.conflicts} for m in merged]})
        return
    con = stdout()
    for m in merged:
        if m.taken:
            con.print(f"take  {m.id}: {escape(', '.join(m.taken))}", soft_wrap=True)
        for c in m.conflicts:
            kept = "theirs" if theirs else "yours kept"
            con.print(f"[yellow]differs[/] {escape(m.id)} {escape(c)} ({kept})", soft_wrap=True)
    if not merged:
        con.print(f"{file}: your bodies file already says all this.", markup=False)
    elif yes:
        con.print(f"Taken into {own.path}.", soft_wrap=True, markup=False)
    else:
        con.print("Nothing written: run again with --yes to take them.")
