"""The konpfoi command line: the app and its commands, each group in its own module."""

from __future__ import annotations

from typing import Annotated

import typer

from konpfoi.cli import (
    batch,
    bodies,
    code,
    completion,
    deadline,
    draft,
    drafts,
    edit,
    exchange,
    facts,
    followup,
    ledger,
    login,
    publish,
    questions,
    record,
    replies,
    report,
    send,
    show,
    status,
    supporters,
    templates,
    volunteers,
    workspace,
)
from konpfoi.cli.common import register
from konpfoi.cli.group import KonpfoiGroup

app = typer.Typer(
    name="konpfoi",
    cls=KonpfoiGroup,
    help="FOI requests, campaign emails and statutory clocks for NHS data campaigners.",
    no_args_is_help=True,
    add_completion=False,  # `konpfoi completion SHELL` instead: no completion code at start-up
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich's help renderer imports a Markdown parser (+90 ms)
    context_settings={"help_option_names": ["-h", "--help"]},
)



def _print_version(value: bool) -> None:
    if value:
        from konpfoi import __version__

        typer.echo(f"konpfoi {__version__}")
        raise typer.Exit()


@app.callback()
def konpfoi(
    version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_print_version,
        help="Print konpfoi's version and exit.")] = False,
) -> None:
    """FOI requests, campaign emails and statutory clocks for NHS data campaigners."""


register(app, "init", workspace.init_workspace)
register(app, "where", workspace.show_where)
app.add_typer(bodies.app, name="bodies")
app.add_typer(facts.app, name="facts")
app.add_typer(questions.app, name="questions")
app.add_typer(templates.app, name="templates")
register(app, "draft", draft.draft_requests)
register(app, "batch", batch.batch_campaign)
register(app, "edit", edit.edit_draft)
register(app, "withdraw", edit.withdraw_items)
app.add_typer(drafts.app, name="drafts")
register(app, "send", send.send_items)
app.add_typer(supporters.app, name="supporters")
register(app, "login", login.sign_in)
register(app, "mark-sent", record.mark_sent)
register(app, "record", record.record_event)
register(app, "reply", record.record_reply)
register(app, "status", status.show_status)
register(app, "show", show.show_item)
app.add_typer(replies.app, name="replies")
register(app, "code", code.code_answers)
register(app, "followup", followup.draft_followup)
register(app, "report", report.campaign_report)
register(app, "publish", publish.publish_site)
register(app, "export", exchange.export_ledger)
register(app, "import", exchange.import_ledger)
app.add_typer(ledger.app, name="ledger")
register(app, "volunteers", volunteers.list_volunteers)
register(app, "assign", volunteers.assign_items)
register(app, "deadline", deadline.show_deadline)
app.add_typer(deadline.holidays_app, name="holidays")
register(app, "completion", completion.print_completion)


def main() -> None:
    """Entry point for the `konpfoi` script."""
    import signal

    # `konpfoi status | head`: when the reader stops, konpfoi stops as any Unix tool does (exit
    # 141), never with a traceback or the exit code of a bug. A ledger write is one
    # transaction, so nothing is left half-done.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    app()
