"""Export and import: lossless, idempotent, schema-checked, all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write

from konpfoi.ledger.migrations import SCHEMA_VERSION

pytestmark = pytest.mark.backends()


@pytest.fixture
def story(run, me: Path, tmp_path: Path) -> Path:
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


def test_import_into_a_ledger_with_other_items_renumbers(run, story: Path, tmp_path: Path,
                                                          monkeypatch, new_ledger) -> None:
    path = tmp_path / "one.jsonl"
    run("export", str(path))
    monkeypatch.setenv("KONPFOI_HOME", str(tmp_path / "other"))
    monkeypatch.setenv("KONPFOI_LEDGER", new_ledger())
    run("init", str(tmp_path / "other"), "--name", "Al", "--email", "al@example.org")
    run("draft", "--to", "icb:QT6", "-q", "palantir-fdp")
    run("import", str(path))
    ids = [i["id"] for i in run.json("status", "--all")["items"]]
    assert sorted(ids) == ["K-0001", "K-0002", "K-0003"]
    assert run.json("show", "K-0002")["item"]["body_id"] == "icb:QKK"


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
