"""The same letter to every MP with an email address, set up for konpfoi and for mailmerge, and
a loopback SMTP server that accepts everything (for bench/batch.py and bench/send.py)."""

from __future__ import annotations

import csv
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from common import workspace_env

from konpfoi.directory import catalogue
from konpfoi.workspace.resources import packaged

MPS = 646  # MPs with an email address in the packaged directory (4 of 650 have none)


def mailmerge() -> str:
    found = shutil.which("mailmerge", path=str(Path(sys.executable).parent)) or \
        shutil.which("mailmerge")
    if not found:
        sys.exit("mailmerge is not installed: pip install -e '.[bench]'")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smtp_server(pipelining: bool = True) -> tuple[Any, int, Any]:
    """(controller, port, handler): an aiosmtpd server on loopback counting what it takes;
    offering PIPELINING (RFC 2920) as Gmail, Microsoft 365 and Postfix do, unless told not."""
    from aiosmtpd.controller import Controller

    class Handler:
        count = 0

        async def handle_EHLO(self, server, session, envelope, hostname,  # type: ignore[no-untyped-def]
                              responses):
            session.host_name = hostname
            return [*responses[:-1], "250-PIPELINING", responses[-1]] if pipelining \
                else responses

        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            Handler.count += 1
            return "250 OK"

    port = free_port()
    c = Controller(Handler(), hostname="127.0.0.1", port=port)
    c.start()
    return c, port, Handler


def konpfoi_workspace(exe: str, folder: Path, port: int) -> dict[str, str]:
    """A workspace that sends to the loopback server, with no pause and no Sent copies; the
    user's cache (the directory, the holidays) is shared with the other runs, as it is between
    a user's workspaces."""
    env = workspace_env(folder, folder.parent / "cache")
    home = Path(env["KONPFOI_HOME"])
    subprocess.run([exe, "init", str(home), "--name", "Jo Campaigner", "--email",
                    "jo@example.org"], env=env, capture_output=True, check=True)
    text = (home / "konpfoi.yaml").read_text()
    (home / "konpfoi.yaml").write_text(
        text.replace("  host: \n", "  host: 127.0.0.1\n", 1)
        .replace("  port: \n", f"  port: {port}\n", 1)
        .replace("  security: starttls", "  security: none")
        .replace("sent_copies: auto", "sent_copies: off")
        .replace("group:\n  name: \n", "group:\n  name: Keep Our NHS Public Lambeth\n"))
    return env


BATCH = ["batch", "--to", "mp:*", "--template", "mp-fdp", "--campaign", "mps"]
SEND = ["send", "--campaign", "mps", "--yes", "--rate", "none"]


def mailmerge_files(folder: Path, port: int) -> list[str]:
    """The same rows and the same letter in mailmerge's formats; its command line (without
    --dry-run or --no-dry-run), to run in `folder`."""
    mps = [b for b in catalogue.load() if b.kind == "mp" and b.email]
    assert len(mps) == MPS, len(mps)
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
    return [mailmerge(), "--template", "template.txt", "--database", "db.csv",
            "--config", "server.conf", "--no-limit"]
