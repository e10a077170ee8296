"""IMAP fetch against a local Dovecot (tests/servers): `konpfoi replies fetch` of 5,000 new
messages into a fresh ledger, and of 50 new among 5,000 already seen. Medians, and messages a
second. Needs dovecot-imapd installed (as CI has)."""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

from common import arguments, konpfoi, tempdir, workspace_env

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from servers import IMAP_PASSWORD, IMAP_USER, Dovecot  # noqa: E402

TOTAL, NEW = 5000, 50


def _reply(n: int, item: tuple[str, str, str], rng: random.Random) -> bytes:
    item_id, email, message_id = item
    m = EmailMessage()
    m["From"] = f"FOI team <{email}>"
    m["To"] = IMAP_USER
    m["Subject"] = f"RE: Freedom of Information request [{item_id}]"
    m["Message-ID"] = f"<bench-{n}-{rng.random()}@nhs.example>"
    if n % 10:  # one in ten matches nothing: a newsletter, a friend
        m["In-Reply-To"] = message_id
    m["Date"] = "Mon, 30 Nov 2026 10:00:00 +0000"
    m.set_content("Dear Jo,\n\nPlease find our response below.\n\n" + "Answer. " * 200)
    return bytes(m)


def _append(server: Dovecot, items: list, start: int, n: int, rng: random.Random) -> None:
    client = server.connect(IMAP_USER)
    for k in range(start, start + n):
        client.append("INBOX", None, None, _reply(k, items[k % len(items)], rng))
    client.logout()


def _fetch(exe: str, env: dict[str, str]) -> tuple[float, dict]:
    import json

    start = time.perf_counter()
    done = subprocess.run([exe, "replies", "fetch", "--json"], env=env, capture_output=True,
                          check=True)
    return time.perf_counter() - start, json.loads(done.stdout)


def _wire_only(server: Dovecot) -> float:
    """The IMAP side alone: sign in, search and fetch every message in 200-message chunks."""
    from konpfoi.mail.credentials import Login
    from konpfoi.mail.imap import ImapConnection, ImapServer

    start = time.perf_counter()
    srv = ImapServer(server.host, server.port, IMAP_USER, "none")
    with ImapConnection(srv, Login(IMAP_USER, password=IMAP_PASSWORD)) as conn:
        conn.select("INBOX")
        uids = conn.uids()
        for k in range(0, len(uids), 200):
            conn.fetch(uids[k:k + 200])
    return time.perf_counter() - start


def main() -> None:
    runs = arguments(__doc__, 3).parse_args().runs
    exe = konpfoi()
    rng = random.Random(5)
    with tempdir() as tmp, Dovecot({IMAP_USER: IMAP_PASSWORD}) as server:
        root = Path(tmp)
        env = {**workspace_env(root), "KONPFOI_IMAP_PASSWORD": IMAP_PASSWORD}
        home = Path(env["KONPFOI_HOME"])
        for argv in (["init", str(home), "--name", "Jo", "--email", IMAP_USER],
                     ["batch", "--to", "trust:*", "-q", "palantir-fdp", "--campaign", "t"],
                     ["mark-sent", "--campaign", "t"]):
            subprocess.run([exe, *argv], env=env, capture_output=True, check=True)
        config = home / "konpfoi.yaml"
        config.write_text(config.read_text().replace(
            "imap:\n  host: \n  port: \n  user: \n  security: ssl",
            f"imap:\n  host: {server.host}\n  port: {server.port}\n  user: {IMAP_USER}\n"
            "  security: none"))
        import sqlite3

        with sqlite3.connect(home / "konpfoi.db") as con:
            items = list(con.execute("SELECT id, body_email, message_id FROM items"))
        began = time.perf_counter()
        _append(server, items, 0, TOTAL, rng)
        print(f"appended {TOTAL} messages to INBOX in {time.perf_counter() - began:.1f} s")
        pristine = root / "pristine.db"
        shutil.copy(home / "konpfoi.db", pristine)

        full = []
        for _ in range(runs):
            (home / "konpfoi.db").unlink()
            for extra in ("konpfoi.db-wal", "konpfoi.db-shm"):
                (home / extra).unlink(missing_ok=True)
            shutil.rmtree(home / "files", ignore_errors=True)
            shutil.copy(pristine, home / "konpfoi.db")
            seconds, out = _fetch(exe, env)
            assert out["folders"][0]["new"] == TOTAL, out["folders"]
            full.append(seconds)
        counts = out["counts"]
        incremental = []
        for r in range(runs):
            _append(server, items, TOTAL + r * NEW, NEW, rng)
            seconds, out = _fetch(exe, env)
            assert out["folders"][0]["new"] == NEW, out["folders"]
            incremental.append(seconds)
        nothing = [_fetch(exe, env)[0] for _ in range(runs)]
        wire = [_wire_only(server) for _ in range(runs)]
    med = statistics.median(full)
    print(f"{'benchmark':<52} {'median':>9} {'msg/s':>8}")
    print(f"{f'replies fetch: {TOTAL:,} new (fresh ledger)':<52} {med:>8.2f}s "
          f"{TOTAL / med:>8.0f}")
    inc = statistics.median(incremental)
    print(f"{f'replies fetch: {NEW} new among {TOTAL:,} seen':<52} {inc:>8.2f}s "
          f"{NEW / inc:>8.0f}")
    print(f"{'replies fetch: nothing new':<52} {statistics.median(nothing):>8.2f}s")
    wired = statistics.median(wire)
    print(f"{f'IMAP transfer alone: {TOTAL:,} messages (no intake)':<52} {wired:>8.2f}s "
          f"{TOTAL / wired:>8.0f}")
    print(f"  outcomes of the full fetch: {counts}")


if __name__ == "__main__":
    main()
