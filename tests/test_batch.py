"""konpfoi batch: many drafts, once each, with warnings; supporters; one mbox."""

from __future__ import annotations

import mailbox
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from conftest import ledger_rows, on_day, with_group, write

pytestmark = pytest.mark.backends()  # the whole file, on SQLite and PostgreSQL


def _items(home: Path) -> list[tuple]:
    return ledger_rows("SELECT id, body_id, campaign, sender_email FROM items ORDER BY seq")


def test_every_icb_once_and_one_mbox(run, me: Path) -> None:
    out = run.json("batch", "--to", "icb:*", "-q", "palantir-fdp", "--campaign", "fdp-2026")
    assert len(out["drafted"]) == 36 and out["skipped"] == []
    box = mailbox.mbox(out["mbox"])
    msgs = list(box)
    assert len(msgs) == 36
    assert {m["Message-ID"] for m in msgs} == {
        message_from_bytes((me / "drafts" / f"{i}.eml").read_bytes(), policy=default)
        ["Message-ID"] for i in out["drafted"]}
    again = run.json("batch", "--to", "icb:*", "-q", "palantir-fdp", "--campaign", "fdp-2026")
    assert again["drafted"] == [] and again["mbox"] is None
    assert {s["reason"] for s in again["skipped"]} == {"already drafted in this campaign"}
    assert len(_items(me)) == 36
    text = run("batch", "--to", "icb:*", "-q", "palantir-fdp", "--campaign", "fdp-2026").stderr
    assert "skipped 36: already drafted in this campaign" in text


def test_board_letters_go_to_the_board_never_the_foi_inbox(run, me: Path) -> None:
    write(me / "bodies.yaml", """\
bodies:
  - id: trust:RJ1
    contacts: [{role: board, email: board.secretary@gstt.nhs.uk, source: trust website}]
  - id: trust:RJZ
    contacts: [{role: chair, email: chair@kch.nhs.uk, source: trust website}]
""")
    out = run.json("batch", "--where", "kind=trust,region=London", "--template",
                   "trust-say-no-to-palantir", "--campaign", "trusts")
    skipped = {s["target"]: s["reason"] for s in out["skipped"]}
    assert "trust:RJ1" not in skipped and "trust:RJZ" not in skipped
    assert all(r.startswith("no address") for r in skipped.values())
    assert "board or chair email address" in skipped["trust:RQM"]
    assert "konpfoi bodies set trust:RQM board=EMAIL --source URL" in skipped["trust:RQM"]
    sent_to = {}
    for item_id in out["drafted"]:
        msg = message_from_bytes((me / "drafts" / f"{item_id}.eml").read_bytes(), policy=default)
        shown = run.json("show", item_id)["item"]
        assert shown["kind"] == "board"
        body = run.json("bodies", "show", shown["body_id"])
        roles = {c["email"]: c["role"] for c in body["contacts"] if c.get("email")}
        to = msg["To"].addresses[0].addr_spec
        assert roles[to] in ("board", "chair")  # never the FOI inbox
        sent_to[shown["body_id"]] = to
        assert msg["Subject"] == "Please say no to Palantir's Federated Data Platform"
        assert "decline to adopt the FDP" in msg.get_content()
    assert sent_to["trust:RJ1"] == "board.secretary@gstt.nhs.uk"
    assert sent_to["trust:RJZ"] == "chair@kch.nhs.uk"


def test_closed_bodies_are_skipped_with_their_successor(run, me: Path) -> None:
    write(me / "bodies.yaml", """\
bodies:
  - id: trust:RJ2
    closed: 2026-10-01
    successor: trust:RJ1
  - id: trust:RJ1
    contacts: [{role: board, email: board.secretary@gstt.nhs.uk}]
""")
    out = run.json("batch", "--to", "trust:RJ1", "--to", "trust:RJ2", "--template",
                   "trust-say-no-to-palantir", "--campaign", "t")
    assert {s["target"]: s["reason"] for s in out["skipped"]} == {
        "trust:RJ2": "closed body (closed 2026-10-01; successor trust:RJ1)"}


def test_mps_get_the_identical_letter_warning(run, me: Path) -> None:
    with_group(me)
    out = run("batch", "--where", "kind=mp,region=North East", "--template", "mp-fdp",
              "--campaign", "mps", "--json")
    assert "alike" in out.stderr and "--supporters" in out.stderr
    import json

    data = json.loads(out.stdout)
    assert data["similarity"] > 0.8 and len(data["drafted"]) == 27


def test_organisation_letters_to_mps_speak_for_the_group(run, me: Path) -> None:
    """The README's `batch --to 'mp:*' --template mp-fdp`: the group writes, never as a
    constituent, and signs with the group's own details."""
    assert "no group is set" in run("batch", "--to", "mp:*", "--template", "mp-fdp",
                                    "--campaign", "mps-2026", code=5).stderr
    assert not (me / "drafts").exists() or not list((me / "drafts").iterdir())
    with_group(me)
    out = run.json("batch", "--to", "mp:*", "--template", "mp-fdp", "--campaign", "mps-2026")
    assert len(out["drafted"]) >= 640
    for item_id in out["drafted"][:40]:
        text = message_from_bytes((me / "drafts" / f"{item_id}.eml").read_bytes(),
                                  policy=default).get_content()
        assert "On behalf of Lambeth KONP, I am writing to you" in text
        assert "constituent" not in text and "my MP" not in text
        assert "https://konp.example/lambeth-group" in text
        assert text.rstrip().endswith("https://konp.example/lambeth-group")
    assert run.json("show", out["drafted"][0])["item"]["kind"] == "mp"


SUPPORTERS = """\
name;email;constituency;personal
Ann Able;ann@example.org;Aldershot;I was treated at Frimley Park and I want my records kept safe.
Bob Baker;bob@example.org;Leeds Central and Headingley;As a carer I worry about my mum's notes.
"""


def test_supporters_each_write_to_their_own_mp(run, me: Path, tmp_path) -> None:
    path = tmp_path / "supporters.csv"
    path.write_bytes(b"\xef\xbb\xbf" + SUPPORTERS.encode("utf-8"))
    out = run.json("batch", "--supporters", str(path), "--template", "mp-fdp",
                   "--campaign", "lobby")
    assert len(out["drafted"]) == 2 and not [w for w in out["warnings"] if "alike" in w]
    assert _items(me) == [("K-0001", "mp:5173", "lobby", "ann@example.org"),
                          ("K-0002", "mp:4658", "lobby", "bob@example.org")]
    msg = message_from_bytes((me / "drafts" / "K-0001.eml").read_bytes(), policy=default)
    assert msg["From"].addresses[0].addr_spec == "ann@example.org"
    assert msg["To"].addresses[0].addr_spec == "alex.baker.mp@parliament.uk"
    text = msg.get_content()
    assert "as my MP for Aldershot" in text and "Frimley Park" in text
    assert "On behalf of" not in text
    assert text.rstrip().endswith("Ann Able\nann@example.org")
    assert run.json("show", "K-0001")["item"]["kind"] == "constituent"
    again = run.json("batch", "--supporters", str(path), "--template", "mp-fdp",
                     "--campaign", "lobby")
    assert again["drafted"] == []


def test_supporters_from_excel_in_windows_1252(run, me: Path, tmp_path) -> None:
    path = tmp_path / "supporters.csv"
    path.write_bytes("name,email,mp,personal\r\nZoë Ünal,zoe@example.org,5173,Café owner\r\n"
                     .encode("cp1252"))
    out = run.json("batch", "--supporters", str(path), "--template", "mp-fdp",
                   "--campaign", "x")
    msg = message_from_bytes((me / "drafts" / f"{out['drafted'][0]}.eml").read_bytes(),
                             policy=default)
    assert msg["From"].addresses[0].display_name == "Zoë Ünal"
    assert "Café owner" in msg.get_content()


@pytest.mark.parametrize("text, words", [
    ("name,email\nAnn,ann@example.org\n", ":1: needs a column mp, constituency or postcode"),
    ("email,constituency\nann@example.org,Aldershot\n", ":1: missing column name"),
    ("name,email,constituency\nAnn,ann@example.org,Narnia North\n",
     ":2: no MP for constituency 'Narnia North'"),
    ("name,email,constituency\nAnn,ann@example.org,Aldershot\nBob,not-an-email,Aldershot\n",
     ":3: not an email address"),
    ("name,email,postcode\nAnn,ann@example.org,SE1 9RT\n", ":2: a postcode needs a postcode"),
    ("name,email,mp\nAnn,ann@example.org,99999999\n", ":2: no MP with id"),
])
def test_bad_supporters_files_name_the_row(run, me: Path, tmp_path, text, words) -> None:
    path = write(tmp_path / "s.csv", text)
    out = run("batch", "--supporters", str(path), "--template", "mp-fdp", "--campaign", "x",
              code=5)
    assert f"{path}{words}" in out.stderr.replace("\n", "")
    assert _items(me) == []


def test_postcodes_through_a_lookup_file(run, me: Path, tmp_path) -> None:
    lookup = write(tmp_path / "onspd.csv", "pcds,pcon\nGU11 1AA,E14001063\n")
    people = write(tmp_path / "s.csv", "name,email,postcode\nAnn,ann@example.org,gu111aa\n")
    out = run.json("batch", "--supporters", str(people), "--postcodes", str(lookup),
                   "--template", "mp-fdp", "--campaign", "x")
    assert _items(me)[0][1] == "mp:5173" and len(out["drafted"]) == 1


def test_an_unsent_duplicate_is_skipped_and_a_sent_one_ages_from_its_sending(run, me: Path
                                                                            ) -> None:
    with on_day("2026-09-30"):
        run("draft", "--to", "icb:QKK", "-q", "palantir-fdp", "--campaign", "first")
    out = run.json("batch", "--to", "icb:QKK", "--to", "icb:QWO", "-q", "palantir-fdp",
                   "--campaign", "second")
    assert [s["target"] for s in out["skipped"]] == ["icb:QKK"]
    assert "K-0001" in out["skipped"][0]["reason"] and "not sent" in out["skipped"][0]["reason"]
    assert len(out["drafted"]) == 1
    run("mark-sent", "K-0001", "--date", "2026-10-01")
    again = run.json("batch", "--to", "icb:QKK", "-q", "palantir-fdp", "--campaign", "third")
    reason = again["skipped"][0]["reason"]
    assert "K-0001 (sent 2026-10-01" in reason and "FOIA s.12" in reason and "100% alike" in reason
    forced = run("batch", "--to", "icb:QKK", "-q", "palantir-fdp", "--campaign", "third",
                 "--force")
    assert "K-0001 (sent 2026-10-01" in forced.stderr and "Drafted 1" in forced.stdout


def test_batch_needs_targets_and_a_campaign(run, me: Path) -> None:
    assert "choose the targets" in run("batch", "-q", "palantir-fdp", "--campaign", "c",
                                       code=5).stderr
    assert run("batch", "--to", "icb:*", "-q", "palantir-fdp", code=2).exit_code == 2


KILLED_BATCH = """\
import os, signal, sys
from konpfoi.workspace import files
written = []
real = files.Staged.write
def write(self, name, data):
    written.append(name)
    if len(written) == 41:  # twenty drafts and a half: the process dies mid-write
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, name, data)
files.Staged.write = write
from konpfoi.cli.main import main
sys.argv = ["konpfoi", "batch", "--to", "icb:*", "-q", "palantir-fdp", "--campaign", "fdp"]
main()
"""


def test_a_batch_killed_while_writing_leaves_nothing_half_written(run, me: Path,
                                                                  tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    script = write(tmp_path / "killed.py", KILLED_BATCH)
    proc = subprocess.run([sys.executable, str(script)], env=dict(os.environ),
                          capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    drafts = me / "drafts"
    assert [p.name for p in drafts.iterdir() if not p.name.startswith(".staging-")] == []
    assert _items(me) == []  # the ledger took none of them either
    out = run.json("batch", "--to", "icb:*", "-q", "palantir-fdp", "--campaign", "fdp")
    assert len(out["drafted"]) == 36
    names = sorted(p.name for p in drafts.iterdir())
    assert names == sorted([f"{i}.{ext}" for i in out["drafted"] for ext in ("eml", "txt")]
                           + [Path(out["mbox"]).name])  # the dead batch's folder is gone
    assert {oct(p.stat().st_mode & 0o777) for p in drafts.iterdir()} == {"0o600"}


def test_bodies_skipped_for_one_reason_are_told_it_whole(run, me) -> None:
    out = run("batch", "--to", "mp:*", "-q", "palantir-fdp", "--campaign", "wrong")
    said = " ".join(out.stderr.split())
    assert "Nothing new to draft." in out.stdout
    assert "skipped 650: not for this body (an MP is not a public authority under FOIA" in said
