"""`konpfoi bodies import`: refresh the directory from an official data file, never wrecking it
(a mass change needs --allow-mass-change; --undo puts back the directory before the last
import)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from konpfoi.cli.common import JsonOpt, emit_json, note, stdout, warn

_KINDS = ["icb-list", "icb-names", "icb-contacts", "trust-list", "ods-trusts", "trust-contacts",
          "mps", "mps-api", "devolved", "national", "contacts"]


def import_bodies(
    kind: Annotated[str | None, typer.Argument(
        help="What the file is: " + ", ".join(_KINDS) + ".", show_default=False)] = None,
    file: Annotated[Path | None, typer.Argument(help="The downloaded file.",
                                                show_default=False)] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Apply the changes (default: only show "
                                      "them).")] = False,
    checked: Annotated[str | None, typer.Option(
        help="Date the file's contacts were checked (default: today).")] = None,
    allow_mass_change: Annotated[bool, typer.Option(
        "--allow-mass-change", help="Apply an import that closes or changes more than 10% of "
        "the MPs (or any ICB, ...): only when you know the change is real.")] = False,
    undo: Annotated[bool, typer.Option(
        "--undo", help="Put back the directory as it was before the last import.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Refresh the directory from an official data file, or undo the last refresh.

    Shows what is added, changed, closed and merged; writes only with --yes. An import that
    would close or change more than a sane share of a kind of body stops unless
    --allow-mass-change.
    """
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.directory import imports
    from konpfoi.errors import InvalidInput, Unsafe
    from konpfoi.law.dates import parse_date

    s = Context()
    if undo:
        if kind or file:
            raise InvalidInput("--undo takes no KIND or FILE", hint="konpfoi bodies import --undo")
        what, changes = imports.undo(imported=s.ws.bodies_imported,
                                     overlay_file=s.ws.bodies_overlay, history=s.ws.bodies_history)
        if as_json:
            emit_json({"undone": what, "changes": [c.to_dict() for c in changes]})
            return
        _show(changes, limit=200)
        stdout().print(f"Undone: the directory is as it was before {what} ({len(changes)} "
                       "change(s)).", soft_wrap=True)
        return
    if not kind or not file:
        raise InvalidInput("give the KIND and the FILE to import",
                           hint="e.g. konpfoi bodies import mps mp_lookup.csv")
    day = parse_date(checked, "--checked").isoformat() if checked else \
        dt.date.today().isoformat()
    referenced: dict[str, int] = {}
    if s.ws.ledger_exists():
        with s.ledger(create=False) as ledger:
            referenced = ledger.body_counts()
    out = imports.import_file(kind, file, checked=day, imported=s.ws.bodies_imported,
                              overlay_file=s.ws.bodies_overlay, history=s.ws.bodies_history,
                              referenced=referenced, write=yes, allow_mass=allow_mass_change)
    refused = bool(yes and out.mass and not allow_mass_change)
    if as_json:
        emit_json({"kind": kind, "file": str(file), **out.to_dict()})
    else:
        _show(out.result.changes, limit=None if out.mass else 200)
        for n in out.result.notes + out.yours:
            note(n)
        for m in out.mass:
            warn(f"{file.name}: {m}")
        counts = ", ".join(f"{n} {w}" for w, n in out.result.counts().items()) or "no changes"
        con = stdout()
        if not out.result.changes:
            con.print(f"{file}: the directory already says all this ({kind}).",
                      markup=False)
        elif out.applied:
            con.print(f"Applied: {counts}. To put it back: konpfoi bodies import --undo")
        elif not refused:
            flag = " --allow-mass-change" if out.mass else ""
            con.print(f"{counts}. Nothing written: run again with --yes{flag} to apply.")
    if refused:
        raise Unsafe(f"{file.name}: not applied: " + "; ".join(out.mass),
                     hint="is the file complete? If the change is real, run again with "
                          "--allow-mass-change")


def _show(changes: list[Any], limit: int | None) -> None:
    from rich.markup import escape

    con = stdout()
    colours = {"added": "green", "changed": "yellow", "closed": "red", "merged": "red",
               "reopened": "green", "removed": "red"}
    for c in changes[:limit]:
        line = f"[{colours[c.what]}]{c.what:<8}[/] {escape(c.id)} {escape(c.name)}"
        if c.what in ("closed", "merged") and c.fields.get("successor", (None, None))[1]:
            line += f" -> {escape(str(c.fields['successor'][1]))}"
        if c.referenced:
            line += f" [bold]({c.referenced} item(s) in your ledger refer to it; it is kept)[/]"
        con.print(line, soft_wrap=True)
        if c.what == "changed":
            for key, (old, new) in list(c.fields.items())[:6]:
                con.print(f"           {escape(key)}: {escape(_brief(old))} -> "
                          f"{escape(_brief(new))}", soft_wrap=True)
    if limit is not None and len(changes) > limit:
        con.print(f"... and {len(changes) - limit} more (--json lists them all)")


def _brief(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return "; ".join(f"{c.get('role')} {c.get('email') or c.get('url')}" for c in value)
    text = str(value) if value not in (None, "", []) else "-"
    return text if len(text) <= 80 else text[:77] + "..."
