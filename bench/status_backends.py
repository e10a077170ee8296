"""`konpfoi status` on synthetic ledgers, SQLite and PostgreSQL side by side: 10,000 items
(≤ 300 ms on SQLite) and 100,000 (≤ 1.5 s on both, PostgreSQL's also from a just-restarted
server), and what PostgreSQL's indexes and its trigger-kept latest-event table do for it.
(bench/status.py gives SQLite's figures warm, after a change and with no cache, and the peak
memory.)

The first run after a ledger is made (or after holidays or settings change) derives every
item and fills the status cache; it is reported separately. The targets are for the runs
after. PostgreSQL runs in a throwaway cluster (tests/servers), on a unix socket, with its
stock 128 MB of shared buffers; the ledger is loaded by COPY and analysed, as autovacuum
would have done on a server in use.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

from common import (
    arguments,
    baseline,
    konpfoi,
    ledger_backends,
    report,
    tempdir,
    time_command,
    workspace_env,
)
from make_ledger import copy_to_postgres, generate

TARGETS = {10_000: 0.300, 100_000: 1.5}

# The queries `status` runs on PostgreSQL, and what each would cost without the index (or
# the table) that serves it: each variant runs in a transaction that is rolled back.
PLANS = [
    ("which views are out of date: item_last",
     "an aggregate over every event instead",
     "SELECT count(*) FROM items i LEFT JOIN {latest} m ON m.item_id = i.id "
     "LEFT JOIN item_views v ON v.item_id = i.id AND v.stamp = '{stamp}' "
     "WHERE v.item_id IS NULL OR COALESCE(v.last_event, -1) <> COALESCE(m.last, -1)",
     None),
    ("the page's 50 items by id: items_pkey", "without it",
     "SELECT i.* FROM (SELECT v.item_id FROM item_views v WHERE v.stamp = '{stamp}' "
     "ORDER BY v.rank_early, v.next_early, v.seq LIMIT 50) p JOIN items i ON i.id = p.item_id",
     "ALTER TABLE items DROP CONSTRAINT items_pkey CASCADE"),
    ("their events: events_item", "without it",
     "SELECT * FROM events WHERE item_id IN ("
     + ", ".join(f"'K-{n:04d}'" for n in range(1, 51)) + ") ORDER BY id",
     "DROP INDEX events_item"),
]


def _explain_ms(psql: list[str], sql: str, before: str | None = None) -> float:
    script = "BEGIN;\n" + (f"{before};\n" if before else "") + \
        f"EXPLAIN (ANALYZE, FORMAT JSON) {sql};\nROLLBACK;\n"
    out = subprocess.run([*psql, "-c", script], capture_output=True, text=True, check=True)
    import json

    start = out.stdout.index("[")
    return float(json.loads(out.stdout[start:out.stdout.rindex("]") + 1])[0][
        "Execution Time"])


def _indexes(pg: Any, db: str) -> None:
    assert pg.bindir is not None
    psql = [str(pg.bindir / "psql"), "-X", "-q", "-A", "-t", "-h", pg.host, "-p",
            str(pg.port), "-U", "postgres", "-d", db]
    stamp = subprocess.run([*psql, "-c", "SELECT stamp FROM view_stamps LIMIT 1"],
                           capture_output=True, text=True, check=True).stdout.strip()
    latest = "(SELECT item_id, MAX(id) AS last FROM events GROUP BY item_id)"
    print("\nPostgreSQL, 100,000 items: what serves each query (median of 5, ms)")
    print(f"{'query':<46} {'with':>8} {'without':>9}")
    for name, other, sql, drop in PLANS:
        with_ = sorted(_explain_ms(psql, sql.format(latest="item_last", stamp=stamp))
                       for _ in range(5))[2]
        if drop is None:
            alt = sql.format(latest=latest, stamp=stamp)
            without = sorted(_explain_ms(psql, alt) for _ in range(5))[2]
        else:
            without = sorted(_explain_ms(psql, sql.format(latest="item_last", stamp=stamp),
                                         drop) for _ in range(5))[2]
        print(f"{name:<46} {with_:>8.1f} {without:>9.1f}  ({other})")


def main() -> None:
    parser = arguments(__doc__, 11)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    exe = konpfoi()
    rows: list[tuple[str, list[float], float | None]] = []
    with tempdir() as tmp, ledger_backends(args.backends) as (backends, pg):
        base = baseline(args.runs)
        for n in (int(x) for x in args.sizes.split(",")):
            env = workspace_env(Path(tmp) / str(n))
            home = Path(env["KONPFOI_HOME"])
            home.mkdir(parents=True)
            generate(home / "konpfoi.db", n)
            urls = {"sqlite": str(home / "konpfoi.db")}
            if pg:
                urls["postgresql"] = pg.create_database(f"status_{n}")
                copy_to_postgres(home / "konpfoi.db", urls["postgresql"])
                pg.psql("VACUUM ANALYZE", f"status_{n}")
            for backend in backends:
                benv = {**env, "KONPFOI_LEDGER": urls[backend]}
                start = time.perf_counter()
                subprocess.run([exe, "status"], env=benv, capture_output=True, check=True)
                cold = time.perf_counter() - start
                label = f"{n:,} items, {backend}"
                rows.append((f"status, {label} (first run)", [cold], None))
                rows.append((f"status, {label}",
                             time_command([exe, "status"], benv, args.runs),
                             TARGETS.get(n)))
                if backend == "postgresql" and pg and n >= 100_000:
                    restarted = []
                    for _ in range(3):
                        pg.restart()
                        restarted += time_command([exe, "status"], benv, 1,
                                                  warm_up=False)
                    rows.append((f"status, {label}, server just restarted", restarted,
                                 TARGETS.get(n)))
                rows.append((f"status --overdue --campaign camp-1, {label}",
                             time_command([exe, "status", "--overdue", "--campaign",
                                           "camp-1"], benv, args.runs), None))
        report(rows, base)
        if pg and 100_000 in [int(x) for x in args.sizes.split(",")]:
            _indexes(pg, "status_100000")


if __name__ == "__main__":
    main()
