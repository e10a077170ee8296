"""What a received message is, and what becomes of it: own mail, bounces, automatic replies,
short answers, forwards; assign, dismiss, undo; nothing lost, nothing recorded twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ledger_rows, on_day
from test_replies import mail, msgid, write_mbox

from konpfoi.mail import intake

pytestmark = [pytest.mark.usefixtures("frozen"), pytest.mark.backends()]


@pytest.fixture
def sent(run, me: Path) -> Path:
    run("init", str(me), "--other-email", "Jo.Campaigner@Gmail.com")
    with on_day("2026-09-28"):  # drafted before it was sent
        run("batch", "--to", "icb:QKK", "--to", "icb:QWO", "--to", "icb:QF7", "-q",
            "palantir-fdp", "--campaign", "fdp")
    run("mark-sent", "--campaign", "fdp", "--date", "2026-10-01")
    return me


def own_request(home: Path, item: str) -> bytes:
    """konpfoi's own draft, as it comes back in an 'All Mail' export or a copy to self."""
    return b"Received: from laptop by mx.example.org; Thu, 1 Oct 2026 10:00:00 +0000\n" + \
        (home / "drafts" / f"{item}.eml").read_bytes()


def bounce_of(home: Path, item: str, to: str) -> bytes:
    original = (home / "drafts" / f"{item}.eml").read_bytes()
    return (b"From: MAILER-DAEMON@smtp.example.org\nTo: jo@example.org\n"
            b"Subject: Undelivered Mail Returned to Sender\nDate: Thu, 1 Oct 2026 10:05:00 +0000\n"
            b"Message-ID: <bounce-" + item.encode() + b"@smtp.example.org>\n"
            b"Auto-Submitted: auto-replied\nMIME-Version: 1.0\nContent-Type: multipart/report; "
            b"report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\n"
            b"Your message could not be delivered.\n--B\nContent-Type: message/delivery-status"
            b"\n\nReporting-MTA: dns; smtp.example.org\n\nFinal-Recipient: rfc822; "
            + to.encode() + b"\nAction: failed\nStatus: 5.1.1\n\n--B\n"
            b"Content-Type: message/rfc822\n\n" + original + b"\n--B--\n")


def everything(home: Path) -> list:
    short = ("Thank you for your request for information, which we received on 1 October.\n"
             "We do not hold this information.\nFOI Team")
    return [
        own_request(home, "K-0001"),
        mail("Jo <JO.CAMPAIGNER@gmail.com>", "Re: chaser [K-0002]", "Any news?",
             Message_ID="<c1@gmail.com>", In_Reply_To=msgid(home, "K-0002")),
        bounce_of(home, "K-0003", "ciosicb.foi@nhs.net"),
        mail("FOI <FOI@selondonics.nhs.uk>", "Automatic reply: your request", "We are away.",
             Message_ID="<oof@x>", Auto_Submitted="auto-replied",
             In_Reply_To=msgid(home, "K-0001"), Date="Fri, 2 Oct 2026 09:00:00 +0000"),
        mail("FOI <wyicb.foi@nhs.net>", "RE: your request", short, Message_ID="<short@x>",
             In_Reply_To=msgid(home, "K-0002"), Date="Mon, 12 Oct 2026 09:00:00 +0000"),
        mail("FOI <FOI@selondonics.nhs.uk>", "RE: your request [K-0001]",
             "Please find our response attached. Our ref: SEL/FOI/26/77", Message_ID="<r@x>",
             Date="Tue, 20 Oct 2026 09:00:00 +0000"),
    ]


def test_a_real_mailbox_lands_where_each_message_belongs(run, sent: Path, tmp_path) -> None:
    box = write_mbox(tmp_path / "all.mbox", everything(sent))
    out = run.json("replies", "import", str(box))
    got = [(o["status"], o.get("item_id")) for o in out["outcomes"]]
    assert got == [("own", "K-0001"), ("own", "K-0002"), ("bounce", "K-0003"),
                   ("acknowledged", "K-0001"), ("recorded", "K-0002"), ("recorded", "K-0001")]
    assert out["counts"] == {"recorded": 2, "acknowledged": 1, "bounce": 1, "own": 2,
                             "duplicate": 0, "unmatched": 0, "failed": 0, "sent": 0}
    k1, k2, k3 = (run.json("show", i) for i in ("K-0001", "K-0002", "K-0003"))
    assert k1["state"] == "answered" and k1["their_ref"] == "SEL/FOI/26/77"
    replied = [e for e in k1["events"] if e["kind"] == "reply"]
    assert [e["date"] for e in replied] == ["2026-10-20"]  # the copy of our own request is not
    assert k2["state"] == "answered"  # "thank you for your request" does not make it an ack
    assert k3["state"] == "undelivered" and "bounced" in k3["next_action"]
    status = run.json("status")["items"]
    assert [(i["id"], i["state"]) for i in status if i["state"] == "undelivered"] == [
        ("K-0003", "undelivered")]
    assert "it bounced" in run("status").stdout


def test_a_request_sent_again_after_a_bounce_starts_its_clock_again(run, sent, tmp_path) -> None:
    (tmp_path / "b.eml").write_bytes(bounce_of(sent, "K-0003", "ciosicb.foi@nhs.net"))
    run("replies", "import", str(tmp_path / "b.eml"))
    run("mark-sent", "K-0003", "--again", "--date", "2026-11-02")
    shown = run.json("show", "K-0003")
    assert shown["state"] == "awaiting response" and shown["sent"] == "2026-11-02"


def test_a_bounce_of_another_message_leaves_the_request_alone(run, sent, tmp_path) -> None:
    raw = bounce_of(sent, "K-0003", "someone@elsewhere.example").replace(
        msgid(sent, "K-0003").encode(), b"<forward-to-a-friend@example.org>")
    (tmp_path / "b.eml").write_bytes(raw)
    out = run.json("replies", "import", str(tmp_path / "b.eml"))
    assert out["outcomes"][0]["status"] == "unmatched"
    assert "did not go to" in out["outcomes"][0]["why"]
    assert run.json("show", "K-0003")["state"] == "overdue"


def test_an_acknowledgement_recorded_by_hand_does_not_stop_the_clock(run, sent, tmp_path) -> None:
    ack = mail("FOI <wyicb.foi@nhs.net>", "Acknowledgement [K-0002]",
               "Thank you for your request, which was received today. We will respond within "
               "20 working days. Our ref: WY-FOI-2026-1187", Message_ID="<ack@x>",
               Date="Fri, 2 Oct 2026 09:00:00 +0000")
    (tmp_path / "ack.eml").write_bytes(ack.as_bytes())
    out = run("reply", "K-0002", "--file", str(tmp_path / "ack.eml")).stdout
    assert "recorded as an acknowledgement" in out
    shown = run.json("show", "K-0002")
    assert shown["state"] == "overdue" and shown["their_ref"] == "WY-FOI-2026-1187"
    assert [e["date"] for e in shown["events"] if e["kind"] == "acknowledged"] == ["2026-10-02"]
    # it can still be recorded as the answer, on purpose
    run("replies", "undo", "<ack@x>")
    run("reply", "K-0002", "--file", str(tmp_path / "ack.eml"), "--as", "reply")
    assert run.json("show", "K-0002")["state"] == "answered"


def test_own_mail_by_hand_is_refused_unless_asked(run, sent, tmp_path) -> None:
    (tmp_path / "own.eml").write_bytes(own_request(sent, "K-0001"))
    err = run("reply", "K-0001", "--file", str(tmp_path / "own.eml"), code=7).stderr
    assert "your own mail" in err and "--as reply" in err


def test_a_reply_dated_before_the_send_date_is_flagged_with_the_fix(run, sent, tmp_path) -> None:
    early = mail("FOI <wyicb.foi@nhs.net>", "RE: [K-0002]", "Please find our response attached.",
                 Message_ID="<early@x>", Date="Mon, 28 Sep 2026 09:00:00 +0000")
    out = run.json("replies", "import", str(write_mbox(tmp_path / "e.mbox", [early])))
    check = out["outcomes"][0]["check"]
    assert "dated 2026-09-28, before K-0002 was recorded as sent (2026-10-01)" in check
    assert "konpfoi record K-0002 correction --event 5 --date 2026-09-28" in check
    shown = run.json("show", "K-0002")
    assert shown["state"] == "answered" and "correct the send date" in shown["next_action"]
    run("record", "K-0002", "correction", "--event", "5", "--date", "2026-09-28")
    shown = run.json("show", "K-0002")
    assert shown["sent"] == "2026-09-28" and "correct" not in shown["next_action"]


def test_mark_sent_before_the_draft_is_refused(run, me: Path) -> None:
    run("draft", "--to", "icb:QKK", "-q", "palantir-fdp")
    err = run("mark-sent", "K-0001", "--date", "2026-11-01", code=5).stderr
    assert "drafted on 2026-11-23" in err
    run("mark-sent", "K-0001", "--date", "2026-11-23")


def test_two_messages_sharing_a_message_id_are_both_kept(run, sent, tmp_path) -> None:
    a = mail("Casework <noreply@selondonics.nhs.uk>", "Case logged [K-0001]",
             "Your request has been logged. Due date: 29/10/2026.", Message_ID="<same@case>",
             Auto_Submitted="auto-generated", Date="Fri, 2 Oct 2026 09:00:00 +0000")
    b = mail("Casework <noreply@selondonics.nhs.uk>", "Case updated [K-0001]",
             "We do not hold the information.", Message_ID="<same@case>",
             Date="Mon, 26 Oct 2026 09:00:00 +0000")
    out = run.json("replies", "import", str(write_mbox(tmp_path / "s.mbox", [a, b])))
    assert [o["status"] for o in out["outcomes"]] == ["acknowledged", "recorded"]
    assert run.json("show", "K-0001")["state"] == "answered"
    again = run.json("replies", "import", str(write_mbox(tmp_path / "t.mbox", [b, a])))
    assert again["counts"]["duplicate"] == 2


def test_a_record_from_before_content_hashes_is_still_a_duplicate(run, sent, tmp_path) -> None:
    m = mail("FOI <FOI@selondonics.nhs.uk>", "RE: [K-0001]", "Attached.", Message_ID="<old@x>")
    box = write_mbox(tmp_path / "o.mbox", [m])
    run("replies", "import", str(box))
    ledger_rows("UPDATE inbound SET key = message_id, identity = NULL")  # as kept before
    assert run.json("replies", "import", str(box))["counts"]["duplicate"] == 1


def test_long_names_and_deep_nesting_are_kept(run, sent, tmp_path) -> None:
    m = mail("FOI <FOI@selondonics.nhs.uk>", "RE: [K-0001]", "See attached.",
             Message_ID="<emoji@x>")
    m.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf",
                     filename="🏥" * 120 + ".pdf")
    (tmp_path / "emoji.eml").write_bytes(m.as_bytes())
    nested = ["--n0\nContent-Type: multipart/mixed; boundary=\"n1\"\n\n"]
    nested += [f"--n{i}\nContent-Type: multipart/mixed; boundary=\"n{i + 1}\"\n\n"
               for i in range(1, 2999)]
    body = "".join(nested) + "--n2999\nContent-Type: text/plain\n\nOur ref: FOI/9\n--n2999--\n"
    (tmp_path / "deep.eml").write_text(
        "From: FOI <wyicb.foi@nhs.net>\nSubject: RE: [K-0002]\nMessage-ID: <deep@x>\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"n0\"\n\n" + body)
    out = run.json("replies", "import", str(tmp_path))
    by = {o["label"]: o for o in out["outcomes"]}
    assert by["emoji.eml"]["status"] == "recorded" and by["deep.eml"]["status"] == "recorded"
    assert any("3000 levels deep" in p for p in by["deep.eml"]["problems"])
    names = [p.name for p in (sent / "files").rglob("*.pdf")]
    assert any(n.startswith("🏥") and n.endswith("….pdf") and len(n.encode()) <= 200
               for n in names)


def test_a_message_that_cannot_be_processed_is_kept_and_the_exit_code_says_so(
        run, sent, tmp_path, monkeypatch) -> None:
    good = mail("FOI <FOI@selondonics.nhs.uk>", "RE: [K-0001]", "Attached.", Message_ID="<g@x>")
    bad = mail("FOI <wyicb.foi@nhs.net>", "RE: [K-0002] poison", "x", Message_ID="<p@x>")
    real = intake.classify

    def classify(m, *args, **kwargs):  # noqa: ANN001, ANN202
        if "poison" in m.subject:
            raise ValueError("something konpfoi did not expect")
        return real(m, *args, **kwargs)

    monkeypatch.setattr(intake, "classify", classify)
    result = run("replies", "import", str(write_mbox(tmp_path / "p.mbox", [good, bad])),
                 code=5)
    assert "could not be processed (ValueError" in result.stderr
    listed = run.json("replies", "unmatched")
    assert [r["message_id"] for r in listed] == ["<p@x>"]
    assert "could not be processed" in listed[0]["reason"]
    assert Path(listed[0]["file"]).read_bytes().startswith(b"From: FOI")


def test_assign_dismiss_and_undo(run, sent, tmp_path) -> None:
    fwd = mail("Friend <friend@example.net>", "Fwd: the FDP answer [K-0001]",
               "---------- Forwarded message ---------\nFrom: FOI <FOI@selondonics.nhs.uk>\n\n"
               "We do not hold it.", Message_ID="<fwd@x>", Date="Thu, 5 Nov 2026 09:00:00 +0000")
    spam = mail("Shop <deals@shop.example>", "Deals", "Buy now", Message_ID="<spam@x>")
    out = run.json("replies", "import", str(write_mbox(tmp_path / "f.mbox", [fwd, spam])))
    handles = {o["subject"]: o["handle"] for o in out["outcomes"]}
    first = out["outcomes"][0]
    assert first["status"] == "unmatched" and first["candidates"][0]["item"] == "K-0001"
    assert "replies assign" in first["check"]
    listing = run("replies", "unmatched").stdout
    assert handles["Deals"] in listing and "perhaps K-0001" in listing
    h = handles["Fwd: the FDP answer [K-0001]"]
    done = run.json("replies", "assign", h, "K-0002")
    assert done["kind"] == "reply" and done["moved_from"] is None
    assert run.json("show", "K-0002")["state"] == "answered"
    moved = run.json("replies", "assign", h, "K-0001")  # the wrong item: move it
    assert moved["moved_from"] == "K-0002"
    assert run.json("show", "K-0002")["state"] == "overdue"
    assert run.json("show", "K-0001")["state"] == "answered"
    run("replies", "dismiss", handles["Deals"])
    assert [r["message_id"] for r in run.json("replies", "unmatched")] == []
    assert "already dismissed" in run("replies", "dismiss", handles["Deals"], code=7).stderr
    run("replies", "undo", h)
    assert run.json("show", "K-0001")["state"] == "overdue"
    assert {r["message_id"] for r in run.json("replies", "unmatched")} == {"<fwd@x>"}
    statuses = {r["message_id"]: r["status"] for r in run.json("replies", "unmatched", "--all")}
    assert statuses == {"<fwd@x>": "unmatched", "<spam@x>": "dismissed"}
    run("replies", "assign", h, "K-0001", "--as", "acknowledgement")
    assert run.json("show", "K-0001")["state"] == "overdue"
    assert "no received message" in run("replies", "assign", "ffffff", "K-0001", code=3).stderr
    assert "--as" in run("replies", "assign", h, "K-0002", "--as", "answer", code=5).stderr


def test_a_file_that_cannot_be_written_fails_that_message_only(run, sent, tmp_path,
                                                               monkeypatch) -> None:
    from konpfoi.mail import attachments

    m = mail("FOI <FOI@selondonics.nhs.uk>", "RE: [K-0001]", "Attached.", Message_ID="<w@x>")
    m.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename="answer.pdf")
    ok = mail("FOI <wyicb.foi@nhs.net>", "RE: [K-0002]", "Attached.", Message_ID="<ok@x>")
    real = attachments.store

    def store(ledger, files_dir, content, name, *args, **kwargs):  # noqa: ANN001, ANN202
        if name == "answer.pdf":
            raise OSError(28, "No space left on device")
        return real(ledger, files_dir, content, name, *args, **kwargs)

    monkeypatch.setattr(attachments, "store", store)
    out = run.json("replies", "import", str(write_mbox(tmp_path / "w.mbox", [m, ok])), code=5)
    assert [o["status"] for o in out["outcomes"]] == ["failed", "recorded"]
    assert run.json("show", "K-0001")["state"] == "overdue"  # nothing half-recorded
    listed = run.json("replies", "unmatched")
    assert [r["message_id"] for r in listed] == ["<w@x>"]
    assert "No space left on device" in listed[0]["reason"]


def test_a_reply_dated_before_the_draft_says_its_own_date_is_wrong(run, sent, tmp_path) -> None:
    early = mail("FOI <wyicb.foi@nhs.net>", "RE: [K-0002]", "Please find our response attached.",
                 Message_ID="<older@x>", Date="Mon, 14 Sep 2026 09:00:00 +0000")
    out = run.json("replies", "import", str(write_mbox(tmp_path / "e.mbox", [early])))
    check = out["outcomes"][0]["check"]
    assert "or even drafted (2026-09-28): its Date header must be wrong" in check
    assert f"konpfoi record K-0002 correction --event {out['outcomes'][0]['event']}" in check


def test_a_send_date_cannot_be_corrected_to_before_the_draft(run, sent) -> None:
    err = run("record", "K-0002", "correction", "--event", "5", "--date", "2026-09-01",
              code=5).stderr
    assert "drafted on 2026-09-28: it cannot have been sent on 2026-09-01" in err


def test_a_message_with_no_date_says_how_to_date_it(run, sent, tmp_path) -> None:
    (tmp_path / "n.eml").write_text("From: FOI <wyicb.foi@nhs.net>\nSubject: RE: [K-0002]\n"
                                    "Message-ID: <nodate@x>\n\nPlease find our response.\n")
    out = run.json("replies", "import", str(tmp_path / "n.eml"))
    check = out["outcomes"][0]["check"]
    assert "no readable date: recorded as today (2026-11-23); if it came earlier: konpfoi " \
           f"record K-0002 correction --event {out['outcomes'][0]['event']} --date" in check
