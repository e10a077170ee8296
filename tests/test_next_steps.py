"""What status says to do next works for the item; a dry run of send works before any mail
server is set, and says what to set."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import on_day, write

pytestmark = pytest.mark.usefixtures("frozen")

SUPPORTERS = """\
name,email,constituency
Ann Able,ann@example.org,Aldershot
"""


def test_a_supporters_letter_is_delivered_to_the_supporter(run, me: Path, tmp_path) -> None:
    path = write(tmp_path / "supporters.csv", SUPPORTERS)
    run("batch", "--supporters", str(path), "--template", "mp-fdp", "--campaign", "lobby")
    row = run.json("status")["items"][0]
    assert row["kind"] == "constituent"
    assert row["next_action"].startswith("deliver it to the supporter, who sends it from "
                                         "their own address: konpfoi send K-0001 delivers "
                                         "their pack")
    # and send agrees: what would go is the pack, to the supporter, not the letter to the MP
    plan = run.json("send", "K-0001")
    assert [(m["item"], m["to"]) for m in plan["would_send"]] == [("K-0001", "ann@example.org")]


@pytest.mark.parametrize("kind, role", [("foi", "foi"), ("board", "board"), ("mp", "general"),
                                        ("sar", "dpo")])
def test_a_bounce_names_the_address_its_kind_needs(kind: str, role: str) -> None:
    from test_lifecycle import CALS, ev

    from konpfoi.tracking.lifecycle import derive

    view = derive(kind, [ev("drafted", "2026-11-02"), ev("sent", "2026-11-02"),
                         ev("delivery-failed", "2026-11-03", request=True)], CALS,
                  dt.date(2026, 11, 23), item_id="K-0001")
    assert view.state == "undelivered"
    assert f"konpfoi bodies set BODY {role}=ADDRESS" in view.next_action


def test_a_dry_run_needs_no_mail_server(run, me: Path) -> None:
    with on_day("2026-11-02"):
        run("draft", "--to", "icb:QKK", "--to", "icb:QWO", "-q", "palantir-fdp",
            "--campaign", "fdp")
    out = run("send", "--campaign", "fdp")
    assert "Would send 2 messages (no SMTP server is set yet)" in out.stdout
    assert "Dry run: nothing sent. 2 would go" in out.stdout
    assert "to send them: set smtp.host" in out.stderr and "konpfoi login" in out.stderr
    data = run.json("send", "--campaign", "fdp")
    assert [m["item"] for m in data["would_send"]] == ["K-0001", "K-0002"]
    assert data["server"] is None and "smtp.host" in data["to_send"]
    err = json.loads(run("send", "--campaign", "fdp", "--yes", "--json", code=5).stderr)
    assert err["message"] == "no SMTP server is set" and "smtp.host" in err["hint"]
