"""Supporters' letters in their hands (#16): fifty packs delivered at a real SMTP server, each
with a working mailto: link and the letter as an .eml; their copies to the group and their
MPs' forwarded replies read back; confirming by hand; a supporter forgotten everywhere."""

from __future__ import annotations

import html
import mailbox
import re
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from conftest import ledger_rows, on_day, with_group, write

from konpfoi.mail import mailto

pytestmark = [pytest.mark.usefixtures("frozen"),  # today: Mon 23 Nov 2026
              pytest.mark.backends()]
GROUP = "lambeth@konp.example"


def use_smtp(home: Path, server) -> None:
    text = (home / "konpfoi.yaml").read_text()
    start = text.index("smtp:\n")
    end = text.index("\n\n", start)
    block = f"smtp:\n  host: {server.host}\n  port: {server.port}\n  security: none\n  rate: none"
    (home / "konpfoi.yaml").write_text(text[:start] + block + text[end:])


def mps(run, n: int) -> list[dict]:
    """n MPs in England with an address, in constituency order."""
    found = [b for b in run.json("bodies", "list", "--kind", "mp")
             if b.get("constituency") and b.get("nation") == "england"
             and any(c.get("role") == "general" and c.get("email") for c in b.get("contacts", []))]
    return sorted(found, key=lambda b: b["constituency"])[:n]


def supporters_file(run, tmp_path: Path, n: int) -> tuple[Path, list[dict]]:
    chosen = mps(run, n)
    lines = ["name,email,constituency,gp_practice,personal"]
    for k, mp in enumerate(chosen):
        gp = f"Practice {k}" if k % 2 == 0 else ""
        lines.append(f"Supporter {k} Person,s{k}@people.example,\"{mp['constituency']}\","
                     f"{gp},\"I live in {mp['constituency']} and I care ({k}).\"")
    return write(tmp_path / "supporters.csv", "\n".join(lines) + "\n"), chosen


@pytest.fixture
def lobby(run, me: Path, tmp_path: Path) -> Path:
    """Three supporters' letters drafted on 2 November (and their packs)."""
    with_group(me)
    people, _ = supporters_file(run, tmp_path, 3)
    with on_day("2026-11-02"):
        run("batch", "--supporters", str(people), "--template", "mp-fdp", "--campaign", "lobby")
    return me


def letter(home: Path, item: str) -> EmailMessage:
    return message_from_bytes((home / "drafts" / f"{item}.eml").read_bytes(), policy=default)


def test_fifty_supporters_get_fifty_packs_with_a_working_link(run, me: Path, tmp_path,
                                                               smtp_server) -> None:
    with_group(me)
    people, chosen = supporters_file(run, tmp_path, 50)
    out = run.json("batch", "--supporters", str(people), "--template", "mp-fdp",
                   "--campaign", "lobby")
    assert len(out["drafted"]) == 50 and out["packs"] == out["drafted"]
    server = smtp_server()
    use_smtp(me, server)
    dry = run.json("send", "--campaign", "lobby")
    assert len(dry["would_send"]) == 50 and {w["followup"] for w in dry["would_send"]} == {"pack"}
    assert {w["to"] for w in dry["would_send"]} == {f"s{k}@people.example" for k in range(50)}
    sent = run.json("send", "--campaign", "lobby", "--yes")
    assert len(sent["sent"]) == 50 and len(server.received) == 50
    by_email = {f"s{k}@people.example": mp for k, mp in enumerate(chosen)}
    complete = 0
    for got in server.received:
        [supporter] = got.rcpt_tos
        mp = by_email[supporter]
        msg = message_from_bytes(got.raw, policy=default)
        assert msg["From"].addresses[0].addr_spec == "jo@example.org"
        assert msg["To"].addresses[0].addr_spec == supporter
        # the letter as an .eml: from the supporter, to their MP, ready to send with a Bcc
        [eml] = [p for p in msg.iter_attachments() if p.get_content_type() == "message/rfc822"]
        assert eml.get_filename().endswith(".eml")
        own = eml.get_content()
        mp_email = own["To"].addresses[0].addr_spec
        assert mp_email == next(c["email"] for c in mp["contacts"] if c["role"] == "general")
        assert own["From"].addresses[0].addr_spec == supporter
        assert own["X-Unsent"] == "1" and own["Bcc"].addresses[0].addr_spec == GROUP
        text = own.get_content().replace("\r\n", "\n")
        # the mailto: link, in the HTML to click and in the text, parsed back
        page = msg.get_body(("html",)).get_content()
        link = html.unescape(re.search(r'href="(mailto:[^"]+)"', page).group(1))
        assert link in msg.get_body(("plain",)).get_content()
        assert len(link) <= mailto.LIMIT
        fields = mailto.parse(link)
        assert fields["to"] == mp_email and fields["bcc"] == GROUP
        assert fields["subject"] == own["Subject"]
        assert fields["body"].startswith(f"Dear {mp['name']},\n\nI am writing to you as my MP "
                                         f"for {mp['constituency']} ")
        first = text.split("\n\n")[1].replace("\n", " ")
        assert first in fields["body"]
        if mailto.REST in fields["body"]:
            assert fields["body"].endswith(mailto.REST)
        else:
            complete += 1
        names = [a.get_filename() for a in msg.iter_attachments()]
        assert ("gp-opt-out-letter.txt" in names) == (int(supporter[1:].split("@")[0]) % 2 == 0)
    assert complete == 0  # the letter is longer than any client takes: the opening, then paste
    again = run.json("send", "--campaign", "lobby", "--yes")
    assert again["sent"] == [] and len(server.received) == 50
    rows = run.json("supporters", "list", "--campaign", "lobby")
    assert {r["pack"] for r in rows} == {"delivered"} and not any(r["sent"] for r in rows)
    shown = run.json("show", rows[0]["item"])
    assert shown["state"] == "drafted"
    assert shown["next_action"].startswith("with the supporter since 2026-11-23: their copy")


def test_a_short_letter_goes_whole_in_the_link() -> None:
    short = mailto.link("mp@parliament.uk", "Hello", "Dear MP,\n\nShort.\n\nYours,\nAnn",
                        "group@x.example")
    assert short.complete and mailto.parse(short.url)["body"] == "Dear MP,\n\nShort.\n\nYours,\nAnn"
    long = mailto.link("mp@parliament.uk", "Hello", "\n\n".join(["word " * 80] * 6))
    assert not long.complete and len(long.url) <= mailto.LIMIT and long.paragraphs >= 1
    assert "+" not in short.url and "%20" in short.url
    huge = mailto.link("mp@parliament.uk", "Hello", "x " * 2000 + "\n\nshort")
    assert len(huge.url) <= mailto.LIMIT and mailto.parse(huge.url)["body"] == mailto.REST


def test_the_gp_opt_out_letter_leaves_their_own_details_blank(run, lobby: Path) -> None:
    pack = message_from_bytes((lobby / "drafts" / "K-0001-pack.eml").read_bytes(),
                              policy=default)
    [gp] = [a for a in pack.iter_attachments() if a.get_filename() == "gp-opt-out-letter.txt"]
    text = gp.get_content()
    assert "the Practice Manager, Practice 0" in text
    assert re.search(r"Date of birth:\s+_{10,}", text) and re.search(r"NHS number:\s+_{10,}",
                                                                      text)
    assert "827241000000103" in text and "https://www.nhs.uk/your-nhs-data-matters/" in text
    plain = " ".join(pack.get_body(("plain",)).get_content().split())
    assert "we have not asked for these and do not keep them" in plain
    second = message_from_bytes((lobby / "drafts" / "K-0002-pack.eml").read_bytes(),
                                policy=default)  # no practice named: no letter
    assert [a.get_filename() for a in second.iter_attachments()] == [
        a.get_filename() for a in second.iter_attachments() if a.get_filename().endswith(".eml")]


def test_a_file_with_a_date_of_birth_column_is_refused(run, me: Path, tmp_path) -> None:
    people = write(tmp_path / "s.csv", "name,email,mp,Date of birth\nAnn,ann@x.example,5173,"
                                       "1950-01-01\n")
    out = run("batch", "--supporters", str(people), "--template", "mp-fdp", "--campaign", "c",
              code=5)
    assert "date of birth or NHS number, which konpfoi never reads or keeps" in out.stderr
    assert run.json("status", "--all")["items"] == []


def _copy(home: Path, item: str, date: str, **headers: str) -> EmailMessage:
    """What reaches the group when a supporter sends their letter with a Bcc to it."""
    mine = letter(home, item)
    m = EmailMessage()
    m["From"] = mine["From"]
    m["To"] = mine["To"]
    m["Subject"] = mine["Subject"]
    m["Date"] = date
    m["Message-ID"] = headers.pop("Message_ID", f"<{item.lower()}-copy@people.example>")
    m.set_content(mine.get_content())
    return m


def _box(tmp_path: Path, messages: list) -> Path:
    path = tmp_path / "inbox.mbox"
    path.unlink(missing_ok=True)
    box = mailbox.mbox(path)
    for m in messages:
        box.add(m)
    box.flush()
    box.close()
    return path


def test_copies_to_the_group_record_sent_by_the_supporter(run, lobby: Path, tmp_path) -> None:
    first = _copy(lobby, "K-0001", "Tue, 10 Nov 2026 18:30:00 +0000")
    # sent from the .eml in their own client, which kept konpfoi's Message-ID
    second = _copy(lobby, "K-0002", "Wed, 11 Nov 2026 08:00:00 +0000",
                   Message_ID=letter(lobby, "K-0002")["Message-ID"])
    out = run.json("replies", "import", str(_box(tmp_path, [first, second])))
    assert [(o["status"], o["item_id"]) for o in out["outcomes"]] == [("sent", "K-0001"),
                                                                      ("sent", "K-0002")]
    assert "Supporter 0 Person's letter to" in out["outcomes"][0]["why"]
    shown = run.json("show", "K-0001")
    assert shown["state"] == "awaiting reply" and shown["sent"] == "2026-11-10"
    rows = {r["item"]: r for r in run.json("supporters", "list")}
    assert rows["K-0001"]["sent"] == "2026-11-10" and rows["K-0002"]["sent"] == "2026-11-11"
    assert rows["K-0001"]["sent_how"] == "their copy to the group"
    assert rows["K-0003"]["sent"] is None
    # the reminder clock started on the day they sent it: 15 working days
    later = run.json("status", "--today", "2026-12-02", "--campaign", "lobby")
    assert {i["id"]: i["state"] for i in later["items"]}["K-0001"] == "reminder due"
    again = run.json("replies", "import", str(_box(tmp_path, [first])))
    assert again["outcomes"][0]["status"] == "duplicate"
    human = run("replies", "import", str(_box(tmp_path, [_copy(
        lobby, "K-0003", "Thu, 12 Nov 2026 09:00:00 +0000")]))).stdout
    assert "sent" in human and "K-0003" in human and "sent on 2026-11-12" in " ".join(
        human.split())


def test_a_forward_of_their_own_letter_counts_from_the_day_they_sent_it(run, lobby: Path,
                                                                         tmp_path) -> None:
    mine = letter(lobby, "K-0001")
    fwd = EmailMessage()
    fwd["From"] = mine["From"]
    fwd["To"] = GROUP
    fwd["Subject"] = "Fwd: " + mine["Subject"]
    fwd["Date"] = "Fri, 20 Nov 2026 10:00:00 +0000"
    fwd.set_content("Forgot to copy you in!\n\n---------- Forwarded message ---------\n"
                    f"From: {mine['From']}\nDate: Mon, 16 Nov 2026 at 21:04\n"
                    f"Subject: {mine['Subject']}\nTo: {mine['To']}\n\n{mine.get_content()}")
    out = run.json("replies", "import", str(_box(tmp_path, [fwd])))
    assert out["outcomes"][0]["status"] == "sent"
    assert run.json("show", "K-0001")["sent"] == "2026-11-16"


def _mp_reply(home: Path, item: str) -> tuple[EmailMessage, str]:
    mine = letter(home, item)
    m = EmailMessage()
    m["From"] = mine["To"]
    m["To"] = mine["From"]
    m["Subject"] = "Re: " + mine["Subject"]
    m["Date"] = "Thu, 19 Nov 2026 09:30:00 +0000"
    m["Message-ID"] = f"<{item.lower()}-mp@parliament.uk>"
    m.set_content("Thank you for contacting me about the Federated Data Platform. I share your "
                  "concerns and have written to the Secretary of State.")
    return m, str(mine["From"])


def test_an_mp_reply_forwarded_inline_or_attached_lands_on_the_right_letter(
        run, lobby: Path, tmp_path) -> None:
    inline_reply, ann = _mp_reply(lobby, "K-0001")
    inline = EmailMessage()
    inline["From"] = ann
    inline["To"] = GROUP
    inline["Subject"] = "Fwd: " + str(inline_reply["Subject"])
    inline["Date"] = "Sat, 21 Nov 2026 11:00:00 +0000"
    inline.set_content("My MP answered!\n\n---------- Forwarded message ---------\n"
                       f"From: {inline_reply['From']}\nDate: Thu, 19 Nov 2026 at 09:30\n"
                       f"Subject: {inline_reply['Subject']}\nTo: {ann}\n\n"
                       f"{inline_reply.get_content()}")
    attached_reply, bob = _mp_reply(lobby, "K-0002")
    attached = EmailMessage()
    attached["From"] = bob
    attached["To"] = GROUP
    attached["Subject"] = "Fwd: my MP's reply"
    attached["Date"] = "Sun, 22 Nov 2026 11:00:00 +0000"
    attached.set_content("See attached.")
    attached.add_attachment(attached_reply)
    stranger = EmailMessage()  # a supporter forwarding something that is not their MP's
    stranger["From"] = str(letter(lobby, "K-0003")["From"])
    stranger["To"] = GROUP
    stranger["Subject"] = "Fwd: newsletter"
    stranger["Date"] = "Sun, 22 Nov 2026 12:00:00 +0000"
    stranger.set_content("---------- Forwarded message ---------\nFrom: News <news@example.com>"
                         "\nSubject: Our news\n\nHello all")
    out = run.json("replies", "import", str(_box(tmp_path, [inline, attached, stranger])))
    got = [(o["status"], o.get("item_id")) for o in out["outcomes"]]
    assert got == [("recorded", "K-0001"), ("recorded", "K-0002"), ("unmatched", None)]
    assert "not from the MP they wrote to" in out["outcomes"][2]["why"]
    for item in ("K-0001", "K-0002"):
        shown = run.json("show", item)
        assert shown["state"] == "replied"
        reply = next(e for e in shown["events"] if e["kind"] == "reply")
        assert reply["date"] == "2026-11-19" and reply["data"]["from"].endswith(
            "@parliament.uk")
    rows = {r["item"]: r for r in run.json("supporters", "list")}
    assert rows["K-0001"]["reply"] == "2026-11-19"
    # no copy came before the reply: it is recorded as sent by the day of the reply, and said
    assert rows["K-0001"]["sent"] == "2026-11-19"
    assert "recorded as sent on 2026-11-19" in out["outcomes"][0]["check"]


def test_an_answer_to_a_pack_is_never_the_mps_reply(run, lobby: Path, tmp_path,
                                                   smtp_server) -> None:
    server = smtp_server()
    use_smtp(lobby, server)
    run("send", "K-0001", "--yes")
    pack = message_from_bytes(server.received[0].raw, policy=default)
    answer = EmailMessage()
    answer["From"] = "Supporter Zero <other.address@people.example>"
    answer["To"] = "jo@example.org"
    answer["Subject"] = "Re: " + str(pack["Subject"])
    answer["In-Reply-To"] = pack["Message-ID"]
    answer["Date"] = "Mon, 23 Nov 2026 08:00:00 +0000"
    answer.set_content("Done, I have sent it! K-0001")
    out = run.json("replies", "import", str(_box(tmp_path, [answer])))
    o = out["outcomes"][0]
    assert o["status"] == "unmatched" and "not their MP's reply" in o["why"]
    assert "konpfoi supporters confirm K-0001" in o["check"]
    assert run.json("show", "K-0001")["state"] == "drafted"


def test_confirm_by_hand(run, lobby: Path) -> None:
    out = run("supporters", "confirm", "K-0002", "--date", "2026-11-20")
    assert "K-0002 sent by the supporter on 2026-11-20" in out.stdout
    assert run.json("show", "K-0002")["state"] == "awaiting reply"
    again = run("supporters", "confirm", "K-0002", code=7)
    assert "already recorded as sent on 2026-11-20" in again.stderr
    assert "drafted on 2026-11-02" in run("supporters", "confirm", "K-0003", "--date",
                                          "2026-11-01", code=5).stderr
    run("draft", "--to", "icb:QKK", "-q", "palantir-fdp")
    assert "not a supporter's letter" in run("supporters", "confirm", "K-0004", code=5).stderr
    assert "no item" in run("supporters", "confirm", "K-0099", code=3).stderr


def _everything(home: Path) -> bytes:
    """Every text the ledger holds, and every file in the workspace."""
    tables = ("items", "events", "inbound", "attachments", "batch_claims", "blobs")
    rows = [repr(r).encode() for t in tables for r in ledger_rows(f"SELECT * FROM {t}")]
    files = [p.read_bytes() for p in home.rglob("*") if p.is_file() and p.name != "konpfoi.db"
             and p.suffix not in (".db-wal", ".db-shm")]
    return b"\n".join(rows + files).lower()


def test_forget_removes_a_supporter_everywhere(run, lobby: Path, tmp_path) -> None:
    ann = str(letter(lobby, "K-0001")["From"].addresses[0].addr_spec)
    run("replies", "import", str(_box(tmp_path, [_copy(lobby, "K-0001",
                                                       "Tue, 10 Nov 2026 18:30:00 +0000")])))
    assert ann.encode() in _everything(lobby)
    dry = run("supporters", "forget", ann)
    assert "Would remove" in dry.stdout and "add --yes" in dry.stdout
    assert ann.encode() in _everything(lobby)
    done = run.json("supporters", "forget", ann, "--yes")
    assert done["items"] == ["K-0001"] and done["withdrawn"] == [] and done["messages"] == 1
    held = _everything(lobby)
    for word in (ann, "supporter 0 person", "i care (0)", "practice 0"):
        assert word.encode() not in held, word
    shown = run.json("show", "K-0001")
    assert shown["state"] == "awaiting reply" and shown["sent"] == "2026-11-10"  # the record
    names = {r["item"]: r["name"] for r in run.json("supporters", "list")}
    assert names["K-0001"] == "(removed)"
    # a letter not sent is withdrawn, and the next batch leaves them out
    bob = str(letter(lobby, "K-0002")["From"].addresses[0].addr_spec)
    assert run.json("supporters", "forget", bob, "--yes")["withdrawn"] == ["K-0002"]
    assert run.json("show", "K-0002")["state"] == "withdrawn"
    people, _ = supporters_file(run, tmp_path, 3)
    again = run.json("batch", "--supporters", str(people), "--template", "mp-fdp",
                     "--campaign", "lobby-2")
    assert len(again["drafted"]) == 1
    assert [s["reason"] for s in again["skipped"]] == ["asked to be left out (supporters "
                                                       "forget)"] * 2
    assert "no supporter" in run("supporters", "forget", "nobody@x.example", code=3).stderr


def test_mail_from_a_forgotten_supporter_is_not_recorded(run, lobby: Path, tmp_path) -> None:
    copy = _copy(lobby, "K-0001", "Tue, 10 Nov 2026 18:30:00 +0000")
    ann = str(letter(lobby, "K-0001")["From"].addresses[0].addr_spec)
    run("supporters", "forget", ann, "--yes")
    out = run.json("replies", "import", str(_box(tmp_path, [copy])))
    o = out["outcomes"][0]
    assert o["status"] == "unmatched" and "asked to be left out" in o["why"]
    assert run.json("show", "K-0001")["state"] == "withdrawn"
    assert run.json("supporters", "forget", ann, "--yes")["messages"] == 1
    assert ann.encode() not in _everything(lobby)


def test_replies_fetch_reads_supporters_copies_too(run, lobby: Path, dovecot,
                                                   monkeypatch) -> None:
    from conftest import use_imap
    from servers import IMAP_PASSWORD, IMAP_USER

    use_imap(lobby, dovecot.host, dovecot.port, IMAP_USER)
    monkeypatch.setenv("KONPFOI_IMAP_PASSWORD", IMAP_PASSWORD)
    copy = _copy(lobby, "K-0002", "Wed, 11 Nov 2026 08:00:00 +0000")
    dovecot.append(IMAP_USER, "INBOX", bytes(copy).replace(b"\n", b"\r\n"))
    out = run.json("replies", "fetch", "--no-sent")
    assert [(o["status"], o["item_id"]) for o in out["outcomes"]] == [
        ("sent", "K-0002")]
    assert run.json("show", "K-0002")["sent"] == "2026-11-11"


def test_letters_without_a_postal_address_are_named(run, me: Path, tmp_path: Path) -> None:
    with_group(me)
    people = write(tmp_path / "people.csv", "name,email,constituency,address\n"
                   "Ann Able,ann@example.org,Aldershot,\"1 Road, Aldershot GU11 1AA\"\n"
                   "Bob Bee,bob@example.org,Leeds Central and Headingley,\n")
    out = run("batch", "--supporters", str(people), "--template", "mp-fdp", "--campaign", "l")
    said = " ".join(out.stderr.split())
    assert "1 letter has no postal address (bob@example.org): most MPs answer only a " \
           "constituent who gives one" in said and "ann@" not in said
    again = run("batch", "--supporters", str(people), "--template", "mp-fdp", "--campaign", "l")
    assert "postal address" not in again.stderr  # nothing drafted this time
