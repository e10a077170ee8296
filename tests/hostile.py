"""Shared pieces for the hostile-input tests: a sentinel folder that must never be read into a
message or changed, snapshots of folders, and direct writes to a ledger file (what a ledger
written by something other than konpfoi could hold)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
import warnings
from pathlib import Path
from typing import Any

import pytest
import time_machine
from conftest import TODAY, Run, write

from konpfoi.errors import KonpfoiError, KonpfoiWarning

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


@pytest.fixture(scope="module", name="golden")
def golden_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two requests, one sent, answered with a file and coded; its export: made once a module."""
    root = tmp_path_factory.mktemp("golden")
    with pytest.MonkeyPatch.context() as mp, time_machine.travel(TODAY, tick=False):
        for var, value in (("KONPFOI_HOME", root / "home"), ("KONPFOI_CACHE_DIR", root / "c"),
                           ("NO_COLOR", "1"), ("COLUMNS", "120")):
            mp.setenv(var, str(value))
        mp.chdir(root)
        run = Run()
        run("init", str(root / "home"), "--name", "Jo Campaigner", "--email", "jo@example.org")
        run("draft", "--to", "icb:QKK", "--to", "icb:QWO", "-q", "palantir-fdp", "--campaign",
            "c")
        run("mark-sent", "K-0001", "--date", "2026-11-23")
        eml = write(root / "r.eml", "From: a@b.nhs.uk\nSubject: re\nMessage-ID: <m@b>\n\nhi\n")
        run("reply", "K-0001", "--file", str(eml), "--outcome", "refused")
        run("code", "K-0001", "--q", "1=refused:s43")
        run("followup", "K-0001", "--kind", "internal-review",  # #12: no chaser once answered
            "--reason", "s.43 does not cover the contract's existence")
        run("export", str(root / "good.jsonl"))
    return root


def read_everything(ledger: Any, cals: Any, root: Path) -> list[str]:
    """Everything a user can ask of a ledger, as the commands ask it; the warnings it gave.

    Only konpfoi's own errors may come out (the CLI shows those as one line); anything else
    would be an 'internal error'. No message it would send may hold the sentinel's secret."""
    from konpfoi.ledger import exchange
    from konpfoi.mail import sending
    from konpfoi.report import campaign, formats
    from konpfoi.tracking import status, timeline

    today = dt.date(2026, 11, 23)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KonpfoiWarning)
        status.build(ledger, cals, today, cache_dir=root / "cache", include_closed=True)
        for item in ledger.items():
            with contextlib.suppress(KonpfoiError):
                timeline.timeline(ledger, item.id, cals, today)
        report = campaign.build(ledger, cals, today)
        for fmt in formats.FORMATS:
            formats.render(report, fmt)
        exchange.export(ledger, root / "again.jsonl")
        ledger.inbound_list()
        for name in [None, *ledger.campaigns()]:
            try:
                plan = sending.plan(ledger, root, "jo@example.org", item_ids=None,
                                    campaign=name or "c")
            except KonpfoiError:
                continue
            for out in plan.ready:
                assert SECRET.encode() not in (sending.message(ledger, root, out) or b"")
    return [str(w.message) for w in caught]
