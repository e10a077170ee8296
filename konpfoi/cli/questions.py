"""`konpfoi questions list|show`: the question sets a request can carry."""

from __future__ import annotations

from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, register, stdout

app = typer.Typer(help="List and show question sets.", no_args_is_help=True)


def list_questions(as_json: JsonOpt = False) -> None:
    """List the question sets."""
    from rich.markup import escape
    from rich.table import Table

    from konpfoi.context import Context
    from konpfoi.letters import questions

    sets = questions.load_all(Context().question_dirs)
    if as_json:
        emit_json([qs.to_dict() for qs in sets])
        return
    table = Table(header_style="bold")
    for col in ("id", "title", "questions"):
        table.add_column(col, overflow="fold")
    for qs in sets:
        table.add_row(escape(qs.id), escape(qs.title), str(len(qs.questions)))
    stdout().print(table)


def show_questions(
    set_id: Annotated[str, typer.Argument(metavar="ID", help="A question set id.")],
    as_json: JsonOpt = False,
) -> None:
    """Show a question set in full."""
    from rich.markup import escape

    from konpfoi.context import Context
    from konpfoi.letters import questions

    qs = questions.get(set_id, Context().question_dirs)
    if as_json:
        emit_json(qs.to_dict())
        return
    con = stdout()
    con.print(f"[bold]{escape(qs.title)}[/] ({escape(qs.id)}, {qs.regime.upper()})",
              soft_wrap=True)
    con.print(escape(qs.description), soft_wrap=True)
    con.print(f"[dim]Questions by {escape(qs.source)}[/]\n", soft_wrap=True)
    for q in qs.questions:
        con.print(f"{q.number}. [bold]{escape(q.label)}[/]", soft_wrap=True)
        con.print(f"   {escape(q.text)}\n", soft_wrap=True)


register(app, "list", list_questions)
register(app, "show", show_questions)
