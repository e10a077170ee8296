"""konpfoi publish (#16): the campaign's website from a ledger of over 200 requests — every
internal link resolves, no personal data of the requester or supporters anywhere (officials'
taken out unless --no-redact), the figures are the report's, it reruns changing only what
changed, and in headless Chromium it does not scroll sideways at 390 px or 1280 px."""

from __future__ import annotations

import datetime as dt
import html.parser
import json
import re
import shutil
import sqlite3
import zlib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
import time_machine
from browser import CHROMIUM, Page
from conftest import ROOT, TODAY, Run, on_day, with_group, write

pytestmark = pytest.mark.usefixtures("frozen")  # today: Mon 23 Nov 2026

REQUESTER = ["Jo Campaigner", "Campaigner", "jo@example.org", "1 High Street", "SE1 1AA"]
SUPPORTER = ["Ann Able", "ann@people.example", "Bob Baker", "bob@people.example"]
OFFICIAL = ["Jane Smith", "jane.smith@nhs.net", "020 7188 1234"]


@dataclass
class Built:
    root: Path
    home: Path
    site: Path
    items: dict[str, tuple[str, str]]  # item -> (body id, body email)


def _pdf(text: str) -> bytes:
    """A small PDF whose content stream (compressed, as most are) says `text`."""
    stream = zlib.compress(f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode("latin-1"))
    return (b"%PDF-1.4\n1 0 obj << /Length " + str(len(stream)).encode() +
            b" /Filter /FlateDecode >>\nstream\n" + stream + b"\nendstream\nendobj\n%%EOF\n")


def _reply(item: str, frm: str, n: int) -> EmailMessage:
    m = EmailMessage()
    m["From"] = f"Jane Smith <{frm}>"
    m["To"] = "jo@example.org"
    m["Subject"] = f"RE: Freedom of Information request [{item}]"
    m["Date"] = dt.date(2026, 10, 12 + n % 20).strftime("%a, %d %b %Y 10:00:00 +0000")
    m["Message-ID"] = f"<{item.lower()}-reply@nhs.example>"
    m.set_content(
        "Dear Ms Campaigner,\n\nThank you for your request. Please find our response below.\n"
        f"1. {'Yes, we use the FDP.' if n % 2 else 'No, we do not use it.'}\n"
        "5. This is withheld under section 43(2).\n\nKind regards,\n\nJane Smith\n"
        "Information Governance Officer\nDirect line: 020 7188 1234\n"
        f"Email: jane.smith@nhs.net or {frm}\n")
    if n % 10 == 0:
        m.add_attachment(b"product,status\nOPTICA,in use\n", maintype="text", subtype="csv",
                         filename="fdp-products.csv")
        m.add_attachment(_pdf("Dear Ms Jo Campaigner, our response to your request of the "
                              "first of October is in this letter and the table"),
                         maintype="application", subtype="pdf", filename="covering-letter.pdf")
        m.add_attachment(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, maintype="image", subtype="png",
                         filename="scan.png")
    return m


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    import mailbox

    root = tmp_path_factory.mktemp("publish")
    home = root / "home"
    with pytest.MonkeyPatch.context() as mp, time_machine.travel(TODAY, tick=False):
        for k, v in {"KONPFOI_HOME": str(home), "KONPFOI_CACHE_DIR": str(root / "cache"),
                     "COLUMNS": "120", "NO_COLOR": "1"}.items():
            mp.setenv(k, v)
        mp.chdir(root)
        run = Run()
        run("init", str(home), "--name", "Jo Campaigner", "--email", "jo@example.org",
            "--address", "1 High Street\nLondon SE1 1AA")
        with_group(home)
        people = write(root / "people.csv", "name,email,mp\nAnn Able,ann@people.example,5173\n"
                                            "Bob Baker,bob@people.example,4658\n")
        with on_day("2026-09-28"):
            run("batch", "--to", "icb:*", "-q", "palantir-fdp", "--campaign", "fdp")
            run("batch", "--where", "kind=trust", "-q", "palantir-fdp", "--campaign", "fdp")
            run("batch", "--supporters", str(people), "--template", "mp-fdp", "--campaign",
                "lobby")
        run("mark-sent", "--campaign", "fdp", "--date", "2026-10-01")
        with sqlite3.connect(home / "konpfoi.db") as con:
            items = {i: (b, e) for i, b, e in con.execute(
                "SELECT id, body_id, body_email FROM items WHERE campaign = 'fdp'")}
        assert len(items) >= 200
        box = mailbox.mbox(root / "replies.mbox")
        replied = sorted(items)[:150]
        for n, item in enumerate(replied):
            box.add(_reply(item, items[item][1], n))
        box.flush()
        box.close()
        run("replies", "import", str(root / "replies.mbox"))
        for n, item in enumerate(replied[:100]):
            run("code", item, "--q", f"1=answered:{'Yes, since June 2025' if n % 2 else 'No'}",
                "--q", "5=refused:s43", "--q", "2=not-held")
        run("record", replied[3], "review-requested", "--date", "2026-11-10")
        run("facts", "set", "trust:RJZ", "fdp=declined", "--source",
            "https://www.example-news.org/kings-fdp", "--date", "2026-11-01")
        site = root / "site"
        run("publish", str(site), "--title", "Palantir and our NHS: what they told us",
            "--intro", "We asked every ICB and trust.\n\nHere is what they said.")
    return Built(root, home, site, items)


@pytest.fixture
def there(built: Built, monkeypatch) -> Built:
    """Commands in this test use the built workspace."""
    monkeypatch.setenv("KONPFOI_HOME", str(built.home))
    monkeypatch.chdir(built.root)
    return built


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key])


def _parse(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def test_every_internal_link_resolves(built: Built) -> None:
    pages = sorted(built.site.rglob("*.html"))
    bodies = {p.stem for p in (built.site / "bodies").glob("*.html")}
    assert len(pages) > 200 and len(bodies) >= 200
    assert len(list((built.site / "questions").glob("*.html"))) == 7
    checked = 0
    for page in pages:
        for link in _parse(page).links:
            if re.match(r"^(https?|mailto):", link):
                continue
            assert not link.startswith(("/", "file:")), f"{page}: {link} is not relative"
            target, _, frag = link.partition("#")
            path = (page.parent / target).resolve() if target else page
            assert path.is_file(), f"{page.relative_to(built.site)} links to missing {link}"
            if frag:
                assert frag in _parse(path).ids, f"{page}: no #{frag} in {target}"
            checked += 1
    assert checked > 2000
    for name in ("requests.csv", "report.json", "fdp-register.csv", "konpfoi.sqlite"):
        assert (built.site / "data" / name).stat().st_size > 100


def test_no_personal_data_anywhere(built: Built) -> None:
    for path in built.site.rglob("*"):
        if not path.is_file():
            continue
        text = path.read_bytes().lower()
        for word in REQUESTER + SUPPORTER + OFFICIAL:
            assert word.lower().encode() not in text, f"{word!r} in {path}"
    page = (built.site / "index.html").read_text()
    assert '<html lang="en">' in page and "Skip to the content" in page


def test_a_body_page_shows_the_working_the_answers_and_the_documents(built: Built) -> None:
    item = sorted(built.items)[0]  # replied, coded, with documents (n = 0)
    body = built.items[item][0]
    page = (built.site / "bodies" / (re.sub(r"[^a-z0-9]+", "-", body.lower()) + ".html")
            ).read_text()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "How the deadline was counted" in text and "Only weekends were not counted" in text
    assert "Sent 2026-10-01 Due 2026-10-29 Replied" in text
    assert "20 working days (FOIA s.10(1)): due 2026-10-29" in text
    assert "Dear Ms [requester]," in text and "[name removed]" in text
    assert "[phone removed]" in text and "[email removed]" in text
    assert "What they said, question by question" in text and "(s.43)" in text
    assert 'href="../files/' in page and "fdp-products.csv" in page
    assert "covering-letter.pdf" not in page and "scan.png" not in page
    assert "Under the Freedom of Information Act 2000" in text  # the request as sent


def test_the_figures_are_the_reports(run, there: Built) -> None:
    report = run.json("report", "--campaign", "fdp", "--format", "json") if False else json.loads(
        run("report", "--format", "json").stdout)
    s = report["summary"]
    page = (there.site / "index.html").read_text()
    cards = dict((label, n) for n, label in re.findall(
        r"<li><strong>([^<]+)</strong>([^<]+)</li>", page))
    assert cards["requests sent"] == str(s["sent"])
    assert cards["answered"] == str(s["replied"]) and s["replied"] == 150
    assert cards["refused, in whole or part"] == str(s["refused"]) == "100"
    assert cards["overdue now"] == str(s["overdue"])
    data = json.loads((there.site / "data" / "report.json").read_text())
    assert data["summary"]["sent"] == s["sent"] - 0  # supporters' letters are never published
    with sqlite3.connect(there.site / "data" / "konpfoi.sqlite") as con:
        assert con.execute("SELECT COUNT(*) FROM requests").fetchone()[0] == s["sent"]
        assert con.execute("SELECT COUNT(*) FROM fdp_register").fetchone()[0] >= 100


def test_check_lists_every_redaction_and_writes_nothing(run, there: Built) -> None:
    out = run.json("publish", str(there.root / "checked"), "--check")
    assert out["checked_only"] and not (there.root / "checked").exists()
    kinds = {r["kind"] for r in out["redactions"]}
    assert {"requester", "name", "email", "phone"} <= kinds
    assert any(r["text"] == "Jane Smith" for r in out["redactions"])
    withheld = {(w["document"], w["why"]) for w in out["withheld"]}
    assert ("covering-letter.pdf", "it names the requester or a supporter") in withheld
    assert any(d == "scan.png" and "cannot be read" in why for d, why in withheld)
    human = run("publish", str(there.root / "checked"), "--check").stdout
    assert "Nothing written (--check)" in human and "Jane Smith" in human


def test_no_redact_leaves_officials_but_never_the_requester(run, there: Built) -> None:
    out = there.root / "open"
    run("publish", str(out), "--no-redact", "--include-unchecked")
    text = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert b"Jane Smith" in text and b"jane.smith@nhs.net" in text
    assert b"Campaigner" not in text and b"jo@example.org" not in text
    assert b"scan.png" in text and b"covering-letter.pdf" not in text


def test_running_again_rewrites_only_what_changed(run, there: Built) -> None:
    site = there.root / "again"
    shutil.copytree(there.site, site)
    (site / "CNAME").write_text("fdp.example.org\n")  # the user's own file: never touched
    first = run.json("publish", str(site), "--title", "Palantir and our NHS: what they told us",
                     "--intro", "We asked every ICB and trust.\n\nHere is what they said.")
    assert first["written"] == [] and first["removed"] == [] and first["unchanged"] > 200
    item = sorted(there.items)[160]  # not replied
    run("record", item, "acknowledged", "--their-ref", "FOI-2026-1")
    second = run.json("publish", str(site), "--title", "Palantir and our NHS: what they told "
                      "us", "--intro", "We asked every ICB and trust.\n\nHere is what they "
                      "said.")
    assert 1 <= len(second["written"]) <= 5 and any(p.startswith("bodies/") for p in
                                                    second["written"])
    narrow = run.json("publish", str(site), "--questions", "palantir-fdp", "--campaign", "fdp")
    assert narrow["removed"] == [] or all(not p.endswith("CNAME") for p in narrow["removed"])
    assert (site / "CNAME").is_file()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
@pytest.mark.parametrize("width", [390, 1280])
def test_in_headless_chromium_nothing_scrolls_sideways(built: Built, tmp_path, width) -> None:
    item = sorted(built.items)[0]
    body = re.sub(r"[^a-z0-9]+", "-", built.items[item][0].lower())
    pages = [built.site / "index.html", built.site / "bodies" / f"{body}.html",
             built.site / "questions" / "palantir-fdp-q1.html"]
    page = Page(width=width, height=900)
    try:
        for target in pages:
            page.events.clear()
            page.open(target.as_uri())
            assert page.errors() == []
            assert all(u.startswith("file://") for u in page.requests())
            assert page.evaluate("document.documentElement.lang") == "en"
            assert page.evaluate("[...document.querySelectorAll('table')].every(t => "
                                 "t.caption && t.caption.textContent.trim())")
            assert page.evaluate("document.querySelectorAll('h1').length") == 1
            assert page.evaluate("document.documentElement.scrollWidth") <= width, target.name
            shot = tmp_path / f"{target.stem}-{width}.png"
            page.screenshot(shot)
            assert shot.stat().st_size > 5_000
            keep = ROOT / "bench" / "results"
            keep.mkdir(parents=True, exist_ok=True)
            (keep / f"site-{target.stem if target.stem != body else 'body'}-{width}.png"
             ).write_bytes(shot.read_bytes())
        page.call("Emulation.setEmulatedMedia", media="print")
        page.call("Emulation.setDeviceMetricsOverride", width=718, height=1000,
                  deviceScaleFactor=1, mobile=False)
        assert page.evaluate("document.documentElement.scrollWidth") <= 718
    finally:
        page.close()
