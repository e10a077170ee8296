"""Start-up and drafting speed: `konpfoi --help` (≤ 200 ms) and one `konpfoi draft` (≤ 300 ms).

Each draft is another request to the same body, so it is drafted with --force (the overlap is
a warning then). Give --against an older konpfoi to time it side by side, run for run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from common import (
    Figure,
    arguments,
    compare,
    konpfoi,
    side_by_side,
    tempdir,
    timed,
    workspace_env,
)

COMMANDS = {
    "konpfoi --help": (["--help"], 0.200),
    "konpfoi draft --to icb:QKK -q palantir-fdp": (
        ["draft", "--to", "icb:QKK", "--questions", "palantir-fdp", "--force"], 0.300),
    "konpfoi draft --to 'south east london' (name)": (
        ["draft", "--to", "south east london", "--questions", "palantir-fdp", "--force"],
        0.300),
}


def main() -> None:
    args = arguments(__doc__, 21).parse_args()
    builds = {"konpfoi": konpfoi(), **({"against": args.against} if args.against else {})}
    rows = []
    with tempdir() as tmp:
        envs = {k: workspace_env(Path(tmp) / k) for k in builds}
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        python = side_by_side({"python": lambda: timed([sys.executable, "-c", "pass"], env)},
                              args.runs)["python"]
        rows.append(Figure("python -c pass", python))
        for name, (argv, target) in COMMANDS.items():
            for k, exe in builds.items():
                timed([exe, *argv], envs[k])  # warm up: bytecode, caches
            times = side_by_side({k: (lambda exe=exe, k=k, argv=argv: timed([exe, *argv], envs[k]))
                                  for k, exe in builds.items()}, args.runs)
            rows.append(Figure(name, times["konpfoi"], times.get("against"), "--against",
                               target))
    compare(rows)


if __name__ == "__main__":
    main()
