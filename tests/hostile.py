"""Shared pieces for the hostile-input tests: a sentinel folder that must never be read into a
message or changed, snapshots of folders, and direct writes to a ledger file (what a ledger
written by something other than konpfoi could hold)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

SECRET = "SENTINEL-SECRET-d41d8cd98f00b204"


def sentinel(tmp_path: Path) -> Path:
    """A folder outside the workspace holding a secret that must never leave or change."""
    folder = tmp_path / "sentinel"
    (folder / "nested").mkdir(parents=True, exist_ok=True)
    (folder / "secret.txt").write_text(SECRET + "\n")
    (folder / "nested" / "x.eml").write_text(f"From: a@b.org\nSubject: {SECRET}\n\n{SECRET}\n")
    return folder


def snapshot(root: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every file under `root` (but the top-level names in `skip`) and its SHA-256."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if rel.parts[0] in skip or not p.is_file():
            continue
        out[str(rel)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def outside_workspace(tmp_path: Path) -> dict[str, str]:
    """What the tests' folder holds outside the workspace and konpfoi's cache."""
    return snapshot(tmp_path, skip=("home", "cache", "xdg-data", "xdg-cache", "other"))


def sql(db: Path, statement: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement on a ledger file directly, bypassing konpfoi's checks."""
    conn = sqlite3.connect(db)
    try:
        with conn:
            rows = conn.execute(statement, args).fetchall()
    finally:
        conn.close()
    return rows


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_records(path: Path, recs: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs),
                    encoding="utf-8")
    return path
