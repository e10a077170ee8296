"""The campaign report, checked cell by cell, and the HTML page in a real browser."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from browser import CHROMIUM, Page
from conftest import ROOT, write

pytestmark = [pytest.mark.usefixtures("frozen"), pytest.mark.backends()]


def _reply(run, tmp_path: Path, item: str, date: str, frm: str) -> None:
    eml = write(tmp_path / f"{item}.eml", f"From: {frm}\nSubject: Re: {item}\nDate: {date}\n"
                f"Message-ID: <{item}@r>\n\nOur answer.\n")
    run("reply", item, "--file", str(eml))


@pytest.fixture
def campaign(run, me: Path, tmp_path) -> Path:
    run("batch", "--to", "icb:QKK", "--to", "icb:QWO", "--to", "icb:QF7", "--to", "icb:QT6",
        "-q", "palantir-fdp", "--campaign", "fdp")
    run("mark-sent", "K-0001", "K-0002", "K-0003", "--date", "2026-10-01")
    run("mark-sent", "K-0004", "--date", "2026-11-20")
    _reply(run, tmp_path, "K-0001", "Tue, 20 Oct 2026 10:00:00 +0000", "FOI@selondonics.nhs.uk")
    _reply(run, tmp_path, "K-0002", "Thu, 05 Nov 2026 10:00:00 +0000", "wyicb.foi@nhs.net")
    run("code", "K-0001", "--q", "1=answered:Yes, since 2024", "--q", "5=refused:s43",
        "--q", "2=not-held")
    run("code", "K-0002", "--q", "1=refused:s43", "--q", "5=refused:s43,s40:commercial | risk")
    run("draft", "--to", "icb:QJK", "-q", "palantir-fdp", "--campaign", "other")
    return me


def test_json_summary(run, campaign: Path) -> None:
    import json

    data = json.loads(run("report", "--campaign", "fdp", "--format", "json").stdout)
    s = data["summary"]
    assert (s["items"], s["sent"], s["replied"], s["not_replied"], s["overdue"]) == \
        (4, 4, 2, 2, 1)
    assert s["on_time_rate"] == 0.5 and s["median_working_days"] == 19
    assert data["exemptions"] == {"s.43": 3, "s.40": 1}
    rows = {r["item"]: r for r in data["rows"]}
    assert rows["K-0001"]["working_days"] == 13 and rows["K-0001"]["on_time"] is True
    assert rows["K-0002"]["working_days"] == 25 and rows["K-0002"]["on_time"] is False
    assert rows["K-0003"]["days_late"] == 17 and rows["K-0003"]["state"] == "overdue"
    assert rows["K-0004"]["days_late"] is None and rows["K-0004"]["replied"] is None
    assert rows["K-0001"]["cells"]["1"] == {"outcome": "answered", "exemptions": [],
                                            "answer": "Yes, since 2024"}
    assert data["by_question"]["5"] == {"refused": 2}
    assert data["by_question"]["2"] == {"not held": 1, "not coded": 1}


def test_markdown_matrix_cell_by_cell(run, campaign: Path) -> None:
    md = run("report", "--campaign", "fdp").stdout
    assert md.startswith("# fdp: what the bodies said\n")
    assert "4 requests sent, 2 replies, 2 without a reply (1 overdue)" in md
    assert "On time: 50%. Median time to reply: 19 working days." in md
    lines = {line.split(" | ")[0].lstrip("| "):
             [c.strip() for c in line.strip().strip("|").split(" | ")]
             for line in md.splitlines() if line.startswith("| NHS ")}
    sel = lines["NHS South East London Integrated Care Board"]
    assert sel[1:] == ["answered: Yes, since 2024", "not held", "not coded", "not coded",
                       "refused (s.43)", "not coded", "not coded"]
    wy = lines["NHS West Yorkshire Integrated Care Board"]
    assert wy[1] == "refused (s.43)"
    assert wy[5] == r"refused (s.43, s.40): commercial \| risk"
    assert lines["NHS South Yorkshire Integrated Care Board"][1:] == ["no reply"] * 7
    assert "| s.43 | 3 |" in md and "| s.40 | 1 |" in md
    assert "| NHS South Yorkshire Integrated Care Board (K-0003) | 2026-10-29 | 17 |" in md
    assert "- NHS Cornwall and the Isles of Scilly Integrated Care Board (K-0004), due " \
           "2026-12-21" in md  # St Andrew's Day is skipped (FOIA: any UK nation)
    assert "Devon" not in md


def test_csv(run, campaign: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("report", "--campaign", "fdp", "-f", "csv")
                                           .stdout)))
    by = {r["item"]: r for r in rows}
    assert by["K-0002"]["q5_outcome"] == "refused"
    assert by["K-0002"]["q5_exemptions"] == "s.43 s.40"
    assert by["K-0002"]["on_time"] == "no" and by["K-0001"]["on_time"] == "yes"
    assert by["K-0003"]["days_late"] == "17"


def test_html_is_self_contained_and_accessible(run, campaign: Path, tmp_path) -> None:
    out = tmp_path / "fdp.html"
    run("report", "--campaign", "fdp", "--format", "html", "-o", str(out))
    html = out.read_text()
    assert html.startswith("<!doctype html>") and '<html lang="en">' in html
    assert '<meta name="viewport"' in html
    assert "<script" not in html.lower() and "@import" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"url\(", html)
    assert "<caption" in html and '<th scope="col">' in html and '<th scope="row">' in html
    assert 'role="img"' in html and "<title id=" in html
    assert "refused</span> (s.43, s.40)" in html
    assert html.count('<tr><th scope="row">') == 4 + 2 + 1  # bodies, exemptions, overdue


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_html_in_headless_chromium(run, campaign: Path, tmp_path) -> None:
    out = tmp_path / "fdp.html"
    run("report", "--campaign", "fdp", "--format", "html", "-o", str(out))
    page = Page(width=390, height=844)  # a phone
    try:
        page.open(out.as_uri())
        assert page.errors() == []
        assert page.requests() == [out.as_uri()]
        assert page.evaluate("document.querySelectorAll('table caption').length") >= 2
        assert page.evaluate("window.innerWidth") == 390
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, "the page itself must not scroll sideways on a phone"
        shot = tmp_path / "report.png"
        page.screenshot(shot)
        assert shot.stat().st_size > 10_000
        keep = ROOT / "bench" / "results"
        keep.mkdir(parents=True, exist_ok=True)
        (keep / "report-phone.png").write_bytes(shot.read_bytes())
    finally:
        page.close()


def test_bad_input(run, campaign: Path) -> None:
    assert "unknown format" in run("report", "-f", "pdf", code=5).stderr
    assert "no campaign 'nope'" in run("report", "--campaign", "nope", code=5).stderr


def test_report_of_everything(run, campaign: Path) -> None:
    md = run("report").stdout
    assert md.startswith("# All requests") and "Devon" in md
