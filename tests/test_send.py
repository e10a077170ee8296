"""konpfoi send against a real SMTP server on loopback: once each, whatever happens."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from conftest import ledger_rows, use_server, with_group

pytestmark = pytest.mark.backends()


def _kinds(home: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item, kind in ledger_rows("SELECT item_id, kind FROM events ORDER BY id"):
        out.setdefault(item, []).append(kind)
    return out


@pytest.fixture
def drafted(run, me: Path) -> Path:
    run("batch", "--to", "icb:*", "-q", "palantir-fdp", "--campaign", "fdp")
    return me


def test_dry_run_sends_nothing(run, drafted: Path, smtp) -> None:
    server = smtp()
    use_server(drafted, server)
    out = run.json("send", "--campaign", "fdp")
    assert out["dry_run"] and len(out["would_send"]) == 36
    assert server.received == []
    assert "Dry run: nothing sent. 36 would go" in run("send", "--campaign", "fdp").stdout
    assert all(k == ["drafted"] for k in _kinds(drafted).values())


@pytest.mark.parametrize("pipelining", [False, True])
def test_send_records_sent_and_the_clock_starts(run, drafted: Path, smtp,
                                                pipelining: bool) -> None:
    server = smtp(pipelining=pipelining)
    use_server(drafted, server)
    out = run.json("send", "--campaign", "fdp", "--yes", "--limit", "5")
    assert [s["item"] for s in out["sent"]] == ["K-0001", "K-0002", "K-0003", "K-0004",
                                                "K-0005"]
    assert out["sent"][0]["reply"].startswith("250")
    assert len(server.received) == 5
    rcpt, raw = server.received[0]
    msg = message_from_bytes(raw, policy=default)
    shown = run.json("show", "K-0001")
    assert rcpt == [shown["item"]["body_email"]]
    assert msg["Message-ID"] == shown["item"]["message_id"]
    assert "Under the Freedom of Information Act 2000" in msg.get_content()
    assert shown["state"] == "awaiting response" and shown["sent"]
    assert _kinds(drafted)["K-0001"] == ["drafted", "send-attempt", "sent"]
    rest = run.json("send", "--campaign", "fdp", "--yes")
    assert len(rest["sent"]) == 31 and len(server.received) == 36
    again = run.json("send", "--campaign", "fdp", "--yes")
    assert again["sent"] == [] and len(server.received) == 36
    assert len(set(server.message_ids())) == 36


@pytest.mark.parametrize("pipelining", [False, True])
def test_a_refused_recipient_is_recorded_and_the_rest_go(run, drafted: Path, smtp,
                                                        pipelining: bool) -> None:
    shown = run.json("show", "K-0003")
    server = smtp(refuse={shown["item"]["body_email"]}, pipelining=pipelining)
    use_server(drafted, server)
    out = run("send", "--campaign", "fdp", "--yes", "--json", code=8)  # not all went
    data = json.loads(out.stdout)
    assert "1 of 36 not sent" in out.stderr
    assert [r["item"] for r in data["refused"]] == ["K-0003"]
    assert data["refused"][0]["reply"].startswith("550")
    assert len(data["sent"]) == 35 and len(server.received) == 35
    assert _kinds(drafted)["K-0003"] == ["drafted", "send-attempt", "send-failed"]
    again = run.json("send", "--campaign", "fdp")
    assert [s["item"] for s in again["skipped"] if "refused" in s["reason"]] == ["K-0003"]


@pytest.mark.parametrize("pipelining", [False, True])
def test_a_dropped_connection_is_made_again_once(run, drafted: Path, smtp,
                                                 pipelining: bool) -> None:
    server = smtp(drop_at=4, pipelining=pipelining)
    use_server(drafted, server)
    out = run("send", "--campaign", "fdp", "--yes", code=8)
    assert "K-0004 may or may not have gone" in out.stderr and "--reconcile" in out.stderr
    assert "Sent 35, unknown 1." in out.stdout
    assert len(server.received) == 35  # the connection was made again, and the rest went
    kinds = _kinds(drafted)
    assert kinds["K-0004"] == ["drafted", "send-attempt"]
    assert kinds["K-0005"] == ["drafted", "send-attempt", "sent"]
    assert run.json("show", "K-0004")["state"] == "send unknown"
    resumed = run("send", "--campaign", "fdp", "--yes", "--json")
    assert "K-0004" in resumed.stderr and "Sent folder" in resumed.stderr
    data = json.loads(resumed.stdout)
    assert data["sent"] == [] and data["unknown"] == ["K-0004"]
    run("send", "K-0004", "--retry", "--yes")  # the user checked: it never arrived
    assert len(server.received) == 36 and len(set(server.message_ids())) == 36


def test_authentication_failure_marks_nothing(run, drafted: Path, smtp, monkeypatch) -> None:
    server = smtp(login=("jo", "right"))
    use_server(drafted, server, user="jo")
    monkeypatch.setenv("KONPFOI_SMTP_PASSWORD", "wrong")
    out = run("send", "--campaign", "fdp", "--yes", code=8)
    assert "refused the login for jo" in out.stderr and len(out.stderr.splitlines()) == 2
    assert all(k == ["drafted"] for k in _kinds(drafted).values())
    monkeypatch.setenv("KONPFOI_SMTP_PASSWORD", "right")
    assert len(run.json("send", "--campaign", "fdp", "--yes", "--limit", "2")["sent"]) == 2
    assert "right" not in (drafted / "konpfoi.yaml").read_text()


def test_no_password_off_a_terminal_is_a_clear_error(run, drafted: Path, smtp) -> None:
    server = smtp(login=("jo", "right"))
    use_server(drafted, server, user="jo")
    out = run("send", "--campaign", "fdp", "--yes", code=5)
    assert "KONPFOI_SMTP_PASSWORD" in out.stderr


def test_settings_and_flags(run, drafted: Path, smtp) -> None:
    server = smtp()
    assert "no SMTP server is set" in run("send", "--campaign", "fdp", "--yes", code=5).stderr
    out = run.json("send", "--campaign", "fdp", "--yes", "--limit", "1", "--smtp-host",
                   server.host, "--smtp-port", str(server.port), "--smtp-security", "none")
    assert len(out["sent"]) == 1
    assert "not a rate" in run("send", "--campaign", "fdp", "--rate", "fast", code=5).stderr
    bad = run("send", "--campaign", "fdp", "--yes", "--smtp-host", server.host, "--smtp-port",
              str(server.port), "--smtp-security", "starttls", code=8)
    assert "does not offer STARTTLS" in bad.stderr


def test_rate_spaces_the_messages(run, drafted: Path, smtp) -> None:
    server = smtp()
    use_server(drafted, server)
    start = time.monotonic()
    run("send", "--campaign", "fdp", "--yes", "--limit", "3", "--rate", "600/min")
    assert time.monotonic() - start >= 0.2  # two gaps of 0.1 s


def test_placeholder_drafts_are_not_sent_and_a_supporter_gets_their_own(run, home: Path, smtp,
                                                                        tmp_path) -> None:
    """A supporter's letter never goes to their MP from konpfoi (#16: it goes to them, in
    their pack, for them to send; before #16 it was not sent at all)."""
    server = smtp()
    run("draft", "--to", "icb:QKK", "-q", "palantir-fdp", "--campaign", "c")
    run("init", str(home), "--name", "Jo", "--email", "jo@example.org")
    people = tmp_path / "s.csv"
    people.write_text("name,email,mp\nAnn,ann@example.org,5173\n")
    run("batch", "--supporters", str(people), "--template", "mp-fdp", "--campaign", "c")
    use_server(home, server)
    out = run("send", "--campaign", "c", "--yes", "--json", code=0)
    data = json.loads(out.stdout)
    reasons = {s["item"]: s["reason"] for s in data["skipped"]}
    assert "placeholders" in reasons["K-0001"]
    assert [s["item"] for s in data["sent"]] == ["K-0002"]
    [(rcpt, raw)] = server.received
    assert rcpt == ["ann@example.org"]
    assert message_from_bytes(raw, policy=default)["From"].addresses[0].addr_spec == \
        "jo@example.org"
    assert run.json("show", "K-0002")["state"] == "drafted"  # sent when Ann sends it


@pytest.mark.slow
def test_exactly_once_when_the_sender_is_killed_at_random(run, me: Path, smtp) -> None:
    """200 messages; SIGKILL the sending process at random points and run it again until it
    finishes: every message arrives exactly once, but for those left 'unknown' by a kill."""
    server = smtp(delay=0.004)
    use_server(me, server)
    with_group(me)
    run("batch", "--to", "mp:*", "--where", "kind=mp,party=Labour", "--template", "mp-fdp",
        "--campaign", "k")
    ids = [r[0] for r in ledger_rows("SELECT id FROM items ORDER BY seq LIMIT 200")]
    ledger_rows(f"DELETE FROM events WHERE item_id NOT IN ({','.join('?' * len(ids))})",
                tuple(ids))
    ledger_rows("UPDATE items SET campaign = 'other' WHERE id NOT IN "
                f"({','.join('?' * len(ids))})", tuple(ids))
    env = {**os.environ}
    rng = random.Random(7)
    argv = [sys.executable, "-m", "konpfoi", "send", "--campaign", "k", "--yes"]

    def outcomes() -> int:
        return ledger_rows("SELECT COUNT(*) FROM events WHERE kind IN "
                           "('sent', 'send-attempt')")[0][0]

    kills = 0
    for _ in range(8):
        # Kill by progress, not by the clock (a loaded machine may not even start in time):
        # once the run has moved on, let it go a little further, then SIGKILL.
        before = outcomes()
        proc = subprocess.Popen(argv, env=env, cwd=me, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        give_up = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < give_up:
            if outcomes() > before:
                time.sleep(rng.uniform(0.0, 0.15))
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGKILL)
                    kills += 1
                proc.wait()
                break
            time.sleep(0.005)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        if proc.returncode == 0:
            break
    finish = subprocess.run(argv, env=env, cwd=me, capture_output=True, timeout=600)
    assert finish.returncode in (0, 8), finish.stderr  # 8: some left 'unknown' by a kill
    received = server.message_ids()
    assert len(received) == len(set(received)), "a message was sent twice"
    kinds = _kinds(me)
    sent = {i for i in ids if "sent" in kinds[i]}
    unknown = {i for i in ids if "sent" not in kinds[i]}
    assert all(kinds[i][-1] == "send-attempt" for i in unknown)
    assert kills >= 3, "the test must interrupt the sending to mean anything"
    assert len(unknown) <= kills
    mid = dict(ledger_rows("SELECT id, message_id FROM items"))
    assert {mid[i] for i in sent} <= set(received)
    assert set(received) <= {mid[i] for i in ids}
    assert len(received) >= len(sent)
