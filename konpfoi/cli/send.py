"""`konpfoi send`: send drafts over SMTP, dry run first, never the same message twice."""

from __future__ import annotations

from typing import Annotated

import typer

from konpfoi.cli.common import (
    ImapHost,
    ImapPort,
    ImapSecurity,
    ImapUser,
    JsonOpt,
    emit_json,
    note,
    secret_prompt,
    stdout,
    warn,
    warn_cleartext,
)
from konpfoi.workspace.words import count


def send_items(
    items: Annotated[list[str] | None, typer.Argument(metavar="[ID]...",
                                                      help="Item ids, e.g. K-0042.")] = None,
    campaign: Annotated[str | None, typer.Option(help="Every unsent item of a campaign.")]
    = None,
    yes: Annotated[bool, typer.Option("--yes", help="Really send (default: a dry run).")]
    = False,
    rate: Annotated[str | None, typer.Option(
        help="At most this fast, e.g. 20/min (smtp.rate; default 20/min); none: no pause.")]
    = None,
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
    force: Annotated[bool, typer.Option(
        "--force", help="Send even a request that repeats or overlaps one already sent.")]
    = False,
    reconcile: Annotated[bool, typer.Option(
        "--reconcile", help="Settle items whose outcome is unknown from your IMAP Sent "
                            "folder (sends nothing).")] = False,
    imap_host: ImapHost = None,
    imap_port: ImapPort = None,
    imap_user: ImapUser = None,
    imap_security: ImapSecurity = None,
    as_json: JsonOpt = False,
) -> None:
    """Send drafts over SMTP (a dry run unless --yes).

    The intent is recorded before each message and the server's answer after it, so an
    interrupted run resumes without sending anything twice. Paced (20 a minute unless
    smtp.rate or --rate says otherwise); a temporary refusal is tried again; a copy of each
    message goes to your Sent folder where your provider does not keep one itself. A
    follow-up is rendered again for the day it goes; a request that repeats or overlaps one
    already sent waits for --force.
    """
    import sys

    from konpfoi.context import Context
    from konpfoi.errors import DeliveryError, InvalidInput
    from konpfoi.mail import sending, transport

    s = Context()
    imap_overrides = dict(host=imap_host, port=imap_port, user=imap_user,
                          security=imap_security)
    if reconcile:
        _reconcile(s, items, campaign, imap_overrides, as_json)
        return
    interval = sending.parse_rate(rate or s.config.smtp.rate or sending.DEFAULT_RATE)
    try:
        srv = transport.server(s.config.smtp, host=smtp_host, port=smtp_port, user=smtp_user,
                             security=smtp_security)
    except InvalidInput:
        if yes:
            raise
        srv = None  # a dry run can show what would go before a server is set
    with s.ledger() as ledger:
        held = truthful(s, ledger, items, campaign, followup, yes)
        plan = sending.plan(ledger, s.ws.root, s.config.email, item_ids=items or None,
                            campaign=campaign, retry=retry, followup=followup)
        held.update(_overlapping(s, ledger, plan, followup, force))
        plan.skipped += [(o.item, held[o.item.id]) for o in plan.ready if o.item.id in held]
        plan.ready = [o for o in plan.ready if o.item.id not in held]
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
            _honest_exit(plan, bool(items))
            return
        assert srv is not None
        from konpfoi.mail import signin

        warn_cleartext(srv, "smtp")  # before the password is asked for or read
        ask = secret_prompt()
        login = signin.login("smtp", srv.user, srv.host, srv.auth, s.config.oauth, ask)
        copies = _sent_copies(s, srv, imap_overrides, ask, as_json)
        conn = transport.SmtpTransport(srv, login)
        try:
            report = _send_with_progress(
                ledger, s, ready, conn, interval, retry, as_json or not sys.stderr.isatty(),
                reconnect=lambda: transport.SmtpTransport(srv, login), copy=copies)
        finally:
            conn.close()
            if copies is not None:
                copies.close()
    _summary(report, plan, as_json)
    if report.error or report.not_sent:
        raise DeliveryError(report.error or f"{report.not_sent} of {len(ready)} not sent",
                            hint=_what_next(report))
    _honest_exit(plan, bool(items))


def _honest_exit(plan, named: bool) -> None:  # type: ignore[no-untyped-def]
    """A named item that could not go because something is wrong with it fails the run."""
    from konpfoi.errors import Conflict

    if named and plan.problems:
        why = {i.id: reason for i, reason in plan.skipped}
        raise Conflict("not sent: " + "; ".join(f"{i.id} ({why.get(i.id, '?')})"
                                                for i in plan.problems),
                       hint="fix that, then run the same command again")


def truthful(s, ledger, items, campaign, followup, write) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Follow-ups are rendered again for today (dates true on the day they go): item -> why
    one can no longer go. Shared with `drafts upload`."""
    if not followup:
        return {}
    import datetime as dt

    from konpfoi.letters import followup_drafts

    setup = followup_drafts.Setup(s.templates, s.ws.root, s.ws.drafts, s.calendars, s.config,
                                  s.policy)
    found = followup_drafts.redate(ledger, setup, ledger.pick(items or None, campaign),
                                   followup, dt.datetime.now().astimezone(), write=write)
    for line in found.notes:
        note(line)
    return found.refused


def _overlapping(s, ledger, plan, followup, force) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Requests that repeat or overlap one already sent (law.aggregation): item -> why; with
    --force they go, with the warning."""
    if followup or not plan.ready:
        return {}
    import datetime as dt

    from konpfoi.letters import overlaps

    found = overlaps.for_items(ledger, [o.item for o in plan.ready],
                               s.calendars.for_regime("foia"), dt.date.today(),
                               s.config.letters.repeat_months)
    if force:
        for line in found.values():
            warn(line)
        return {}
    return {k: v + "; --force sends it" for k, v in found.items()}


def _what_next(report) -> str:  # type: ignore[no-untyped-def]
    """What to do about each kind of message that did not go."""
    steps = []
    if report.unknown:
        ids = ", ".join(i.id for i in report.unknown)
        steps.append(f"{ids} may or may not have gone: konpfoi send --reconcile checks your "
                     "Sent folder")
    if report.deferred or report.error:
        steps.append("run the same command again later to send the rest (what was refused "
                     "for now is tried again)")
    if report.refused:
        ids = " ".join(i.id for i, _ in report.refused)
        steps.append(f"mend the address, then konpfoi send {ids} --retry --yes")
    return "; ".join(steps)


class _Copies:
    """Puts each message sent in the IMAP Sent folder, on one connection for the run."""

    def __init__(self, conn, folder: str) -> None:  # type: ignore[no-untyped-def]
        self.conn, self.folder = conn, folder

    def __call__(self, raw: bytes, when) -> str:  # type: ignore[no-untyped-def]
        self.conn.append(self.folder, raw, "(\\Seen)", when)
        return self.folder

    def close(self) -> None:
        self.conn.close()


def _sent_copies(s, srv, overrides, ask, as_json):  # type: ignore[no-untyped-def]
    """The Sent folder to copy into, or None (and why, on stderr)."""
    from konpfoi.errors import DeliveryError
    from konpfoi.mail import providers

    imap_host = overrides["host"] or s.config.imap.host
    wanted, why = providers.sent_copies(s.config.smtp.sent_copies, srv.host, srv.port,
                                        imap_host)
    if not wanted:
        if imap_host and not as_json:
            note(f"no copies in your Sent folder: {why}")
        return None
    imap_srv = s.imap_server(**overrides)
    warn_cleartext(imap_srv, "imap")
    try:
        conn = s.imap(imap_srv, ask)
    except DeliveryError as exc:
        if s.config.smtp.sent_copies == "on":
            raise
        warn(f"no copies in your Sent folder: {exc.message}")
        return None
    try:
        return _Copies(conn, conn.folder(s.config.imap.sent, "\\Sent"))
    except Exception:
        conn.close()
        raise


def _send_with_progress(ledger, s, ready, conn, interval, retry, quiet, **more):  # type: ignore[no-untyped-def]
    import datetime as dt

    from konpfoi.mail import sending

    kwargs = dict(now=lambda: dt.datetime.now().astimezone(), interval=interval, retry=retry,
                  **more)
    if quiet or len(ready) < 5:
        return sending.send(ledger, s.ws.root, ready, conn, str(s.config.email), **kwargs)
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("sending", total=len(ready))
        return sending.send(ledger, s.ws.root, ready, conn, str(s.config.email), **kwargs,
                            on_progress=lambda n: progress.update(task, completed=n))


def _dry_run(plan, ready, srv, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    from konpfoi.mail.transport import SETUP

    if as_json:
        emit_json({"dry_run": True, "server": str(srv) if srv else None,
                   "to_send": None if srv else SETUP,
                   "would_send": [{"item": o.item.id, "to": o.to,
                                   "subject": o.subject or o.item.subject,
                                   "followup": o.followup} for o in ready],
                   "skipped": [{"item": i.id, "reason": r} for i, r in plan.skipped],
                   "unknown": [i.id for i in plan.unknown]})
        return
    from rich.markup import escape
    from rich.table import Table

    con = stdout()
    if ready:
        via = f"via {srv}" if srv else "(no SMTP server is set yet)"
        table = Table(title=escape(f"Would send {count(len(ready), 'message')} {via}"),
                      title_justify="left", header_style="bold")
        for col in ("id", "to", "subject"):
            table.add_column(col, overflow="fold")
        for o in ready[:50]:
            if o.followup == "pack":  # the supporter's letter, to them, for them to send
                table.add_row(o.item.id, escape(f"{o.item.sender_name} <{o.to}>"),
                              escape(f"their letter to {o.item.body_name}, ready to send "
                                     "(pack)"))
                continue
            what = f" ({o.followup})" if o.followup and not o.subject else ""
            table.add_row(o.item.id, escape(f"{o.item.body_name} <{o.to}>"),
                          escape((o.subject or o.item.subject) + what))
        con.print(table)
        if len(ready) > 50:
            con.print(f"... and {len(ready) - 50} more")
    for i, reason in plan.skipped[:20]:
        note(f"{i.id} not sent: {reason}")
    if len(plan.skipped) > 20:
        note(f"... and {len(plan.skipped) - 20} more not sent")
    con.print(f"Dry run: nothing sent. {len(ready)} would go; add --yes to send."
              if ready else "Nothing to send.")
    if ready and srv is None:
        note("to send them: " + SETUP)


def _summary(report, plan, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        emit_json({"dry_run": False,
                   "sent": [{"item": i.id, "reply": r} for i, r in (report.sent if report
                                                                   else [])],
                   "refused": [{"item": i.id, "reply": r} for i, r in (report.refused if report
                                                                      else [])],
                   "deferred": [{"item": i.id, "reply": r}
                                for i, r in (report.deferred if report else [])],
                   "retried": [{"item": i.id, "retries": n}
                               for i, n in (report.retried if report else [])],
                   "unknown": [i.id for i in plan.unknown]
                   + ([i.id for i in report.unknown] if report else []),
                   "skipped": [{"item": i.id, "reason": r} for i, r in plan.skipped],
                   "taken": [i.id for i in (report.skipped if report else [])]})
        return
    con = stdout()
    if report is None:
        con.print("Nothing to send.")
        return
    for item, reply in report.refused:
        warn(f"{item.id} to {item.body_email} refused by the server: {reply}")
    for item, reply in report.deferred:
        warn(f"{item.id} to {item.body_email} refused for now: {reply}")
    for item in report.unknown:
        warn(f"{item.id} to {item.body_email}: the connection broke as it was handed over")
    for item, why in report.copies:
        warn(f"{item.id} was sent, but its copy in your Sent folder failed: {why}")
    counts = [("sent", len(report.sent)), ("refused", len(report.refused)),
              ("refused for now", len(report.deferred)), ("retried", len(report.retried)),
              ("unknown", len(report.unknown)),
              ("sent or being sent by another konpfoi", len(report.skipped))]
    con.print(", ".join(f"{k} {n}" for k, n in counts if n or k == "sent").capitalize() + ".")


def _reconcile(s, items, campaign, overrides, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """send --reconcile: settle unknown outcomes from the Sent folder."""
    import datetime as dt

    from konpfoi.mail import sending, sentfolder

    with s.ledger() as ledger:
        plan = sending.plan(ledger, s.ws.root, s.config.email, item_ids=items or None,
                            campaign=campaign)
        unknown = [i.id for i in plan.unknown]
        found: list = []
        missing: list[str] = []
        if unknown:
            imap_srv = s.imap_server(**overrides)
            warn_cleartext(imap_srv, "imap")
            with s.imap(imap_srv, secret_prompt()) as conn:
                folder = conn.folder(s.config.imap.sent, "\\Sent")
                found, missing = sentfolder.reconcile(ledger, conn, folder, unknown,
                                                      dt.date.today())
    if as_json:
        emit_json({"settled": [f.__dict__ for f in found], "not_in_sent": missing})
        return
    con = stdout()
    if not unknown:
        con.print("No item has an unknown outcome.")
        return
    for f in found:
        con.print(f"[green]sent[/]  {f.item_id} on {f.date} (found in your Sent folder)")
    for item_id in missing:
        warn(f"{item_id}: not in your Sent folder. If your provider files sent mail there, it "
             f"did not go: konpfoi send {item_id} --retry --yes; if unsure, ask the body")
    con.print(f"Settled {len(found)} of {count(len(unknown), 'item')}.")
