"""A filter that matches nothing says so, names the filter, suggests what is close, and exits 3
(the README's "not found"), whichever command it is given to; headers name the filters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import on_day

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def campaign(run, me: Path) -> Path:
    with on_day("2026-09-28"):
        run("draft", "--to", "icb:QKK", "--to", "icb:QWO", "-q", "palantir-fdp",
            "--campaign", "fdp-2026")
    run("mark-sent", "K-0001", "--date", "2026-10-01")
    return me


@pytest.mark.parametrize("args, says, suggests", [
    (["status", "--campaign", "fdp-2062"], "no requests for campaign 'fdp-2062'", "fdp-2026"),
    (["status", "--body", "icb:QWQ"], "no requests for body 'icb:QWQ'", "icb:QWO"),
    (["status", "--state", "overdeu"], "--state 'overdeu': there is no such state", "overdue"),
    (["report", "--campaign", "fdp2026"], "no requests for campaign 'fdp2026'", "fdp-2026"),
    (["report", "--questions", "palantir"], "no requests match question set palantir",
     "palantir-fdp"),
    (["send", "--campaign", "fdp-206"], "no items in campaign 'fdp-206'", "fdp-2026"),
    (["mark-sent", "--campaign", "FDP-2026"], "no items in campaign 'FDP-2026'", "fdp-2026"),
    (["drafts", "upload", "--campaign", "fdp-2027"], "no items in campaign 'fdp-2027'",
     "fdp-2026"),
    (["bodies", "list", "--where", "region=Londn"], "--where region=londn: no body has it",
     "London"),
    (["bodies", "list", "--kind", "icbs"], "--where kind=icbs: no body has it", "icb"),
    (["bodies", "list", "--where", "party=Labur"], "party=labur: no body has it", "Labour"),
    (["bodies", "list", "--where", "tag=acutee"], "tag=acutee: no body has it", "acute"),
    (["bodies", "list", "--where", "nation=englnd"], "no such nation", "england"),
    (["bodies", "search", "leeds", "--kind", "mpp"], "--kind 'mpp'", "mp"),
    (["batch", "--to", "icbx:*", "-q", "palantir-fdp", "--campaign", "x"],
     "--to 'icbx:*' matches no body id", "icb:*"),
    (["batch", "--where", "kind=trust,region=Lundon", "-q", "palantir-fdp", "--campaign", "x"],
     "region=lundon: no body has it", "London"),
    (["holidays", "list", "--nation", "scotlnd"], "no such nation", "scotland"),
    (["show", "K-0011"], "no item 'K-0011'", "K-0001"),
])
def test_a_filter_that_matches_nothing(run, campaign: Path, args, says, suggests) -> None:
    err = run(*args, code=3).stderr
    assert says in err, err
    assert f"did you mean {suggests}" in err or f"did you mean: {suggests}" in err or \
        suggests in err.split("hint:")[1], err
    as_json = json.loads(run(*args, "--json", code=3).stderr)
    assert as_json["error"] == "not-found" and says in as_json["message"]


def test_parts_that_never_meet(run, me: Path) -> None:
    err = run("bodies", "list", "--where", "kind=mp,nation=uk", code=3).stderr
    assert "no body matches every part" in err


def test_a_year_with_no_holidays(run, me: Path) -> None:
    err = run("holidays", "list", "--year", "1995", code=3).stderr
    assert "no bank holidays in 1995" in err and "years it covers" in err


def test_nothing_to_filter_yet(run, me: Path) -> None:
    err = run("status", "--campaign", "fdp", code=3).stderr
    assert "no requests for campaign 'fdp'" in err


def test_status_heading_names_the_filters_and_counts_what_it_shows(run, campaign: Path) -> None:
    out = run("status", "--campaign", "fdp-2026", "--state", "overdue").stdout
    assert out.splitlines()[0].strip().startswith(
        "Mon 23 Nov 2026: 1 item (campaign fdp-2026; state overdue), 1 overdue")
    none = run("status", "--state", "refused").stdout  # a state that exists: not an error
    assert "0 items (state refused), 0 overdue - none match" in none
    data = run.json("status", "--body", "icb:QWO")
    assert data["matched"] == 1 and data["filters"] == {"body": "icb:QWO"}


def test_report_heading_names_the_filters(run, campaign: Path) -> None:
    text = run("report", "--campaign", "fdp-2026", "--body", "icb:QKK").stdout
    assert text.startswith("# fdp-2026, body icb:QKK: what the bodies said")
    assert "1 request sent" in text
