"""Sending a letter to every MP (646) to a loopback SMTP server, side by side with mailmerge.

Target: `konpfoi send --rate none` (the intent and the outcome of each message in the ledger,
so that a run killed at any point resumes without sending twice) in at most 0.6 of the time of
`mailmerge --no-dry-run --no-limit` sending the same rows to the same server, run for run.
The server offers PIPELINING, as the servers campaigners use do (Gmail, Microsoft 365, Postfix);
--no-pipelining times one that does not. mailmerge and aiosmtpd come with the bench extra: pip
install -e '.[bench]'. Give --against an older konpfoi to time it too.
"""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

from common import Figure, arguments, compare, konpfoi, side_by_side, tempdir, timed, workspace_env
from mps import BATCH, MPS, SEND, konpfoi_workspace, mailmerge_files, smtp_server


def main() -> None:
    parser = arguments(__doc__, 7)
    parser.add_argument("--no-pipelining", action="store_true",
                        help="a server that does not offer PIPELINING (aiosmtpd's default)")
    args = parser.parse_args()
    exe = konpfoi()
    server, port, handler = smtp_server(pipelining=not args.no_pipelining)
    try:
        with tempdir() as tmp:
            root = Path(tmp)
            merge = mailmerge_files(root, port)
            fresh = itertools.count()

            def send(with_exe: str) -> float:
                env = konpfoi_workspace(with_exe, root / f"ws{next(fresh)}", port)
                subprocess.run([with_exe, *BATCH], env=env, capture_output=True, check=True)
                return timed([with_exe, *SEND], env, None)

            jobs = {"konpfoi": lambda: send(exe),
                    "mailmerge": lambda: timed([*merge, "--no-dry-run"], workspace_env(root), root)}
            if args.against:
                jobs["against"] = lambda: send(args.against)
            send(exe)  # warm up
            times = side_by_side(jobs, args.runs)
        assert handler.count == MPS * (len(jobs) * args.runs + 1), handler.count
    finally:
        server.stop()
    mm = "mailmerge --no-dry-run"
    rows = [Figure("send: 646 MPs to loopback SMTP, ledger", times["konpfoi"],
                   times["mailmerge"], mm, 0.6, ratio=True),
            Figure("mailmerge --no-dry-run --no-limit (646)", times["mailmerge"])]
    if args.against:
        rows += [Figure("send, --against build", times["against"], times["mailmerge"], mm, 0.6,
                        ratio=True),
                 Figure("send, this build / the --against build", times["konpfoi"],
                        times["against"], "--against")]
    compare(rows)


if __name__ == "__main__":
    main()
