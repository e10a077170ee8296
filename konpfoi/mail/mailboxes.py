"""Where received messages come from: an mbox, a Maildir, a folder of .eml files or one .eml —
and next an IMAP folder. Each mailbox yields (label, raw bytes) and never stops for one
message it cannot read: that message comes as the exception, for intake to report."""

from __future__ import annotations

import mailbox
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO, Protocol

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
        with self.path.open("rb") as fh:
            for n, (start, stop) in enumerate(mbox_spans(fh), start=1):
                yield from _read(f"{self.path.name} #{n}", partial(_span, fh, start, stop))


_FROM_LINE = b"\nFrom "
_CHUNK = 1 << 22


def mbox_spans(fh: BinaryIO) -> list[tuple[int, int]]:
    """Where each message of an mbox lies, after its 'From ' line, as Python's mailbox module
    reads it (every line starting 'From ' begins a message; a blank line before the next one
    is not the message's), found by searching the file a few megabytes at a time rather
    than line by line."""
    found: dict[int, bool] = {}  # where each 'From ' line starts: whether a blank line ends
    fh.seek(0)
    size, keep = 0, b"\n"  # the file as if a line break came before it
    while True:
        chunk = fh.read(_CHUNK)
        buf = keep + chunk  # the end of what was read before (a line split between reads)
        origin = size - len(keep)
        at = buf.find(_FROM_LINE)
        while at >= 0:
            found.setdefault(origin + at + 1, at > 0 and buf[at - 1] == 10)
            at = buf.find(_FROM_LINE, at + 1)
        if not chunk:
            break
        size += len(chunk)
        keep = buf[-7:]
    starts = sorted(found)
    spans = []
    for start, end in zip(starts, [*starts[1:], size], strict=True):
        blank = found.get(end, False) if end < size else _ends_blank(fh, start, size)
        stop = end - 1 if blank else end
        fh.seek(start)
        spans.append((min(start + len(fh.readline()), stop), stop))
    return spans


def _ends_blank(fh: BinaryIO, start: int, size: int) -> bool:
    """Whether the file's last line is a blank one (not the 'From ' line itself)."""
    fh.seek(max(start, size - 2))
    return fh.read(2) == b"\n\n"


def _span(fh: BinaryIO, start: int, stop: int) -> bytes:
    fh.seek(start)
    return fh.read(stop - start)


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
