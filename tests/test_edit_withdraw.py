"""edit: a draft changed by hand in $EDITOR is what send sends (both versions kept); withdraw:
an item given up keeps its history; record --url: the same request on WhatDoTheyKnow."""

from __future__ import annotations

import json
import sqlite3
import sys
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from conftest import on_day, use_server, with_group, write

pytestmark = pytest.mark.usefixtures("frozen")

WDTK = "https://www.whatdotheyknow.com/request/palantir_fdp_contracts_3"


@pytest.fixture
def drafted(run, me: Path) -> Path:
    with on_day("2026-11-20"):
        run("draft", "--to", "icb:QKK", "--to", "icb:QWO", "-q", "palantir-fdp",
            "--campaign", "fdp")
    return me


def _editor(tmp_path: Path, code: str) -> str:
    """An $EDITOR that changes the file it is given with `code` (text -> text)."""
    script = write(tmp_path / "editor.py", "import sys\np = sys.argv[1]\n"
                   "text = open(p, encoding='utf-8').read()\n"
                   f"text = {code}\nopen(p, 'w', encoding='utf-8').write(text)\n")
    return f"{sys.executable} {script}"


def test_edit_changes_what_send_sends(run, drafted: Path, tmp_path, monkeypatch,
                                      smtp) -> None:
    monkeypatch.setenv("EDITOR", _editor(
        tmp_path, "text.replace('Dear ', 'Dear Colleague at ', 1)"
                  ".replace('\\n\\n', '\\n\\nI am grateful for your help.\\n\\n', 1)"))
    before = run.json("show", "K-0001")["item"]
    out = run.json("edit", "1")
    assert out["changed"] and out["item"] == "K-0001"
    eml = (drafted / "drafts" / "K-0001.eml").read_bytes()
    txt = (drafted / "drafts" / "K-0001.txt").read_text()
    assert b"I am grateful for your help." in eml and "Dear Colleague at" in txt
    shown = run.json("show", "K-0001")
    assert [e["kind"] for e in shown["events"]] == ["drafted", "edited"]
    edited = shown["events"][1]["data"]
    assert edited["before"] != edited["after"] == out["message_sha256"]
    with sqlite3.connect(drafted / "konpfoi.db") as con:  # both versions are kept
        kept = {r[0] for r in con.execute("SELECT sha256 FROM blobs")}
        row = con.execute("SELECT message_sha256, content_hash FROM items WHERE id = 'K-0001'"
                          ).fetchone()
    assert {edited["before"], edited["after"]} <= kept
    assert row[0] == edited["after"] and row[1] != before.get("content_hash")
    msg = message_from_bytes(eml, policy=default)
    assert msg["Message-ID"] == before["message_id"]  # the same message, changed
    # send sends the edited text
    server = smtp()
    use_server(drafted, server)
    run("send", "K-0001", "--yes", "--rate", "none")
    assert len(server.received) == 1 and b"I am grateful for your help." in server.received[0][1]
    err = run("edit", "K-0001", code=7).stderr
    assert "K-0001 was sent on 2026-11-23: a letter that went cannot change" in err


def test_edit_the_subject_from_a_file(run, drafted: Path, tmp_path) -> None:
    text = run.json("show", "K-0002")["item"]["subject"]
    path = write(tmp_path / "new.txt", f"Subject: {text} (revised)\n\nDear FOI team,\n\n"
                 "Please tell me whether you use the FDP. [K-0002]\n\nJo Campaigner\n")
    out = run.json("edit", "K-0002", "--file", str(path))
    assert out["subject"].endswith("(revised)")
    assert run.json("status")["items"][1]["subject"].endswith("(revised)")
    assert run("edit", "K-0002", "--file", str(path)).stdout == "K-0002: no change\n"


@pytest.mark.parametrize("text, says", [
    ("Dear FOI team\n", "must start with its 'Subject: ...' line"),
    ("Subject: \n\nHello\n", "the subject is empty"),
    ("Subject: Hi\n\n\n", "the letter is empty"),
    ("Subject: Hi\nBcc: x@example.org\n\nHello\n", "must start with its 'Subject: ...'")])
def test_a_bad_edit_changes_nothing(run, drafted: Path, tmp_path, text, says) -> None:
    before = (drafted / "drafts" / "K-0001.eml").read_bytes()
    err = run("edit", "K-0001", "--file", str(write(tmp_path / "x.txt", text)), code=5).stderr
    assert says in err
    assert (drafted / "drafts" / "K-0001.eml").read_bytes() == before
    assert [e["kind"] for e in run.json("show", "K-0001")["events"]] == ["drafted"]


def test_an_edit_left_as_it_was_records_nothing(run, drafted: Path, tmp_path,
                                                monkeypatch) -> None:
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "text"))
    assert run("edit", "K-0001").stdout == "K-0001: no change\n"
    monkeypatch.setenv("EDITOR", "false")
    assert "the editor stopped with code 1" in run("edit", "K-0001", code=5).stderr
    monkeypatch.delenv("EDITOR")
    monkeypatch.delenv("VISUAL", raising=False)
    assert "no editor is set" in run("edit", "K-0001", code=5).stderr


def test_an_edit_that_drops_the_reference_warns(run, drafted: Path, tmp_path) -> None:
    path = write(tmp_path / "new.txt", "Subject: FDP\n\nDear FOI team,\n\nDo you use it?\n")
    assert "reference is no longer in it" in run("edit", "K-0001", "--file", str(path)).stderr


def test_an_edit_of_a_letter_that_never_had_a_reference_does_not_say_it_lost_one(
        run, me: Path, tmp_path) -> None:
    with_group(me)
    run("draft", "--to", "mp:172", "--template", "mp-fdp")  # a group's letter: no reference
    subject = run.json("show", "K-0001")["item"]["subject"]
    assert "K-0001" not in subject
    path = write(tmp_path / "new.txt", f"Subject: {subject}\n\nDear MP,\n\nPlease ask.\n")
    assert "reference" not in run("edit", "K-0001", "--file", str(path)).stderr


def test_withdraw_keeps_the_history(run, drafted: Path) -> None:
    out = run.json("withdraw", "K-1", "--note", "the group chose another ICB")
    assert out == [{"item": "K-0001", "event": 3, "date": "2026-11-23"}]
    status = run.json("status")
    assert [i["id"] for i in status["items"]] == ["K-0002"] and status["hidden_closed"] == 1
    shown = run.json("show", "K-0001")
    assert shown["state"] == "withdrawn"
    assert [(e["kind"], e["note"]) for e in shown["events"]][-1] == (
        "withdrawn", "the group chose another ICB")
    assert run.json("send", "--campaign", "fdp")["would_send"][0]["item"] == "K-0002"
    assert "already withdrawn" in run("withdraw", "K-0001", code=7).stderr
    assert "K-0001 was withdrawn" in run("edit", "K-0001", code=7).stderr
    run("record", "K-0001", "reopened")
    assert run.json("show", "K-0001")["state"] == "drafted"
    assert "no item 'K-0009'" in run("withdraw", "K-0009", code=3).stderr


def test_an_item_carries_its_whatdotheyknow_address(run, drafted: Path, tmp_path) -> None:
    run("mark-sent", "K-0001", "--date", "2026-11-20")
    out = run.json("record", "K-0001", "--url", WDTK)
    assert out["kind"] == "linked" and out["url"] == WDTK
    assert run.json("record", "K-0001", "--url", WDTK)["event"] == out["event"]  # no second
    assert run.json("show", "K-0001")["url"] == WDTK
    assert f"public page {WDTK}" in run("show", "K-0001").stdout
    assert {i["id"]: i["url"] for i in run.json("status")["items"]}["K-0001"] == WDTK
    md = run("report").stdout
    assert f"[K-0001]({WDTK})" in md
    html = run("report", "--format", "html").stdout
    assert f'<a href="{WDTK}">K-0001</a>' in html
    rows = run("report", "--format", "csv").stdout.splitlines()
    assert rows[0].split(",")[13] == "url" and WDTK in rows[1] + rows[2]
    assert json.loads(run("report", "--json").stdout)["rows"][0]["url"] == WDTK
    run("record", "K-0002", "--url", WDTK + "_b")  # before sending too: made on WDTK itself
    assert run.json("show", "K-0002")["url"] == WDTK + "_b"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "www.whatdotheyknow.com/request/x",
                                 "https://", 'https://x.org/"><script>', "file:///etc/passwd"])
def test_a_url_that_is_not_a_web_address(run, drafted: Path, url: str) -> None:
    assert "is not a web address" in run("record", "K-0001", "--url", url, code=5).stderr


def test_record_needs_an_event_or_a_url(run, drafted: Path) -> None:
    assert "which event?" in run("record", "K-0001", code=5).stderr
    assert "'linked' needs --url" in run("record", "K-0001", "linked", code=5).stderr
