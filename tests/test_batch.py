"""konpfoi batch: many drafts, once each, with warnings; supporters; one mbox."""

from __future__ import annotations

import mailbox
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from conftest import ledger_rows, write

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


def test_trusts_in_a_region_skip_those_without_an_address(run, me: Path) -> None:
    out = run.json("batch", "--where", "kind=trust,region=London", "--template",
                   "trust-say-no-to-palantir", "--campaign", "trusts")
    skipped = {s["target"]: s["reason"] for s in out["skipped"]}
    assert skipped.keys() == {"trust:K0N6A", "trust:RPY"}
    assert all(r.startswith("no address") for r in skipped.values())
    assert len(out["drafted"]) == 30
    msg = message_from_bytes((me / "drafts" / "K-0001.eml").read_bytes(), policy=default)
    assert msg["Subject"] == "Please say no to Palantir's Federated Data Platform"
    assert "decline to adopt the FDP" in msg.get_content()


def test_closed_bodies_are_skipped_with_their_successor(run, me: Path) -> None:
    write(me / "bodies.yaml", """\
bodies:
  - id: trust:RJ2
    closed: 2026-10-01
    successor: trust:RJ1
""")
    out = run.json("batch", "--to", "trust:RJ1", "--to", "trust:RJ2", "--template",
                   "trust-say-no-to-palantir", "--campaign", "t")
    assert {s["target"]: s["reason"] for s in out["skipped"]} == {
        "trust:RJ2": "closed body (closed 2026-10-01; successor trust:RJ1)"}


def test_mps_get_the_identical_letter_warning(run, me: Path) -> None:
    out = run("batch", "--where", "kind=mp,region=North East", "--template", "mp-fdp",
              "--campaign", "mps", "--json")
    assert "alike" in out.stderr and "personal paragraph" in out.stderr
    import json

    data = json.loads(out.stdout)
    assert data["similarity"] > 0.8 and len(data["drafted"]) == 27


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
    assert text.rstrip().endswith("Ann Able\nann@example.org")
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
    ("email,constituency\nann@example.org,Aldershot\n", ":1: missing column(s) name"),
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


def test_aggregation_warning_for_a_similar_request(run, me: Path) -> None:
    run("draft", "--to", "icb:QKK", "-q", "palantir-fdp", "--campaign", "first")
    out = run("batch", "--to", "icb:QKK", "--to", "icb:QWO", "-q", "palantir-fdp",
              "--campaign", "second")
    assert "icb:QKK" in out.stderr and "FOIA s.12" in out.stderr
    assert "icb:QWO" not in out.stderr


def test_batch_needs_targets_and_a_campaign(run, me: Path) -> None:
    assert "choose the targets" in run("batch", "-q", "palantir-fdp", "--campaign", "c",
                                       code=5).stderr
    assert run("batch", "--to", "icb:*", "-q", "palantir-fdp", code=2).exit_code == 2
