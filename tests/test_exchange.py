"""Export and import: lossless, idempotent, schema-checked, all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import on_day, write

from konpfoi.ledger.migrations import SCHEMA_VERSION

pytestmark = pytest.mark.backends()


@pytest.fixture
def story(run, me: Path, tmp_path: Path) -> Path:
    with on_day("2026-09-28"):  # drafted before it was sent
        run("draft", "--to", "icb:QKK", "--to", "icb:QWO", "-q", "palantir-fdp", "--campaign", "c")
    run("mark-sent", "K-0001", "--date", "2026-11-02")
    run("record", "K-0001", "acknowledged", "--their-ref", "FOI-1", "--note", "café ✓")
    run("record", "K-0001", "correction", "--event", "3", "--date", "2026-11-03")
    eml = write(tmp_path / "r.eml", "From: a@b.nhs.uk\nSubject: re\nMessage-ID: <m@b>\n\nhi\n")
    run("reply", "K-0001", "--file", str(eml), "--outcome", "refused")
    return me


def test_export_import_export_is_byte_identical(run, story: Path, tmp_path: Path,
                                                 monkeypatch, new_ledger) -> None:
    first = tmp_path / "one.jsonl"
    run("export", str(first))
    lines = first.read_text().splitlines()
    assert json.loads(lines[0]) == {"format": "konpfoi-ledger", "schema": SCHEMA_VERSION,
                                    "type": "header"}
    assert {json.loads(x)["type"] for x in lines[1:]} == {"blob", "volunteer", "item", "event",
                                                           "attachment", "inbound"}
    monkeypatch.setenv("KONPFOI_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("KONPFOI_LEDGER", new_ledger())
    out = run.json("import", str(first))
    assert out["added"] == {"blob": 3, "volunteer": 1, "item": 2, "event": 6, "attachment": 1,
                            "inbound": 1}
    second = tmp_path / "two.jsonl"
    run("export", str(second))
    assert second.read_bytes() == first.read_bytes()
    again = run.json("import", str(first))
    assert again["added"] == {} and again["already_present"]["event"] == 6
    assert run.json("show", "K-0001")["state"] == "refused"


def test_an_id_taken_by_another_item_is_a_conflict_never_a_renumbering(
        run, story: Path, tmp_path: Path, monkeypatch, new_ledger) -> None:
    """Behaviour changed (issue 13): an import used to renumber the file's K-0001 silently,
    leaving its subject and draft pointing at another item."""
    path = tmp_path / "one.jsonl"
    run("export", str(path))
    monkeypatch.setenv("KONPFOI_HOME", str(tmp_path / "other"))
    monkeypatch.setenv("KONPFOI_LEDGER", new_ledger())
    run("init", str(tmp_path / "other"), "--name", "Al", "--email", "al@example.org")
    run("draft", "--to", "icb:QT6", "-q", "palantir-fdp")
    err = run("import", str(path), code=7).stderr
    assert "K-0001 is already a different item here" in err and "--prefix" in err
    assert [i["id"] for i in run.json("status", "--all")["items"]] == ["K-0001"]
    assert run.json("show", "K-0001")["item"]["body_id"] == "icb:QT6"


def test_ids_survive_sharing_and_replies_match_in_the_other_workspace(
        run, story: Path, tmp_path: Path, monkeypatch, new_ledger) -> None:
    path = tmp_path / "one.jsonl"
    run("export", str(path))
    request = (story / "drafts" / "K-0002.eml").read_text()
    k2_msgid = next(line.split(": ", 1)[1] for line in request.splitlines()
                    if line.startswith("Message-ID: "))
    other = tmp_path / "other"
    monkeypatch.setenv("KONPFOI_HOME", str(other))
    monkeypatch.setenv("KONPFOI_LEDGER", new_ledger())
    run("init", str(other), "--name", "Al", "--email", "al@example.org", "--prefix", "s")
    with on_day("2026-10-30"):
        run("draft", "--to", "icb:QWO", "-q", "palantir-fdp")
    run("mark-sent", "S-0001", "--date", "2026-11-02")
    assert "prefix: S" in (other / "konpfoi.yaml").read_text()
    first = run.json("import", str(path))
    assert first["added"]["item"] == 2
    again = run.json("import", str(path))
    assert again["added"] == {} and again["already_present"]["item"] == 2
    ids = sorted(i["id"] for i in run.json("status", "--all")["items"])
    assert ids == ["K-0001", "K-0002", "S-0001"]
    assert run.json("show", "K-0001")["item"]["body_id"] == "icb:QKK"
    run("mark-sent", "K-0002", "--date", "2026-11-03")
    replies = tmp_path / "replies"
    replies.mkdir()
    write(replies / "1.eml", "From: FOI <FOI@selondonics.nhs.uk>\nSubject: RE: your request "
          "[K-0001]\nMessage-ID: <k1@sel>\nDate: Mon, 16 Nov 2026 10:00:00 +0000\n\n"
          "Please find our response attached.\n")
    write(replies / "2.eml", "From: FOI <wyicb.foi@nhs.net>\nSubject: RE: request\n"
          f"In-Reply-To: {k2_msgid}\nMessage-ID: <k2@wy>\n"
          "Date: Tue, 17 Nov 2026 10:00:00 +0000\n\nWe do not hold it.\n")
    write(replies / "3.eml", "From: FOI <wyicb.foi@nhs.net>\nSubject: RE: [S-0001]\n"
          "Message-ID: <s1@wy>\nDate: Wed, 18 Nov 2026 10:00:00 +0000\n\nDocuments attached."
          "\n")
    out = run.json("replies", "import", str(replies))
    assert [(o["status"], o["item_id"]) for o in out["outcomes"]] == [
        ("recorded", "K-0001"), ("recorded", "K-0002"), ("recorded", "S-0001")]


def test_a_changed_export_is_refused(run, story: Path, tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    run("export", str(path))
    lines = path.read_text().splitlines()
    changed = [json.dumps({**json.loads(x), "subject": "something else"})
               if '"type":"item"' in x and '"id":"K-0001"' in x else x for x in lines]
    write(path, "\n".join(changed) + "\n")
    err = run("import", str(path), code=7).stderr
    assert "K-0001 in the file differs from K-0001 here (subject)" in err


@pytest.mark.parametrize("text, code, words", [
    ('{"type":"header","format":"konpfoi-ledger","schema":99}\n', 7, "newer konpfoi"),
    ('{"type":"header","format":"something"}\n', 5, "not a konpfoi ledger export"),
    ('{"type":"header","format":"konpfoi-ledger","schema":1}\nnot json\n', 5, ":2: not valid"),
    ('{"type":"header","format":"konpfoi-ledger","schema":1}\n{"type":"item","id":"K-1"}\n', 5,
     ":2: item record lacks"),
    ('{"type":"header","format":"konpfoi-ledger","schema":1}\n{"type":"thing"}\n', 5,
     "unknown record type"),
    ("", 5, "empty"),
])
def test_bad_files_import_nothing(run, story: Path, tmp_path: Path, text, code, words) -> None:
    before = run.json("export", str(tmp_path / "before.jsonl"))
    bad = write(tmp_path / "bad.jsonl", text)
    out = run("import", str(bad), code=code)
    assert words in out.stderr
    assert run.json("export", str(tmp_path / "after.jsonl")) == {**before,
                                                                 "file": before["file"][:-12]
                                                                 + "after.jsonl"}


def test_a_broken_record_midway_rolls_back(run, story: Path, tmp_path: Path,
                                           monkeypatch, new_ledger) -> None:
    path = tmp_path / "one.jsonl"
    run("export", str(path))
    lines = path.read_text().splitlines()
    broken = next(json.loads(x) for x in reversed(lines) if '"type":"event"' in x)
    broken["item"] = "K-9999"  # an event for an item that does not exist
    broken["uid"] = "new"
    write(path, "\n".join(lines + [json.dumps(broken)]) + "\n")
    monkeypatch.setenv("KONPFOI_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("KONPFOI_LEDGER", new_ledger())
    out = run("import", str(path), code=5)
    assert "nothing was imported" in out.stderr
    assert run.json("status", "--all")["items"] == []
