"""Where received messages come from: an mbox, a Maildir, a folder of .eml files or one .eml —
and next an IMAP folder. Each mailbox yields (label, raw bytes) and never stops for one
message it cannot read: that message comes as the exception, for intake to report."""

from __future__ import annotations

import mailbox
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

from konpfoi.errors import InvalidInput

Message = tuple[str, bytes | Exception]  # (where it came from, its bytes or why not)


class Mailbox(Protocol):
    """A source of raw messages."""

    @property
    def name(self) -> str: ...

    def messages(self) -> Iterator[Message]: ...


@dataclass(frozen=True)
class EmlFile:
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    def messages(self) -> Iterator[Message]:
        yield from _read(self.path.name, self.path.read_bytes)


@dataclass(frozen=True)
class EmlFolder:
    path: Path

    @property
    def name(self) -> str:
        return str(self.path)

    def messages(self) -> Iterator[Message]:
        for f in sorted(self.path.rglob("*.eml")):
            yield from _read(str(f.relative_to(self.path)), f.read_bytes)


@dataclass(frozen=True)
class MaildirFolder:
    path: Path

    @property
    def name(self) -> str:
        return str(self.path)

    def messages(self) -> Iterator[Message]:
        maildir = mailbox.Maildir(self.path, factory=None, create=False)
        for key in sorted(maildir.iterkeys()):
            yield from _read(f"{self.path.name}/{key}", partial(maildir.get_bytes, key))


@dataclass(frozen=True)
class MboxFile:
    path: Path

    @property
    def name(self) -> str:
        return str(self.path)

    def messages(self) -> Iterator[Message]:
        box = mailbox.mbox(self.path, create=False)
        try:
            for n, key in enumerate(box.iterkeys(), start=1):
                yield from _read(f"{self.path.name} #{n}", partial(box.get_bytes, key))
        finally:
            box.close()


def open_mailbox(path: Path) -> Mailbox:
    """The mailbox at a path: a maildir, a folder of .eml files, one .eml, or an mbox."""
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            return MaildirFolder(path)
        return EmlFolder(path)
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file or folder",
                           hint="give an mbox file, a maildir, or a folder of .eml files")
    if path.suffix.lower() == ".eml":
        return EmlFile(path)
    with path.open("rb") as fh:
        if not fh.read(5) == b"From ":
            raise InvalidInput(f"{path}: not an mbox (it does not start with 'From ')",
                               hint="give an mbox file, a maildir, or a folder of .eml files")
    return MboxFile(path)


def _read(label: str, get: Callable[[], bytes]) -> Iterator[Message]:
    try:
        yield label, get()
    except Exception as exc:  # one unreadable message must not stop the rest
        yield label, exc
