"""`konpfoi publish` on synthetic ledgers (200 and 2,000 requests): the first run, which writes
every file, and a run again with nothing changed (which writes none); and `konpfoi batch
--supporters` drafting 500 supporters' letters with their packs."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from common import arguments, baseline, konpfoi, report, tempdir, time_command, workspace_env
from make_ledger import generate


def supporters(path: Path, n: int, env: dict[str, str], exe: str) -> Path:
    """n supporters, each of a different MP (the first n with an address)."""
    import json

    out = subprocess.run([exe, "bodies", "list", "--kind", "mp", "--json"], env=env,
                         capture_output=True, check=True, text=True).stdout
    mps = [b for b in json.loads(out) if any(c.get("role") == "general" and c.get("email")
                                              for c in b.get("contacts", []))][:n]
    lines = ["name,email,mp,gp_practice,personal"]
    lines += [f"Person {k},p{k}@people.example,{mp['id']},Practice {k},My reason {k}."
              for k, mp in enumerate(mps)]
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> None:
    parser = arguments(__doc__, 5)
    parser.add_argument("--sizes", default="200,2000")
    args = parser.parse_args()
    exe = konpfoi()
    rows = []
    with tempdir() as tmp:
        base = baseline(args.runs)
        for n in (int(x) for x in args.sizes.split(",")):
            env = workspace_env(Path(tmp) / str(n))
            home = Path(env["KONPFOI_HOME"])
            home.mkdir(parents=True)
            generate(home / "konpfoi.db", n)
            site = Path(tmp) / f"site-{n}"
            start = time.perf_counter()
            subprocess.run([exe, "publish", str(site)], env=env, capture_output=True,
                           check=True)
            first = time.perf_counter() - start
            files = sum(1 for p in site.rglob("*") if p.is_file())
            rows.append((f"konpfoi publish, {n:,} requests (first run, {files} files)",
                         [first], None))
            rows.append((f"konpfoi publish again, {n:,} requests (nothing changed)",
                         time_command([exe, "publish", str(site)], env, args.runs,
                                      warm_up=False), None))
        env = workspace_env(Path(tmp) / "lobby")
        home = Path(env["KONPFOI_HOME"])
        subprocess.run([exe, "init", str(home), "--name", "Jo", "--email", "jo@example.org"],
                       env=env, capture_output=True, check=True)
        people = supporters(Path(tmp) / "people.csv", 500, env, exe)

        def fresh() -> None:
            for p in (home / "konpfoi.db", home / "konpfoi.db-wal", home / "konpfoi.db-shm"):
                p.unlink(missing_ok=True)

        rows.append(("konpfoi batch --supporters, 500 letters and packs",
                     time_command([exe, "batch", "--supporters", str(people), "--template",
                                   "mp-fdp", "--campaign", "lobby"], env, args.runs,
                                  before=fresh, warm_up=False), None))
    report(rows, base)


if __name__ == "__main__":
    main()
