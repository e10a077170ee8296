"""A read-only workspace (a backup mounted read-only, a folder shared without write permission)
still answers status, show, report and export; a command that writes says the workspace is
read-only — never that the ledger is damaged, never "restore it from a backup"."""

from __future__ import annotations

import gc
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import on_day

pytestmark = pytest.mark.usefixtures("frozen")


@contextmanager
def read_only(folder: Path, where: Path) -> Iterator[Path]:
    """`folder`, seen read-only at `where`: a read-only bind mount as root (as a backup
    disk is mounted), else the folder with every write permission taken away."""
    where.mkdir()
    if os.geteuid() == 0:
        ok = subprocess.run(["mount", "--bind", str(folder), str(where)],
                            capture_output=True).returncode == 0 and subprocess.run(
            ["mount", "-o", "remount,ro,bind", str(where)], capture_output=True).returncode == 0
        if not ok:
            subprocess.run(["umount", str(where)], capture_output=True)
            pytest.skip("cannot mount a folder read-only here")
        try:
            yield where
        finally:
            gc.collect()  # close any connection still open on the mount
            if subprocess.run(["umount", str(where)], capture_output=True).returncode:
                subprocess.run(["umount", "-l", str(where)], capture_output=True)
        return
    where.rmdir()
    shutil.copytree(folder, where)
    modes = {p: p.stat().st_mode for p in [where, *where.rglob("*")]}
    for p in modes:
        p.chmod(p.stat().st_mode & ~0o222)
    try:
        yield where
    finally:
        for p, m in modes.items():
            p.chmod(m)


@pytest.fixture
def sent(run, me: Path) -> Path:
    with on_day("2026-09-28"):
        run("draft", "--to", "icb:QKK", "--to", "icb:QWO", "-q", "palantir-fdp",
            "--campaign", "fdp-2026")
    run("mark-sent", "K-0001", "--date", "2026-10-01")
    return me


READS = [["status"], ["status", "--campaign", "fdp-2026", "--overdue"], ["show", "1"],
         ["show", "K-0002", "--explain"], ["report"], ["report", "--format", "html"]]


def _reads_work(run, tmp_path: Path) -> None:
    before = run.json("status")
    assert [i["id"] for i in before["items"]] == ["K-0001", "K-0002"]
    assert before["items"][0]["state"] == "overdue"
    for args in READS:
        assert run(*args).stdout
    assert run.json("status") == before  # again: the status cache (in the user cache) works
    run("export", str(tmp_path / "out.jsonl"))
    assert '"id":"K-0001"' in (tmp_path / "out.jsonl").read_text()


WRITES = [
    (["record", "K-0001", "acknowledged"], "konpfoi.db"),
    (["mark-sent", "K-0002"], "konpfoi.db"),
    (["draft", "--to", "icb:QF7", "-q", "palantir-fdp"], "drafts cannot be written"),
    (["followup", "K-0001", "--kind", "chaser"], ""),
    (["code", "K-0001", "--q", "all=not-held"], "konpfoi.db"),
    (["init", "{ro}", "--name", "Someone Else"], "konpfoi.yaml"),
    (["bodies", "note", "icb:QKK", "a note"], "bodies.yaml"),
    (["import", "{out}"], "konpfoi.db"),
]


def _writes_say_read_only(run, ro: Path) -> None:
    for template, names in WRITES:
        args = [a.format(ro=ro, out=ro.parent / "out.jsonl") for a in template]
        out = run(*args, code=9)
        assert "this workspace is read-only" in out.stderr, (args, out.stderr)
        assert names in out.stderr and "restore" not in out.stderr, out.stderr
        assert ".staging" not in out.stderr, out.stderr
        error = json.loads(run(*args, "--json", code=9).stderr)
        assert error["error"] == "storage" and error["read_only"] is True


def test_a_read_only_workspace_answers_and_refuses_to_write(run, sent: Path, tmp_path,
                                                            monkeypatch) -> None:
    with read_only(sent, tmp_path / "backup") as ro:
        monkeypatch.setenv("KONPFOI_HOME", str(ro))
        assert run("where").stdout
        _reads_work(run, tmp_path)
        _writes_say_read_only(run, ro)


def test_a_backup_taken_while_konpfoi_was_writing(run, sent: Path, tmp_path,
                                                  monkeypatch) -> None:
    """A copy of the ledger whose write-ahead log still holds the latest events (and no
    shared-memory file): read from a private copy, nothing lost."""
    holder = sqlite3.connect(sent / "konpfoi.db")  # keeps the log from being folded in
    holder.execute("PRAGMA wal_autocheckpoint = 0")
    holder.execute("SELECT COUNT(*) FROM items").fetchall()
    run("record", "K-0001", "acknowledged", "--their-ref", "FOI-42")
    backup = tmp_path / "copied"
    backup.mkdir()
    for f in sent.iterdir():
        if f.is_dir():
            shutil.copytree(f, backup / f.name)
        elif not f.name.endswith("-shm"):
            shutil.copy2(f, backup / f.name)
    holder.close()
    assert (backup / "konpfoi.db-wal").stat().st_size > 0
    with read_only(backup, tmp_path / "mounted") as ro:
        monkeypatch.setenv("KONPFOI_HOME", str(ro))
        shown = run.json("show", "K-0001")
        assert shown["their_ref"] == "FOI-42"
        assert run.json("status")["items"][0]["id"] == "K-0001"
        assert "this workspace is read-only" in run("record", "1", "note", code=9).stderr
    assert not list((tmp_path / "cache").glob("ledger-*"))  # the private copy is gone
