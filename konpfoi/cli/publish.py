"""`konpfoi publish`: the campaign's website, as static files in a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, note, stdout, warn


def publish_site(
    folder: Annotated[Path, typer.Argument(
        metavar="[FOLDER]", help="Where the site goes (default: ./site).")] = Path("site"),
    campaign: Annotated[str | None, typer.Option(help="One campaign (default: every request).")]
    = None,
    questions: Annotated[str | None, typer.Option(
        "--questions", "-q", help="Only requests that asked this question set.")] = None,
    title: Annotated[str | None, typer.Option(help="The site's title.")] = None,
    intro: Annotated[str | None, typer.Option(
        help="An introduction, in your words (blank lines between paragraphs).")] = None,
    intro_file: Annotated[Path | None, typer.Option(
        help="Read the introduction from a text file.")] = None,
    group: Annotated[str | None, typer.Option(
        help="The group publishing it (default: group.name in konpfoi.yaml).")] = None,
    today: Annotated[str | None, typer.Option(help="Figures as of this day.")] = None,
    no_redact: Annotated[bool, typer.Option(
        "--no-redact", help="Leave officials' names, direct emails and phone numbers in the "
                            "replies (the requester's and supporters' are always taken out).")]
    = False,
    check: Annotated[bool, typer.Option(
        "--check", help="List every redaction and every document held back; write nothing.")]
    = False,
    include_unchecked: Annotated[bool, typer.Option(
        "--include-unchecked", help="Publish released documents whose text cannot be read "
                                    "to check them (scans, images).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Publish what the campaign found as a static website: no server, no script.

    A front page (the figures, the questions and their credit, the FDP register by region),
    a page per body and per question, and the data as CSV, JSON and SQLite. Running it again
    rewrites only what changed.
    """
    import datetime as dt

    from konpfoi.cli.report import question_credits, read_intro
    from konpfoi.context import Context
    from konpfoi.errors import InvalidInput
    from konpfoi.law.dates import parse_date
    from konpfoi.report.publish import site as sitemod

    s = Context()
    if not s.ws.ledger_exists():
        raise InvalidInput("the ledger is empty", hint="draft and send some requests first")
    intro = read_intro(intro, intro_file)
    c = s.config
    requester = [("name", c.name), ("email", c.email), ("address", c.address),
                 ("address", c.signature), *(("email", a) for a in c.other_emails)]
    options = sitemod.Options(title=title, intro=intro, group=group or c.group.name,
                              website=c.group.website, campaign=campaign,
                              question_set=questions, officials=not no_redact,
                              unchecked=include_unchecked)
    with s.ledger(create=False) as ledger:
        built = sitemod.build(ledger, s.directory, s.calendars,
                              parse_date(today, "--today") if today else dt.date.today(),
                              requester=[(w, v) for w, v in requester if v], options=options,
                              sets_info=question_credits(s.question_dirs), policy=s.policy)
    written = None if check else sitemod.write(built, folder)
    if as_json:
        emit_json({"folder": str(folder), "checked_only": check,
                   "files": len(built.files),
                   "written": written.written if written else [],
                   "unchanged": written.unchanged if written else 0,
                   "removed": written.removed if written else [],
                   "redactions": [r.__dict__ for r in built.redactions],
                   "withheld": [{"item": i, "document": d, "why": w}
                                for i, d, w in built.withheld]})
        return
    _show(built, written, folder, check)


def _show(built, written, folder: Path, check: bool) -> None:  # type: ignore[no-untyped-def]
    from rich.markup import escape

    con = stdout()
    if check:
        for r in built.redactions:
            con.print(f"{r.page:<34} {r.kind:<10} {escape(r.text)}", soft_wrap=True)
        for item, doc, why in built.withheld:
            con.print(f"{item:<34} {'held back':<10} {escape(doc)}: {escape(why)}",
                      soft_wrap=True)
        con.print(f"{len(built.redactions)} redactions, {len(built.withheld)} documents held "
                  f"back, in {len(built.files)} files. Nothing written (--check).")
        return
    con.print(f"Wrote {len(written.written)} of {len(built.files)} files to {folder} "
              f"({written.unchanged} unchanged, {len(written.removed)} removed).")
    con.print(f"  open {folder / 'index.html'}", soft_wrap=True)
    if built.redactions:
        note(f"{len(built.redactions)} names, addresses or numbers were taken out: "
             "konpfoi publish --check lists them")
    for item, doc, why in built.withheld:
        warn(f"{item}: {doc} was not published: {why}")
