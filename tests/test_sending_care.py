"""Careful sending against real servers: the pace, temporary refusals tried again, a refused
address recorded and the run going on, a dropped connection made again once, copies in the
IMAP Sent folder with the same Message-IDs, and unknown outcomes settled from Sent."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from conftest import ledger_rows, use_imap
from servers import IMAP_PASSWORD, IMAP_USER

from konpfoi.mail import delivery

pytestmark = pytest.mark.backends()  # the ledger on SQLite and on PostgreSQL


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch) -> None:
    monkeypatch.setattr(delivery, "BACKOFF", (0.01, 0.02, 0.04))


@pytest.fixture
def drafted(run, me: Path) -> Path:
    run("batch", "--to", "icb:*", "-q", "palantir-fdp", "--campaign", "fdp")
    return me


def use_smtp(home: Path, server, *, user: str | None = None, security: str = "none",
             extra: str = "") -> None:
    text = (home / "konpfoi.yaml").read_text()
    start = text.index("smtp:\n")
    end = text.index("\n\n", start)
    block = (f"smtp:\n  host: {server.host}\n  port: {server.port}\n"
             + (f"  user: {user}\n" if user else "")
             + f"  security: {security}\n  rate: none\n" + extra)
    (home / "konpfoi.yaml").write_text(text[:start] + block.rstrip("\n") + text[end:])


def kinds(home: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item_id, kind in ledger_rows("SELECT item_id, kind FROM events ORDER BY id"):
        out.setdefault(item_id, []).append(kind)
    return out


def mids(raws) -> list[str]:
    return [re.search(rb"(?mi)^Message-ID:\s*(<[^>]+>)", r).group(1).decode() for r in raws]


def email_of(run, item_id: str) -> str:
    return run.json("show", item_id)["item"]["body_email"]


def test_twenty_sent_and_twenty_copies_in_sent(run, drafted: Path, smtp_server, dovecot,
                                              monkeypatch) -> None:
    server = smtp_server()
    use_smtp(drafted, server)
    use_imap(drafted, dovecot.host, dovecot.port, IMAP_USER)
    monkeypatch.setenv("KONPFOI_IMAP_PASSWORD", IMAP_PASSWORD)
    out = run.json("send", "--campaign", "fdp", "--yes", "--limit", "20")
    assert len(out["sent"]) == 20 and len(server.received) == 20
    in_sent = dovecot.fetch(IMAP_USER, "Sent")
    assert len(in_sent) == 20 and all("\\Seen" in f for _, f, _ in in_sent)
    assert mids(r for _, _, r in in_sent) == server.message_ids()
    copies = [json.loads(d)["copy"] for (d,) in ledger_rows(
        "SELECT data FROM events WHERE kind = 'sent'")]
    assert copies == ["Sent"] * 20
    # The copies konpfoi made are not taken for sending from the user's own client.
    fetched = run.json("replies", "fetch")
    assert {f["event"] for f in fetched["sent"]} == {"already recorded"}
    assert all(k.count("sent") <= 1 for k in kinds(drafted).values())


def test_no_copies_where_the_provider_keeps_them(run, drafted: Path, smtp_server) -> None:
    from konpfoi.mail import providers

    assert providers.sent_copies("auto", "smtp.gmail.com", 587, "imap.gmail.com")[0] is False
    assert providers.sent_copies("auto", "smtp.office365.com", 587, "outlook.office365.com"
                                 )[0] is False
    assert providers.sent_copies("auto", "127.0.0.1", 1025, "127.0.0.1")[0] is False
    assert providers.sent_copies("auto", "mail.example.org", 587, "mail.example.org")[0]
    assert providers.sent_copies("on", "smtp.gmail.com", 587, "imap.gmail.com")[0]
    assert not providers.sent_copies("auto", "mail.example.org", 587, None)[0]
    server = smtp_server()
    use_smtp(drafted, server, extra="  sent_copies: on\n")
    out = run("send", "--campaign", "fdp", "--yes", code=5)
    assert "sent_copies is on but no IMAP server is set" in out.stderr
    assert server.received == []


def test_a_faulty_server_leaves_every_item_in_the_right_state(run, drafted: Path,
                                                             smtp_server) -> None:
    refused = email_of(run, "K-0003")
    # DATA attempts 1 and 2 are refused for now (K-0001 goes on its third try); K-0003's
    # address is refused for good; DATA attempt 8 loses the connection mid-message.
    server = smtp_server(tempfail_first=2, reject={refused}, drop_at=8)
    use_smtp(drafted, server)
    out = run("send", "--campaign", "fdp", "--yes", "--limit", "12", "--json", code=8)
    data = json.loads(out.stdout)
    assert [r["item"] for r in data["refused"]] == ["K-0003"]
    assert data["retried"] == [{"item": "K-0001", "retries": 2}]
    assert data["unknown"] == ["K-0007"]
    assert len(data["sent"]) == 10 and len(server.received) == 10
    k = kinds(drafted)
    assert k["K-0001"] == ["drafted", "send-attempt", "sent"]
    assert k["K-0003"] == ["drafted", "send-attempt", "send-failed"]
    assert k["K-0007"] == ["drafted", "send-attempt"]  # its outcome is unknown
    assert k["K-0008"][-1] == "sent" and k["K-0013"] == ["drafted"]
    assert "K-0007 may or may not have gone" in out.stderr
    human = run("send", "--campaign", "fdp", "--yes", "--limit", "2", code=0)
    assert "Sent 2." in human.stdout and "K-0007" in human.stderr
    assert run.json("show", "K-0007")["state"] == "send unknown"
    assert run.json("show", "K-0003")["state"] == "drafted"


def test_a_temporary_refusal_that_lasts_waits_for_the_next_run(run, drafted: Path,
                                                              smtp_server) -> None:
    server = smtp_server(tempfail_first=4)
    use_smtp(drafted, server)
    out = run("send", "--campaign", "fdp", "--yes", "--limit", "3", "--json", code=8)
    data = json.loads(out.stdout)
    assert data["deferred"][0]["item"] == "K-0001" and data["deferred"][0]["reply"][:3] == "451"
    assert [s["item"] for s in data["sent"]] == ["K-0002", "K-0003"]
    again = run.json("send", "K-0001", "--yes")  # no --retry needed for a temporary refusal
    assert [s["item"] for s in again["sent"]] == ["K-0001"]
    assert len(set(server.message_ids())) == 3


def test_the_default_pace_is_twenty_a_minute(run, drafted: Path, smtp_server) -> None:
    server = smtp_server()
    use_smtp(drafted, server)
    text = (drafted / "konpfoi.yaml").read_text().replace("  rate: none\n", "")
    (drafted / "konpfoi.yaml").write_text(text)
    start = time.monotonic()
    run("send", "--campaign", "fdp", "--yes", "--limit", "2")
    assert time.monotonic() - start >= 2.9  # one gap of 3 s
    start = time.monotonic()
    run("send", "--campaign", "fdp", "--yes", "--limit", "3", "--rate", "none")
    assert time.monotonic() - start < 2.5


def test_reconcile_settles_unknown_outcomes_from_sent(run, drafted: Path, smtp_server,
                                                     dovecot, monkeypatch) -> None:
    server = smtp_server(drop_at=2, drop="after-data")  # taken whole, never answered
    use_smtp(drafted, server, extra="  sent_copies: off\n")
    use_imap(drafted, dovecot.host, dovecot.port, IMAP_USER)
    monkeypatch.setenv("KONPFOI_IMAP_PASSWORD", IMAP_PASSWORD)
    run("send", "--campaign", "fdp", "--yes", "--limit", "3", code=8)
    assert kinds(drafted)["K-0002"] == ["drafted", "send-attempt"]
    assert len(server.unanswered) == 1
    # The provider filed what it took in Sent, as Gmail and Microsoft 365 do.
    dovecot.append(IMAP_USER, "Sent", server.unanswered[0].raw, flags=("\\Seen",))
    out = run.json("send", "--reconcile", "--campaign", "fdp")
    assert [f["item_id"] for f in out["settled"]] == ["K-0002"] and out["not_in_sent"] == []
    assert kinds(drafted)["K-0002"][-1] == "sent"
    assert run.json("show", "K-0002")["state"] == "awaiting response"
    assert "No item has an unknown outcome." in run("send", "--reconcile", "--campaign",
                                                    "fdp").stdout
    # One not in Sent stays unknown, with what to do.
    server2 = smtp_server(drop_at=1, drop="after-data")
    use_smtp(drafted, server2, extra="  sent_copies: off\n")
    run("send", "K-0010", "--yes", code=8)
    left = run("send", "--reconcile", "K-0010")
    assert "K-0010: not in your Sent folder" in left.stderr and "Settled 0 of 1." in left.stdout
    assert run.json("show", "K-0010")["state"] == "send unknown"
