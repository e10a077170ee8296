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
from typing import Any, NamedTuple

BIN = Path(sys.executable).parent


def arguments(doc: str | None, runs: int) -> argparse.ArgumentParser:
    """A benchmark's command line: --runs, --against, and whatever the script adds."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--runs", type=int, default=runs, help="timed runs (median reported)")
    parser.add_argument("--against", metavar="KONPFOI",
                        default=os.environ.get("KONPFOI_BENCH_AGAINST"),
                        help="another konpfoi executable (an older build, say) to time side by "
                             "side with this one, run for run (or KONPFOI_BENCH_AGAINST)")
    return parser


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes): a figure means little without them."""
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def konpfoi() -> str:
    found = shutil.which("konpfoi", path=str(BIN)) or shutil.which("konpfoi")
    if not found:
        sys.exit("konpfoi is not installed in this environment: pip install -e .")
    return found


def workspace_env(tmp: Path, cache: Path | None = None) -> dict[str, str]:
    """A workspace in `tmp/home`; its user cache in `cache` (shared by runs, as a user's is
    shared by their workspaces) or `tmp/cache`. Bytecode is written, as an installed konpfoi
    has it: without it every run would compile konpfoi's modules again."""
    env = {**os.environ, "KONPFOI_HOME": str(tmp / "home"),
           "KONPFOI_CACHE_DIR": str(cache or tmp / "cache"), "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


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


def timed(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
          ) -> float:
    """Wall-clock seconds of one run of `argv`, after the disk has written what earlier runs
    left behind (so that one run's writes are not charged to the next)."""
    os.sync()
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=True)
    return time.perf_counter() - start


def run_measured(argv: list[str], env: dict[str, str], cwd: Path | None = None
                 ) -> tuple[float, int]:
    """(wall-clock seconds, peak resident memory in bytes) of one run of `argv`."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read() if proc.stderr else b""
    if proc.returncode:
        sys.exit(f"{' '.join(argv)} failed ({proc.returncode}): {err.decode(errors='replace')}")
    return seconds, usage.ru_maxrss * 1024  # Linux: kilobytes


def side_by_side(jobs: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    """Run each job once per round, in turn, `runs` rounds: each job sees the same load."""
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(runs):
        for name, job in jobs.items():
            times[name].append(job())
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
    print(load())
    print(f"{'benchmark':<46} {'median':>10} {'x python':>9} {'target':>9}  ok")
    print(f"{'python -c pass (baseline)':<46} {base * 1000:>8.1f}ms {1:>9.1f}")
    for name, times, target in rows:
        med = statistics.median(times)
        ok = "" if target is None else ("yes" if med <= target else "NO")
        tgt = "" if target is None else f"{target * 1000:.0f}ms"
        print(f"{name:<46} {med * 1000:>8.1f}ms {med / base:>9.1f} {tgt:>9}  {ok}")


class Figure(NamedTuple):
    """One line of a comparison: a figure, and its baseline measured in the same run."""

    name: str
    times: list[float]
    base: list[float] | None = None  # the baseline's times, run for run
    base_name: str = ""
    target: float | None = None
    ratio: bool = False  # the target is a ratio to the baseline (else seconds)


def compare(rows: list[Figure]) -> None:
    """Print each figure beside its baseline: median (and the spread), the baseline's median,
    their ratio, the target (a ratio to the baseline, or seconds) and whether it was met."""
    print(load())
    print(f"{'what':<46} {'median':>8} {'min-max':>11} {'baseline':>9} {'ratio':>6} "
          f"{'target':>8}  ok")
    for f in rows:
        med = statistics.median(f.times)
        spread = f"{min(f.times):.2f}-{max(f.times):.2f}"
        b = statistics.median(f.base) if f.base else None
        ratio = med / b if b else None
        got = ratio if f.ratio else med
        tgt = "" if f.target is None else (f"≤{f.target:.2f}x" if f.ratio else
                                           f"≤{f.target:.2f}s")
        ok = "" if f.target is None or got is None else ("yes" if got <= f.target else "NO")
        base = f"{b:>8.3f}s {ratio:>6.2f}" if b is not None and ratio is not None \
            else f"{'':>9} {'':>6}"
        print(f"{f.name:<46} {med:>7.3f}s {spread:>11} {base} {tgt:>8}  {ok}"
              + (f"   (baseline: {f.base_name})" if b is not None else ""))


def tempdir() -> tempfile.TemporaryDirectory[str]:
    """A folder for a benchmark's workspaces: in KONPFOI_BENCH_DIR if set, else the system's.

    Where it is matters on ext4: creating a file skips over every inode of its folder's group
    deleted in the last half minute or so, and a temporary folder shared with test suites that
    make and delete thousands of files can make each new file cost half a millisecond of system
    time. A folder of its own (`mkdir D; chattr +T D`, so that ext4 spreads the workspaces
    over quiet groups) measures konpfoi rather than the neighbours.
    """
    return tempfile.TemporaryDirectory(prefix="konpfoi-bench-",
                                       dir=os.environ.get("KONPFOI_BENCH_DIR"))


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
