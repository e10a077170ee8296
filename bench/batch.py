"""Drafting a letter to every MP (646 with an address), side by side with mailmerge.

Target: `konpfoi batch` (each draft durable in the ledger and on disk, an mbox) in at most the
time of `mailmerge --dry-run --no-limit` on the same rows, run for run. mailmerge comes with
the bench extra: pip install -e '.[bench]'. Give --against an older konpfoi to time it too.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from common import Figure, arguments, compare, konpfoi, side_by_side, tempdir, timed, workspace_env
from mps import BATCH, konpfoi_workspace, mailmerge_files


def main() -> None:
    args = arguments(__doc__, 7).parse_args()
    exe = konpfoi()
    with tempdir() as tmp:
        root = Path(tmp)
        merge = mailmerge_files(root, 25)  # a dry run connects to nothing
        fresh = itertools.count()

        def draft(with_exe: str) -> float:
            env = konpfoi_workspace(with_exe, root / f"ws{next(fresh)}", 25)
            return timed([with_exe, *BATCH], env)

        jobs = {"konpfoi": lambda: draft(exe),
                "mailmerge": lambda: timed([*merge, "--dry-run"], workspace_env(root), root)}
        if args.against:
            jobs["against"] = lambda: draft(args.against)
        draft(exe)  # warm the file cache and the directory cache
        times = side_by_side(jobs, args.runs)
    mm = "mailmerge --dry-run"
    rows = [Figure("batch: 646 MPs (ledger, files, mbox)", times["konpfoi"], times["mailmerge"],
                   mm, 1.0, ratio=True),
            Figure("mailmerge --dry-run --no-limit (646)", times["mailmerge"])]
    if args.against:
        rows += [Figure("batch, --against build", times["against"], times["mailmerge"], mm, 1.0,
                        ratio=True),
                 Figure("batch, this build / the --against build", times["konpfoi"],
                        times["against"], "--against")]
    compare(rows)


if __name__ == "__main__":
    main()
