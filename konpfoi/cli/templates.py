"""`konpfoi templates list|show`: the letters konpfoi can write."""

from __future__ import annotations

from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, register, stdout

app = typer.Typer(help="List and show templates.", no_args_is_help=True)


def list_templates(as_json: JsonOpt = False) -> None:
    """List the templates (yours override packaged ones by name)."""
    from rich.markup import escape
    from rich.table import Table

    from konpfoi.context import Context

    infos = Context().templates.all()
    if as_json:
        emit_json([{"name": t.name, "kind": t.kind, "description": t.description,
                    "path": str(t.path), "overrides_packaged": t.overrides} for t in infos])
        return
    table = Table(header_style="bold")
    for col in ("name", "kind", "description"):
        table.add_column(col, overflow="fold")
    for t in infos:
        desc = escape(t.description) + (" [dim](your workspace's copy)[/]" if t.overrides
                                         else "")
        table.add_row(escape(t.name), escape(t.kind), desc)
    stdout().print(table)


def show_template(
    name: Annotated[str, typer.Argument(help="A template name, e.g. foi-request.")],
    as_json: JsonOpt = False,
) -> None:
    """Print a template's source."""
    from konpfoi.context import Context

    info = Context().templates.info(name)
    text = info.path.read_text(encoding="utf-8")
    if as_json:
        emit_json({"name": info.name, "kind": info.kind, "description": info.description,
                   "path": str(info.path), "source": text})
        return
    from rich.markup import escape

    stdout().print(f"[dim]# {escape(str(info.path))}[/]", soft_wrap=True)
    stdout().out(text, end="")


register(app, "list", list_templates)
register(app, "show", show_template)
