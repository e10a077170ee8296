"""`konpfoi status` over synthetic ledgers of 10,000 and 100,000 items, and its peak memory.

Each size is timed three ways, each a median of --runs: warm (nothing changed since the last
run); the first run after the ledger changes (one item in a hundred has a new event: an
import, a batch recorded); the first run with no status cache (a new machine, new holidays or
settings: every item is derived). Targets: 10,000 items warm ≤ 0.15 s and first run ≤ 0.3 s;
100,000 items warm ≤ 0.3 s and first run after a change ≤ 1.5 s; peak memory ≤ 150 MB. The
user's other caches (holidays, the directory) are warm throughout, as they are for a user.
Give --against an older konpfoi to time it side by side, run for run.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

from common import (
    Figure,
    arguments,
    compare,
    konpfoi,
    load,
    run_measured,
    side_by_side,
    tempdir,
    workspace_env,
)
from make_ledger import generate

from konpfoi.ledger.backends import open_ledger

TARGETS = {10_000: {"warm": 0.15, "first": 0.3}, 100_000: {"warm": 0.3, "changed": 1.5}}


class Setup:
    """One konpfoi build's workspace over a copy of the ledger, and its cache."""

    def __init__(self, exe: str, folder: Path, pristine: Path) -> None:
        self.exe, self.pristine = exe, pristine
        self.env = workspace_env(folder)
        self.home, self.cache = Path(self.env["KONPFOI_HOME"]), Path(self.env["KONPFOI_CACHE_DIR"])
        self.home.mkdir(parents=True)
        self.peak = 0
        self.restore()
        self.run()  # the user's caches (and a status cache for this very ledger)
        self.warm = folder / "cache.warm"
        shutil.copytree(self.cache, self.warm)

    def restore(self) -> None:
        shutil.copy(self.pristine, self.home / "konpfoi.db")
        for extra in ("konpfoi.db-wal", "konpfoi.db-shm"):
            (self.home / extra).unlink(missing_ok=True)

    def run(self) -> float:
        seconds, peak = run_measured([self.exe, "status"], self.env)
        self.peak = max(self.peak, peak)
        return seconds

    def first(self) -> float:
        """With no status cache."""
        self.restore()
        for f in self.cache.glob("status-*"):
            f.unlink()
        return self.run()

    def changed(self, share: float = 0.01) -> float:
        """After one item in a hundred has a new event since the cache was made."""
        self.restore()
        shutil.rmtree(self.cache)
        shutil.copytree(self.warm, self.cache)
        with open_ledger(self.home / "konpfoi.db") as ledger:
            n = int(ledger.db.one("SELECT COUNT(*) FROM items")[0])
            with ledger.write():
                for k in random.Random(n).sample(range(1, n + 1), int(n * share)):
                    ledger.add_event(f"K-{k:04d}", "note", "2026-11-20", note="bench")
        return self.run()


def main() -> None:
    parser = arguments(__doc__, 7)
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    builds = {"konpfoi": konpfoi(), **({"against": args.against} if args.against else {})}
    rows = []
    peaks = []
    with tempdir() as tmp:
        for n in (int(x) for x in args.sizes.split(",")):
            pristine = Path(tmp) / f"{n}.db"
            generate(pristine, n)
            with open_ledger(pristine) as ledger:
                ledger.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            setups = {k: Setup(exe, Path(tmp) / f"{n}-{k}", pristine) for k, exe in builds.items()}
            ways: dict[str, Callable[[Setup], float]] = {
                "warm": Setup.run, "changed": Setup.changed, "first": Setup.first}
            for way, fn in ways.items():
                jobs = {k: (lambda s=s, fn=fn: fn(s)) for k, s in setups.items()}
                if way == "warm":
                    for s in setups.values():
                        s.run()
                times = side_by_side(jobs, args.runs)
                what = {"warm": "warm", "changed": "first run after 1% changed",
                        "first": "first run, no status cache"}[way]
                rows.append(Figure(f"status, {n:,} items, {what}", times["konpfoi"],
                                   times.get("against"), "--against", TARGETS.get(n, {}).get(way)))
            peaks += [(n, k, s.peak) for k, s in setups.items()]
            for k in setups:
                shutil.rmtree(Path(tmp) / f"{n}-{k}")
    compare(rows)
    for n, k, peak in peaks:
        ok = "yes" if peak <= 150 * 2**20 else "NO"
        print(f"peak memory, {n:,} items ({k}): {peak / 2**20:.0f} MB (target ≤ 150 MB)  "
              f"{ok if k == 'konpfoi' else ''}")
    print(load())


if __name__ == "__main__":
    main()
