"""Replies and reports: importing a 1,000-message mbox with attachments (≤ 1 s) and
`konpfoi report` over a 10,000-item ledger (≤ 1 s). Give --against an older konpfoi to time it
side by side, run for run."""

from __future__ import annotations

import itertools
import mailbox
import random
import shutil
import sqlite3
import subprocess
from email.message import EmailMessage
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


def _workspace(exe: str, folder: Path) -> tuple[dict[str, str], Path]:
    """A workspace whose 200-odd trusts were sent the FDP request, and an mbox of replies."""
    env = workspace_env(folder, folder.parent / "cache")
    home = Path(env["KONPFOI_HOME"])
    for argv in (["init", str(home), "--name", "Jo", "--email", "jo@example.org"],
                 ["batch", "--to", "trust:*", "-q", "palantir-fdp", "--campaign", "t"],
                 ["mark-sent", "--campaign", "t"]):
        subprocess.run([exe, *argv], env=env, capture_output=True, check=True)
    with sqlite3.connect(home / "konpfoi.db") as con:
        ids = [r[0] for r in con.execute("SELECT id FROM items")]
    box = folder / "replies.mbox"
    _mbox(box, ids, 1000)
    return env, box


def main() -> None:
    args = arguments(__doc__, 5).parse_args()
    builds = {"konpfoi": konpfoi(), **({"against": args.against} if args.against else {})}
    fresh = itertools.count()
    with tempdir() as tmp:
        root = Path(tmp)

        def import_replies(exe: str) -> float:
            env, box = _workspace(exe, root / f"imp{next(fresh)}")
            return timed([exe, "replies", "import", str(box)], env)

        imports = side_by_side({k: (lambda exe=exe: import_replies(exe))
                                for k, exe in builds.items()}, args.runs)
        big = {k: workspace_env(root / f"big-{k}", root / "cache") for k in builds}
        for env in big.values():
            Path(env["KONPFOI_HOME"]).mkdir(parents=True)
        generate(Path(big["konpfoi"]["KONPFOI_HOME"]) / "konpfoi.db", 10_000)
        _code_answers(Path(big["konpfoi"]["KONPFOI_HOME"]) / "konpfoi.db")
        for k, env in big.items():
            if k != "konpfoi":
                shutil.copy(Path(big["konpfoi"]["KONPFOI_HOME"]) / "konpfoi.db",
                            Path(env["KONPFOI_HOME"]) / "konpfoi.db")
        reports = {}
        for fmt in ("md", "html"):
            for k, exe in builds.items():
                timed([exe, "report", "--format", fmt], big[k])  # warm up: the status cache
            reports[fmt] = side_by_side({k: (lambda exe=exe, k=k, fmt=fmt: timed(
                [exe, "report", "--format", fmt], big[k])) for k, exe in builds.items()},
                args.runs)
    compare([
        Figure("replies import: 1,000 messages, 20 kB PDF each", imports["konpfoi"],
               imports.get("against"), "--against", 1.0),
        Figure("report over 10,000 items (Markdown)", reports["md"]["konpfoi"],
               reports["md"].get("against"), "--against", 1.0),
        Figure("report over 10,000 items (HTML)", reports["html"]["konpfoi"],
               reports["html"].get("against"), "--against", 1.0),
    ])


if __name__ == "__main__":
    main()
