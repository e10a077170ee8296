"""A group sharing one ledger: volunteers, who did what, assignments, claims that run out, and
the same commands giving the same answers on SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from pathlib import Path

import pytest
import time_machine
from conftest import TODAY, ledger_rows, on_day, use_server, write

from konpfoi.ledger.backends import open_ledger
from konpfoi.ledger.model import Claim
from konpfoi.mail import sending

pytestmark = [pytest.mark.usefixtures("frozen"), pytest.mark.backends()]


def _as(run, home: Path, monkeypatch, name: str, email: str) -> None:
    """Work as another volunteer: their own workspace, the same ledger."""
    monkeypatch.setenv("KONPFOI_HOME", str(home))
    run("init", str(home), "--name", name, "--email", email)


@pytest.fixture
def shared(run, me: Path, ledger_url: str, monkeypatch, tmp_path: Path) -> Path:
    """Jo drafts four requests in a ledger that Ann's workspace shares."""
    monkeypatch.setenv("KONPFOI_LEDGER", ledger_url)
    with on_day("2026-10-28"):  # drafted before it was sent
        run("batch", "--to", "icb:QKK", "--to", "icb:QWO", "--to", "icb:QF7", "--to", "icb:QT6",
            "-q", "palantir-fdp", "--campaign", "fdp")
    _as(run, tmp_path / "ann", monkeypatch, "Ann Organiser", "Ann@Example.org")
    return tmp_path / "ann"


def test_every_event_says_who_recorded_it(run, shared: Path) -> None:
    run("mark-sent", "K-0001", "--date", "2026-11-02")
    run("record", "K-0001", "acknowledged", "--their-ref", "FOI-9")
    shown = run.json("show", "K-0001")
    assert [(e["kind"], e["by_name"]) for e in shown["events"]] == [
        ("drafted", "Jo Campaigner"), ("sent", "Ann Organiser"),
        ("acknowledged", "Ann Organiser")]
    assert shown["owner"] == "jo@example.org" and shown["owner_name"] == "Jo Campaigner"
    text = run("show", "K-0001").stdout
    assert "volunteer   Jo Campaigner" in text
    assert "drafted  (template foi-request)  by Jo Campaigner" in text
    assert "sent  (via own mail client)  by Ann Organiser" in text


def test_volunteers_assign_and_status_by_owner(run, shared: Path) -> None:
    run("mark-sent", "K-0001", "--date", "2026-11-02")
    out = run.json("assign", "K-0002", "k-0003", "--to", "ann")
    assert out == {"to": "ann@example.org", "name": "Ann Organiser",
                   "items": ["K-0002", "K-0003"]}
    assert [i["id"] for i in run.json("status", "--mine")["items"]] == ["K-0002", "K-0003"]
    jo = run.json("status", "--by", "Jo Campaigner")
    assert [i["id"] for i in jo["items"]] == ["K-0004", "K-0001"]
    assert jo["matched"] == 2 and jo["counts"] == {"drafted": 1, "awaiting response": 1}
    assert {i["owner"] for i in jo["items"]} == {"jo@example.org"}
    people = {p["name"]: p for p in run.json("volunteers")}
    assert people["Jo Campaigner"]["drafted"] == 4 and people["Jo Campaigner"]["looks_after"] == 2
    assert people["Ann Organiser"]["sent"] == 1 and people["Ann Organiser"]["looks_after"] == 2
    assert people["Ann Organiser"]["events"] == 3  # the sending and two assignments
    table = run("volunteers").stdout
    assert "2 volunteers" in table and "ann@example.org" in table
    run("assign", "K-0002", "--to", "jo@example.org")  # given back
    assert [i["id"] for i in run.json("status", "--mine")["items"]] == ["K-0003"]


@pytest.mark.parametrize("args, code, words", [
    (["assign", "K-0001", "--to", "nobody"], 3, "no volunteer 'nobody'"),
    (["assign", "K-0001", "--to", "er"], 4, "could be"),
    (["assign", "K-0099", "--to", "ann"], 3, "no item 'K-0099'"),
    (["status", "--by", "zed"], 3, "no volunteer 'zed'"),
    (["status", "--mine", "--by", "ann"], 5, "not both"),
])
def test_bad_volunteer_input(run, shared: Path, args, code, words) -> None:
    before = ledger_rows("SELECT COUNT(*) FROM events")
    assert words in run(*args, code=code).stderr
    assert ledger_rows("SELECT COUNT(*) FROM events") == before


def test_mine_needs_an_email(run, home: Path) -> None:
    assert "--mine needs your email" in run("status", "--mine", code=5).stderr


def test_a_volunteer_sends_another_volunteers_drafts_but_never_a_supporters(
        run, shared: Path, smtp, tmp_path: Path, monkeypatch) -> None:
    people = write(tmp_path / "s.csv", "name,email,mp\nPat Supporter,pat@example.org,5173\n")
    run("batch", "--supporters", str(people), "--template", "mp-fdp", "--campaign", "fdp")
    server = smtp()
    use_server(shared, server)
    out = run.json("send", "--campaign", "fdp", "--yes")
    assert [s["item"] for s in out["sent"]] == ["K-0001", "K-0002", "K-0003", "K-0004",
                                                "K-0005"]
    rcpts = {raw.split(b"Message-ID: ")[1].split(b"\n")[0]: rcpt for rcpt, raw in
             server.received}
    assert len(rcpts) == 5 and ["pat@example.org"] in rcpts.values()  # Pat's pack, to Pat:
    assert not any("parliament.uk" in r[0] for r in rcpts.values())  # never Pat's letter
    raw = server.received[0][1]
    assert b"From: Jo Campaigner <jo@example.org>" in raw  # as Jo drafted it
    shown = run.json("show", "K-0001")
    assert [(e["kind"], e["by_name"]) for e in shown["events"]] == [
        ("drafted", "Jo Campaigner"), ("send-attempt", "Ann Organiser"),
        ("sent", "Ann Organiser")]


def _claim(url: str, item: str, host: str, until: dt.datetime, pid: int = 1) -> None:
    with open_ledger(url) as ledger, ledger.write():
        ledger.add_event(item, "send-attempt", "2026-11-23", data={"to": "x"},
                         actor="ann@example.org")
        ledger.put_claim(Claim(item, "", "ann@example.org", host, pid,
                               TODAY.isoformat(timespec="seconds"),
                               until.isoformat(timespec="seconds")))


def test_a_claim_holds_until_it_runs_out_then_the_outcome_is_unknown(
        run, shared: Path, ledger_url: str, smtp, monkeypatch) -> None:
    server = smtp()
    use_server(shared, server)
    _claim(ledger_url, "K-0001", "elsewhere", TODAY + dt.timedelta(minutes=10))
    dry = run.json("send", "--campaign", "fdp")
    reasons = {s["item"]: s["reason"] for s in dry["skipped"]}
    assert reasons["K-0001"] == ("being sent by Ann Organiser since 12:00 UTC (if that konpfoi "
                                 "stopped, its outcome is unknown after 12:10 UTC)")
    assert dry["unknown"] == []
    out = run("send", "K-0001", "--retry", "--yes", "--json")  # never over a live claim
    assert json.loads(out.stdout)["sent"] == [] and server.received == []
    with time_machine.travel(TODAY + dt.timedelta(minutes=11), tick=False):
        later = run.json("send", "--campaign", "fdp")
        assert later["unknown"] == ["K-0001"]
        assert len(run.json("send", "K-0001", "--retry", "--yes")["sent"]) == 1
    assert ledger_rows("SELECT COUNT(*) FROM claims") == [(0,)]


def test_a_claim_by_a_dead_process_on_this_machine_runs_out_at_once(
        run, shared: Path, ledger_url: str) -> None:
    dead = os.spawnv(os.P_WAIT, "/bin/true", ["true"]) or 2 ** 22 + 17  # no such process
    _claim(ledger_url, "K-0002", sending.this_host(), TODAY + dt.timedelta(minutes=10), dead)
    assert run.json("send", "--campaign", "fdp")["unknown"] == ["K-0002"]
    _claim(ledger_url, "K-0003", sending.this_host(), TODAY + dt.timedelta(minutes=10),
           os.getpid())
    reasons = {s["item"]: s["reason"] for s in run.json("send", "--campaign", "fdp")["skipped"]}
    assert reasons["K-0003"].startswith("being sent by Ann Organiser")


def test_supporters_personal_data_is_kept_only_as_the_letters_need(run, me: Path,
                                                                   tmp_path: Path) -> None:
    people = write(tmp_path / "s.csv", "name,email,postcode,phone,personal\n"
                   "Pat Supporter,pat@example.org,SW1A 0AA,07700 900123,My GP uses it.\n")
    pcs = write(tmp_path / "pc.csv", "pcds,pcon\nSW1A 0AA,Cities of London and Westminster\n")
    run("batch", "--supporters", str(people), "--postcodes", str(pcs), "--template", "mp-fdp",
        "--campaign", "lobby")
    run("export", str(tmp_path / "out.jsonl"))
    records = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    text = "\n".join(base64.b64decode(r["content"]).decode() if r["type"] == "blob"
                     else json.dumps(r) for r in records)
    assert "SW1A" not in text and "07700" not in text  # used to find the MP, then dropped
    assert "Pat Supporter" in text and "My GP uses it." in text  # the letter itself
    volunteers = [r["email"] for r in records if r["type"] == "volunteer"]
    assert volunteers == ["jo@example.org"]  # a supporter is not a volunteer


@pytest.mark.backends("sqlite")
def test_the_same_commands_give_the_same_answers_on_both_backends(
        run, me: Path, smtp, tmp_path: Path, monkeypatch, postgres, pg_url: str) -> None:
    """init, batch, send, replies import, code, report: unchanged, on SQLite and PostgreSQL."""
    reports = []
    for n, url in enumerate((str(tmp_path / "one.db"), pg_url)):
        home = tmp_path / f"ws{n}"
        monkeypatch.setenv("KONPFOI_HOME", str(home))
        run("init", str(home), "--name", "Jo Campaigner", "--email", "jo@example.org",
            "--ledger", url)
        server = smtp()
        use_server(home, server)
        run("batch", "--to", "icb:QKK", "--to", "icb:QWO", "--to", "icb:QF7", "-q",
            "palantir-fdp", "--campaign", "fdp")
        assert len(run.json("send", "--campaign", "fdp", "--yes")["sent"]) == 3
        sent = {rcpt[0]: raw for rcpt, raw in server.received}
        first = next(iter(sent.values()))
        msgid = first.split(b"Message-ID: ")[1].split(b"\n")[0].strip().decode()
        box = write(tmp_path / f"in{n}.mbox", (
            "From foi@nhs.net Mon Nov 23 10:00:00 2026\nFrom: FOI <foi@selondonics.nhs.uk>\n"
            f"Subject: RE: your request\nIn-Reply-To: {msgid}\nMessage-ID: <r{n}@nhs>\n\n"
            "Q1: yes. Q5 withheld under s43.\n"))
        imported = run.json("replies", "import", str(box))
        assert imported["counts"]["recorded"] == 1
        run("code", "K-0001", "--q", "1=answered:Yes", "--q", "5=refused:s43")
        reports.append(run("report", "--campaign", "fdp", "--format", "md").stdout)
        assert run.json("where")["ledger"] == url
    assert reports[0] == reports[1]
    assert "answered: Yes" in reports[0] and "refused (s.43)" in reports[0]
