"""Files written atomically and privately: personal data is readable by its owner only."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable
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
    those folders' own folders, so that the renames and any new folder are durable too."""
    syncer = Syncer()
    syncer.add(paths)
    syncer.wait(folders)


class Syncer:
    """Files synced in a few threads, a few dozen at a time as they are added, while the
    caller goes on: fsync waits on the disk, not the interpreter, and a disk takes many waits
    together, so a batch's files are on disk by the time it has made them. `wait` returns once
    every one is (and, with `folders`, their folders and those folders' folders)."""

    CHUNK = 64  # files handed to a thread at once: one task per file costs more in hand-offs

    def __init__(self) -> None:
        self._todo: list[Path | str] = []
        self._held: set[str] = set()  # the folders holding them
        self._syncing: list[Future[None]] = []
        self._pool: ThreadPoolExecutor | None = None

    def add(self, paths: Iterable[Path | str]) -> None:
        for path in paths:
            self._todo.append(path)
            self._held.add(os.path.dirname(path) or ".")
        while len(self._todo) >= self.CHUNK:
            self._later(self._todo[:self.CHUNK])
            self._todo = self._todo[self.CHUNK:]

    def wait(self, folders: bool = True) -> None:
        try:
            if folders:
                self.add(sorted(self._held | {os.path.dirname(f) or "." for f in self._held}))
            if len(self._todo) > 4:
                self._later(self._todo)
            else:
                _fsync_all(self._todo)
            self._todo = []
            for done in self._syncing:
                done.result()
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop, without waiting for the syncs not yet begun."""
        self._syncing = []
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _later(self, paths: list[Path | str]) -> None:
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(4, thread_name_prefix="konpfoi-fsync")
        self._syncing.append(self._pool.submit(_fsync_all, paths))


class Staged:
    """Many new files that appear together or not at all: each is written into a private
    staging folder beside its place (`write`) and synced in the background (a `Syncer`) while
    the caller goes on; `commit` waits for the disk, then renames them into place; `discard`
    (or an error, or the process being killed) leaves none of them in place. A staging folder
    left by a killed process is removed by the next `Staged` in its folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        _remove_abandoned(folder)
        try:
            self.stage = tempfile.mkdtemp(dir=folder, prefix=f"{STAGING}{os.getpid()}-")
        except OSError as exc:  # said of the folder: the staging folder's name is ours alone
            raise type(exc)(exc.errno, exc.strerror, os.fspath(folder)) from None
        self.names: list[str] = []
        self.placed: list[str] = []
        self._syncer = Syncer()

    def write(self, name: str, data: bytes | str) -> Path:
        """Write a new file `name`; return the path it will have once committed."""
        if "/" in name or name.startswith("."):
            raise ValueError(f"not a plain file name: {name!r}")
        path = os.path.join(self.stage, name)
        write_new(path, data.encode("utf-8") if isinstance(data, str) else data)
        self.names.append(name)
        self._syncer.add([path])
        return self.folder / name

    def commit(self) -> None:
        """Every file on disk and in place (replacing any file of the same name)."""
        self._syncer.wait(folders=False)
        into = os.fspath(self.folder)
        for name in self.names:
            os.replace(os.path.join(self.stage, name), os.path.join(into, name))
            self.placed.append(os.path.join(into, name))
        fsync(self.folder)
        os.rmdir(self.stage)

    def discard(self) -> None:
        """Remove every file written, whether committed or not."""
        self._syncer.stop()
        for path in self.placed:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        shutil.rmtree(self.stage, ignore_errors=True)


def _fsync_all(paths: list[Path | str]) -> None:
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
