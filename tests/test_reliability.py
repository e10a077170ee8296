"""The ledger under stress: concurrent writers, a killed process, files that are not ledgers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import write

from konpfoi.errors import StorageError
from konpfoi.ledger.backends import open_ledger

WRITER = textwrap.dedent("""
    import sys
    from konpfoi.ledger.backends import open_ledger
    path, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for i in range(n):
        with open_ledger(path) as ledger, ledger.write():  # one command = one transaction
            ledger.add_event("K-0001", "note", "2026-11-23", note=f"{tag}-{i}")
""")


def _ledger_with_an_item(path: Path | str) -> None:
    from konpfoi.ledger.model import Item, new_uid

    with open_ledger(path) as ledger, ledger.write():
        ledger.add_item(Item(id="K-0001", uid=new_uid(), kind="foi", body_id="icb:QKK",
                             body_name="X", subject="s", created_at="2026-11-23"))


@pytest.mark.slow
@pytest.mark.backends()
def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path, ledger_url: str) -> None:
    _ledger_with_an_item(ledger_url)
    script = write(tmp_path / "writer.py", WRITER)
    procs = [subprocess.Popen([sys.executable, str(script), ledger_url, tag, "500"])
             for tag in ("a", "b")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    with open_ledger(ledger_url) as ledger:
        notes = {r[0] for r in ledger.db.execute("SELECT note FROM events")}
    assert notes == {f"{t}-{i}" for t in "ab" for i in range(500)}


KILLED = textwrap.dedent("""
    import sys, time
    from konpfoi.ledger.backends import open_ledger
    with open_ledger(sys.argv[1]) as ledger, ledger.write():
        for i in range(100000):
            ledger.add_event("K-0001", "note", "2026-11-23", note=str(i))
            if i == 2000:
                print("halfway", flush=True)
                time.sleep(60)
""")


@pytest.mark.slow
@pytest.mark.backends()
def test_a_process_killed_mid_command_leaves_the_ledger_consistent(tmp_path: Path,
                                                                   ledger_url: str) -> None:
    _ledger_with_an_item(ledger_url)
    script = write(tmp_path / "killed.py", KILLED)
    proc = subprocess.Popen([sys.executable, str(script), ledger_url], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "halfway"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with open_ledger(ledger_url) as ledger:
        if ledger_url.endswith(".db"):
            assert ledger.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert ledger.events().get("K-0001") is None  # the whole command, or nothing
        with ledger.write():
            ledger.add_event("K-0001", "note", "2026-11-23")
    assert time.time()  # and the ledger is usable again


def test_a_foreign_file_is_refused_and_left_untouched(tmp_path: Path, run, home: Path) -> None:
    home.mkdir(parents=True)
    write(home / "konpfoi.yaml", "name: Jo\n")
    ledger = home / "konpfoi.db"
    ledger.write_bytes(b"this is my thesis, not a database\n" * 10)
    before = ledger.read_bytes()
    out = run("draft", "--to", "icb:QKK", "-q", "palantir-fdp", code=9)
    assert "not a konpfoi ledger" in out.stderr and "left untouched" in out.stderr
    assert ledger.read_bytes() == before
    assert not (home / "drafts" / "K-0001.eml").exists()


def test_another_programs_sqlite_file_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "konpfoi.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE photos (id INTEGER)")
    before = db.read_bytes()
    with pytest.raises(StorageError) as exc:
        open_ledger(db)
    assert "did not create" in exc.value.message
    assert db.read_bytes() == before


def test_a_corrupt_ledger_gives_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "konpfoi.db"
    _ledger_with_an_item(db)
    raw = bytearray(db.read_bytes())
    raw[100:4000] = b"\xff" * 3900
    db.write_bytes(bytes(raw))
    with pytest.raises(StorageError), open_ledger(db) as ledger:
        ledger.events()


@pytest.mark.backends()
def test_a_newer_schema_is_refused_and_left_untouched(ledger_url: str) -> None:
    from konpfoi.errors import Conflict

    _ledger_with_an_item(ledger_url)
    with open_ledger(ledger_url) as ledger:
        ledger.db.execute("INSERT INTO migrations VALUES ('m999_future', '2030-01-01')")
    file = Path(ledger_url)
    before = file.read_bytes() if file.is_file() else None
    with pytest.raises(Conflict) as exc:
        open_ledger(ledger_url)
    assert "newer konpfoi" in exc.value.message and "upgrade konpfoi" in exc.value.hint
    with pytest.raises(Conflict):
        open_ledger(ledger_url)  # and again: nothing was changed the first time
    if before is not None:
        assert file.read_bytes() == before


def test_ledger_files_are_owner_only(run, me: Path) -> None:
    run("draft", "--to", "icb:QKK", "-q", "palantir-fdp")
    for name in ("konpfoi.db", "konpfoi.db-wal"):
        if (me / name).exists():
            assert os.stat(me / name).st_mode & 0o077 == 0, name
