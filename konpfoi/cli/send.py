"""`konpfoi send`: send drafts over SMTP, dry run first, never the same message twice."""

from __future__ import annotations

from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, note, stdout, warn


def send_items(
    items: Annotated[list[str] | None, typer.Argument(metavar="[ID]...",
                                                      help="Item ids, e.g. K-0042.")] = None,
    campaign: Annotated[str | None, typer.Option(help="Every unsent item of a campaign.")]
    = None,
    yes: Annotated[bool, typer.Option("--yes", help="Really send (default: a dry run).")]
    = False,
    rate: Annotated[str | None, typer.Option(help="At most this fast, e.g. 20/min.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many.")] = None,
    followup: Annotated[str | None, typer.Option(
        help="Send the latest drafted follow-up of this kind (internal-review, chaser, ...) "
             "instead of the request.")] = None,
    retry: Annotated[bool, typer.Option(
        "--retry", help="Try again items the server refused, and named items whose outcome "
                        "is unknown (check your Sent folder first).")] = False,
    smtp_host: Annotated[str | None, typer.Option(help="Override smtp.host.")] = None,
    smtp_port: Annotated[int | None, typer.Option(help="Override smtp.port.")] = None,
    smtp_user: Annotated[str | None, typer.Option(help="Override smtp.user.")] = None,
    smtp_security: Annotated[str | None, typer.Option(
        help="Override smtp.security: none, starttls or ssl.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Send drafts over SMTP (a dry run unless --yes).

    The intent is recorded before each message and the server's answer after it, so an
    interrupted run resumes without sending anything twice.
    """
    import sys

    from konpfoi.context import Context
    from konpfoi.errors import DeliveryError, InvalidInput
    from konpfoi.mail import sending, transport

    s = Context()
    interval = sending.parse_rate(rate)
    try:
        srv = transport.server(s.config.smtp, host=smtp_host, port=smtp_port, user=smtp_user,
                             security=smtp_security)
    except InvalidInput:
        if yes:
            raise
        srv = None  # a dry run can show what would go before a server is set
    with s.ledger() as ledger:
        plan = sending.plan(ledger, s.ws.root, s.config.email, item_ids=items or None,
                            campaign=campaign, retry=retry, followup=followup)
        ready = plan.ready[:limit] if limit else plan.ready
        for item in plan.unknown:
            warn(f"{item.id} to {item.body_email}: sent, but the outcome never came back. "
                 f"Check your Sent folder: if it arrived, konpfoi mark-sent {item.id}; if "
                 f"not, konpfoi send {item.id} --retry --yes")
        if not yes:
            _dry_run(plan, ready, srv, as_json)
            return
        if not ready:
            _summary(None, plan, as_json)
            return
        ask = None
        if sys.stdin.isatty():
            ask = lambda prompt: typer.prompt(prompt, hide_input=True)  # noqa: E731
        assert srv is not None
        conn = transport.SmtpTransport(srv, transport.password(srv, ask))
        try:
            report = _send_with_progress(ledger, s, ready, conn, interval, retry,
                                         as_json or not sys.stderr.isatty())
        finally:
            conn.close()
    _summary(report, plan, as_json)
    if report.error:
        item = report.unknown
        raise DeliveryError(
            report.error + (f"; {item.id} may or may not have gone" if item else ""),
            hint=f"run the same command again to send the rest; check {item.id} in your Sent "
                 f"folder first" if item else "run the same command again to send the rest")


def _send_with_progress(ledger, s, ready, conn, interval, retry, quiet):  # type: ignore[no-untyped-def]
    import datetime as dt

    from konpfoi.mail import sending

    kwargs = dict(now=lambda: dt.datetime.now().astimezone(), interval=interval, retry=retry)
    if quiet or len(ready) < 5:
        return sending.send(ledger, s.ws.root, ready, conn, str(s.config.email), **kwargs)
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("sending", total=len(ready))
        return sending.send(ledger, s.ws.root, ready, conn, str(s.config.email), **kwargs,
                            on_progress=lambda n: progress.update(task, completed=n))


def _dry_run(plan, ready, srv, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        emit_json({"dry_run": True, "server": str(srv) if srv else None,
                   "would_send": [{"item": o.item.id, "to": o.to, "subject": o.item.subject,
                                   "followup": o.followup} for o in ready],
                   "skipped": [{"item": i.id, "reason": r} for i, r in plan.skipped],
                   "unknown": [i.id for i in plan.unknown]})
        return
    from rich.markup import escape
    from rich.table import Table

    con = stdout()
    if ready:
        via = f"via {srv}" if srv else "(no SMTP server set: smtp.host in konpfoi.yaml)"
        table = Table(title=f"Would send {len(ready)} {via}", title_justify="left",
                      header_style="bold")
        for col in ("id", "to", "subject"):
            table.add_column(col, overflow="fold")
        for o in ready[:50]:
            what = f" ({o.followup})" if o.followup else ""
            table.add_row(o.item.id, escape(f"{o.item.body_name} <{o.to}>"),
                          escape(o.item.subject + what))
        con.print(table)
        if len(ready) > 50:
            con.print(f"... and {len(ready) - 50} more")
    for i, reason in plan.skipped[:20]:
        note(f"{i.id} not sent: {reason}")
    if len(plan.skipped) > 20:
        note(f"... and {len(plan.skipped) - 20} more not sent")
    con.print(f"Dry run: nothing sent. {len(ready)} would go; add --yes to send."
              if ready else "Nothing to send.")


def _summary(report, plan, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        emit_json({"dry_run": False,
                   "sent": [{"item": i.id, "reply": r} for i, r in (report.sent if report
                                                                   else [])],
                   "refused": [{"item": i.id, "reply": r} for i, r in (report.refused if report
                                                                      else [])],
                   "unknown": [i.id for i in plan.unknown]
                   + ([report.unknown.id] if report and report.unknown else []),
                   "skipped": [{"item": i.id, "reason": r} for i, r in plan.skipped],
                   "taken": [i.id for i in (report.skipped if report else [])]})
        return
    con = stdout()
    if report is None:
        con.print("Nothing to send.")
        return
    for item, reply in report.refused:
        warn(f"{item.id} to {item.body_email} refused by the server: {reply}")
    con.print(f"Sent {len(report.sent)}" + (f", refused {len(report.refused)}"
                                            if report.refused else "")
              + (f"; {len(report.skipped)} sent or being sent by another konpfoi"
                 if report.skipped else "") + ".")
