"""Benchmark helpers: time whole commands; report medians and ratios to a baseline."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


def arguments(doc: str | None, runs: int) -> argparse.ArgumentParser:
    """A benchmark's command line: --runs, and whatever the script adds."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--runs", type=int, default=runs, help="timed runs (median reported)")
    return parser


def konpfoi() -> str:
    found = shutil.which("konpfoi", path=str(BIN)) or shutil.which("konpfoi")
    if not found:
        sys.exit("konpfoi is not installed in this environment: pip install -e .")
    return found


def workspace_env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "KONPFOI_HOME": str(tmp / "home"),
            "KONPFOI_CACHE_DIR": str(tmp / "cache"), "NO_COLOR": "1"}


def time_command(argv: list[str], env: dict[str, str], runs: int, cwd: Path | None = None,
                 before: Callable[[], None] | None = None, warm_up: bool = True
                 ) -> list[float]:
    """Wall-clock seconds of each run of `argv` (after one warm-up run, unless told not to)."""
    if warm_up:
        subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return times


def time_call(fn: Callable[[], object], runs: int) -> list[float]:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def baseline(runs: int) -> float:
    """Median seconds of `python -c pass`, measured in this run."""
    return statistics.median(time_command([sys.executable, "-c", "pass"], dict(os.environ), runs))


def report(rows: list[tuple[str, list[float], float | None]], base: float) -> None:
    """Print name, median, ratio to `python -c pass`, target and whether it was met."""
    print(f"{'benchmark':<46} {'median':>10} {'x python':>9} {'target':>9}  ok")
    print(f"{'python -c pass (baseline)':<46} {base * 1000:>8.1f}ms {1:>9.1f}")
    for name, times, target in rows:
        med = statistics.median(times)
        ok = "" if target is None else ("yes" if med <= target else "NO")
        tgt = "" if target is None else f"{target * 1000:.0f}ms"
        print(f"{name:<46} {med * 1000:>8.1f}ms {med / base:>9.1f} {tgt:>9}  {ok}")


def tempdir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="konpfoi-bench-")


@contextmanager
def ledger_backends(names: str) -> Iterator[tuple[list[str], Any]]:
    """The ledger backends asked for ("sqlite,postgresql"), and a throwaway PostgreSQL cluster
    (tests/servers, with its stock 128 MB of shared buffers) started for them, or None."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from servers.postgres import PostgresCluster, available

    backends = names.split(",")
    if "postgresql" in backends and available():
        print(f"PostgreSQL skipped: {available()}")
        backends.remove("postgresql")
    if "postgresql" not in backends:
        yield backends, None
        return
    with PostgresCluster(settings={"shared_buffers": "128MB"}) as cluster:
        yield backends, cluster
