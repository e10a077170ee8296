"""`konpfoi status` on synthetic ledgers: 10,000 items (≤ 300 ms) and 100,000 (≤ 1.5 s).

The first run after a ledger is made (or after holidays or settings change) derives every
item and fills the status cache; it is reported separately. The targets are for the runs after.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from common import arguments, baseline, konpfoi, report, tempdir, time_command, workspace_env
from make_ledger import generate


def main() -> None:
    parser = arguments(__doc__, 11)
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    exe = konpfoi()
    rows = []
    targets = {10_000: 0.300, 100_000: 1.5}
    with tempdir() as tmp:
        base = baseline(args.runs)
        for n in (int(x) for x in args.sizes.split(",")):
            env = workspace_env(Path(tmp) / str(n))
            home = Path(env["KONPFOI_HOME"])
            home.mkdir(parents=True)
            generate(home / "konpfoi.db", n)
            start = time.perf_counter()
            subprocess.run([exe, "status"], env=env, capture_output=True, check=True)
            cold = time.perf_counter() - start
            rows.append((f"konpfoi status, {n:,} items (first run, {cold:.2f}s)",
                         [cold], None))
            rows.append((f"konpfoi status, {n:,} items", time_command([exe, "status"], env,
                                                                      args.runs),
                         targets.get(n)))
            rows.append((f"konpfoi status --overdue --campaign camp-1, {n:,}",
                         time_command([exe, "status", "--overdue", "--campaign", "camp-1"],
                                      env, args.runs), None))
    report(rows, base)


if __name__ == "__main__":
    main()
