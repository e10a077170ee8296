"""Files kept with a reply: stored once by content hash, under a name that cannot escape."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from konpfoi.errors import Unsafe
from konpfoi.ledger.store import Ledger
from konpfoi.workspace.files import PRIVATE_DIR, atomic_write, private_dir

_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
             *(f"lpt{i}" for i in range(1, 10))}
# A file name's length in bytes (UTF-8): file systems allow 255, and a temporary name made
# beside it while writing needs a few more.
MAX_NAME_BYTES = 200
_MAX_EXT_BYTES = 16


@dataclass(frozen=True)
class Stored:
    sha256: str
    name: str  # sanitised
    original_name: str | None
    size: int
    content_type: str | None
    path: Path  # where it lies, inside files/


def sanitise(name: str | None, fallback: str = "attachment") -> str:
    """A safe single file name: no folders, no traversal, no control characters, no leading dot."""
    if not name:
        return fallback
    name = unicodedata.normalize("NFC", str(name))
    name = re.split(r"[\\/]", name)[-1]  # a path's last part, for / and \ alike
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*\x00]', "_", name).strip().strip(".").strip()
    if not name or name in (".", ".."):
        return fallback
    stem, dot, ext = name.rpartition(".")
    if (stem if dot else name).lower() in _RESERVED:
        name = "_" + name
    return shorten(name)


def shorten(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """A name cut to `limit` bytes of UTF-8, never inside a character, keeping its extension
    ('…' marks the cut): 120 emoji and '.pdf' stay a PDF."""
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    suffix = "." + ext if dot and stem and 0 < len(ext.encode("utf-8")) <= _MAX_EXT_BYTES \
        else ""
    head = name[: len(name) - len(suffix)] if suffix else name
    room = limit - len(suffix.encode("utf-8")) - len("…".encode())
    cut = head.encode("utf-8")[:room].decode("utf-8", "ignore")
    return cut + "…" + suffix


def where(files_dir: Path, sha256: str) -> Path:
    """The copy of a stored file for people to open (files/<hash>/<name>)."""
    folder = files_dir / sha256[:16]
    found = sorted(p for p in folder.glob("*") if p.is_file() and not p.name.startswith("."))
    return found[0] if found else folder


def store(ledger: Ledger, files_dir: Path, content: bytes, original_name: str | None,
          content_type: str | None = None, sync: bool = True) -> Stored:
    """Keep `content` in the ledger and at files/<hash>/<name> for the user to open; the same
    content is stored once."""
    digest = ledger.put_blob(content)
    name = sanitise(original_name)
    folder = files_dir / digest[:16]
    try:  # a new folder (most often): made here, so it is empty and nobody's link
        _new_folder(folder)
    except FileExistsError:
        existing = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
        if existing:
            return Stored(digest, name, original_name, len(content), content_type, existing[0])
        if not (folder / name).resolve().is_relative_to(files_dir.resolve()):
            raise Unsafe(f"attachment name {original_name!r} would leave the workspace"
                         ) from None  # belt and braces: sanitise forbids it
    path = folder / name
    atomic_write(path, content, sync=sync)
    return Stored(digest, name, original_name, len(content), content_type, path)


def _new_folder(folder: Path) -> None:
    """Make a private folder that did not exist (FileExistsError if it did)."""
    try:
        os.mkdir(folder, PRIVATE_DIR)
    except FileNotFoundError:  # the files folder is new too
        private_dir(folder.parent)
        os.mkdir(folder, PRIVATE_DIR)
    os.chmod(folder, PRIVATE_DIR)
