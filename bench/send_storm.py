"""Four konpfoi processes sending one campaign of 500 drafts to a loopback SMTP server at once,
killed at random and started again, on SQLite and on PostgreSQL: every message must arrive
exactly once (0 duplicates, 0 lost) once the unknown outcomes are checked against what the
server received, as a user checks their Sent folder. Then four processes recording 500 events
each at once: none may be lost. (tests/test_concurrency.py does the same with fewer drafts.)
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path

from common import arguments, konpfoi, ledger_backends, tempdir, workspace_env

from konpfoi.ledger.backends import open_ledger


class Server:
    """A loopback SMTP server that keeps the Message-ID of everything it accepts."""

    def __init__(self, delay: float = 0.005) -> None:
        import asyncio
        import socket

        from aiosmtpd.controller import Controller

        self.ids: list[str] = []
        lock = threading.Lock()
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
                await asyncio.sleep(delay)  # a server's own time to take a message
                found = re.search(rb"(?m)^Message-ID: (<[^>]+>)", envelope.content)
                with lock:
                    outer.ids.append(found.group(1).decode() if found else "?")
                return "250 2.0.0 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def _konpfoi(exe: str, env: dict[str, str], *args: str) -> dict:
    out = subprocess.run([exe, *args, "--json"], env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def storm(exe: str, env: dict[str, str], home: Path, url: str, drafts: int, seed: int
          ) -> dict[str, float | int]:
    server = Server()
    try:
        subprocess.run([exe, "init", str(home), "--name", "Jo Campaigner", "--email",
                        "jo@example.org", "--ledger", url], env=env, capture_output=True,
                       check=True)
        cfg = home / "konpfoi.yaml"
        cfg.write_text(cfg.read_text().replace("  host: \n", "  host: 127.0.0.1\n", 1)
                       .replace("  port: \n", f"  port: {server.port}\n", 1)
                       .replace("  security: starttls", "  security: none", 1)
                       .replace("  sent_copies: auto", "  sent_copies: off"))
        subprocess.run([exe, "batch", "--to", "mp:*", "--template", "mp-fdp", "--campaign",
                        "storm"], env=env, capture_output=True, check=True)
        with open_ledger(url) as ledger, ledger.write():
            ids = [i.id for i in ledger.items(campaign="storm")][:drafts]
            keep = set(ids)
            for item in ledger.items(campaign="storm"):
                if item.id not in keep:
                    ledger.db.execute("UPDATE items SET campaign = 'other' WHERE id = ?",
                                      (item.id,))
            mid = {i.id: i.message_id for i in ledger.items(campaign="storm")}
        rng = random.Random(seed)
        kills = rounds = 0
        began = time.perf_counter()
        argv = [exe, "send", "--campaign", "storm", "--yes", "--json", "--rate", "none"]
        while True:
            rounds += 1
            if rounds > 50:
                raise SystemExit(f"{url}: the campaign never finished (is the server set?)")
            procs = [subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL) for _ in range(4)]
            # the first round, all four are killed; then up to three a round, each as the
            # messages arrive (at a random count of them)
            done = len(server.ids)
            left = len(ids) - done
            count = 0 if kills >= 12 or left < 8 else 4 if rounds == 1 else rng.randint(0, 3)
            for when in sorted(rng.sample(range(done + 2, done + left * 2 // 3), count)):
                while len(server.ids) < when and any(p.poll() is None for p in procs):
                    time.sleep(0.005)
                running = [p for p in procs if p.poll() is None]
                if running:
                    rng.choice(running).kill()
                    kills += 1
            for p in procs:
                p.wait()
            left = _konpfoi(exe, env, "send", "--campaign", "storm")
            if not left["would_send"]:
                break
        storm_s = time.perf_counter() - began
        arrived = set(server.ids)
        for item in left["unknown"]:  # the Sent folder check, done for the user
            if mid[item] in arrived:
                _konpfoi(exe, env, "mark-sent", item)
            else:
                _konpfoi(exe, env, "send", item, "--retry", "--yes")
        got = Counter(server.ids)
        return {"drafts": len(ids), "rounds": rounds, "kills": kills,
                "unknown": len(left["unknown"]), "delivered": len(got),
                "duplicates": sum(n - 1 for n in got.values() if n > 1),
                "lost": len(set(mid.values()) - set(got)), "seconds": storm_s}
    finally:
        server.stop()


WRITER = textwrap.dedent("""
    import sys
    from konpfoi.ledger.backends import open_ledger
    url, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for i in range(n):
        with open_ledger(url) as ledger, ledger.write():  # each a command of its own
            ledger.add_event("K-0001", "note", "2026-11-23", note=f"{tag}-{i}")
""")


def writers(folder: Path, url: str, n: int) -> dict[str, float | int]:
    script = folder / "writer.py"
    script.write_text(WRITER)
    began = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, str(script), url, tag, str(n)])
             for tag in "abcd"]
    assert [p.wait() for p in procs] == [0] * 4
    seconds = time.perf_counter() - began
    with open_ledger(url) as ledger:
        notes = [r[0] for r in ledger.db.execute(
            "SELECT note FROM events WHERE kind = 'note' AND note LIKE '_-%'")]
    want = {f"{t}-{i}" for t in "abcd" for i in range(n)}
    return {"events": len(notes), "lost": len(want - set(notes)),
            "doubled": len(notes) - len(set(notes)), "seconds": seconds}


def main() -> None:
    parser = arguments(__doc__, 1)
    parser.add_argument("--drafts", type=int, default=500)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    exe = konpfoi()
    results = []
    with tempdir() as tmp, ledger_backends(args.backends) as (backends, pg):
        for backend in backends:
            folder = Path(tmp) / backend
            env = workspace_env(folder)
            home = Path(env["KONPFOI_HOME"])
            url = str(home / "konpfoi.db") if backend == "sqlite" else \
                pg.create_database("storm")
            sent = storm(exe, env, home, url, args.drafts, args.seed)
            wrote = writers(folder, url, args.events)
            results.append((backend, sent, wrote))
    print(f"{'backend':<11} {'drafts':>6} {'rounds':>6} {'kills':>5} {'unknown':>7} "
          f"{'delivered':>9} {'dupes':>5} {'lost':>4} {'send s':>7} | "
          f"{'events':>6} {'lost':>4} {'write s':>7}")
    ok = True
    for backend, s, w in results:
        print(f"{backend:<11} {s['drafts']:>6} {s['rounds']:>6} {s['kills']:>5} "
              f"{s['unknown']:>7} {s['delivered']:>9} {s['duplicates']:>5} {s['lost']:>4} "
              f"{s['seconds']:>7.1f} | {w['events']:>6} {w['lost']:>4} {w['seconds']:>7.1f}")
        ok = ok and s["duplicates"] == s["lost"] == w["lost"] == w["doubled"] == 0 \
            and s["delivered"] == s["drafts"]
    print("exactly once, nothing lost" if ok else "FAILED: see above")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
