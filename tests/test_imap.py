"""`konpfoi replies fetch` against a real Dovecot: replies from INBOX through the one intake,
requests sent from the user's own client found in Sent, incremental and safe to kill."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from conftest import ledger_rows, use_imap
from servers import IMAP_PASSWORD, IMAP_USER

pytestmark = pytest.mark.backends()  # the ledger on SQLite and on PostgreSQL


@pytest.fixture
def drafted(run, me: Path) -> Path:
    run("batch", "--to", "icb:QKK", "--to", "icb:QWO", "--to", "icb:QF7", "--to", "icb:QT6",
        "-q", "palantir-fdp", "--campaign", "fdp")
    return me


def item(run, item_id: str) -> dict:
    return run.json("show", item_id)["item"]


def reply_to(run, item_id: str, n: int = 0, body: str = "Please find our response.") -> bytes:
    it = item(run, item_id)
    m = EmailMessage()
    m["From"] = f"FOI team <{it['body_email']}>"
    m["To"] = "jo@example.org"
    m["Subject"] = f"RE: {it['subject']}"
    m["Message-ID"] = f"<reply-{item_id}-{n}@nhs.example>"
    m["In-Reply-To"] = it["message_id"]
    m["Date"] = "Mon, 30 Nov 2026 10:00:00 +0000"
    m.set_content(body)
    return bytes(m)


def kinds(home: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item_id, kind in ledger_rows("SELECT item_id, kind FROM events ORDER BY id"):
        out.setdefault(item_id, []).append(kind)
    return out


@pytest.fixture
def account(drafted: Path, dovecot, monkeypatch) -> Path:
    use_imap(drafted, dovecot.host, dovecot.port, IMAP_USER)
    monkeypatch.setenv("KONPFOI_IMAP_PASSWORD", IMAP_PASSWORD)
    return drafted


def test_replies_are_fetched_matched_and_left_unread(run, account: Path, dovecot) -> None:
    run("mark-sent", "--campaign", "fdp")
    for item_id in ("K-0001", "K-0002"):
        dovecot.append(IMAP_USER, "INBOX", reply_to(run, item_id))
    dovecot.append(IMAP_USER, "INBOX", b"From: a friend <f@example.org>\r\nSubject: lunch?"
                   b"\r\nMessage-ID: <lunch@example.org>\r\n\r\nTomorrow?\r\n")
    out = run.json("replies", "fetch")
    assert out["counts"]["recorded"] == 2 and out["counts"]["unmatched"] == 1
    assert {o["item_id"] for o in out["outcomes"] if o["status"] == "recorded"} == {
        "K-0001", "K-0002"}
    assert out["folders"][0] == {"folder": "INBOX", "role": "replies", "uidvalidity":
                                 out["folders"][0]["uidvalidity"], "after": 0, "last_uid": 3,
                                 "new": 3, "renumbered": False}
    assert kinds(account)["K-0001"][-1] == "reply"
    assert all("\\Seen" not in f for f in dovecot.flags(IMAP_USER, "INBOX").values())
    again = run.json("replies", "fetch")
    assert again["outcomes"] == [] and again["folders"][0]["new"] == 0
    assert again["folders"][0]["after"] == 3
    dovecot.append(IMAP_USER, "INBOX", reply_to(run, "K-0003"))
    third = run.json("replies", "fetch")
    assert [o["item_id"] for o in third["outcomes"]] == ["K-0003"]
    human = run("replies", "fetch").stdout
    assert "INBOX: nothing new" in human


def test_sent_from_own_client_is_recorded_with_the_servers_date(run, account: Path,
                                                               dovecot) -> None:
    raw = (account / "drafts" / "K-0002.eml").read_bytes()
    when = dt.datetime.now(dt.UTC).replace(hour=0, minute=30, second=0, microsecond=0)
    day = when.astimezone().date().isoformat()  # the server's date, on the user's calendar
    dovecot.append(IMAP_USER, "Sent", raw, flags=("\\Seen",), date=when)
    out = run.json("replies", "fetch")
    assert out["sent"] == [{"item_id": "K-0002", "followup": None, "date": day,
                            "message_id": item(run, "K-0002")["message_id"], "event": "sent"}]
    shown = run.json("show", "K-0002")
    assert shown["sent"] == day and shown["state"] in ("awaiting response", "overdue")
    assert "K-0001" not in {f["item_id"] for f in out["sent"]}
    assert run.json("replies", "fetch")["sent"] == []
    assert kinds(account)["K-0002"].count("sent") == 1


def test_a_first_fetch_reads_from_the_first_request(run, account: Path, dovecot) -> None:
    old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    dovecot.append(IMAP_USER, "INBOX", b"Subject: old\r\nMessage-ID: <old@x>\r\n\r\nx\r\n",
                   date=old)
    dovecot.append(IMAP_USER, "INBOX", reply_to(run, "K-0001"))
    out = run.json("replies", "fetch", "--no-sent")
    assert [o["message_id"] for o in out["outcomes"]] == ["<reply-K-0001-0@nhs.example>"]
    assert out["folders"][0]["last_uid"] == 2 and len(out["folders"]) == 1
    wider = run.json("replies", "fetch", "--no-sent", "--since", "2019-12-01")
    assert [o["status"] for o in wider["outcomes"]] == ["unmatched", "duplicate"]


def test_folders_and_errors(run, account: Path, dovecot, monkeypatch) -> None:
    dovecot.create_folder(IMAP_USER, "FOI replies")
    dovecot.append(IMAP_USER, "FOI replies", reply_to(run, "K-0004"))
    out = run.json("replies", "fetch", "--folder", "FOI replies", "--folder", "INBOX")
    assert [f["folder"] for f in out["folders"]] == ["FOI replies", "INBOX", "Sent"]
    assert [o["item_id"] for o in out["outcomes"]] == ["K-0004"]
    bad = run("replies", "fetch", "--folder", "Nope", code=5)
    assert "no folder 'Nope'" in bad.stderr and "INBOX" in bad.stderr
    monkeypatch.setenv("KONPFOI_IMAP_PASSWORD", "not-the-pw-9")
    refused = run("replies", "fetch", code=8)
    assert "refused the sign-in for jo@example.org" in refused.stderr
    monkeypatch.delenv("KONPFOI_IMAP_PASSWORD")
    nopass = run("replies", "fetch", code=5)
    assert "KONPFOI_IMAP_PASSWORD" in nopass.stderr and "konpfoi login" in nopass.stderr
    assert "not-the-pw-9" not in (account / "konpfoi.yaml").read_text()


@pytest.mark.slow
def test_a_fetch_killed_at_random_loses_and_repeats_nothing(run, account: Path,
                                                           dovecot) -> None:
    """600 replies; SIGKILL `replies fetch` at random moments and run it again until it ends:
    every reply is recorded exactly once."""
    run("mark-sent", "--campaign", "fdp")
    ids = ["K-0001", "K-0002", "K-0003", "K-0004"]
    client = dovecot.connect(IMAP_USER)
    for n in range(600):
        client.append("INBOX", None, None, reply_to(run, ids[n % 4], n, "x" * 2000))
    client.logout()
    rng = random.Random(11)
    kills, partway = 0, []
    argv = [sys.executable, "-m", "konpfoi", "replies", "fetch", "--json"]

    def last_uid() -> int:
        rows = ledger_rows("SELECT last_uid FROM mail_folders WHERE folder = 'INBOX'")
        return int(rows[0][0]) if rows else 0

    for _ in range(6):
        # Kill by progress, not by the clock (a loaded machine may not even start in time):
        # once a chunk has landed, wait a moment into the next one and SIGKILL.
        before = last_uid()
        proc = subprocess.Popen(argv, cwd=account, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        give_up = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < give_up:
            if last_uid() > before:
                time.sleep(rng.uniform(0.0, 0.2))
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait()
                    kills += 1
                    partway.append(last_uid())
                break
            time.sleep(0.01)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    assert kills >= 2 and any(0 < n < 600 for n in partway), (
        f"the test must interrupt the fetch part-way to mean anything ({partway})")
    finish = subprocess.run(argv, cwd=account, capture_output=True, check=True)
    assert json.loads(finish.stdout)["folders"][0]["last_uid"] == 600
    assert json.loads(subprocess.run(argv, cwd=account, capture_output=True, check=True)
                      .stdout)["folders"][0]["new"] == 0
    keys = [k for (k,) in ledger_rows("SELECT key FROM inbound")]
    replies = ledger_rows("SELECT COUNT(*) FROM events WHERE kind = 'reply'")[0][0]
    assert len(keys) == len(set(keys)) == 600
    assert replies == 600


def test_drafts_upload_then_sent_from_the_phone(run, account: Path, dovecot) -> None:
    out = run.json("drafts", "upload", "--campaign", "fdp")
    assert out["folder"] == "Drafts"
    assert [d["status"] for d in out["drafts"]] == ["uploaded"] * 4
    in_drafts = dovecot.fetch(IMAP_USER, "Drafts")
    assert len(in_drafts) == 4 and all("\\Draft" in flags for _, flags, _ in in_drafts)
    ids = {item(run, f"K-000{n}")["message_id"] for n in range(1, 5)}
    assert {_mid(raw) for _, _, raw in in_drafts} == ids
    again = run.json("drafts", "upload", "K-0001", "K-0002")
    assert [d["status"] for d in again["drafts"]] == ["already there"] * 2
    assert len(dovecot.fetch(IMAP_USER, "Drafts")) == 4
    # The volunteer sends K-0003 from their phone: the client files it in Sent.
    raw = next(r for _, _, r in in_drafts if _mid(r) == item(run, "K-0003")["message_id"])
    dovecot.append(IMAP_USER, "Sent", raw, flags=("\\Seen",))
    fetched = run.json("replies", "fetch")
    assert [f["item_id"] for f in fetched["sent"]] == ["K-0003"]
    assert run.json("show", "K-0003")["state"] == "awaiting response"
    later = run.json("drafts", "upload", "--campaign", "fdp")
    assert "K-0003" in {s["item"] for s in later["skipped"]}
    human = run("drafts", "upload", "--campaign", "fdp").stdout
    assert "0 uploaded to Drafts, 3 already there." in human


def _mid(raw: bytes) -> str:
    import re

    return re.search(rb"(?mi)^Message-ID: (<[^>]+>)", raw).group(1).decode()
