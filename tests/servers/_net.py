"""Small helpers shared by the servers: free loopback ports, waiting for a listener, temp
folders that other users can traverse."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """A port nothing listens on right now (the caller binds it soon after)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def wait_for_port(host: str, port: int, timeout: float, alive=lambda: True) -> bool:
    """Poll until something accepts on host:port, the deadline passes or alive() is false."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.01)
    return False


def make_tempdir(prefix: str, mode: int = 0o755) -> Path:
    """A fresh folder under the system temp dir that service users can traverse.

    pytest's tmp_path lives under /tmp/pytest-of-root (0700), which the dovecot, nobody
    and postgres users cannot enter: so the servers use their own folders and remove them.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(mode)
    return path


def remove_tree(path: Path | None) -> None:
    if path is not None and path.exists():
        shutil.rmtree(path, ignore_errors=True)


def is_root() -> bool:
    return os.geteuid() == 0
