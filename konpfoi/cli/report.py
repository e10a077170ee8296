"""`konpfoi report`: what the campaign found."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from konpfoi.cli.common import note


def campaign_report(
    campaign: Annotated[str | None, typer.Option(help="One campaign (default: everything).")]
    = None,
    body: Annotated[str | None, typer.Option(help="One body (id, code or name).")] = None,
    questions: Annotated[str | None, typer.Option(
        "--questions", "-q", help="Only requests that asked this question set.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, csv, json or html.")] = "md",
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="Write to this file (default: print).")] = None,
    today: Annotated[str | None, typer.Option(help="Report as of this day.")] = None,
    title: Annotated[str | None, typer.Option(
        help="html: the page's title (default: the question set's).")] = None,
    intro: Annotated[str | None, typer.Option(
        help="html: an introduction, in your words (blank lines between paragraphs).")] = None,
    intro_file: Annotated[Path | None, typer.Option(
        help="html: read the introduction from a text file.")] = None,
    group: Annotated[str | None, typer.Option(
        help="html: the group publishing it (default: group.name in konpfoi.yaml).")] = None,
    public: Annotated[bool, typer.Option(
        "--public", help="Write the file readable by everyone (0644), to publish it; "
                         "by default it is yours only (0600): it names who asked what.")]
    = False,
) -> None:
    """What the campaign found: answers by body and question, refusals, who was late.

    A filter (--campaign, --body, --questions) that matches nothing says so and exits 3.
    """
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.errors import InvalidInput
    from konpfoi.law.dates import parse_date
    from konpfoi.report import campaign as findings
    from konpfoi.report import formats
    from konpfoi.workspace.files import PRIVATE_FILE, PUBLIC_FILE, atomic_write

    if fmt not in formats.FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}", hint="formats: " + ", ".join(formats.FORMATS))
    s = Context()
    day = parse_date(today, "--today") if today else dt.date.today()
    if not s.ws.ledger_exists():
        raise InvalidInput("the ledger is empty", hint="draft and send some requests first")
    body_id = s.directory.resolve(body).body.id if body and ":" not in body else body
    intro = read_intro(intro, intro_file)
    with s.ledger(create=False) as ledger:
        r = findings.build(ledger, s.calendars, day, campaign, policy=s.policy,
                           body_id=body_id, question_set=questions,
                           sets_info=question_credits(s.question_dirs))
    page = {"title": title, "intro": intro, "group": group or s.config.group.name,
            "website": s.config.group.website}
    text = formats.render(r, fmt, page)
    if output:
        atomic_write(Path(output), text, mode=PUBLIC_FILE if public else PRIVATE_FILE)
        note(f"wrote {output}" + (" (readable by everyone)" if public else ""))
    else:
        typer.echo(text, nl=False)


def read_intro(intro: str | None, intro_file: Path | None) -> str | None:
    """The introduction given, or read from its file (shared with `publish`)."""
    if intro_file is None:
        return intro
    from konpfoi.errors import InvalidInput

    try:
        return intro_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{intro_file}: cannot read ({exc})") from None


def question_credits(dirs: list[Path]) -> dict[str, dict[str, Any]]:
    """Each question set's title and author, to credit them (a broken file is skipped)."""
    from konpfoi.errors import KonpfoiError
    from konpfoi.letters import questions as qmod

    out = {}
    for set_id, path in qmod.available(dirs).items():
        try:
            qs = qmod.parse(path)
        except KonpfoiError:
            continue
        out[set_id] = {"title": qs.title, "source": qs.source}
    return out
