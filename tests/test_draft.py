"""`konpfoi draft`: real RFC 5322 drafts, ledger items, and every bad input changing nothing."""

from __future__ import annotations

import datetime as dt
import email
import json
import os
from email.policy import default
from pathlib import Path

import pytest
import time_machine
from conftest import add_lothian, ledger_rows, mode, write

pytestmark = pytest.mark.backends()  # the whole file, on SQLite and PostgreSQL

NOW = dt.datetime(2026, 11, 23, 10, 30, tzinfo=dt.UTC)


def _items(home: Path) -> list[tuple]:
    if "KONPFOI_LEDGER" not in os.environ and not (home / "konpfoi.db").exists():
        return []
    return ledger_rows("SELECT id, body_id, kind, campaign FROM items ORDER BY seq")


def _drafts(home: Path) -> list[str]:
    folder = home / "drafts"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@time_machine.travel(NOW, tick=False)
def test_draft_writes_a_real_email_and_records_it(run, me: Path) -> None:
    out = run.json("draft", "--to", "icb:QKK", "--questions", "palantir-fdp",
                   "--campaign", "fdp-2026")
    [d] = out
    assert d["item"] == "K-0001" and d["kind"] == "foi" and d["warnings"] == []
    eml = Path(d["eml"])
    assert eml == me / "drafts" / "K-0001.eml"
    msg = email.message_from_bytes(eml.read_bytes(), policy=default)
    assert msg["From"] == "Jo Campaigner <jo@example.org>"
    assert msg["To"] == "NHS South East London Integrated Care Board <FOI@selondonics.nhs.uk>"
    assert msg["Subject"] == ("Freedom of Information request: Palantir and the Federated "
                              "Data Platform [K-0001]")
    assert msg["Date"].datetime == NOW
    assert msg["Message-ID"] == d["message_id"] and msg["Message-ID"].endswith("@example.org>")
    assert msg.get_content_charset() == "utf-8"
    text = msg.get_content()
    assert "Under the Freedom of Information Act 2000" in text
    assert "1. Please confirm whether you are or are not utilising" in text
    assert "7. How has your organisation considered the risk" in text
    assert "Jo Campaigner" in text and "Address for correspondence: jo@example.org" in text
    assert "1 High Street\nLondon SE1 1AA" in text
    # The campaign and the question set's credit stay out of the request (s.12, s.14).
    assert text.rstrip().endswith("Our reference: K-0001")
    assert "fdp-2026" not in text and "Socialist Health Association" not in text
    assert "electronic form" in text
    txt = Path(d["txt"]).read_text()
    assert txt.startswith("To: NHS South East London Integrated Care Board <FOI@selondonics")
    assert text in txt
    assert mode(eml) == 0o600 and mode(Path(d["txt"])) == 0o600
    assert _items(me) == [("K-0001", "icb:QKK", "foi", "fdp-2026")]
    assert ledger_rows("SELECT kind, date FROM events") == [("drafted", "2026-11-23")]
    if "KONPFOI_LEDGER" not in os.environ:
        assert mode(me / "konpfoi.db") == 0o600


def test_draft_by_name_and_several_targets(run, me: Path) -> None:
    out = run("draft", "--to", "south east london", "--to", "west yorkshire",
              "--questions", "icb-patient-data")
    assert "K-0001 FOI request to NHS South East London Integrated Care Board" in out.stdout
    assert "K-0002 FOI request to NHS West Yorkshire Integrated Care Board" in out.stdout
    assert _drafts(me) == ["K-0001.eml", "K-0001.txt", "K-0002.eml", "K-0002.txt"]


@pytest.mark.parametrize("set_id", ["palantir-fdp", "icb-patient-data", "gp-online-triage"])
def test_every_icb_gets_a_correct_draft(run, me: Path, set_id: str) -> None:
    ids = [b["id"] for b in run.json("bodies", "list", "--kind", "icb")]
    out = run.json("draft", *sum((["--to", i] for i in ids), []), "--questions", set_id)
    assert len(out) == 36
    for d in out:
        msg = email.message_from_bytes(Path(d["eml"]).read_bytes(), policy=default)
        assert msg["To"].addresses[0].addr_spec == d["to"]
        assert "Freedom of Information Act 2000" in msg.get_content()


def test_scottish_body_gets_the_foisa_template(run, me: Path) -> None:
    add_lothian(me)
    [d] = run.json("draft", "--to", "lothian", "--questions", "palantir-fdp")
    assert d["kind"] == "foisa" and d["template"] == "foi-request-foisa"
    assert "Freedom of Information (Scotland) Act 2002" in Path(d["eml"]).read_text()


def test_no_name_gives_placeholder_and_warning(run, home: Path) -> None:
    out = run("draft", "--to", "icb:QKK", "--questions", "palantir-fdp")
    assert "placeholders" in out.stderr and "FOIA s.8" in out.stderr
    assert "[YOUR FULL NAME]" in (home / "drafts" / "K-0001.txt").read_text()


# -- bad input: a clear error, a non-zero exit code, and nothing written ----------------------


@pytest.mark.parametrize("args, code, words", [
    (["--to", "icb:QKK", "--questions", "palantr-fdp"], 3, "palantir-fdp"),
    (["--to", "icb:QKK", "--template", "nope"], 3, "foi-request"),
    (["--to", "icb:QKX", "--questions", "palantir-fdp"], 3, "icb:QKK"),
    (["--to", "london", "--questions", "palantir-fdp"], 4, "icb:QMF"),
    (["--to", "icb:QKK", "--questions", "palantir-fdp", "--subject", "Hi\nBcc: x@evil.example"],
     6, "inject"),
    (["--to", "icb:QKK", "--to", "icb:NOPE", "--questions", "palantir-fdp"], 3, "icb:NOPE"),
    (["--to", "icb:QKK"], 5, "--questions"),
])
def test_bad_input_changes_nothing(run, me: Path, args, code, words) -> None:
    out = run("draft", *args, code=code)
    assert words in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) <= 4
    assert _items(me) == [] and _drafts(me) == []


def test_bad_input_as_json(run, me: Path) -> None:
    out = run("draft", "--to", "london", "--questions", "palantir-fdp", "--json", code=4)
    err = json.loads(out.stderr)
    assert err["error"] == "ambiguous" and "icb:QKK" in err["candidates"]
    assert out.stdout == ""


def test_body_without_foi_email_suggests_website(run, me: Path) -> None:
    write(me / "bodies.yaml", """\
bodies:
  - id: trust:RPY
    kind: trust
    name: The Royal Marsden NHS Foundation Trust
    nation: england
    website: https://www.royalmarsden.nhs.uk
""")
    out = run("draft", "--to", "royal marsden", "--questions", "palantir-fdp", code=3)
    assert "has no FOI email address" in out.stderr
    assert "https://www.royalmarsden.nhs.uk" in out.stderr
    assert _items(me) == [] and _drafts(me) == []


def test_template_with_undefined_variable_names_template_and_line(run, me: Path) -> None:
    write(me / "templates" / "foi-request.j2",
          "{#\nkind: request\n#}\n{% set subject = 'x' %}\nDear {{ body.chair }},\n")
    out = run("draft", "--to", "icb:QKK", "--questions", "palantir-fdp", code=5)
    assert f"{me / 'templates' / 'foi-request.j2'}:5" in out.stderr
    assert "chair" in out.stderr
    assert _items(me) == [] and _drafts(me) == []


def test_unsafe_template_is_refused(run, me: Path) -> None:
    write(me / "templates" / "foi-request.j2",
          "{#\nkind: request\n#}\n{% set subject = 'x' %}\n{{ ''.__class__.__mro__ }}\n")
    out = run("draft", "--to", "icb:QKK", "--questions", "palantir-fdp", code=6)
    assert "refused as unsafe" in out.stderr
    assert _items(me) == [] and _drafts(me) == []


def test_malformed_overlay_names_file_and_line(run, me: Path) -> None:
    write(me / "bodies.yaml", "bodies:\n  - id: icb:QXX\n    kind: icb\n   name: bad indent\n")
    out = run("draft", "--to", "icb:QKK", "--questions", "palantir-fdp", code=5)
    assert f"{me / 'bodies.yaml'}:" in out.stderr
    assert _items(me) == []
