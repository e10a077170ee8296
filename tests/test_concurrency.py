"""Several konpfoi processes on one ledger at once, on SQLite and on PostgreSQL: four senders
killed and resumed at random deliver every message exactly once, and four writers lose no
event. (bench/send_storm.py runs the same with 500 drafts.)"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import ledger_rows, use_server, write

from konpfoi.ledger.backends import open_ledger

pytestmark = [pytest.mark.slow, pytest.mark.backends()]

DRAFTS = 120  # bench/send_storm.py: 500


def _spawn(home: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "konpfoi", "send", "--campaign", "k",
                             "--yes"], cwd=home, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def test_four_senders_killed_and_resumed_deliver_each_message_once(run, me: Path,
                                                                    smtp) -> None:
    server = smtp(delay=0.002)
    use_server(me, server)
    run("batch", "--to", "trust:*", "-q", "palantir-fdp", "--campaign", "k")
    ids = [r[0] for r in ledger_rows("SELECT id FROM items ORDER BY seq")][:DRAFTS]
    marks = ", ".join("?" * len(ids))
    ledger_rows(f"UPDATE items SET campaign = 'other' WHERE id NOT IN ({marks})", tuple(ids))
    rng = random.Random(15)
    kills = 0
    for n in range(30):  # rounds of four at once: all killed the first time, then up to three
        procs = [_spawn(me) for _ in range(4)]
        done = len(server.received)
        left = DRAFTS - done
        count = 0 if kills >= 8 or left < 8 else 4 if n == 0 else rng.randint(0, 3)
        for when in sorted(rng.sample(range(done + 2, done + left * 2 // 3), count)):
            while len(server.received) < when and any(p.poll() is None for p in procs):
                time.sleep(0.005)  # each killed as the messages it is sending arrive
            running = [p for p in procs if p.poll() is None]
            if running:
                rng.choice(running).kill()
                kills += 1
        for p in procs:
            p.wait(timeout=300)
        assert {p.returncode for p in procs} <= {0, -9}
        plan = run.json("send", "--campaign", "k")
        if not plan["would_send"]:
            break
    else:
        pytest.fail("the campaign never finished")
    # What a user does with each message whose outcome is unknown: look in the Sent folder
    # (here, what the server received), then mark it sent, or send it again.
    mid = dict(ledger_rows("SELECT id, message_id FROM items"))
    arrived = set(server.message_ids())
    for item in plan["unknown"]:
        if mid[item] in arrived:
            run("mark-sent", item)
        else:
            run("send", item, "--retry", "--yes")
    received = Counter(server.message_ids())
    assert [m for m, n in received.items() if n > 1] == []  # no duplicates
    assert set(received) == {mid[i] for i in ids}  # none lost, none extra
    sent = Counter(r[0] for r in ledger_rows("SELECT item_id FROM events WHERE kind = 'sent'"))
    assert sent == Counter(ids)
    assert ledger_rows("SELECT COUNT(*) FROM claims") == [(0,)]
    assert server.overlapping(), "the senders never overlapped: the test would mean nothing"
    assert kills >= 4


WRITER = textwrap.dedent("""
    import sys
    from konpfoi.ledger.backends import open_ledger
    url, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open_ledger(url) as ledger:
        for i in range(n):
            with ledger.write():  # one transaction each, as each command is
                ledger.add_event("K-0001", "note", "2026-11-23", note=f"{tag}-{i}")
""")


def test_four_writers_lose_no_event(tmp_path: Path, ledger_url: str) -> None:
    from konpfoi.ledger.model import Item, new_uid

    with open_ledger(ledger_url) as ledger, ledger.write():
        ledger.add_item(Item(id="K-0001", uid=new_uid(), kind="foi", body_id="icb:QKK",
                             body_name="X", subject="s", created_at="2026-11-23"))
    script = write(tmp_path / "writer.py", WRITER)
    procs = [subprocess.Popen([sys.executable, str(script), ledger_url, tag, "500"])
             for tag in "abcd"]
    assert [p.wait(timeout=300) for p in procs] == [0] * 4
    with open_ledger(ledger_url) as ledger:
        rows = ledger.db.execute("SELECT id, note FROM events").fetchall()
    assert {n for _, n in rows} == {f"{t}-{i}" for t in "abcd" for i in range(500)}
    assert len({i for i, _ in rows}) == len(rows) == 2000


def test_two_paced_senders_share_a_campaign(run, me: Path, smtp) -> None:
    """The pace is kept between one's own messages: a konpfoi that starts second does not
    trail the first, waiting its turn before each message the first has taken."""
    server = smtp()
    use_server(me, server)
    run("batch", "--to", "icb:*", "-q", "palantir-fdp", "--campaign", "k")
    ids = [r[0] for r in ledger_rows("SELECT id FROM items ORDER BY seq")][:10]
    marks = ", ".join("?" * len(ids))
    ledger_rows(f"UPDATE items SET campaign = 'other' WHERE id NOT IN ({marks})", tuple(ids))
    argv = [sys.executable, "-m", "konpfoi", "send", "--campaign", "k", "--yes", "--json",
            "--rate", "120/min"]
    first = subprocess.Popen(argv, cwd=me, stdout=subprocess.PIPE, text=True)
    while not server.received:
        time.sleep(0.01)
    second = subprocess.Popen(argv, cwd=me, stdout=subprocess.PIPE, text=True)
    outs = [json.loads(p.communicate(timeout=120)[0]) for p in (first, second)]
    assert all(o["sent"] for o in outs), outs
    assert sorted(s["item"] for o in outs for s in o["sent"]) == sorted(ids)
    assert len(server.message_ids()) == len(set(server.message_ids())) == 10
