"""`konpfoi edit` and `konpfoi withdraw`: change a draft by hand before it goes, or give an
item up; the ledger keeps both versions, and the history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, note, stdout, warn


def edit_draft(
    item: Annotated[str, typer.Argument(metavar="ID", help="The item, e.g. K-0007.")],
    file: Annotated[Path | None, typer.Option(
        "--file", help="Take the new text from this file (a 'Subject: ...' line, a blank "
                       "line, the letter) instead of opening an editor.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an unsent draft in your editor ($VISUAL or $EDITOR); send uses your text.

    The first line is the subject; after a blank line, the letter. The ledger keeps the new
    version beside the old (an `edited` event names both) and drafts/ID.eml and ID.txt are
    written again.
    """
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.letters import editing

    s = Context()
    editor = (lambda _: _read(file)) if file is not None else _open_editor
    with s.ledger() as ledger:
        done = editing.edit(ledger, item, s.ws.drafts, editor, dt.date.today())
    for w in done.warnings:
        warn(w)
    if as_json:
        emit_json({"item": done.item.id, "changed": done.event is not None,
                   "event": done.event.id if done.event else None,
                   "subject": done.item.subject, "message_sha256": done.item.message_sha256,
                   "eml": str(done.eml) if done.eml else None})
        return
    if done.event is None:
        stdout().print(f"{done.item.id}: no change", markup=False)
        return
    stdout().print(f"{done.item.id} edited (#{done.event.id}); send will use your text\n"
                   f"  {done.eml}\n  {done.txt}", soft_wrap=True, markup=False)


def _read(file: Path) -> str:
    from konpfoi.workspace.yamlfile import read_text

    return read_text(file)


def _open_editor(text: str) -> str | None:
    """Open `text` in the user's editor; what they saved, or None if they left it as it was."""
    import os
    import shlex
    import shutil
    import subprocess
    import sys
    import tempfile

    from konpfoi.errors import InvalidInput
    from konpfoi.workspace.files import private_dir
    from konpfoi.workspace.folders import cache_dir

    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not command:
        found = shutil.which("nano") or shutil.which("vi")
        if not found or not sys.stdin.isatty():
            raise InvalidInput("no editor is set", hint="set EDITOR (export EDITOR=nano), or "
                                                        "give the new text with --file FILE")
        command = found
    with tempfile.TemporaryDirectory(dir=private_dir(cache_dir())) as folder:
        path = Path(folder) / "draft.txt"
        path.write_text(text, encoding="utf-8")
        os.chmod(path, 0o600)
        try:
            done = subprocess.run([*shlex.split(command), str(path)], check=False)
        except OSError as exc:
            raise InvalidInput(f"cannot start the editor {command!r} ({exc.strerror})",
                               hint="set EDITOR to an editor you have") from None
        if done.returncode != 0:
            raise InvalidInput(f"the editor stopped with code {done.returncode}",
                               hint="nothing was changed")
        saved = path.read_text(encoding="utf-8", errors="replace")
    return None if saved == text else saved


def withdraw_items(
    items: Annotated[list[str], typer.Argument(metavar="ID...", help="Item ids, e.g. K-0007.")],
    note_: Annotated[str | None, typer.Option("--note", help="Why, kept with the event.")]
    = None,
    as_json: JsonOpt = False,
) -> None:
    """Withdraw items: a request you decide not to send, or give up on once sent.

    Nothing is deleted: the item keeps its history, send never sends it, and status leaves it
    out unless --all. To take it back: konpfoi record ID reopened.
    """
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.letters import editing

    s = Context()
    with s.ledger() as ledger:
        done = editing.withdraw(ledger, items, dt.date.today(), note_)
    if as_json:
        emit_json([{"item": e.item_id, "event": e.id, "date": e.date} for e in done])
        return
    for e in done:
        stdout().print(f"{e.item_id} withdrawn {e.date} (#{e.id})", markup=False)
    note("its history is kept: konpfoi show ID; to take it back: konpfoi record ID reopened")
