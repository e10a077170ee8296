"""The campaign report, checked cell by cell against a ledger counted by hand, and the HTML
page in a real browser (a phone, a laptop, and paper).

The ledger (today: Mon 23 Nov 2026), campaign fdp:

| item   | body        | set              | sent  | due   | reply            | counted         |
|--------|-------------|------------------|-------|-------|------------------|-----------------|
| K-0001 | SE London   | palantir-fdp     | 01 Oct| 29 Oct| 20 Oct (13 wd)   | on time         |
| K-0002 | W Yorkshire | palantir-fdp     | 01 Oct| 29 Oct| 05 Nov (25 wd)   | late, 5 wd      |
| K-0003 | S Yorkshire | palantir-fdp     | 01 Oct| 29 Oct| none             | overdue, 17 wd  |
| K-0004 | Cornwall    | palantir-fdp     | 20 Nov| 21 Dec| none             | not yet due     |
| K-0005 | Lancashire  | icb-patient-data | 01 Oct| 29 Oct| 15 Oct (10 wd)   | on time (*)     |
| K-0006 | Diane Abbott MP (email) | -    | 01 Oct| -     | none             | no deadline     |

(*) recorded with --outcome not-held, for the reply as a whole.

On time: K-0001, K-0005 of the four judged (K-0001, K-0002, K-0003, K-0005) = 50%, not the
67% of "on time among the replies". Median working days to reply: 10, 13, 25 -> 13.
Exemptions: s.43 (K-0001 Q5; K-0002 Q1, Q3 as s.43(2), Q5) = 2 bodies, 4 answers; s.40
(K-0002 Q5) = 1 body; reg 12(5)(e) (K-0001 Q3) = 1 body. A campaign "other" holds K-0007
(Devon, drafted only).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from browser import CHROMIUM, Page
from conftest import ROOT, on_day, with_group, write
from hypothesis import given, settings
from hypothesis import strategies as st

from konpfoi.report.campaign import Report, Row
from konpfoi.report.words import summary_line

pytestmark = [pytest.mark.usefixtures("frozen"), pytest.mark.backends()]


def _reply(run, tmp_path: Path, item: str, date: str, frm: str, *extra: str) -> None:
    eml = write(tmp_path / f"{item}.eml", f"From: {frm}\nSubject: Re: {item}\nDate: {date}\n"
                f"Message-ID: <{item}@r>\n\nPlease find our response attached.\n")
    run("reply", item, "--file", str(eml), *extra)


@pytest.fixture
def campaign(run, me: Path, tmp_path) -> Path:
    with_group(me)  # the MP letter below is the group's
    with on_day("2026-09-30"):
        run("batch", "--to", "icb:QKK", "--to", "icb:QWO", "--to", "icb:QF7", "--to",
            "icb:QT6", "-q", "palantir-fdp", "--campaign", "fdp")
        run("draft", "--to", "icb:QE1", "-q", "icb-patient-data", "--campaign", "fdp")
        run("draft", "--to", "mp:172", "--template", "mp-fdp", "--campaign", "fdp")
    run("mark-sent", "K-0001", "K-0002", "K-0003", "K-0005", "K-0006", "--date", "2026-10-01")
    run("mark-sent", "K-0004", "--date", "2026-11-20")
    _reply(run, tmp_path, "K-0001", "Tue, 20 Oct 2026 10:00:00 +0000", "FOI@selondonics.nhs.uk")
    _reply(run, tmp_path, "K-0002", "Thu, 05 Nov 2026 10:00:00 +0000", "wyicb.foi@nhs.net")
    _reply(run, tmp_path, "K-0005", "Thu, 15 Oct 2026 10:00:00 +0000", "foi@lsc.nhs.uk",
           "--outcome", "not-held")
    run("code", "K-0001", "--q", "1=answered:Yes, since 2024", "--q", "5=refused:s43",
        "--q", "2=not-held", "--q", "3=refused:reg 12(5)(e)")
    run("code", "K-0002", "--q", "1=refused:s43", "--q", "5=refused:s43,s40:commercial | risk",
        "--q", "3=refused:s43(2)")
    run("draft", "--to", "icb:QJK", "-q", "palantir-fdp", "--campaign", "other")
    return me


def test_json_figures_match_the_hand_count(run, campaign: Path) -> None:
    data = json.loads(run("report", "--campaign", "fdp", "--format", "json").stdout)
    s = data["summary"]
    assert (s["items"], s["sent"], s["replied"], s["not_replied"], s["overdue"], s["late"]) \
        == (6, 6, 3, 3, 1, 1)
    assert s["on_time_rate"] == 0.5 and s["on_time_counted"] == 4
    assert s["on_time_note"] == ("2 answered by the due date, of the 4 requests answered or "
                                 "past their due date; 1 not yet due is not counted")
    assert s["median_working_days"] == 13
    assert s["timeliness"] == {"on time": 2, "late": 1, "overdue": 1, "not yet due": 1,
                               "no deadline": 1}
    rows = {r["item"]: r for r in data["rows"]}
    got = {i: (r["due"], r["replied"], r["working_days"], r["timeliness"], r["days_late"])
           for i, r in rows.items()}
    assert got == {
        "K-0001": ("2026-10-29", "2026-10-20", 13, "on time", 0),
        "K-0002": ("2026-10-29", "2026-11-05", 25, "late", 5),
        "K-0003": ("2026-10-29", None, None, "overdue", 17),
        "K-0004": ("2026-12-21", None, None, "not yet due", None),
        "K-0005": ("2026-10-29", "2026-10-15", 10, "on time", 0),
        "K-0006": (None, None, None, "no deadline", None),
    }
    assert rows["K-0002"]["on_time"] is False and rows["K-0001"]["on_time"] is True
    assert rows["K-0001"]["cells"]["1"] == {"outcome": "answered", "exemptions": [],
                                            "answer": "Yes, since 2024", "whole": False}
    assert {c["outcome"] for c in rows["K-0005"]["cells"].values()} == {"not-held"}
    groups = {g["section"]: (g["name"], g["bodies"], g["times_cited"], g["as_cited"])
              for g in data["exemptions"]}
    assert groups == {
        "s.43": ("commercial interests", 2, 4, {"s.43": 3, "s.43(2)": 1}),
        "s.40": ("personal data", 1, 1, {"s.40": 1}),
        "reg 12(5)(e)": ("commercial confidentiality", 1, 1, {"reg 12(5)(e)": 1}),
    }
    sets = {q["id"]: q for q in data["question_sets"]}
    assert sets["palantir-fdp"]["items"] == ["K-0004", "K-0001", "K-0003", "K-0002"]
    assert sets["icb-patient-data"]["items"] == ["K-0005"]
    assert sets["palantir-fdp"]["title"] == "Palantir and the Federated Data Platform"
    assert sets["palantir-fdp"]["by_question"]["5"] == {"refused": 2}
    assert sets["palantir-fdp"]["by_question"]["2"] == {"not held": 1, "not coded": 1}


def test_one_table_per_question_set(run, campaign: Path) -> None:
    md = run("report").stdout
    assert md.startswith("# All requests: what the bodies said\n")
    tables = re.findall(r"\n## Answers: (.+)\n", md)
    assert tables == ["How the ICB shares and uses patient data",
                      "Palantir and the Federated Data Platform"]
    palantir = md.split("## Answers: Palantir")[1].split("\n## ")[0]
    lancs = md.split("## Answers: How the ICB")[1].split("\n## ")[0]
    assert "Lancashire" not in palantir and "Lancashire" in lancs
    assert "Q1 FDP in use" in palantir and "Q1 FDP in use" not in lancs
    assert "not held (whole reply)" in lancs and "not coded" not in lancs


def test_markdown_cell_by_cell(run, campaign: Path) -> None:
    md = run("report", "--campaign", "fdp").stdout
    assert md.startswith("# fdp: what the bodies said\n")
    assert "6 requests sent: 3 answered (1 late), 3 without a reply (1 overdue)." in md
    assert ("On time: 50% (2 answered by the due date, of the 4 requests answered or past "
            "their due date; 1 not yet due is not counted). Median time to reply: 13 "
            "working days.") in md
    lines = {line.split(" | ")[0].lstrip("| "):
             [c.strip() for c in line.strip().strip("|").split(" | ")]
             for line in md.split("## Answers: Palantir")[1].splitlines()
             if line.startswith("| NHS ")}
    sel = lines["NHS South East London Integrated Care Board"]
    assert sel[1:] == ["answered: Yes, since 2024", "not held", "refused (reg 12(5)(e))",
                       "not coded", "refused (s.43)", "not coded", "not coded"]
    wy = lines["NHS West Yorkshire Integrated Care Board"]
    assert wy[1] == "refused (s.43)" and wy[3] == "refused (s.43(2))"
    assert wy[5] == r"refused (s.43, s.40): commercial \| risk"
    assert lines["NHS South Yorkshire Integrated Care Board"][1:] == ["no reply"] * 7
    assert "| NHS West Yorkshire Integrated Care Board | K-0002 | 2026-10-01 | 2026-10-29 | " \
           "2026-11-05 | late | 5 |" in md
    assert "| s.43 commercial interests | 2 | 4 | s.43 ×3, s.43(2) ×1 |" in md
    assert "| s.40 personal data | 1 | 1 | s.40 ×1 |" in md
    assert "| NHS South Yorkshire Integrated Care Board (K-0003) | 2026-10-29 | 17 |" in md
    assert "- NHS Cornwall and the Isles of Scilly Integrated Care Board (K-0004), due " \
           "2026-12-21" in md  # St Andrew's Day is skipped (FOIA: any UK nation)
    assert "Devon" not in md


def test_csv_has_days_late_for_late_replies(run, campaign: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("report", "--campaign", "fdp", "-f", "csv")
                                           .stdout)))
    by = {r["item"]: r for r in rows}
    assert by["K-0002"]["q5_outcome"] == "refused"
    assert by["K-0002"]["q5_exemptions"] == "s.43 s.40"
    assert by["K-0002"]["on_time"] == "no" and by["K-0001"]["on_time"] == "yes"
    assert (by["K-0002"]["timeliness"], by["K-0002"]["days_late"]) == ("late", "5")
    assert by["K-0003"]["days_late"] == "17" and by["K-0006"]["timeliness"] == "no deadline"
    assert by["K-0005"]["question_set"] == "icb-patient-data"


def test_filters_are_named_and_one_that_matches_nothing_says_so(run, campaign: Path) -> None:
    md = run("report", "--campaign", "fdp", "--body", "icb:QWO").stdout
    assert md.startswith("# fdp, body icb:QWO: what the bodies said")
    assert "1 request sent" in md
    md = run("report", "--questions", "icb-patient-data").stdout
    assert md.startswith("# question set icb-patient-data: what the bodies said")
    err = run("report", "--campaign", "fdpp", code=3).stderr
    assert "no requests for campaign 'fdpp'" in err and "did you mean fdp" in err
    err = run("report", "--campaign", "other", "--body", "icb:QWO", code=3).stderr
    assert "no requests match campaign other, body icb:QWO" in err
    assert "no requests for body 'icb:QQQ'" in run("report", "--body", "icb:QQQ",
                                                   code=3).stderr
    assert "unknown format" in run("report", "-f", "pdf", code=5).stderr


def test_html_is_self_contained_and_publishable(run, campaign: Path, tmp_path) -> None:
    out = tmp_path / "fdp.html"
    write(tmp_path / "intro.txt", "We asked every ICB in England about the FDP.\n\n"
          "Here is what they said, & who broke the law.")
    run("init", str(campaign), "--name", "Jo Campaigner")  # keeps the details
    text = (campaign / "konpfoi.yaml").read_text().replace(  # the fixture's group, renamed
        "  name: Lambeth KONP\n", "  name: Southwark KONP\n").replace(
        "  website: https://konp.example/lambeth-group\n", "  website: https://konp.example.org\n")
    (campaign / "konpfoi.yaml").write_text(text)
    run("report", "--campaign", "fdp", "--format", "html", "-o", str(out),
        "--intro-file", str(tmp_path / "intro.txt"))
    html = out.read_text()
    assert html.startswith("<!doctype html>") and '<html lang="en">' in html
    assert "<title>What the bodies said</title>" in html  # two question sets
    assert '<p class=group>Southwark KONP</p>' in html
    assert '<p class="lede">Here is what they said, &amp; who broke the law.</p>' in html
    assert "Questions: Palantir and the Federated Data Platform, by" in html
    assert '<a href="https://konp.example.org">Southwark KONP</a>' in html
    assert "Requests: fdp." in html and "@media print" in html
    assert "<script" not in html.lower() and "@import" not in html
    assert not re.search(r"""(src)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"url\(", html)
    assert "<caption" in html and '<th scope="col">' in html and '<th scope="row">' in html
    assert 'role="img"' in html and "<title id=" in html
    assert "refused</span> (s.43, s.40)" in html
    headings = re.findall(r"<h2 id=\"[^\"]+\">([^<]+)</h2>", html)
    assert len(headings) == len(set(headings))
    assert "s.43<br><span class=\"muted\">commercial interests" in html
    titled = run("report", "--campaign", "fdp", "-f", "html", "--title", "FDP: the answers",
                 "--group", "Leeds KONP").stdout
    assert "<title>FDP: the answers</title>" in titled and "Leeds KONP" in titled


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
@pytest.mark.parametrize("width", [390, 1280])
def test_html_in_headless_chromium(run, campaign: Path, tmp_path, width: int) -> None:
    out = tmp_path / "fdp.html"
    run("report", "--campaign", "fdp", "--format", "html", "-o", str(out),
        "--title", "What the NHS told us about Palantir", "--group", "Southwark KONP",
        "--intro", "A long introduction " * 40)
    page = Page(width=width, height=900)
    try:
        page.open(out.as_uri())
        assert page.errors() == []
        assert page.requests() == [out.as_uri()]
        assert page.evaluate("document.querySelectorAll('table caption').length") >= 4
        assert page.evaluate("window.innerWidth") == width
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, "the page itself must not scroll sideways"
        shot = tmp_path / "report.png"
        page.screenshot(shot)
        assert shot.stat().st_size > 10_000
        keep = ROOT / "bench" / "results"
        keep.mkdir(parents=True, exist_ok=True)
        (keep / f"report-{width}.png").write_bytes(shot.read_bytes())
        # on paper: A4 less its margins is about 718 CSS pixels wide; nothing is cut off
        page.call("Emulation.setEmulatedMedia", media="print")
        page.call("Emulation.setDeviceMetricsOverride", width=718, height=1000,
                  deviceScaleFactor=1, mobile=False)
        assert page.evaluate("getComputedStyle(document.querySelector('.scroll')).overflowX") \
            == "visible"
        assert page.evaluate("document.documentElement.scrollWidth") <= 718
        pdf = page.call("Page.printToPDF", paperWidth=8.27, paperHeight=11.69)
        assert len(pdf["data"]) > 10_000
    finally:
        page.close()


def test_refusals_to_comply_are_not_counted_as_exemptions(run, campaign: Path) -> None:
    """s.12 (cost limit) and s.14 (vexatious or repeated) are not exemptions: the report counts
    them in their own table, never under "Exemptions cited"."""
    run("code", "K-0002", "--q", "4=refused:s12", "--q", "6=refused:s14(2)")
    run("code", "K-0001", "--q", "4=refused:s12")
    data = json.loads(run("report", "--campaign", "fdp", "--format", "json").stdout)
    assert {g["section"] for g in data["exemptions"]} == {"s.43", "s.40", "reg 12(5)(e)"}
    assert {g["section"]: (g["name"], g["bodies"], g["times_cited"], g["as_cited"])
            for g in data["refusal_grounds"]} == {
        "s.12": ("cost limit", 2, 2, {"s.12": 2}),
        "s.14": ("vexatious or repeated request", 1, 1, {"s.14(2)": 1})}
    md = run("report", "--campaign", "fdp").stdout
    exemptions = md.split("## Exemptions cited", 1)[1].split("\n## ", 1)[0]
    assert "s.12" not in exemptions and "s.14" not in exemptions
    assert "## Refusals to comply (cost, vexatious or repeated: not exemptions)\n\n" \
        "| Ground | Bodies | Times cited | As cited |\n|---|---|---|---|\n" \
        "| s.12 cost limit | 2 | 2 | s.12 ×2 |\n" \
        "| s.14 vexatious or repeated request | 1 | 1 | s.14(2) ×1 |\n" in md
    html = run("report", "--campaign", "fdp", "--format", "html").stdout
    table = html.split('<h2 id="s-e">', 1)[1].split("</section>", 1)[0]
    assert "s.12" not in table and "s.14" not in table
    grounds = html.split('<h2 id="s-g">Refusals to comply</h2>', 1)[1].split("</section>")[0]
    assert "s.12<br>" in grounds and "s.14<br>" in grounds and "not exemptions" in grounds


# Each state a request can be in on the day, as a report row holds it: (sent, replied,
# timeliness).
_STATES = {
    "not sent": (False, False, "not sent"), "withdrawn unsent": (False, False, "withdrawn"),
    "on time": (True, True, "on time"), "late": (True, True, "late"),
    "answered, no deadline": (True, True, "no deadline"),
    "dates conflict": (True, True, "dates conflict"), "overdue": (True, False, "overdue"),
    "not yet due": (True, False, "not yet due"), "no deadline": (True, False, "no deadline"),
    "undelivered": (True, False, "undelivered"), "closed": (True, False, "closed"),
    "withdrawn": (True, False, "withdrawn"),
}
_SUMMARY = re.compile(
    r"^As of 2026-11-23: (\d+) (requests?) sent: (\d+) answered(?: \((\d+|none) late\))?, "
    r"(\d+) without a reply(?: \((\d+|none) overdue\))?(?:, (\d+) withdrawn or closed)?\.$")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(sorted(_STATES)), max_size=30))
def test_the_summary_line_adds_up_over_any_ledger(states: list[str]) -> None:
    """Whatever the requests' states, each figure sits beside what it counts and the parts
    add up: answered + without a reply + withdrawn or closed = sent; late among the answered,
    overdue among those without a reply."""
    rows = [Row(f"K-{n:04d}", "icb:QKK", "NHS X", "icb", None, "s",
                "2026-10-01" if _STATES[s][0] else None, "2026-10-29",
                "2026-11-05" if _STATES[s][1] else None, None, _STATES[s][2], None, None)
            for n, s in enumerate(states)]
    r = Report("fdp", "2026-11-23", rows, [])
    m = _SUMMARY.match(summary_line(r))
    assert m, summary_line(r)
    sent, noun, answered, late, without, overdue, ended = m.groups()
    number = {None: 0, "none": 0}
    n = [int(x) if x not in number else 0 for x in (sent, answered, late, without, overdue,
                                                     ended)]
    sent_n, answered_n, late_n, without_n, overdue_n, ended_n = n
    sent_rows = [s for s in states if _STATES[s][0]]
    assert sent_n == len(sent_rows) and noun == ("request" if sent_n == 1 else "requests")
    assert answered_n == sum(_STATES[s][1] for s in sent_rows)
    assert late_n == states.count("late") and overdue_n == states.count("overdue")
    assert without_n == sum(s in ("overdue", "not yet due", "no deadline", "undelivered")
                            for s in sent_rows)
    assert ended_n == states.count("closed") + states.count("withdrawn")
    assert answered_n + without_n + ended_n == sent_n
    assert late_n <= answered_n and overdue_n <= without_n
    assert (late is None) == (answered_n == 0) and (overdue is None) == (without_n == 0)
    judged = sum(s in ("on time", "late", "overdue") for s in states)
    assert r.on_time_note.startswith(
        f"{states.count('on time')} answered by the due date, of the {judged} "
        + ("request answered or past its due date" if judged == 1 else
           "requests answered or past their due date"))


def test_one_late_answer_and_three_overdue_say_which_is_which(run, me: Path, tmp_path) -> None:
    """The reported case: 4 sent, 1 answered late, 3 overdue; the late answer is not among
    those without a reply."""
    with on_day("2026-09-30"):
        run("batch", "--to", "icb:QKK", "--to", "icb:QWO", "--to", "icb:QF7", "--to",
            "icb:QT6", "-q", "palantir-fdp", "--campaign", "fdp")
    run("mark-sent", "--campaign", "fdp", "--date", "2026-10-01")
    _reply(run, tmp_path, "K-0002", "Thu, 05 Nov 2026 10:00:00 +0000", "wyicb.foi@nhs.net")
    md = run("report").stdout
    line = "As of 2026-11-23: 4 requests sent: 1 answered (1 late), 3 without a reply (3 overdue)."
    assert line in md and "On time: 0% (0 answered by the due date, of the 4 requests" in md
    html = run("report", "--format", "html").stdout
    assert line in html and "<strong>4</strong>requests sent" in html
    assert "<strong>1</strong>reply<" in html
    with on_day("2026-09-30"):
        run("draft", "--to", "icb:QE1", "-q", "icb-patient-data", "--campaign", "solo")
    run("mark-sent", "--campaign", "solo", "--date", "2026-10-01")
    solo = run("report", "--campaign", "solo").stdout
    assert ("4 requests sent" not in solo and "As of 2026-11-23: 1 request sent: 0 answered, "
            "1 without a reply (1 overdue).") in solo
    assert "of the 1 request answered or past its due date)" in solo
