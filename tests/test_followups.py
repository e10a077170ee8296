"""Coding answers and follow-ups: the state follows; each letter cites the right dates and law."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from conftest import add_lothian, on_day, use_server, write

pytestmark = [pytest.mark.usefixtures("frozen"), pytest.mark.backends()]


@pytest.fixture
def story(run, me: Path, tmp_path) -> Path:
    with on_day("2026-09-28"):  # drafted before it was sent
        run("draft", "--to", "icb:QKK", "--to", "icb:QWO", "-q", "palantir-fdp", "--campaign", "c")
        add_lothian(me)
        run("draft", "--to", "hb:S08000024", "-q", "palantir-fdp", "--campaign", "c")
    run("mark-sent", "--campaign", "c", "--date", "2026-10-01")
    eml = write(tmp_path / "r.eml", "From: FOI <FOI@selondonics.nhs.uk>\nSubject: Re: K-0001\n"
                "Date: Fri, 30 Oct 2026 09:00:00 +0000\nMessage-ID: <r@x>\n\nOur answer.\n")
    run("reply", "K-0001", "--file", str(eml))
    return me


def test_code_by_flags_and_the_state_follows(run, story: Path) -> None:
    out = run.json("code", "K-0001", "--q", '1=answered:Yes, FDP in use since 2024',
                   "--q", "5=refused:s43", "--q", "2=partly:s43,s40:some minutes")
    assert out["outcome"] == "partly-answered"
    shown = run.json("show", "K-0001")
    assert shown["state"] == "partly answered"
    assert "internal review" in shown["next_action"]
    answers = {a["question"]: a for a in shown["answers"]}
    assert answers[5]["exemptions"] == ["s.43"] and answers[5]["outcome"] == "refused"
    assert answers[2]["exemptions"] == ["s.43", "s.40"]
    assert answers[1]["answer"] == "Yes, FDP in use since 2024"
    run("code", "K-0001", "--q", "2=answered:all of it", "--q", "5=answered:released")
    assert run.json("show", "K-0001")["state"] == "answered"


def test_code_interactively(run, story: Path) -> None:
    answers = "\n" + "answered\n\nYes\n" + "refused\ns43, s40\n\n" + "skip\n" * 5
    out = run("code", "K-0001", input=answers)
    assert "coded: partly answered (2 questions)" in out.stdout
    shown = run.json("show", "K-0001")
    assert {a["question"]: a["exemptions"] for a in shown["answers"]} == {
        1: [], 2: ["s.43", "s.40"]}


@pytest.mark.parametrize("args, code, words", [
    (["code", "K-0001", "--q", "5=refused:s99"], 5, "not an exemption under FOIA 2000"),
    (["code", "K-0001", "--q", "9=answered"], 5, "no question 9"),
    (["code", "K-0001", "--q", "1=maybe"], 5, "unknown outcome"),
    (["code", "K-0001", "--q", "one=answered"], 5, "expected N=outcome"),
    (["code", "K-0002", "--q", "1=answered"], 7, "no reply to code yet"),
    (["code", "K-0003", "--q", "1=refused:s43"], 5, "FOISA 2002"),
    (["followup", "K-0001", "--kind", "nagging"], 5, "unknown follow-up"),
    (["followup", "K-0001", "--kind", "internal-review"], 5, "needs your reasons"),
])
def test_bad_input(run, story: Path, args, code, words) -> None:
    out = run(*args, code=code)
    assert words in out.stderr


def test_foisa_exemptions_are_foisas(run, story: Path, tmp_path) -> None:
    eml = write(tmp_path / "s.eml", "From: a@lothian.scot.nhs.uk\nSubject: K-0003\n\nNo.\n")
    run("reply", "K-0003", "--file", str(eml))
    run("code", "K-0003", "--q", "1=refused:s33")
    assert run.json("show", "K-0003")["answers"][0]["exemptions"] == ["s.33"]


def test_chaser_cites_the_deadline_and_threads(run, story: Path) -> None:
    out = run.json("followup", "K-0002", "--kind", "chaser")
    assert out["warnings"] == [] and out["to"] == "wyicb.foi@nhs.net"
    text = Path(out["txt"]).read_text()
    flat = " ".join(text.split())
    assert "On 1 October 2026 I made the request quoted below (our reference K-0002)." in flat
    assert "Section 10(1) of the Freedom of Information Act 2000 required you" in flat
    assert "so by 29 October 2026. The deadline of 29 October 2026 passed 17 working days " \
        "ago" in flat
    # the request is quoted below: its date, reference and questions
    assert "My request of 1 October 2026 (our reference K-0002):" in text
    assert "> 1. Please confirm whether you are or are not utilising" in text
    msg = message_from_bytes(Path(out["eml"]).read_bytes(), policy=default)
    assert msg["In-Reply-To"] == run.json("show", "K-0002")["item"]["message_id"]
    assert msg["Subject"].startswith("Overdue: Freedom of Information request")
    events = run.json("show", "K-0002")["events"]
    assert events[-1]["kind"] == "followup-drafted"
    assert events[-1]["data"]["kind"] == "chaser"


def test_internal_review_cites_the_refusal_and_the_reasons(run, story: Path) -> None:
    run("code", "K-0001", "--q", "5=refused:s43", "--q", "1=answered:yes")
    out = run.json("followup", "K-0001", "--kind", "internal-review", "--reason",
                   "s.43 applied without a public interest test")
    text = " ".join(Path(out["txt"]).read_text().split())
    assert "You responded on 30 October 2026, 1 working day after the deadline of 29 October " \
        "2026: a breach of section 10(1) of the Freedom of Information Act 2000." in text
    assert "Question 5 (Palantir evaluation and lead): you withheld the information, citing " \
        "section 43 (commercial interests)." in text
    assert "My reasons for asking for a review: s.43 applied without a public interest" in text
    assert "within 20 working days of receiving this request, so by 22 December 2026" in text


def test_complaint_goes_to_the_right_regulator(run, story: Path) -> None:
    ico = run.json("followup", "K-0002", "--kind", "ico-complaint", "--reason", "no answer")
    assert ico["to"] == "casework@ico.org.uk"
    # the ICO takes a complaint about a missing response without a review first
    assert not any("review" in w for w in ico["warnings"])
    assert any("--attach" in w for w in ico["warnings"])
    assert "I have had no response, although one was due by 29 October 2026 under section " \
        "10(1) of the Freedom of Information Act 2000, 17 working days ago." in " ".join(
            Path(ico["txt"]).read_text().split())
    # A Scottish authority answers to the SIC, and only after a requirement for review.
    wrong = run("followup", "K-0003", "--kind", "ico-complaint", "--reason", "no answer", code=5)
    assert "its regulator is the Scottish Information Commissioner, not the ICO" in wrong.stderr
    early = run("followup", "K-0003", "--kind", "sic-application", "--reason", "x", code=7)
    assert "only after requiring a review (FOISA s.47(1))" in early.stderr
    run("record", "K-0003", "review-requested", "--date", "2026-10-30")
    missing = run("followup", "K-0003", "--kind", "sic-application", "--reason", "x", code=7)
    assert "review outcome is not due until 27 November 2026" in missing.stderr
    run("record", "K-0003", "review-outcome", "--date", "2026-11-20", "--outcome", "refused")
    sic = run.json("followup", "K-0003", "--kind", "sic-application", "--reason", "no answer")
    assert sic["kind"] == "sic-application"
    assert sic["to"] == "enquiries@itspublicknowledge.info"
    text = " ".join(Path(sic["txt"]).read_text().split())
    assert "section 47(1) of the Freedom of Information (Scotland) Act 2002" in text
    assert "ICO" not in text and "Information Commissioner's Office" not in text


def test_sending_a_review_request_starts_the_review_clock(run, story: Path, smtp) -> None:
    server = smtp()
    use_server(story, server)
    run("code", "K-0001", "--q", "5=refused:s43")
    run("followup", "K-0001", "--kind", "internal-review", "--reason", "public interest")
    plain = run.json("send", "K-0001")  # the request went long ago; its review waits
    assert plain["would_send"] == [] and plain["skipped"][0]["reason"].endswith(
        "its internal review is drafted: konpfoi send K-0001 --followup internal-review")
    dry = run.json("send", "K-0001", "--followup", "internal-review")
    assert dry["would_send"][0]["followup"] == "internal-review"
    assert dry["would_send"][0]["subject"].startswith("Request for internal review")
    out = run.json("send", "K-0001", "--followup", "internal-review", "--yes")
    assert [s["item"] for s in out["sent"]] == ["K-0001"]
    rcpt, raw = server.received[0]
    assert rcpt == ["FOI@selondonics.nhs.uk"]
    assert b"Request for internal review" in raw
    shown = run.json("show", "K-0001")
    assert shown["state"] == "internal review requested"
    assert shown["due"] == "2026-12-22"  # 20 working days from today, St Andrew's Day skipped
    again = run.json("send", "K-0001", "--followup", "internal-review", "--yes")
    assert again["sent"] == [] and "was sent on" in again["skipped"][0]["reason"]
    assert len(server.received) == 1


def test_mark_sent_a_followup_by_hand(run, story: Path) -> None:
    run("followup", "K-0002", "--kind", "ico-complaint", "--reason", "ignored")
    assert "cannot have been sent on 2026-01-05" in run(
        "mark-sent", "K-0002", "--followup", "ico-complaint", "--date", "2026-01-05",
        code=5).stderr
    out = run("mark-sent", "K-0002", "--followup", "ico-complaint")
    assert "days late" not in out.stderr  # sent the day it was written: its dates hold
    assert run.json("show", "K-0002")["state"] == "with regulator"
    assert "already recorded" in run("mark-sent", "K-0002", "--followup", "ico-complaint",
                                     code=7).stderr


def test_a_followup_sent_by_hand_days_after_it_was_written_says_so(run, story: Path) -> None:
    run("followup", "K-0002", "--kind", "ico-complaint", "--reason", "ignored")
    written = run.json("show", "K-0002")["events"][-1]["date"]
    with on_day("2027-01-12"):
        out = run.json("mark-sent", "K-0002", "--followup", "ico-complaint")
    assert out[0]["warning"] == (f"its ICO complaint was written for {written} and sent on "
                                 f"2027-01-12: the days late it states were counted to {written}")


def test_followup_needs_a_sent_item(run, me: Path) -> None:
    run("draft", "--to", "icb:QKK", "-q", "palantir-fdp")
    assert "has not been sent" in run("followup", "K-0001", "--kind", "chaser", code=7).stderr


def test_a_refusal_on_cost_or_as_vexatious_is_no_exemption(run, story: Path, tmp_path) -> None:
    """s.12 (cost limit) and s.14 (vexatious or repeated) are not exemptions: the body refused to
    comply; it did not withhold information under one. An exemption beside them is said as
    before."""
    run("code", "K-0001", "--q", "4=refused:s12", "--q", "5=refused:s12", "--q", "6=refused:s14",
        "--q", "7=refused:s14(2),s43", "--q", "1=answered:yes")
    out = run.json("followup", "K-0001", "--kind", "internal-review", "--reason", "narrowable")
    text = _own_words(out["txt"])
    assert "Questions 4 and 5: you refused to comply, saying that the cost of complying would " \
        "exceed the appropriate limit (section 12)." in text  # alike: said once
    assert "you refused to comply, saying that the request was vexatious or repeated " \
        "(section 14)." in text
    assert "you refused to comply, saying that the request repeated an earlier one (section " \
        "14(2)), and withheld the information, citing section 43 (commercial interests)." in text
    assert "citing section 12" not in text and "citing section 14" not in text
    assert "exemption" not in text
    # the public interest test only for the exemption; advice on narrowing for the cost limit
    assert "Where you rely on section 43 (commercial interests), which is subject" in text
    assert "Where you relied on the cost limit (section 12), please tell me how the request " \
        "could be narrowed to fall within it (section 16 of the Act)." in text
    ico = run.json("followup", "K-0001", "--kind", "ico-complaint", "--reason", "narrowable")
    flat = _own_words(ico["txt"])
    # to the ICO, which did none of it: the body is named, never "you"
    assert "Questions 4 and 5: it refused to comply, saying that the cost of complying would " \
        "exceed the appropriate limit (section 12)." in flat and "citing section 12" not in flat
    assert "I ask the Commissioner to consider whether it advised me how the request could be " \
        "narrowed" in flat
    happened = flat.split("What happened", 1)[1].split("The public body", 1)[0]
    assert not re.search(r"\b(you|your|You|Your)\b", happened), happened
    # FOISA's words for a Scottish body (s.12 'prescribed amount'; advice: section 15)
    eml = write(tmp_path / "s.eml", "From: a@lothian.scot.nhs.uk\nSubject: K-0003\n\nNo.\n")
    run("reply", "K-0003", "--file", str(eml))
    run("code", "K-0003", "--q", "1=refused:s12")
    run("record", "K-0003", "review-requested", "--date", "2026-11-02")
    run("record", "K-0003", "review-outcome", "--date", "2026-11-20", "--outcome", "refused")
    sic = run.json("followup", "K-0003", "--kind", "sic-application", "--reason", "too broad")
    flat = _own_words(sic["txt"])
    assert "it refused to comply, saying that the cost of complying would exceed the " \
        "prescribed amount (section 12)." in flat
    assert "withheld" not in flat and "exemption" not in flat


def _own_words(path: str) -> str:
    """A letter's own words on one line, without the request quoted below it."""
    return " ".join(" ".join(line for line in Path(path).read_text().split("\n")
                             if not line.startswith(">")).split())


def test_a_complaint_about_a_missing_review_before_40_working_days_warns(run, story) -> None:
    run("code", "K-0001", "--q", "5=refused:s43")
    run("record", "K-0001", "review-requested", "--date", "2026-11-02")
    with on_day("2026-12-03"):  # the review was due 30 Nov (20 working days): overdue
        early = run.json("followup", "K-0001", "--kind", "ico-complaint", "--reason", "none")
    assert "40 working days to have passed since you asked for it (31 December 2026)" in \
        " ".join(early["warnings"])
    with on_day("2027-01-04"):
        later = run.json("followup", "K-0001", "--kind", "ico-complaint", "--reason", "none")
    assert not any("40 working days" in w for w in later["warnings"])
