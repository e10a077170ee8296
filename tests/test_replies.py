"""Importing replies: matching without mistakes, messy mail, duplicates, acknowledgements."""

from __future__ import annotations

import json
import mailbox
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from conftest import ledger_rows, on_day

from konpfoi.mail import incoming

pytestmark = [pytest.mark.usefixtures("frozen"), pytest.mark.backends()]


@pytest.fixture
def sent(run, me: Path) -> Path:
    with on_day("2026-09-28"):  # drafted before it was sent
        run("batch", "--to", "icb:QKK", "--to", "icb:QWO", "--to", "icb:QF7", "--to", "icb:QT6",
            "-q", "palantir-fdp", "--campaign", "fdp")
    run("mark-sent", "--campaign", "fdp", "--date", "2026-10-01")
    run("record", "K-0003", "acknowledged", "--their-ref", "SY/FOI/2026/0412")
    return me


def msgid(home: Path, item: str) -> str:
    raw = (home / "drafts" / f"{item}.eml").read_bytes()
    return re.search(rb"Message-ID: (<[^>]+>)", raw).group(1).decode()


def mail(frm: str, subject: str, body: str, **headers) -> EmailMessage:
    m = EmailMessage()
    m["From"] = frm
    m["To"] = "jo@example.org"
    m["Subject"] = subject
    for k, v in headers.items():
        m[k.replace("_", "-")] = v
    m.set_content(body)
    return m


def write_mbox(path: Path, messages: list) -> Path:
    box = mailbox.mbox(path)
    for m in messages:
        box.add(m if isinstance(m, EmailMessage) else mailbox.mboxMessage(m))
    box.flush()
    box.close()
    return path


def kinds(home: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item, kind in ledger_rows("SELECT item_id, kind FROM events ORDER BY id"):
        out.setdefault(item, []).append(kind)
    return out


def corpus(home: Path) -> list[tuple[EmailMessage | bytes, str | None]]:
    """(message, the item it answers or None): every way a reply can be matched, or not."""
    return [
        (mail("FOI <FOI@selondonics.nhs.uk>", "RE: Freedom of Information request", "Attached.",
              In_Reply_To=msgid(home, "K-0001"), Message_ID="<a1@selondon>",
              Date="Mon, 16 Nov 2026 10:00:00 +0000"), "K-0001"),
        (mail("Someone <someone@elsewhere.org>", "Your FOI K-0002 reply", "Here you are.",
              Message_ID="<a2@x>"), "K-0002"),
        (mail("Case system <noreply@infreemation.co.uk>", "Response to SY/FOI/2026/0412",
              "Please see the response.", Message_ID="<a3@x>"), "K-0003"),
        (mail("CIOS FOI <ciosicb.foi@nhs.net>",
              "RE: Freedom of Information request: Palantir and the Federated Data Platform",
              "Our response is below.", Message_ID="<a4@x>"), "K-0004"),
        (mail("Friend <friend@gmail.com>", "Fwd: the FDP answer", "Look at this",
              Message_ID="<a5@x>"), None),
        (mail("FOI <x@y.org>", "K-0001 and K-0002", "both", Message_ID="<a6@x>"), None),
        (mail("Other ICB <foi@other.nhs.uk>", "Freedom of Information request",
              "Wrong body entirely", Message_ID="<a7@x>"), None),
    ]


def test_matching_never_attaches_a_reply_to_the_wrong_item(run, sent: Path, tmp_path) -> None:
    cases = corpus(sent)
    box = write_mbox(tmp_path / "in.mbox", [m for m, _ in cases])
    out = run.json("replies", "import", str(box))
    outcomes = out["outcomes"]
    assert len(outcomes) == len(cases)
    for o, (_, expected) in zip(outcomes, cases, strict=True):
        if expected is None:
            assert o["status"] == "unmatched", o
        else:
            assert o.get("item_id") == expected and o["status"] == "recorded", o
    assert out["counts"] == {"recorded": 4, "acknowledged": 0, "bounce": 0, "own": 0,
                             "duplicate": 0, "unmatched": 3, "failed": 0, "sent": 0}
    named = next(o for o in outcomes if o["subject"] == "K-0001 and K-0002")
    assert {c["item"] for c in named["candidates"]} == {"K-0001", "K-0002"}
    assert run.json("show", "K-0001")["events"][-1]["data"]["message_id"] == "<a1@selondon>"
    assert run.json("show", "K-0001")["events"][-1]["date"] == "2026-11-16"


def test_the_same_message_twice_is_recorded_once(run, sent: Path, tmp_path) -> None:
    cases = corpus(sent)
    box = write_mbox(tmp_path / "in.mbox", [m for m, _ in cases])
    run("replies", "import", str(box))
    again = run.json("replies", "import", str(box))
    assert again["counts"]["duplicate"] == len(cases)
    assert kinds(sent)["K-0001"].count("reply") == 1
    folder = tmp_path / "emls"
    folder.mkdir()
    (folder / "a.eml").write_bytes(cases[0][0].as_bytes())
    assert run.json("replies", "import", str(folder))["counts"]["duplicate"] == 1


def test_auto_reply_is_an_acknowledgement_with_their_reference(run, sent, tmp_path) -> None:
    ack = mail("FOI <wyicb.foi@nhs.net>", "Automatic reply: Freedom of Information request "
               "[K-0002]", "Thank you for your request, which we received today.\n"
               "Our ref: FOI-2026-7781\nWe will respond within 20 working days.",
               Auto_Submitted="auto-replied", Message_ID="<ack@x>")
    out = run.json("replies", "import", str(write_mbox(tmp_path / "a.mbox", [ack])))
    assert out["outcomes"][0]["status"] == "acknowledged"
    shown = run.json("show", "K-0002")
    assert shown["their_ref"] == "FOI-2026-7781"
    assert shown["state"] == "overdue"  # an acknowledgement is not an answer


def test_unmatched_are_listed_and_matched_by_hand(run, sent: Path, tmp_path) -> None:
    fwd = mail("Friend <friend@gmail.com>", "Fwd: the FDP answer", "Look at this",
               Message_ID="<fwd@x>")
    run("replies", "import", str(write_mbox(tmp_path / "f.mbox", [fwd])))
    listed = run.json("replies", "unmatched")
    assert [r["message_id"] for r in listed] == ["<fwd@x>"]
    stored = Path(listed[0]["file"])
    assert stored.is_file() and stored.resolve().is_relative_to((sent / "files").resolve())
    run("reply", "K-0004", "--file", str(stored))
    assert run.json("replies", "unmatched") == []
    assert run.json("show", "K-0004")["state"] == "answered"


# -- messy mail ------------------------------------------------------------------------------

WRONG_CHARSET = (b"From: FOI <FOI@selondonics.nhs.uk>\nTo: jo@example.org\n"
                 b"Subject: Re: [K-0001] caf\xe9 response\nMessage-ID: <m1@x>\n"
                 b"Content-Type: text/plain; charset=utf-8\n\nCaf\xe9 \x93quoted\x94 text\n")
NO_DATE_BROKEN_MIME = (b"From: FOI <wyicb.foi@nhs.net>\nSubject: K-0002 answer\n"
                       b"Message-ID: <m2@x>\nMIME-Version: 1.0\n"
                       b"Content-Type: multipart/mixed; boundary=\"XYZ\"\n\n--XYZ\n"
                       b"Content-Type: text/plain\n\nThe answer is attached.\n--XYZ\n"
                       b"Content-Type: application/pdf; name=\"a.pdf\"\n"
                       b"Content-Disposition: attachment; filename=\"../../../etc/passwd\"\n"
                       b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQ=\n")  # never closed
DUPLICATE_HEADERS = (b"From: FOI <ciosicb.foi@nhs.net>\nSubject: K-0004 first\n"
                     b"Subject: second\nMessage-ID: <m3@x>\nMessage-ID: <m3b@x>\n"
                     b"Date: not a date at all\n\nbody\n")


def _attachments_mail(huge: int) -> EmailMessage:
    m = mail("FOI <FOI@selondonics.nhs.uk>", "Re: K-0001 documents", "See attached",
             Message_ID="<m4@x>")
    m.add_attachment(b"\0" * huge, maintype="application", subtype="zip", filename="big.zip")
    m.add_attachment(b"TNEF", maintype="application", subtype="ms-tnef", filename="winmail.dat")
    m.add_attachment(b"docx", maintype="application", subtype="octet-stream",
                     filename="=?utf-8?b?UmVwb25zZSDigJMgZmluYWwuZG9jeA==?=")
    m.add_attachment(b"windows", maintype="application", subtype="pdf",
                     filename="C:\\Users\\foi\\..\\secret.pdf")
    return m


def test_messy_mail_never_breaks_an_import(run, sent: Path, tmp_path) -> None:
    folder = tmp_path / "mess"
    folder.mkdir()
    (folder / "1.eml").write_bytes(WRONG_CHARSET)
    (folder / "2.eml").write_bytes(NO_DATE_BROKEN_MIME)
    (folder / "3.eml").write_bytes(DUPLICATE_HEADERS)
    (folder / "4.eml").write_bytes(_attachments_mail(6_000_000).as_bytes())
    (folder / "5.eml").write_bytes(b"\x00\xff\xfe not an email at all \x00" * 50)
    out = run.json("replies", "import", str(folder))
    by = {o["label"]: o for o in out["outcomes"]}
    assert by["1.eml"]["status"] == "recorded" and by["1.eml"]["item_id"] == "K-0001"
    assert "café" in by["1.eml"]["subject"] or "caf" in by["1.eml"]["subject"]
    assert by["2.eml"]["status"] == "recorded" and by["2.eml"]["item_id"] == "K-0002"
    assert any("no Date" in p for p in by["2.eml"]["problems"])
    assert by["3.eml"]["item_id"] == "K-0004"
    assert by["4.eml"]["status"] == "recorded"
    assert by["5.eml"]["status"] in ("unmatched", "failed")
    files = [p for p in (sent / "files").rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"passwd", "big.zip", "winmail.dat", "secret.pdf"} <= names
    assert any(n.startswith("Reponse") or "final.docx" in n for n in names)
    root = (sent / "files").resolve()
    assert all(p.resolve().is_relative_to(root) for p in files)
    assert not (sent.parent / "etc").exists()
    text = run("show", "K-0001").stdout
    assert "big.zip (6000000 bytes" in text


def test_mailparse_reads_what_it_can() -> None:
    m = incoming.parse(WRONG_CHARSET)
    assert "Caf" in m.text and m.problems
    m = incoming.parse(NO_DATE_BROKEN_MIME)
    assert m.date is None and m.attachments and m.attachments[0].name.endswith("passwd")
    m = incoming.parse(b"")
    assert m.subject == "" and m.text == ""


def test_import_bad_sources(run, sent: Path, tmp_path) -> None:
    assert "no such file" in run("replies", "import", str(tmp_path / "nope"), code=5).stderr
    notmbox = tmp_path / "x.txt"
    notmbox.write_text("hello")
    assert "not an mbox" in run("replies", "import", str(notmbox), code=5).stderr


def test_a_maildir(run, sent: Path, tmp_path) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(mail("FOI <wyicb.foi@nhs.net>", "Re: K-0002", "answer", Message_ID="<md@x>"))
    out = run.json("replies", "import", str(tmp_path / "Maildir"))
    assert out["counts"]["recorded"] == 1


@pytest.mark.slow
def test_a_thousand_message_mbox(run, me: Path, tmp_path) -> None:
    with on_day("2026-09-28"):  # drafted before it was sent
        run("batch", "--to", "trust:*", "-q", "palantir-fdp", "--campaign", "t")
    run("mark-sent", "--campaign", "t", "--date", "2026-10-01")
    ids = [r[0] for r in ledger_rows("SELECT id FROM items ORDER BY seq")]
    msgs = []
    for n in range(1000):
        item = ids[n % len(ids)]
        m = mail("FOI <foi@trust.nhs.uk>", f"RE: your request [{item}] part {n}", "Attached.",
                 Message_ID=f"<bulk{n}@trust>")
        m.add_attachment(b"%PDF" + bytes([n % 256]) * 2000, maintype="application",
                         subtype="pdf", filename=f"response-{n}.pdf")
        msgs.append(m)
    box = write_mbox(tmp_path / "bulk.mbox", msgs)
    out = run.json("replies", "import", str(box))
    assert out["counts"]["recorded"] == 1000
    for o in out["outcomes"]:
        assert o["item_id"] == re.search(r"K-\d+", o["subject"]).group(0)
    assert json.loads(run("replies", "import", str(box), "--json").stdout)["counts"][
        "duplicate"] == 1000
