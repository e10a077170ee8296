"""Batch drafting and sending to all 650 MPs, side by side with mailmerge on the same rows.

Targets: drafting ≤ 1.0 s and ≤ half of `mailmerge --dry-run --no-limit`; sending to a loopback
SMTP server, every outcome durable in the ledger, ≤ half of mailmerge's send. mailmerge is
installed for the benchmark only (pip install mailmerge); without it, konpfoi alone is timed.
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import statistics
import subprocess
from pathlib import Path

from common import arguments, baseline, konpfoi, report, tempdir, time_command, workspace_env

from konpfoi.directory import catalogue
from konpfoi.workspace.resources import packaged


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _smtp_server():  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    class Handler:
        count = 0

        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            Handler.count += 1
            return "250 OK"

    port = _free_port()
    c = Controller(Handler(), hostname="127.0.0.1", port=port)
    c.start()
    return c, port, Handler


def _mailmerge_files(folder: Path, port: int) -> None:
    """The same 650 rows and the same letter, in mailmerge's formats."""
    mps = [b for b in catalogue.load() if b.kind == "mp" and b.email]
    with (folder / "db.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["email", "name", "constituency"])
        for b in mps:
            w.writerow([b.email, b.name, b.constituency])
    body = (packaged("templates") / "mp-fdp.j2").read_text().split("#}\n", 1)[1]
    body = body.split("%}\n", 1)[1]  # drop the subject line
    for a, b in (("body.name", "name"), ("body.constituency", "constituency"),
                 ("requester.name", '"Jo Campaigner"'), ("requester.email", '"jo@example.org"'),
                 ("requester.address", '""'), ("personal", '""'),
                 ("letter.constituent", "false"), ("group.name", '"Keep Our NHS Public Lambeth"'),
                 ("group.email", '""'), ("group.address", '""'), ("group.website", '""')):
        body = body.replace(a, b)
    (folder / "template.txt").write_text(
        "TO: {{email}}\nFROM: Jo Campaigner <jo@example.org>\nSUBJECT: Palantir, the NHS "
        "Federated Data Platform and our health data\n\n" + body)
    (folder / "server.conf").write_text(
        f"[smtp_server]\nhost = 127.0.0.1\nport = {port}\nsecurity = Never\n"
        "username = None\nratelimit = 0\n")


def main() -> None:
    runs = arguments(__doc__, 5).parse_args().runs
    exe = konpfoi()
    mailmerge = shutil.which("mailmerge")
    server, port, handler = _smtp_server()
    rows = []
    try:
        with tempdir() as tmp:
            root = Path(tmp)
            base = baseline(15)
            draft, send = [], []
            for n in range(runs):
                env = workspace_env(root / f"run{n}")
                home = Path(env["KONPFOI_HOME"])
                subprocess.run([exe, "init", str(home), "--name", "Jo Campaigner", "--email",
                                "jo@example.org"], env=env, capture_output=True, check=True)
                text = (home / "konpfoi.yaml").read_text()
                (home / "konpfoi.yaml").write_text(
                    text.replace("  host: \n", "  host: 127.0.0.1\n")
                    .replace("  port: \n", f"  port: {port}\n")
                    .replace("  security: starttls", "  security: none")
                    .replace("group:\n  name: \n", "group:\n  name: Keep Our NHS Public Lambeth\n"))
                draft += time_command([exe, "batch", "--to", "mp:*", "--template", "mp-fdp",
                                       "--campaign", "mps"], env, 1, before=os.sync,
                                      warm_up=False)
                send += time_command([exe, "send", "--campaign", "mps", "--yes"], env, 1,
                                     before=os.sync, warm_up=False)
            assert handler.count == 646 * runs, handler.count
            rows.append(("konpfoi batch: draft 646 MPs (files, mbox, ledger)", draft, 1.0))
            rows.append(("konpfoi send: 646 MPs to loopback SMTP, ledger", send, None))
            if mailmerge:
                _mailmerge_files(root, port)
                args = [mailmerge, "--template", "template.txt", "--database", "db.csv",
                        "--config", "server.conf", "--no-limit"]
                dry = time_command(args + ["--dry-run"], env, runs, cwd=root, before=os.sync)
                real = time_command(args + ["--no-dry-run"], env, max(2, runs // 2), cwd=root,
                                    before=os.sync, warm_up=False)
                rows.append(("mailmerge --dry-run --no-limit (646)", dry, None))
                rows.append(("mailmerge --no-dry-run --no-limit (646)", real, None))
    finally:
        server.stop()
    report(rows, base)
    if mailmerge:
        med = {name: statistics.median(t) for name, t, _ in rows}
        d = med["konpfoi batch: draft 646 MPs (files, mbox, ledger)"] / \
            med["mailmerge --dry-run --no-limit (646)"]
        s = med["konpfoi send: 646 MPs to loopback SMTP, ledger"] / \
            med["mailmerge --no-dry-run --no-limit (646)"]
        print(f"drafting: konpfoi / mailmerge = {d:.2f} (target ≤ 0.5)")
        print(f"sending:  konpfoi / mailmerge = {s:.2f} (target ≤ 0.5)")
    else:
        print("mailmerge is not installed: pip install mailmerge to compare")


if __name__ == "__main__":
    main()
