"""The site's pages as HTML: the front page, one page per body, one per question. Plain
HTML and CSS (the report page's), no script, relative links that work from a folder opened
with file:// as well as on any static host; headings in order, captioned tables, a skip
link, readable at 390 px and 1280 px without the page scrolling sideways, and on paper."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape as e
from typing import Any

from konpfoi.directory.lookup import Directory
from konpfoi.ledger.model import Item
from konpfoi.report.campaign import OUTCOME_LABELS, QuestionSet, Report, Row
from konpfoi.report.html import CSS, cell
from konpfoi.report.publish.data import FILES
from konpfoi.report.words import days_late, pct
from konpfoi.tracking import register
from konpfoi.workspace.words import plural

SITE_CSS = CSS + """
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 1; }
nav ul { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 1rem; }
nav a { color: #1a4f8b; font-weight: 600; }
a { color: #1a4f8b; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
.reply { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f7f9;
         border-left: 4px solid var(--line); padding: .75rem; margin: .5rem 0;
         font: inherit; max-width: 100%; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.scroll th, .scroll td { overflow-wrap: normal; }
.scroll td, .scroll thead th { min-width: 6rem; }
.scroll td a { overflow-wrap: anywhere; }
.d { white-space: nowrap; }
details { margin: .5rem 0; }
summary { cursor: pointer; color: #1a4f8b; }
@media print { nav, .skip { display: none; } details { display: block; }
  .scroll td, .scroll thead th { min-width: 0; }
  .reply { background: none; border-left: 1px solid #000; } }
"""
@dataclass(frozen=True)
class Options:
    """What the user chose for the site: its words, what it covers, what is taken out."""

    title: str | None = None
    intro: str | None = None
    group: str | None = None
    website: str | None = None
    campaign: str | None = None
    question_set: str | None = None
    officials: bool = True  # redact officials' names, direct emails and phones
    unchecked: bool = False  # publish documents whose text cannot be checked



@dataclass
class Document:
    name: str
    href: str  # from the site's root
    size: int


@dataclass
class Reply:
    date: str
    what: str
    text: str
    documents: list[Document] = field(default_factory=list)


@dataclass
class Request:
    """One request as its body's page tells it."""

    row: Row
    item: Item
    text: str
    working: list[str]
    skipped: list[str]
    replies: list[Reply]
    followups: list[tuple[str, str]]



_STATUS_ORDER = ("in-use", "signed-up", "not-in-use", "declined", register.CONFLICT, "unknown")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def body_path(body_id: str) -> str:
    return f"bodies/{slug(body_id)}.html"


def question_path(set_id: str | None, number: int) -> str:
    return f"questions/{slug(set_id or 'questions')}-q{number}.html"


def _status_label(status: str) -> str:
    return "claims disagree" if status == register.CONFLICT else \
        register.STATUSES.get(status, status)


class Pages:
    """Renders the pages of one site: its report, directory, register and options."""

    def __init__(self, r: Report, directory: Directory,
                 known: Mapping[str, register.BodyFacts], options: Options,
                 today: dt.date) -> None:
        self.r, self.d, self.known, self.o, self.today = r, directory, known, options, today
        first = r.sets[0].title if len(r.sets) == 1 else None
        self.title = options.title or (f"{first}: what the bodies said" if first
                                       else "What the bodies said")

    # -- the frame ----------------------------------------------------------------------------

    def page(self, title: str, main: str, depth: int) -> str:
        """A whole page: `main` in the site's frame, `depth` folders below the front page."""
        up = "../" * depth
        links = [("index.html", "Home"), ("index.html#bodies", "Bodies"),
                 ("index.html#questions", "Questions"), ("index.html#register", "FDP register"),
                 ("index.html#data", "Data")]
        nav = "".join(f'<li><a href="{up}{href}">{e(label)}</a></li>' for href, label in links)
        group = f'<p class="group">{e(self.o.group)}</p>' if self.o.group else ""
        head = title if depth == 0 else f"{title} - {self.title}"
        return ('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>{e(head)}</title>\n<style>{SITE_CSS}</style>\n</head>\n<body>\n"
                '<a class="skip" href="#main">Skip to the content</a>\n'
                f'<header>{group}<nav aria-label="Site"><ul>{nav}</ul></nav></header>\n'
                f'<main id="main">\n{main}</main>\n{self._footer()}</body>\n</html>\n')

    def _footer(self) -> str:
        credits = [f"Questions: {e(qs.title)}" + (f", by {e(qs.source)}" if qs.source else "")
                   + "." for qs in self.r.sets]
        who = e(self.o.group) if self.o.group else "the campaign"
        if self.o.group and self.o.website:
            who = f'<a href="{e(self.o.website, quote=True)}">{e(self.o.group)}</a>'
        return ('<footer class="muted">' + "".join(f"<p>{c}</p>" for c in credits)
                + f"<p>Published by {who} from its own record of the requests it sent and the "
                f"replies it received, as of {self.today:%-d %B %Y}; answers are as the "
                "campaign coded them. Names, email addresses and telephone numbers of people "
                "have been removed. Made with konpfoi.</p></footer>\n")

    # -- the front page -----------------------------------------------------------------------

    def front(self, with_pages: set[str]) -> str:
        r = self.r
        paras = [p.strip() for p in (self.o.intro or "").split("\n\n") if p.strip()]
        cards = [(len(r.sent), f"{plural('request', len(r.sent))} sent"),
                 (len(r.replied), "answered"),
                 (pct(r.on_time_rate), "answered on time"),
                 (len(r.refused), "refused, in whole or part"), (len(r.overdue), "overdue now")]
        items = "".join(f"<li><strong>{e(str(n))}</strong>{e(label)}</li>" for n, label in cards)
        main = (f"<h1>{e(self.title)}</h1>" + "".join(f'<p class="lede">{e(p)}</p>'
                                                         for p in paras)
                + f'<p class="muted">Figures as of {self.today:%-d %B %Y}.</p>'
                '<section aria-labelledby="s-fig"><h2 id="s-fig">Headline figures</h2>'
                f'<ul class="cards">{items}</ul><p class="note">Answered on time: '
                f"{e(r.on_time_note)}. The law gives 20 working days (FOIA s.10, FOISA s.10, "
                "EIR reg 5).</p></section>\n"
                + self._questions() + self._register(with_pages)
                + self._bodies(with_pages) + self._data())
        return self.page(self.title, main, 0)

    def _questions(self) -> str:
        out = ['<section aria-labelledby="questions"><h2 id="questions">The questions</h2>']
        for qs in self.r.sets:
            credit = f" Written by {e(qs.source)}." if qs.source else ""
            qs_items = "".join(
                f'<li><a href="{question_path(qs.id, q["number"])}">{e(q["label"])}</a>: '
                f'{e(q["text"])}</li>' for q in qs.questions)
            out.append(f"<h3>{e(qs.title)}</h3><p>{len(qs.rows)} requests asked these "
                       f'questions.{credit}</p><ol class="questions">{qs_items}</ol>')
        return "".join(out) + "</section>\n"

    def _register(self, with_pages: set[str]) -> str:
        bodies = [b for b in self.d if b.kind in ("icb", "trust") and not b.closed
                  and b.nation == "england"]
        status = {b.id: register.status_of(self.known, b.id) for b in bodies}
        regions = sorted({b.region or "Unknown region" for b in bodies})
        counts = Counter((b.region or "Unknown region", status[b.id]) for b in bodies)
        head = "".join(f'<th scope="col">{e(_status_label(s))}</th>' for s in _STATUS_ORDER)
        rows = "".join(f'<tr><th scope="row">{e(reg)}</th>' + "".join(
            f"<td>{counts.get((reg, s), 0)}</td>" for s in _STATUS_ORDER) + "</tr>"
            for reg in regions)
        known = [b for b in bodies if status[b.id] != "unknown"]
        listed = "".join(
            f'<tr><th scope="row">{self._body_link(b.id, b.name, with_pages, 0)}</th>'
            f"<td>{e(b.region or '')}</td><td>{e(_status_label(status[b.id]))}</td>"
            f'<td class="d">{e(self.known[b.id].value("fdp-since") or "")}</td>'
            f"<td>{self.evidence(b.id)}</td></tr>" for b in known)
        known_table = (
            '<div class="scroll" role="region" aria-labelledby="reg-known" tabindex="0"><table>'
            '<caption id="reg-known">What is known of each body, and where it came from'
            '</caption><thead><tr><th scope="col">Body</th><th scope="col">Region</th>'
            '<th scope="col">FDP</th><th scope="col">Since</th><th scope="col">Evidence</th>'
            f"</tr></thead><tbody>{listed}</tbody></table></div>") if known else (
            "<p>Nothing is known yet: every body is listed as not known.</p>")
        return ('<section aria-labelledby="register"><h2 id="register">Which NHS bodies use '
                "the Federated Data Platform</h2><p class=\"note\">Integrated care boards and "
                "NHS trusts in England. A status is recorded only with its evidence (a body's "
                "answer to an FOI request, or a published page); where sources disagree the "
                "body is shown as such.</p>"
                '<div class="scroll" role="region" aria-labelledby="reg-cap" tabindex="0">'
                '<table><caption id="reg-cap">Bodies by region and FDP status</caption>'
                f'<thead><tr><th scope="col">Region</th>{head}</tr></thead>'
                f"<tbody>{rows}</tbody></table></div>{known_table}</section>\n")

    def evidence(self, body_id: str) -> str:
        """Where each claim about a body came from."""
        bf = self.known.get(body_id)
        s = bf.keys.get("fdp") if bf else None
        if s is None:
            return ""
        out = []
        for c in s.claims:
            label = f"{_status_label(c.value)}: " if s.conflict else ""
            if c.source.startswith("http"):
                out.append(f'{e(label)}<a href="{e(c.source, quote=True)}">{e(c.source)}</a> '
                           f"(checked {e(c.checked)})")
            else:
                out.append(f"{e(label)}answer to an FOI request, {e(c.source)} "
                           f"({e(c.checked)})")
        return "<br>".join(out)

    def _body_link(self, body_id: str, name: str, with_pages: set[str], depth: int) -> str:
        if body_id not in with_pages:
            return e(name)
        return f'<a href="{"../" * depth}{body_path(body_id)}">{e(name)}</a>'

    def _bodies(self, with_pages: set[str]) -> str:
        rows = "".join(
            f'<tr><th scope="row">{self._body_link(x.body_id, x.body, with_pages, 0)}</th>'
            f'<td class="d">{e(x.sent or "")}</td><td class="d">{e(x.due or "")}</td>'
            f'<td class="d">{e(x.replied or "")}</td>'
            f'<td{" class=late" if x.timeliness in ("late", "overdue") else ""}>'
            f"{e(x.timeliness)}</td><td>{days_late(x)}</td></tr>" for x in self.r.rows)
        return ('<section aria-labelledby="bodies"><h2 id="bodies">Every request</h2>'
                '<div class="scroll" role="region" aria-labelledby="b-cap" tabindex="0"><table>'
                '<caption id="b-cap">Each body, when it was asked, when it had to answer, and '
                'when it did</caption><thead><tr><th scope="col">Body</th><th scope="col">'
                'Sent</th><th scope="col">Due</th><th scope="col">Replied</th>'
                '<th scope="col">On time?</th><th scope="col">Working days late</th></tr>'
                f"</thead><tbody>{rows}</tbody></table></div></section>\n")

    def _data(self) -> str:
        items = "".join(f'<li><a href="{href}">{e(href.split("/")[-1])}</a>: {e(what)}</li>'
                        for href, what in FILES.items())
        return ('<section aria-labelledby="data"><h2 id="data">Download the data</h2>'
                f"<ul>{items}</ul><p class=\"note\">The SQLite file opens in Datasette "
                "(datasette konpfoi.sqlite).</p></section>\n")

    # -- a question ---------------------------------------------------------------------------

    def question(self, qs: QuestionSet, q: dict[str, Any]) -> str:
        n = q["number"]
        rows = "".join(
            f'<tr><th scope="row"><a href="../{body_path(x.body_id)}">{e(x.body)}</a></th>'
            f'<td>{cell(x, n)}</td><td class="d">{e(x.replied or "")}</td></tr>' for x in qs.rows)
        counts = Counter(x.cells[n].outcome if n in x.cells else None
                         for x in qs.rows if x.replied)
        said = ", ".join(f"{k} {OUTCOME_LABELS[o]}" for o, k in counts.most_common())
        credit = f" Written by {e(qs.source)}." if qs.source else ""
        main = (f"<h1>Q{n}: {e(q['label'])}</h1><p class=\"lede\">{e(q['text'])}</p>"
                f"<p>From the questions “{e(qs.title)}”.{credit} "
                f"{len(qs.rows)} bodies were asked; of the replies: {e(said or 'none yet')}.</p>"
                '<div class="scroll" role="region" aria-labelledby="q-cap" tabindex="0">'
                f'<table class="matrix"><caption id="q-cap">What each body said to Q{n}'
                '</caption><thead><tr><th scope="col">Body</th><th scope="col">Answer</th>'
                f'<th scope="col">Replied</th></tr></thead><tbody>{rows}</tbody></table></div>')
        return self.page(f"Q{n}: {q['label']}", main, 1)
