"""The ledger through the CLI: mark-sent, record, reply, status, show; bad input writes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from conftest import ledger_rows, mode, on_day, write

pytestmark = [pytest.mark.usefixtures("frozen"), pytest.mark.backends()]


@pytest.fixture
def three(run, me: Path) -> Path:
    """Three drafted requests in campaign fdp-2026."""
    with on_day("2026-09-28"):  # drafted before it was sent
        run("draft", "--to", "icb:QKK", "--to", "icb:QWO", "--to", "icb:QF7", "-q", "palantir-fdp",
            "--campaign", "fdp-2026")
    return me


def events(home: Path, item: str) -> list[tuple]:
    return ledger_rows("SELECT id, kind, date, data FROM events WHERE item_id = ? ORDER BY id",
                       (item,))


def count_events(home: Path) -> int:
    return ledger_rows("SELECT COUNT(*) FROM events")[0][0]


def test_a_request_through_the_issue_example(run, three: Path) -> None:
    run("mark-sent", "K-0001", "--date", "2026-11-02")
    out = run.json("record", "K-0001", "acknowledged", "--their-ref", "FOI-2026-1234")
    assert out["their_ref"] == "FOI-2026-1234" and out["state"] == "awaiting response"
    run("record", "K-0001", "clarification-requested", "--date", "2026-11-10")
    assert run.json("show", "K-0001")["state"] == "clarification needed"
    run("record", "K-0001", "clarification-sent", "--date", "2026-11-12")
    shown = run.json("show", "K-0001")
    assert shown["state"] == "awaiting response" and shown["due"] == "2026-12-11"
    run("record", "K-0001", "extension-claimed", "--until", "2027-01-20",
        "--note", "public interest test s.43")
    shown = run.json("show", "K-0001")
    assert shown["state"] == "extended" and shown["due"] == "2027-01-20"
    assert [e["kind"] for e in shown["events"]] == [
        "drafted", "sent", "acknowledged", "clarification-requested", "clarification-sent",
        "extension-claimed"]


def test_status_sorted_by_urgency_with_filters(run, three: Path) -> None:
    run("mark-sent", "K-0002", "--date", "2026-10-01")  # overdue since 2026-10-29
    run("mark-sent", "K-0003", "--date", "2026-11-20")
    status = run.json("status")
    assert [i["id"] for i in status["items"]] == ["K-0002", "K-0001", "K-0003"]
    first = status["items"][0]
    assert first["state"] == "overdue" and first["due"] == "2026-10-29" and first["left"] == -17
    assert "chase now" in first["next_action"]
    assert [i["id"] for i in run.json("status", "--overdue")["items"]] == ["K-0002"]
    assert [i["id"] for i in run.json("status", "--state", "drafted")["items"]] == ["K-0001"]
    assert [i["id"] for i in run.json("status", "--body", "icb:QF7")["items"]] == ["K-0003"]
    assert [i["id"] for i in run.json("status", "--body", "south yorkshire")["items"]] == \
        ["K-0003"]
    later = run.json("status", "--today", "2026-12-24", "--overdue")
    assert [i["id"] for i in later["items"]] == ["K-0002", "K-0003"]
    within = run.json("status", "--due-within", "20")
    assert [i["id"] for i in within["items"]] == ["K-0003"]
    # a campaign the ledger does not have is an error now (issue 13), not an empty list
    assert "no requests for campaign" in run("status", "--campaign", "other", code=3).stderr


def test_status_table_and_csv(run, three: Path) -> None:
    run("mark-sent", "K-0002", "--date", "2026-10-01")
    table = run("status").stdout
    assert "3 items, 1 overdue" in table and "K-0002" in table and "chase now" in table
    assert "-17" in table
    rows = list(csv.DictReader(io.StringIO(run("status", "--csv").stdout)))
    assert rows[0]["id"] == "K-0002" and rows[0]["state"] == "overdue"
    assert rows[0]["left"] == "-17"
    limited = run("status", "--limit", "1").stdout
    assert "showing the 1 most urgent of 3" in limited


def test_closed_items_are_hidden_unless_all(run, three: Path) -> None:
    run("record", "K-0001", "closed")
    status = run.json("status")
    assert [i["id"] for i in status["items"]] == ["K-0002", "K-0003"]
    assert status["hidden_closed"] == 1
    assert "(1 closed not shown: --all)" in run("status").stdout
    assert len(run.json("status", "--all")["items"]) == 3


def test_status_on_an_empty_workspace(run, home: Path) -> None:
    assert "the ledger is empty" in run("status").stdout
    assert not (home / "konpfoi.db").exists()  # (nor is one made on PostgreSQL's behalf)


def test_ics_calendar_has_stable_uids(run, three: Path, tmp_path: Path) -> None:
    from icalendar import Calendar

    run("mark-sent", "--campaign", "fdp-2026", "--date", "2026-11-20")
    path = tmp_path / "deadlines.ics"
    run("status", "--ics", str(path))
    first = Calendar.from_ical(path.read_bytes())
    events = [c for c in first.walk("VEVENT")]
    assert len(events) == 3
    assert {str(e["SUMMARY"]).split()[0] for e in events} == {"K-0001", "K-0002", "K-0003"}
    assert all(e.walk("VALARM") for e in events)
    run("status", "--ics", str(path))
    again = Calendar.from_ical(path.read_bytes())
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [str(e["UID"]) for e in events]
    assert events[0]["DTSTART"].dt == dt.date(2026, 12, 21)  # St Andrew's Day skipped


def test_show_tells_the_story_of_a_correction(run, three: Path) -> None:
    run("mark-sent", "K-0001", "--date", "2026-11-01")
    sent = events(three, "K-0001")[-1][0]
    run("record", "K-0001", "correction", "--event", str(sent), "--date", "2026-11-02")
    shown = run.json("show", "K-0001")
    assert shown["sent"] == "2026-11-02"
    assert shown["events"][1]["cancelled_by"] == shown["events"][2]["number"]
    text = run("show", "K-0001", "--explain").stdout
    assert "corrected by #" in text
    assert "day 20" in text and "Response due" in text
    assert "received 2026-11-02" in text
    # and a correction cannot be corrected twice through the original
    out = run("record", "K-0001", "void", "--event", str(sent), code=7)
    assert "already voided or corrected" in out.stderr


def test_resend_needs_again_and_does_not_restart(run, three: Path) -> None:
    run("mark-sent", "K-0001", "--date", "2026-10-01")
    out = run("mark-sent", "K-0001", code=7)
    assert "already sent on 2026-10-01" in out.stderr and "--again" in out.stderr
    run("mark-sent", "K-0001", "--again")
    assert run.json("show", "K-0001")["due"] == "2026-10-29"


def test_mark_sent_campaign_skips_and_reports(run, three: Path) -> None:
    run("mark-sent", "K-0002")
    out = run.json("mark-sent", "--campaign", "fdp-2026")
    assert [(o["item"], o["skipped"]) for o in out] == [
        ("K-0001", None), ("K-0002", "already sent on 2026-11-23"), ("K-0003", None)]


def test_placeholder_draft_cannot_be_marked_sent(run, home: Path) -> None:
    run("draft", "--to", "icb:QKK", "-q", "palantir-fdp")
    out = run("mark-sent", "K-0001", code=7)
    assert "placeholders" in out.stderr
    assert [e[1] for e in events(home, "K-0001")] == ["drafted"]


@pytest.mark.parametrize("args, code, words", [
    (["record", "K-0009", "acknowledged"], 3, "K-0001"),
    (["record", "K-0001", "acknowleged"], 5, "did you mean acknowledged"),
    (["record", "K-0001", "sent"], 5, "mark-sent"),
    (["record", "K-0001", "note", "--date", "2026-02-30"], 5, "not a real date"),
    (["record", "K-0001", "withdrawn", "--date", "2027-01-01"], 5, "in the future"),
    (["record", "K-0001", "acknowledged"], 7, "has not been sent"),
    (["record", "K-0001", "review-outcome", "--outcome", "maybe"], 5, "unknown outcome"),
    (["record", "K-0001", "void"], 5, "--event N"),
    (["record", "K-0001", "void", "--event", "999"], 5, "not one of K-0001"),
    (["mark-sent", "K-0001", "--date", "2026-12-25"], 5, "in the future"),
    (["mark-sent"], 5, "which items"),
    (["show", "K-1"], 3, "no item"),
    (["status", "--state", "sleeping"], 5, "states:"),
    (["status", "--today", "yesterday"], 5, "not a real date"),
])
def test_bad_input_writes_nothing(run, three: Path, args, code, words) -> None:
    before = count_events(three)
    out = run(*args, code=code)
    assert words in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) <= 2
    assert count_events(three) == before


def test_unknown_id_suggests_close_ids(run, three: Path) -> None:
    out = run("show", "K-0011", "--json", code=3)
    err = json.loads(out.stderr)
    assert "K-0001" in err["suggestions"]


# -- replies ---------------------------------------------------------------------------------


def _reply_eml(path: Path, subject: str = "RE: FOI [K-0001]", attachment_name: str = "../../x.pdf"
               ) -> Path:
    msg = EmailMessage()
    msg["From"] = "FOI Team <FOI@selondonics.nhs.uk>"
    msg["To"] = "jo@example.org"
    msg["Subject"] = subject
    msg["Date"] = "Fri, 20 Nov 2026 09:30:00 +0000"
    msg["Message-ID"] = "<reply-1@selondonics.nhs.uk>"
    msg.set_content("Our ref: FOI-2026-1234\nPlease find attached our response.")
    msg.add_attachment(b"%PDF-1.4 response", maintype="application", subtype="pdf",
                       filename=attachment_name)
    path.write_bytes(msg.as_bytes())
    return path


def test_reply_keeps_the_email_and_its_attachments(run, three: Path, tmp_path: Path) -> None:
    run("mark-sent", "K-0001", "--date", "2026-11-02")
    eml = _reply_eml(tmp_path / "reply.eml")
    extra = write(tmp_path / "response.pdf", "second document")
    out = run.json("reply", "K-0001", "--file", str(eml), "--file", str(extra),
                   "--outcome", "partial")
    assert out["date"] == "2026-11-20" and out["state"] == "partly answered"
    assert out["data"]["from"] == "foi@selondonics.nhs.uk"
    assert out["data"]["message_id"] == "<reply-1@selondonics.nhs.uk>"
    files = [Path(f) for f in out["files"]]
    assert [f.name for f in files] == ["reply.eml", "x.pdf", "response.pdf"]
    for f in files:
        assert f.resolve().is_relative_to((three / "files").resolve())
        assert mode(f) == 0o600
    assert not (tmp_path / "x.pdf").exists()
    shown = run.json("show", "K-0001")
    assert [a["name"] for a in shown["events"][-1]["attachments"]] == [
        "reply.eml", "x.pdf", "response.pdf"]
    out = run("reply", "K-0001", "--file", str(eml), code=7)
    assert "already recorded" in out.stderr


def test_reply_bad_input(run, three: Path, tmp_path: Path) -> None:
    run("mark-sent", "K-0001")
    before = count_events(three)
    assert "cannot read" in run("reply", "K-0001", "--file", str(tmp_path / "nope.eml"),
                                code=5).stderr
    eml = _reply_eml(tmp_path / "r.eml")
    assert "unknown outcome" in run("reply", "K-0001", "--file", str(eml), "--outcome", "meh",
                                    code=5).stderr
    assert count_events(three) == before


def test_status_filters_are_checked_named_and_counted(run, three: Path) -> None:
    run("mark-sent", "K-0002", "--date", "2026-10-01")  # overdue since 2026-10-29
    run("mark-sent", "K-0003", "--date", "2026-11-20")
    err = run("status", "--campaign", "fdp-2062", code=3).stderr
    assert "no requests for campaign 'fdp-2062'" in err and "did you mean fdp-2026" in err
    err = run("status", "--body", "icb:QQQ", code=3).stderr
    assert "no requests for body 'icb:QQQ'" in err
    assert "no body" in run("status", "--body", "nowhere at all", code=3).stderr
    table = run("status", "--state", "awaiting-response").stdout
    assert "1 item (state awaiting response), 0 overdue" in table  # not the ledger's 1
    table = run("status", "--campaign", "fdp-2026", "--body", "icb:QWO").stdout
    assert "1 item (campaign fdp-2026; body icb:QWO), 1 overdue" in table
    data = run.json("status", "--overdue")
    assert data["overdue"] == 1 and data["filters"] == {"overdue": "only"}
    nothing = run("status", "--body", "icb:QKK", "--overdue").stdout
    assert "0 items (body icb:QKK; overdue only), 0 overdue - none match" in nothing


def test_show_says_a_late_answer_was_late(run, three: Path, tmp_path) -> None:
    run("mark-sent", "K-0002", "--date", "2026-10-01")
    eml = tmp_path / "late.eml"
    eml.write_text("From: FOI <wyicb.foi@nhs.net>\nSubject: Re: K-0002\nMessage-ID: <l@x>\n"
                   "Date: Thu, 05 Nov 2026 10:00:00 +0000\n\nPlease find our response.\n")
    run("reply", "K-0002", "--file", str(eml))
    shown = run("show", "K-0002").stdout
    assert "answered 2026-11-05, 5 working days late" in shown and "met" not in shown
