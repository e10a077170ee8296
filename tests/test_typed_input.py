"""Ids and dates as people type them: K-3, k-0003 and 3 are K-0003; 23/11/2026, 23 Nov 2026,
today and yesterday are days; a counted thing is "1 item", and a complaint "an ICO complaint"."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from conftest import on_day

from konpfoi.errors import InvalidInput
from konpfoi.ledger.model import parse_item_ref
from konpfoi.workspace import words
from konpfoi.workspace.dates import parse_date

pytestmark = pytest.mark.usefixtures("frozen")

DAY = dt.date(2026, 11, 23)


@pytest.fixture
def three(run, me: Path) -> Path:
    with on_day("2026-09-28"):
        run("draft", "--to", "icb:QKK", "--to", "icb:QWO", "--to", "icb:QF7", "-q",
            "palantir-fdp", "--campaign", "fdp-2026")
    return me


# -- ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize("typed, found", [
    ("K-0003", ("K", 3)), ("K-3", ("K", 3)), ("k-0003", ("K", 3)), ("K3", ("K", 3)),
    ("3", (None, 3)), ("0003", (None, 3)), (" k-3 ", ("K", 3)), ("ST-12345", ("ST", 12345)),
    ("K-", None), ("K-3x", None), ("", None), ("../K-3", None), ("K--3", None)])
def test_an_id_as_typed(typed: str, found) -> None:
    assert parse_item_ref(typed) == found


@pytest.mark.parametrize("typed", ["K-3", "k-0003", "3", "K3", "0003", "k-3"])
def test_every_command_takes_an_id_as_typed(run, three: Path, typed: str) -> None:
    assert run.json("show", typed)["item"]["id"] == "K-0003"
    out = run.json("mark-sent", typed, "--date", "2026-11-02")
    assert out == [{"item": "K-0003", "sent": "2026-11-02", "skipped": None}]
    assert run.json("record", typed, "acknowledged")["item"] == "K-0003"


def test_a_number_two_prefixes_share_is_ambiguous(run, three: Path) -> None:
    run("init", str(three), "--prefix", "S")
    with on_day("2026-09-29"):
        run("draft", "--to", "icb:QKK", "-q", "palantir-fdp", "--force")
        run("draft", "--to", "icb:QWO", "-q", "palantir-fdp", "--force")
        run("draft", "--to", "icb:QF7", "-q", "palantir-fdp", "--force")
    err = run("show", "3", code=4).stderr
    assert "'3' could be K-0003 or S-0003" in err and "give the whole id" in err
    assert len([line for line in err.splitlines() if line.startswith("error")]) == 1
    as_json = json.loads(run("show", "3", "--json", code=4).stderr)
    assert as_json["error"] == "ambiguous" and as_json["candidates"] == ["K-0003", "S-0003"]
    assert run.json("show", "s-3")["item"]["id"] == "S-0003"
    assert run.json("show", "K3")["item"]["id"] == "K-0003"


def test_an_unknown_id_suggests_close_ones(run, three: Path) -> None:
    err = run("show", "K-0030", code=3).stderr
    assert "no item 'K-0030' in the ledger" in err and "did you mean K-0003" in err
    assert "no item '9'" in run("show", "9", code=3).stderr
    out = json.loads(run("record", "K-9", "note", "--json", code=3).stderr)
    assert out["error"] == "not-found" and out["filter"] == "item"


# -- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("typed, day", [
    ("2026-11-23", DAY), ("23/11/2026", DAY), ("23.11.2026", DAY), ("23-11-2026", DAY),
    ("23 Nov 2026", DAY), ("23 November 2026", DAY), ("23rd November 2026", DAY),
    ("Mon 23 Nov 2026", DAY), ("Monday, 23 November 2026", DAY), ("23-Nov-2026", DAY),
    ("23 nov. 2026", DAY), ("1/2/2026", dt.date(2026, 2, 1)), ("today", DAY),
    ("Yesterday", DAY - dt.timedelta(days=1)), (" TODAY ", DAY)])
def test_a_date_as_people_in_the_uk_write_it(typed: str, day: dt.date) -> None:
    assert parse_date(typed, "--date", DAY) == day


@pytest.mark.parametrize("typed, says", [
    ("31/02/2026", "'31/02/2026' is not a real date"),
    ("11/23/2026", "dates are read day first"),
    ("23/11/26", "give the year in full"),
    ("23 Novembre 2026", "is not a date konpfoi can read"),
    ("soon", "is not a date konpfoi can read"),
    ("01/01/2200", "outside the years konpfoi accepts"),
    ("2026-02-30", "is not a real date")])
def test_a_date_that_is_not_one_says_why(typed: str, says: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date(typed, "--date", DAY)
    assert says in caught.value.message and "12/03/2026" in (caught.value.hint or "")


def test_commands_take_dates_as_typed(run, three: Path) -> None:
    assert run.json("mark-sent", "K-0001", "--date", "2 Nov 2026")[0]["sent"] == "2026-11-02"
    assert run.json("mark-sent", "K-0002", "--date", "yesterday")[0]["sent"] == "2026-11-22"
    assert run.json("record", "K-0001", "acknowledged", "--date", "today")["date"] == \
        "2026-11-23"
    out = run.json("record", "K-0001", "extension-claimed", "--date", "20/11/2026",
                   "--until", "20 January 2027")
    assert out["due"] == "2027-01-20"
    assert run.json("status", "--today", "24/12/2026")["today"] == "2026-12-24"
    assert run.json("deadline", "12/03/2026")["due"] == "2026-04-14"
    err = run("mark-sent", "K-0003", "--date", "tomorrow", code=5).stderr
    assert "--date: 'tomorrow' is not a date konpfoi can read" in err


# -- counts and articles -------------------------------------------------------------------


@pytest.mark.parametrize("n, word, said", [
    (1, "item", "1 item"), (2, "item", "2 items"), (0, "item", "0 items"),
    (1, "body", "1 body"), (3, "body", "3 bodies"), (2, "reply", "2 replies"),
    (2, "working day", "2 working days"), (2, "match", "2 matches"),
    (2, "address", "2 addresses"), (2, "body's change", "2 body's changes")])
def test_counts(n: int, word: str, said: str) -> None:
    assert words.count(n, word) == said


@pytest.mark.parametrize("phrase, said", [
    ("ICO complaint", "an ICO complaint"), ("FOI request", "an FOI request"),
    ("EIR request", "an EIR request"), ("FOISA request", "a FOISA request"),
    ("MP", "an MP"), ("NHS trust", "an NHS trust"), ("UK-wide body", "a UK-wide body"),
    ("internal review", "an internal review"), ("SIC application", "an SIC application"),
    ("chaser", "a chaser"), ("user", "a user"), ("hour", "an hour"),
    ("one-off letter", "a one-off letter"), ("8-day wait", "an 8-day wait"),
    ("subject access request", "a subject access request"), ("reminder", "a reminder")])
def test_articles(phrase: str, said: str) -> None:
    assert words.a(phrase) == said


_WRONG = re.compile(r"\b1 (items|bodies|requests|replies|messages|events|blobs|matches|"
                    r"questions|days|working days|changes|errors|warnings|records)\b|\w\(s\)|"
                    r"\ba (ICO|internal|EIR|FOI|MP)\b")


def test_one_of_everything_is_said_in_the_singular(run, me: Path, tmp_path) -> None:
    with on_day("2026-09-28"):
        run("draft", "--to", "icb:QKK", "-q", "palantir-fdp", "--campaign", "fdp")
    run("mark-sent", "K-0001", "--date", "2026-10-01")
    said = [run(*args).stdout + run(*args, code=None).stderr for args in (
        ["status"], ["show", "K-0001"], ["show", "K-0001", "--explain"], ["report"],
        ["export", str(tmp_path / "one.jsonl")], ["bodies", "search", "south east london"],
        ["send", "K-0001"], ["bodies", "list", "--where", "kind=icb,region=London"])]
    said.append(run("followup", "K-0001", "--kind", "internal-review", code=5).stderr)
    for text in said:
        assert not _WRONG.search(text), _WRONG.search(text)
    assert "Exported 1 blob, 1 volunteer, 1 item, 2 events" in said[4]
    assert "an internal review needs your reasons" in said[-1]
