"""Replies and reports: importing a 1,000-message mbox with attachments (≤ 5 s) and
`konpfoi report` over a 10,000-item ledger (≤ 1 s)."""

from __future__ import annotations

import mailbox
import random
import sqlite3
import subprocess
import time
from email.message import EmailMessage
from pathlib import Path

from common import arguments, baseline, konpfoi, report, tempdir, time_command, workspace_env
from make_ledger import generate

from konpfoi.ledger.backends import open_ledger


def _mbox(path: Path, ids: list[str], n: int) -> None:
    rng = random.Random(3)
    box = mailbox.mbox(path)
    for i in range(n):
        item = ids[i % len(ids)]
        m = EmailMessage()
        m["From"] = "FOI Team <foi@trust.example.nhs.uk>"
        m["To"] = "jo@example.org"
        m["Subject"] = f"RE: Freedom of Information request [{item}]"
        m["Message-ID"] = f"<bench-{i}@trust.example.nhs.uk>"
        m["Date"] = "Mon, 16 Nov 2026 10:00:00 +0000"
        m.set_content("Dear Jo,\n\nPlease find our response attached.\n\nOur ref: "
                      f"FOI-2026-{i:05d}\n")
        m.add_attachment(rng.randbytes(20_000), maintype="application", subtype="pdf",
                         filename=f"FOI-{i:05d} response.pdf")
        box.add(m)
    box.flush()
    box.close()


def _code_answers(db: Path) -> None:
    """Code every reply in a synthetic ledger, as a campaign would."""
    rng = random.Random(5)
    with open_ledger(db) as ledger, ledger.write():
        replies = ledger.db.execute(
            "SELECT item_id, date FROM events WHERE kind = 'reply'").fetchall()
        for item_id, date in replies:
            ev = ledger.add_event(item_id, "coded", date, data={"outcome": "partly-answered"})
            for q in range(1, 8):
                outcome = rng.choice(["answered", "refused", "not-held"])
                ledger.add_answer(ev.uid, item_id, q, outcome,
                                  ["s.43"] if outcome == "refused" else [], None)


def main() -> None:
    runs = arguments(__doc__, 5).parse_args().runs
    exe = konpfoi()
    rows = []
    with tempdir() as tmp:
        root = Path(tmp)
        base = baseline(15)
        times = []
        for n in range(runs):
            env = workspace_env(root / f"imp{n}")
            home = Path(env["KONPFOI_HOME"])
            subprocess.run([exe, "init", str(home), "--name", "Jo", "--email",
                            "jo@example.org"], env=env, capture_output=True, check=True)
            subprocess.run([exe, "batch", "--to", "trust:*", "-q", "palantir-fdp",
                            "--campaign", "t"], env=env, capture_output=True, check=True)
            subprocess.run([exe, "mark-sent", "--campaign", "t"], env=env,
                           capture_output=True, check=True)
            with sqlite3.connect(home / "konpfoi.db") as con:
                ids = [r[0] for r in con.execute("SELECT id FROM items")]
            box = root / f"replies{n}.mbox"
            _mbox(box, ids, 1000)
            start = time.perf_counter()
            subprocess.run([exe, "replies", "import", str(box)], env=env, capture_output=True,
                           check=True)
            times.append(time.perf_counter() - start)
        rows.append(("replies import: 1,000 messages, 20 kB PDF each", times, 5.0))
        env = workspace_env(root / "big")
        home = Path(env["KONPFOI_HOME"])
        home.mkdir(parents=True)
        generate(home / "konpfoi.db", 10_000)
        _code_answers(home / "konpfoi.db")
        rows.append(("report over 10,000 items (Markdown)",
                     time_command([exe, "report"], env, runs), 1.0))
        rows.append(("report over 10,000 items (HTML)",
                     time_command([exe, "report", "--format", "html"], env, runs), 1.0))
    report(rows, base)


if __name__ == "__main__":
    main()
