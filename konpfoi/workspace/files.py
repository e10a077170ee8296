"""Files written atomically and privately: personal data is readable by its owner only."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
PUBLIC_FILE = 0o644  # only where the user asks for a copy to publish
STAGING = ".staging-"  # a folder of new files not yet in place (Staged), named with its pid


def private_dir(path: Path) -> Path:
    """Create a folder (and parents) readable by the owner only; leave an existing one alone."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        os.chmod(path, PRIVATE_DIR)
    return path


def atomic_write(path: Path, data: bytes | str, mode: int = PRIVATE_FILE,
                 sync: bool = True) -> Path:
    """Write to a temporary file beside `path`, fsync, then rename over it.

    With `sync=False` the caller syncs later (`sync_files`), as a batch of hundreds does once.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def fsync(path: Path) -> None:
    """Wait until a file (or a folder: the names in it) is on disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new(path: Path, data: bytes) -> None:
    """Create `path` (it must not exist) owner-only and write `data`, not yet synced."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_FILE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def sync_files(paths: list[Path], folders: bool = True) -> None:
    """fsync files written with `sync=False` and (with `folders`) the folders holding them and
    those folders' own folders, so that the renames and any new folder are durable too.

    In threads: fsync waits on the disk, not the interpreter, and a disk takes many waits
    together, so a thousand files (and the folders of a thousand attachments) sync in a
    fraction of the time. A few long-running threads: one task per file costs more in
    hand-offs.
    """
    todo = list(paths)
    if folders:
        held = {p.parent for p in paths}
        todo += sorted(held | {f.parent for f in held})
    if len(todo) < 4:
        for path in todo:
            fsync(path)
        return
    from concurrent.futures import ThreadPoolExecutor

    def fsync_all(chunk: list[Path]) -> None:
        for path in chunk:
            fsync(path)

    workers = min(8, len(todo) // 2)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(fsync_all, [todo[i::workers] for i in range(workers)]))


class Staged:
    """Many new files that appear together or not at all: each is written into a private
    staging folder beside its place and synced in the background (`write`); `commit` waits
    for the disk, then renames them into place; `discard` (or an error, or the process being
    killed) leaves none of them in place. A staging folder left by a killed process is removed
    by the next `Staged` in the same folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        _remove_abandoned(folder)
        self.stage = Path(tempfile.mkdtemp(dir=folder, prefix=f"{STAGING}{os.getpid()}-"))
        self.names: list[str] = []
        self.placed: list[Path] = []

    def write(self, name: str, data: bytes | str) -> Path:
        """Write a new file `name`; return the path it will have once committed."""
        if "/" in name or name.startswith("."):
            raise ValueError(f"not a plain file name: {name!r}")
        path = self.stage / name
        write_new(path, data.encode("utf-8") if isinstance(data, str) else data)
        self.names.append(name)
        return self.folder / name

    def commit(self) -> list[Path]:
        """Every file on disk and in place (replacing any file of the same name)."""
        sync_files([self.stage / name for name in self.names], folders=False)
        for name in self.names:
            os.replace(self.stage / name, self.folder / name)
            self.placed.append(self.folder / name)
        fsync(self.folder)
        os.rmdir(self.stage)
        return self.placed

    def discard(self) -> None:
        """Remove every file written, whether committed or not."""
        for path in self.placed:
            path.unlink(missing_ok=True)
        shutil.rmtree(self.stage, ignore_errors=True)


def _remove_abandoned(folder: Path) -> None:
    """Staging folders whose process is gone (killed while writing): nothing in them was ever
    in place."""
    for stage in folder.glob(f"{STAGING}*"):
        pid = stage.name[len(STAGING):].partition("-")[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(stage, ignore_errors=True)


def _alive(pid: int) -> bool:
    if os.name == "nt":  # signal 0 there would end the process: never guess
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process (PermissionError): alive
        return True
    return True
