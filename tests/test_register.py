"""The FDP register (#16): facts about bodies with their evidence, set by coding a
palantir-fdp reply or by hand; a contrary claim shows a conflict, never an overwrite; the
trust board letter says what the register knows, and nothing when it does not."""

from __future__ import annotations

import json
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from conftest import on_day, with_group, write

pytestmark = [pytest.mark.usefixtures("frozen"),  # today: Mon 23 Nov 2026
              pytest.mark.backends()]
NEWS = "https://www.example-news.org/2026/kings-says-no-to-fdp"


def _reply(run, tmp_path: Path, item: str, date: str, frm: str) -> None:
    eml = write(tmp_path / f"{item}.eml", f"From: {frm}\nSubject: Re: your request [{item}]\n"
                f"Date: {date}\nMessage-ID: <{item}@r>\n\nPlease find our response below.\n")
    run("reply", item, "--file", str(eml))


@pytest.fixture
def coded(run, me: Path, tmp_path: Path) -> Path:
    """K-0001 to Guy's and St Thomas' (trust:RJ1) answered 'Yes, since June 2025'."""
    write(me / "bodies.yaml", """\
bodies:
  - id: trust:RJ1
    contacts: [{role: board, email: board@gstt.example, source: https://gstt.example/board}]
  - id: trust:RJZ
    contacts: [{role: board, email: board@kch.example, source: https://kch.example/board}]
""")
    with on_day("2026-09-30"):
        run("batch", "--to", "trust:RJ1", "--to", "trust:RJZ", "-q", "palantir-fdp",
            "--campaign", "fdp")
    run("mark-sent", "--campaign", "fdp", "--date", "2026-10-01")
    _reply(run, tmp_path, "K-0001", "Tue, 20 Oct 2026 10:00:00 +0000", "gstt.foi@nhs.net")
    out = run.json("code", "K-0001", "--q", "1=answered:Yes, since June 2025",
                   "--q", "3=answered:a) Optimised Patient Tracking (OPTICA); b) none",
                   "--q", "5=refused:s43")
    assert "register: trust:RJ1 FDP status: in-use (K-0001)" in out["register"]
    return me


def facts(run, body: str) -> dict:
    return run.json("bodies", "show", body)["facts"]


def test_coding_a_reply_sets_the_fact_with_the_item_as_evidence(run, coded: Path) -> None:
    f = facts(run, "trust:RJ1")
    assert f["status"] == "in-use"
    [claim] = f["fdp"]["claims"]
    assert (claim["source"], claim["item_id"], claim["question"]) == ("K-0001 Q1", "K-0001", 1)
    assert claim["checked"] == "2026-10-20" and claim["note"] == "Yes, since June 2025"
    assert f["fdp-since"]["value"] == "2025-06"
    assert f["fdp-products"]["value"] == "a) Optimised Patient Tracking (OPTICA); b) none"
    shown = run("bodies", "show", "trust:RJ1").stdout
    assert "FDP status    in use" in shown and 'K-0001 Q1 "Yes, since June 2025", checked ' \
        "2026-10-20" in " ".join(shown.split())
    assert facts(run, "trust:RJZ") == {"status": "unknown"}
    assert [b["id"] for b in run.json("bodies", "list", "--where", "fdp=in-use")] == ["trust:RJ1"]
    unknown = {b["id"] for b in run.json("bodies", "list", "--where", "kind=trust,fdp=unknown")}
    assert "trust:RJZ" in unknown and "trust:RJ1" not in unknown
    bad = run("bodies", "list", "--where", "fdp=yes", code=5)
    assert "not an FDP status" in bad.stderr and "in-use|signed-up" in bad.stderr


def test_a_contrary_answer_is_a_conflict_never_an_overwrite(run, coded: Path,
                                                            tmp_path) -> None:
    with on_day("2026-10-30"):
        run("draft", "--to", "trust:RJ1", "-q", "palantir-fdp", "--campaign", "again",
            "--force")
    run("mark-sent", "K-0003", "--date", "2026-11-02")
    _reply(run, tmp_path, "K-0003", "Fri, 20 Nov 2026 10:00:00 +0000", "gstt.foi@nhs.net")
    out = run("code", "K-0003", "--q", "1=answered:No")
    said = " ".join(out.stderr.split())
    assert "trust:RJ1 FDP status is in conflict: in-use (K-0001 Q1, 2026-10-20); not-in-use " \
           "(K-0003 Q1, 2026-11-20)" in said and "--settle" in said
    f = facts(run, "trust:RJ1")
    assert f["status"] == "conflict" and len(f["fdp"]["claims"]) == 2
    assert [b["body"] for b in run.json("facts", "list", "--conflicts")] == ["trust:RJ1"]
    assert run.json("bodies", "list", "--where", "fdp=in-use") == []
    # coding the same answer again replaces its own claim; settling decides between sources
    run("code", "K-0003", "--q", "1=answered:Yes")
    assert facts(run, "trust:RJ1")["status"] == "in-use"
    run("code", "K-0003", "--q", "1=answered:No")
    run("facts", "set", "trust:RJ1", "fdp=not-in-use", "--source", "K-0003:Q1", "--settle")
    f = facts(run, "trust:RJ1")
    assert f["status"] == "not-in-use" and [c["source"] for c in f["fdp"]["claims"]] == [
        "K-0003 Q1"]


def _letter(run, home: Path, body: str) -> str:
    [d] = run.json("draft", "--to", body, "--template", "trust-say-no-to-palantir")
    msg = message_from_bytes((home / "drafts" / f"{d['item']}.eml").read_bytes(), policy=default)
    return " ".join(msg.get_content().split())


def test_the_trust_letter_follows_the_register(run, coded: Path) -> None:
    text = _letter(run, coded, "trust:RJ1")
    assert "You have started using the Federated Data Platform (a) Optimised Patient Tracking " \
           "(OPTICA); b) none), in use since June 2025, as your reply of 20 October 2026 to a " \
           "Freedom of Information request said." in text
    assert "set out a plan to leave the FDP" in text and "not yet" not in text
    unknown = _letter(run, coded, "trust:RJZ")
    assert "You have started" not in unknown and "You have not yet" not in unknown
    assert "say publicly whether it uses" in unknown
    run("facts", "set", "trust:RJZ", "fdp=declined", "--source", NEWS, "--date", "2026-11-01")
    declined = _letter(run, coded, "trust:RJZ")
    assert ("You have not yet started using the Federated Data Platform, and you have decided "
            f"not to, according to {NEWS} (checked 1 November 2026).") in declined
    run("facts", "set", "trust:RJZ", "fdp=in-use", "--source", "https://other.example/x")
    torn = _letter(run, coded, "trust:RJZ")
    assert "You have started" not in torn and "You have not yet" not in torn
    with_group(coded)
    out = run("batch", "--to", "trust:RJ1", "--to", "trust:RJZ", "--template",
              "trust-say-no-to-palantir", "--campaign", "boards")
    assert "1 letters make no claim about the FDP" in " ".join(out.stderr.split())


@pytest.mark.parametrize("args, code, words", [
    (["trust:RJ1", "fdp=yes", "--source", NEWS], 5, "'yes' is not an FDP status"),
    (["trust:RJ1", "fdp=in-use", "--source", "my friend said"], 5, "neither a URL nor"),
    (["trust:RJ1", "fdp=in-use", "--source", NEWS, "--date", "2027-01-01"], 5, "future"),
    (["trust:RJ1", "fdp-since=June", "--source", NEWS], 5, "YYYY-MM"),
    (["trust:XXX", "fdp=in-use", "--source", NEWS], 3, "no body with id"),
    (["trust:RJZ", "fdp=in-use", "--source", "K-0001:Q1"], 5, "sent to trust:RJ1, not"),
    (["trust:RJ1", "colour=red", "--source", NEWS], 5, "is not FACT=VALUE"),
])
def test_bad_facts_are_refused(run, coded: Path, args, code, words) -> None:
    assert words in " ".join(run("facts", "set", *args, code=code).stderr.split())


def test_groups_pool_what_they_found(run, coded: Path, tmp_path, monkeypatch,
                                     new_ledger) -> None:
    run("facts", "set", "trust:RJZ", "fdp=declined", "--source", NEWS, "--date", "2026-11-01")
    with_group(coded)
    shared = tmp_path / "facts.csv"
    assert "Wrote 4 claims" in run("facts", "export", str(shared)).stdout
    other = tmp_path / "other"
    run("init", str(other), "--name", "Sam Other", "--email", "sam@other.example")
    monkeypatch.chdir(other)
    monkeypatch.setenv("KONPFOI_LEDGER", new_ledger())  # another group's ledger
    got = run.json("facts", "import", str(shared))
    assert got["added"] == 4 and got["skipped"] == 0 and got["conflicts"] == []
    f = facts(run, "trust:RJ1")
    assert f["status"] == "in-use"
    assert f["fdp"]["claims"][0]["source"] == "K-0001 Q1 (Lambeth KONP)"
    assert f["fdp"]["claims"][0]["item_id"] is None  # not an item of this ledger
    assert run.json("facts", "import", str(shared))["added"] == 0
    mine = write(tmp_path / "mine.csv", "body_id,key,value,source,checked\n"
                 "trust:RJZ,fdp,in-use,https://board.example/papers,2026-11-10\n")
    first = run.json("facts", "import", str(mine))
    assert first["added"] == 1 and first["conflicts"] == ["trust:RJZ"]
    assert run.json("facts", "import", str(mine))["added"] == 0
    broken = write(tmp_path / "broken.csv", "body_id,key,value,source,checked\n"
                   "trust:RJZ,fdp,maybe,https://x.example/y,2026-11-10\n")
    assert ":2: 'maybe' is not an FDP status" in run("facts", "import", str(broken),
                                                     code=5).stderr


def test_the_register_travels_with_the_ledger(run, coded: Path, tmp_path,
                                              monkeypatch, new_ledger) -> None:
    dump = tmp_path / "ledger.jsonl"
    run("export", str(dump))
    records = [json.loads(line) for line in dump.read_text().splitlines()]
    assert sum(r["type"] == "fact" for r in records) == 3
    other = tmp_path / "other"
    run("init", str(other), "--name", "Sam Other", "--email", "sam@other.example")
    monkeypatch.chdir(other)
    monkeypatch.setenv("KONPFOI_LEDGER", new_ledger())  # another group's ledger
    run("import", str(dump))
    assert facts(run, "trust:RJ1")["status"] == "in-use"
    again = tmp_path / "again.jsonl"
    run("export", str(again))
    # The same records, and one more: the volunteer who imported them joined this ledger.
    sam = b'{"email":"sam@other.example",'
    assert [line for line in again.read_bytes().splitlines(keepends=True)
            if not line.startswith(sam)] == dump.read_bytes().splitlines(keepends=True)
