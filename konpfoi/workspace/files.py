"""Files written atomically and privately: personal data is readable by its owner only."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

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


def fsync(path: Path | str) -> None:
    """Wait until a file (or a folder: the names in it) is on disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new(path: Path | str, data: bytes) -> None:
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
    staging folder beside its place (`write`), synced in the background a few dozen at a time
    while the caller goes on; `commit` waits for the disk, then renames them into place;
    `discard` (or an error, or the process being killed) leaves none of them in place. A
    staging folder left by a killed process is removed by the next `Staged` in its folder."""

    CHUNK = 64  # files handed to a background sync at once

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        _remove_abandoned(folder)
        self.stage = tempfile.mkdtemp(dir=folder, prefix=f"{STAGING}{os.getpid()}-")
        self.names: list[str] = []
        self.placed: list[str] = []
        self._unsynced: list[str] = []
        self._syncing: list[Future[None]] = []
        self._pool: ThreadPoolExecutor | None = None

    def write(self, name: str, data: bytes | str) -> Path:
        """Write a new file `name`; return the path it will have once committed."""
        if "/" in name or name.startswith("."):
            raise ValueError(f"not a plain file name: {name!r}")
        path = os.path.join(self.stage, name)
        write_new(path, data.encode("utf-8") if isinstance(data, str) else data)
        self.names.append(name)
        self._unsynced.append(path)
        if len(self._unsynced) >= self.CHUNK:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(4, thread_name_prefix="konpfoi-fsync")
            self._syncing.append(self._pool.submit(_fsync_all, self._unsynced))
            self._unsynced = []
        return self.folder / name

    def commit(self) -> None:
        """Every file on disk and in place (replacing any file of the same name)."""
        try:
            _fsync_all(self._unsynced)
            for done in self._syncing:
                done.result()
        finally:
            self._stop()
        into = os.fspath(self.folder)
        for name in self.names:
            os.replace(os.path.join(self.stage, name), os.path.join(into, name))
            self.placed.append(os.path.join(into, name))
        fsync(self.folder)
        os.rmdir(self.stage)

    def discard(self) -> None:
        """Remove every file written, whether committed or not."""
        self._stop()
        for path in self.placed:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        shutil.rmtree(self.stage, ignore_errors=True)

    def _stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _fsync_all(paths: list[str]) -> None:
    for path in paths:
        fsync(path)


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
