"""Issue #12's examples through the command line, as a user types them: each kind of letter
with its own recipient, signer and words; follow-ups that say only what is true on the day
they are sent; duplicate and repeat warnings that agree."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
import time_machine
from conftest import add_lothian, ledger_rows, on_day, use_server, with_group, write

pytestmark = [pytest.mark.usefixtures("frozen"),  # Mon 23 Nov 2026
              pytest.mark.backends()]

REPLY = ("From: FOI <FOI@selondonics.nhs.uk>\nSubject: Re: K-0001\nDate: {date}\n"
         "Message-ID: <r{n}@x>\n\nOur answer.\n")


def text_of(path: str | Path) -> str:
    return " ".join(Path(path).read_text().split())


def reply(run, tmp_path: Path, item: str, date: str) -> None:
    eml = write(tmp_path / f"{item}.eml", REPLY.format(date=date, n=item))
    run("reply", item, "--file", str(eml))


@pytest.fixture
def letters(run, me: Path, tmp_path: Path) -> Path:
    """An MP letter from the group, a supporter's letter, a board letter and a legacy email,
    all sent on 2 October 2026 (so each is due a reminder)."""
    with_group(me)
    write(me / "bodies.yaml", """\
bodies:
  - id: trust:RJ1
    contacts: [{role: board, email: board@gstt.example}]
""")
    people = write(tmp_path / "s.csv", "name,email,mp\nAnn Able,ann@example.org,5173\n")
    with on_day("2026-10-01"):
        run("draft", "--to", "mp:4514", "--template", "mp-fdp", "--campaign", "mps")
        run("batch", "--supporters", str(people), "--template", "mp-fdp", "--campaign",
            "lobby")
        run("draft", "--to", "trust:RJ1", "--template", "trust-say-no-to-palantir")
    run("mark-sent", "K-0001", "K-0002", "K-0003", "--date", "2026-10-02")
    ledger_rows("UPDATE items SET kind = 'email' WHERE id = 'K-0003'")  # as kept before kinds
    return me


def test_letters_to_mps_and_boards_are_never_overdue_and_get_a_courteous_reminder(
        run, letters: Path, tmp_path: Path) -> None:
    status = {r["id"]: r for r in run.json("status")["items"]}
    assert {r["state"] for r in status.values()} == {"reminder due"}
    assert status["K-0001"]["kind_name"] == "letter to an MP"
    assert run.json("status", "--overdue")["items"] == []
    for item in ("K-0001", "K-0002", "K-0003"):
        for kind in ("chaser", "internal-review", "ico-complaint", "sic-application"):
            out = run("followup", item, "--kind", kind, "--reason", "x", code=5)
            assert "runs no statutory clock" in out.stderr and "--kind reminder" in out.stderr
    report = tmp_path / "r.html"
    run("report", "--format", "html", "-o", str(report))
    html = report.read_text()
    assert "past their legal deadline" not in html and ">no deadline<" in html


def test_each_reminder_is_in_the_signer_s_name_with_no_statute(run, letters: Path) -> None:
    mp = run.json("followup", "K-0001", "--kind", "reminder")
    text = Path(mp["txt"]).read_text()
    assert "On behalf of Lambeth KONP, I wrote to you on 2 October 2026" in " ".join(text.split())
    # signed as the first letter was: for the group, with its address, email and website
    sign_off = text.split("Yours sincerely,\n\n", 1)[1].split("\n\n", 1)[0]
    first = (letters / "drafts" / "K-0001.txt").read_text()
    assert sign_off.strip() == first.split("Yours sincerely,\n\n", 1)[1].split("\n\n", 1)[0].strip()
    assert "On behalf of Lambeth KONP\nlambeth@konp.example" in sign_off
    msg = message_from_bytes(Path(mp["eml"]).read_bytes(), policy=default)
    assert msg["From"].addresses[0].addr_spec == "jo@example.org"
    supporter = run.json("followup", "K-0002", "--kind", "reminder")
    assert supporter["sent_by"] == "ann@example.org"
    msg = message_from_bytes(Path(supporter["eml"]).read_bytes(), policy=default)
    assert msg["From"].addresses[0].addr_spec == "ann@example.org"
    assert msg["To"].addresses[0].addr_spec == "alex.baker.mp@parliament.uk"
    body = msg.get_content()
    assert "as your constituent" in body and "Ann Able\nann@example.org" in body
    assert "Jo Campaigner" not in body
    board = run.json("followup", "K-0003", "--kind", "reminder")
    assert board["to"] == "board@gstt.example"
    assert "Yours sincerely" in Path(board["txt"]).read_text()  # 'Dear <name>': an old 'email'
    for out in (mp, supporter, board):
        own = "\n".join(line for line in Path(out["txt"]).read_text().split("\n")
                        if not line.startswith(">"))
        for word in ("section", "Act", "Freedom of Information", "Commissioner", "overdue"):
            assert word not in own
    # a supporter's reminder goes as their first letter did: from their own address
    dry = run.json("send", "K-0002", "--followup", "reminder")
    assert "ann@example.org, who should send it" in dry["skipped"][0]["reason"]


def test_a_board_letter_never_goes_to_the_foi_inbox(run, me: Path) -> None:
    out = run("draft", "--to", "trust:RJ1", "--template", "trust-say-no-to-palantir", code=3)
    assert "has no board or chair email address" in out.stderr
    assert "konpfoi bodies set trust:RJ1 board=EMAIL --source URL" in out.stderr
    assert "gstt.foi@nhs.net" not in out.stderr


@pytest.fixture
def answered(run, me: Path, tmp_path: Path) -> Path:
    """K-0001 to SE London ICB, sent 1 October 2026, answered late on 6 November; K-0002 to
    West Yorkshire ICB, never answered."""
    with on_day("2026-09-30"):
        run("draft", "--to", "icb:QKK", "--to", "icb:QWO", "-q", "palantir-fdp", "--campaign",
            "c")
    run("mark-sent", "--campaign", "c", "--date", "2026-10-01")
    reply(run, tmp_path, "K-0001", "Fri, 06 Nov 2026 09:00:00 +0000")
    return me


def test_a_review_of_a_not_held_answer_asks_for_the_searches(run, answered: Path) -> None:
    run("code", "K-0001", "--q", "2=not-held", "--q", "5=refused:s43,s43(2)",
        "--q", "6=partly:s43(2):some of it")
    text = text_of(run.json("followup", "K-0001", "--kind", "internal-review", "--reason",
                            "the information is held")["txt"])
    assert "Question 2 (Board reports on the FDP): you said you do not hold the information." \
        in text
    assert "Question 2 (Board reports on the FDP): you withheld" not in text
    assert "please tell me what searches you made" in text and "section 1(1)(a)" in text
    assert "citing section 43(2) (commercial interests)." in text
    assert "s.43, s.43(2)" not in text and "section 43, section 43(2)" not in text
    # the response was late, and the letter says by how much
    assert "You responded on 6 November 2026, 6 working days after the deadline of " \
        "29 October 2026: a breach of section 10(1)" in text


def test_a_complaint_about_a_missing_review_waits_until_it_is_overdue(run, answered: Path
                                                                      ) -> None:
    run("code", "K-0001", "--q", "5=refused:s43")
    run("followup", "K-0001", "--kind", "internal-review", "--reason", "public interest")
    run("mark-sent", "K-0001", "--followup", "internal-review")
    out = run("followup", "K-0001", "--kind", "ico-complaint", "--reason", "no review", code=7)
    assert "the review outcome is not due until 22 December 2026" in out.stderr
    assert "available from 23 December 2026" in out.stderr
    with time_machine.travel(dt.datetime(2026, 12, 29, 12, tzinfo=dt.UTC), tick=False):
        text = text_of(run.json("followup", "K-0001", "--kind", "ico-complaint", "--reason",
                                "no review")["txt"])
    assert "No review outcome has come, although it was due by 22 December 2026" in text


def test_a_review_after_its_window_needs_late_and_says_so(run, answered: Path) -> None:
    run("code", "K-0001", "--q", "5=refused:s43")
    with time_machine.travel(dt.datetime(2027, 2, 1, 12, tzinfo=dt.UTC), tick=False):
        out = run("followup", "K-0001", "--kind", "internal-review", "--reason", "x", code=7)
        assert "the window to ask for an internal review closed on 8 January 2027" in out.stderr
        assert "--late" in out.stderr
        text = text_of(run.json("followup", "K-0001", "--kind", "internal-review", "--reason",
                                "x", "--late")["txt"])
    assert "I know that the Code of Practice under section 45 of the Act asks for a review " \
        "within 40 working days of your response of 6 November 2026, that is by 8 January " \
        "2027, and that this comes later." in text


def test_i_attach_only_with_a_real_attachment(run, answered: Path, tmp_path: Path) -> None:
    plain = run.json("followup", "K-0002", "--kind", "ico-complaint", "--reason", "no answer")
    assert "attach" not in Path(plain["txt"]).read_text().lower().replace("--attach", "")
    assert any("--attach" in w for w in plain["warnings"])
    pdf = write(tmp_path / "Réponse de l'ICB – décision finale.pdf", "%PDF-1.4 not really")
    out = run.json("followup", "K-0002", "--kind", "ico-complaint", "--reason", "no answer",
                   "--attach", str(pdf))
    msg = message_from_bytes(Path(out["eml"]).read_bytes(), policy=default)
    assert msg.get_content_type() == "multipart/mixed"
    [att] = list(msg.iter_attachments())
    assert att.get_filename() == "Réponse de l'ICB – décision finale.pdf"
    assert att.get_content() == b"%PDF-1.4 not really"
    assert "I attach: Réponse de l'ICB – décision finale.pdf." in text_of(out["txt"])
    missing = run("followup", "K-0002", "--kind", "ico-complaint", "--reason", "x",
                  "--attach", str(tmp_path / "nope.pdf"), code=5)
    assert "no such file to attach" in missing.stderr


def test_urls_are_never_broken(run, me: Path) -> None:
    with_group(me)
    text = (me / "konpfoi.yaml").read_text().replace(
        "https://konp.example/lambeth-group",
        "https://keepournhspublic.com/campaigns/say-no-to-palantir-in-the-nhs-federated-data")
    (me / "konpfoi.yaml").write_text(text)
    [d] = run.json("draft", "--to", "mp:4514", "--template", "mp-fdp")
    words = Path(d["txt"]).read_text().split()
    assert "https://keepournhspublic.com/campaigns/say-no-to-palantir-in-the-nhs-federated-data" \
        in words


def test_the_chaser_quotes_the_request_and_the_extension(run, answered: Path) -> None:
    run("record", "K-0002", "extension-claimed", "--date", "2026-10-20", "--until",
        "2026-11-12")
    text = text_of(run.json("followup", "K-0002", "--kind", "chaser")["txt"])
    assert "On 20 October 2026 you extended the time to 12 November 2026 to consider the " \
        "public interest (section 10(3) of the Act)." in text
    assert "The deadline of 12 November 2026 passed 7 working days ago" in text
    assert "My request of 1 October 2026 (our reference K-0002): > Dear Freedom of " \
        "Information Officer," in text


def test_an_extension_beyond_20_further_working_days_is_named(run, answered: Path) -> None:
    # due 29 October 2026; the body claims until 23 December: 38 working days further
    run("record", "K-0002", "extension-claimed", "--date", "2026-10-20", "--until",
        "2026-12-23")
    with time_machine.travel(dt.datetime(2027, 1, 4, 12, tzinfo=dt.UTC), tick=False):
        text = text_of(run.json("followup", "K-0002", "--kind", "chaser")["txt"])
    assert "38 working days beyond the deadline of 29 October 2026, more than the 20 further " \
        "working days the ICO's guidance accepts save in exceptional cases" in text


def test_regulators_by_jurisdiction(run, answered: Path) -> None:
    out = run("followup", "K-0002", "--kind", "sic-application", "--reason", "x", code=5)
    assert "decides only on Scottish public authorities" in out.stderr
    add_lothian(answered)
    with on_day("2026-09-30"):
        run("draft", "--to", "hb:S08000024", "-q", "palantir-fdp", "--campaign", "s")
    run("mark-sent", "K-0003", "--date", "2026-10-01")
    out = run("followup", "K-0003", "--kind", "sic-application", "--reason", "x", code=7)
    assert "only after requiring a review (FOISA s.47(1))" in out.stderr
    out = run("followup", "K-0003", "--kind", "ico-complaint", "--reason", "x", code=5)
    assert "not the ICO" in out.stderr


def test_an_eir_question_set_is_asked_and_followed_up_under_the_eir(run, me: Path) -> None:
    write(me / "questions" / "air.yaml", """\
id: air
title: Air quality at the hospital
regime: eir
source: us
questions:
  - label: Monitoring
    text: Please send the air quality monitoring results for the site since 2024.
""")
    with on_day("2026-09-30"):
        [d] = run.json("draft", "--to", "trust:RJ1", "-q", "air")
    assert d["kind"] == "eir" and d["template"] == "foi-request-eir"
    request = text_of(d["txt"])
    assert "Under the Environmental Information Regulations 2004" in request
    assert "Freedom of Information" not in request and "regulation 5(2)" in request
    run("mark-sent", "K-0001", "--date", "2026-10-01")
    chaser = text_of(run.json("followup", "K-0001", "--kind", "chaser")["txt"])
    assert "Regulation 5(2) of the Environmental Information Regulations 2004 required you" \
        in chaser
    assert "section 10" not in chaser
    review = text_of(run.json("followup", "K-0001", "--kind", "internal-review", "--reason",
                              "x")["txt"])
    assert "Under regulation 11 of the Environmental Information Regulations 2004" in review
    assert "Freedom of Information reviews" not in review and "exemption" not in review
    assert "no later than 40 working days after receiving these representations" in review
    add_lothian(me)
    out = run("draft", "--to", "hb:S08000024", "-q", "air", code=5)
    assert "Environmental Information (Scotland) Regulations 2004" in out.stderr


def test_dates_are_counted_from_the_day_the_letter_is_sent(run, answered: Path, smtp) -> None:
    server = smtp()
    use_server(answered, server)
    run("code", "K-0001", "--q", "5=refused:s43")
    run("followup", "K-0001", "--kind", "internal-review", "--reason", "public interest")
    run("followup", "K-0002", "--kind", "chaser")
    drafted = text_of(answered / "drafts" / "K-0001-internal-review.txt")
    assert "so by 22 December 2026" in drafted
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        dry = run("send", "K-0001", "--followup", "internal-review")
        assert "will count its dates from the day it goes" in dry.stderr
        out = run("send", "K-0001", "--followup", "internal-review", "--yes")
        assert "its dates are now counted from today, 2026-11-26" in out.stderr
        # a reply to K-0002 came after its chaser was drafted: the chaser is no longer true
        reply(run, answered.parent, "K-0002", "Wed, 25 Nov 2026 09:00:00 +0000")
        held = run.json("send", "K-0002", "--followup", "chaser", "--yes")
    assert held["sent"] == [] and "no longer true today" in held["skipped"][0]["reason"]
    [(_, raw)] = server.received
    sent = " ".join(message_from_bytes(raw, policy=default).get_content().split())
    assert "so by 29 December 2026" in sent and "so by 22 December 2026" not in sent
    assert run.json("show", "K-0001")["due"] == "2026-12-29"


def test_campaign_and_credits_stay_out_of_requests_unless_opted_in(run, me: Path) -> None:
    [d] = run.json("draft", "--to", "icb:QKK", "-q", "palantir-fdp", "--campaign", "fdp-2026")
    text = Path(d["txt"]).read_text()
    assert text.rstrip().endswith("Our reference: K-0001")
    assert "fdp-2026" not in text and "Socialist Health Association" not in text
    config = (me / "konpfoi.yaml").read_text()
    (me / "konpfoi.yaml").write_text(config.replace("name_campaign: false",
                                                    "name_campaign: true").replace(
        "credit_questions: false", "credit_questions: true"))
    [d] = run.json("draft", "--to", "icb:QWO", "-q", "palantir-fdp", "--campaign", "fdp-2026")
    text = text_of(d["txt"])
    assert "Our reference: K-0002 (campaign: fdp-2026)" in text
    assert "by The Socialist Health Association FOI Group" in text


def test_a_bad_letters_setting_names_the_file_and_line(run, me: Path) -> None:
    config = (me / "konpfoi.yaml").read_text()
    (me / "konpfoi.yaml").write_text(config.replace("name_campaign: false",
                                                    "name_campaign: maybe"))
    out = run("draft", "--to", "icb:QKK", "-q", "palantir-fdp", code=5)
    line = next(n for n, text in enumerate(config.splitlines(), 1) if "name_campaign" in text)
    assert f"konpfoi.yaml:{line}: letters: name_campaign must be true or false" in out.stderr


def test_one_duplicate_rule_for_draft_batch_and_send(run, me: Path, smtp) -> None:
    with on_day("2026-09-30"):
        run("draft", "--to", "icb:QKK", "-q", "palantir-fdp", "--campaign", "a")
    again = run("draft", "--to", "icb:QKK", "-q", "palantir-fdp", "--campaign", "b", code=7)
    assert "K-0001 (drafted 2026-09-30" in again.stderr and "not sent" in again.stderr
    assert "--force" in again.stderr
    run("mark-sent", "K-0001", "--date", "2026-10-01")
    out = run("draft", "--to", "icb:QKK", "-q", "palantir-fdp", "--campaign", "b", code=7)
    assert "K-0001 (sent 2026-10-01, 37 working days ago) asked for similar information " \
        "(100% alike)" in out.stderr and "FOIA s.12" in out.stderr
    forced = run.json("draft", "--to", "icb:QKK", "-q", "palantir-fdp", "--campaign", "b",
                      "--force")
    assert "FOIA s.12" in forced[0]["warnings"][0]
    # send holds the new one back for the same reason, counted from the SENT date
    server = smtp()
    use_server(me, server)
    held = run.json("send", "K-0002")
    assert held["would_send"] == [] and "K-0001 (sent 2026-10-01" in held["skipped"][0]["reason"]
    run("send", "K-0002", "--yes", "--force")
    assert len(server.received) == 1
    # answered, the same request again is a repeated request (s.14(2))
    reply(run, me, "K-0001", "Fri, 06 Nov 2026 09:00:00 +0000")
    with time_machine.travel(dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        out = run("draft", "--to", "icb:QKK", "-q", "palantir-fdp", "--campaign", "c", code=7)
    assert "answered 2026-11-06" in out.stderr and "FOIA s.14(2)" in out.stderr


def test_a_subject_access_request_goes_to_the_dpo_first(run, me: Path) -> None:
    with on_day("2026-09-30"):
        [foi] = run.json("draft", "--to", "trust:RJ1", "--template", "sar-request")
    assert foi["kind"] == "sar" and foi["to"] == "gstt.foi@nhs.net"  # no DPO known: FOI
    assert "trust:RJ1 has no Data Protection Officer address in the directory: the subject " \
        "access request goes to its FOI address (gstt.foi@nhs.net)" in foi["warnings"][0]
    write(me / "bodies.yaml", """\
bodies:
  - id: trust:RJ1
    contacts: [{role: dpo, email: dpo@gstt.example}]
""")
    with on_day("2026-09-30"):
        [dpo] = run.json("draft", "--to", "trust:RJ1", "--template", "sar-request")
    assert dpo["to"] == "dpo@gstt.example" and dpo["kind_name"] == "subject access request"
    assert not dpo["warnings"]
    text = text_of(dpo["txt"])
    assert "Under Article 15 of the UK General Data Protection Regulation" in text
    assert "within one month of receiving this request, as Article 12(3) requires" in text
    run("mark-sent", "K-0002", "--date", "2026-10-01")
    chaser = text_of(run.json("followup", "K-0002", "--kind", "chaser")["txt"])
    assert "Article 12(3) of the UK GDPR required you" in chaser and "so by 2 November 2026" \
        in chaser  # 1 November 2026 is a Sunday: the next working day
    out = run("followup", "K-0002", "--kind", "internal-review", "--reason", "x", code=5)
    assert "a subject access request has no internal review" in out.stderr
    complaint = run.json("followup", "K-0002", "--kind", "ico-complaint", "--reason", "none")
    assert complaint["to"] == "casework@ico.org.uk"
    assert "personal-information-complaint" in text_of(complaint["txt"])


def test_a_board_letter_goes_to_the_board_then_the_chair(run, me: Path) -> None:
    write(me / "bodies.yaml", """\
bodies:
  - id: trust:RJ1
    contacts: [{role: chair, email: chair@gstt.example}]
""")
    [d] = run.json("draft", "--to", "trust:RJ1", "--template", "trust-say-no-to-palantir")
    assert d["to"] == "chair@gstt.example" and d["kind"] == "board"
    write(me / "bodies.yaml", """\
bodies:
  - id: trust:RJ1
    contacts: [{role: chair, email: chair@gstt.example}, {role: board, email: b@gstt.example}]
""")
    [d] = run.json("draft", "--to", "trust:RJ1", "--template", "trust-say-no-to-palantir")
    assert d["to"] == "b@gstt.example"
