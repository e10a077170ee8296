"""The campaign report as one page a group can publish: its own title, introduction and name,
credit to whoever wrote the questions, inline CSS and SVG (no script, nothing fetched), tables
screen readers understand, readable on a phone (390 px) and a laptop (1280 px) with no page
scrolling sideways (wide tables scroll in their own box), and clean on paper."""

from __future__ import annotations

from html import escape

from konpfoi.report.campaign import OUTCOME_LABELS, Exemption, QuestionSet, Report, Row
from konpfoi.report.words import cell_text, days_late, heading, pct, summary_line
from konpfoi.workspace.words import plural

COLOURS = {"answered": "#1b7f3b", "partly-answered": "#b26a00", "refused": "#b3261e",
           "not-held": "#5c5f66", "clarification-sought": "#6a4fb3", None: "#c9ccd1"}
CSS = """
:root { color-scheme: light; --ink: #1d1f23; --muted: #5c5f66; --line: #d5d8dd; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #fff; }
header, main, footer { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.7rem; line-height: 1.25; margin: .25rem 0 .75rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 2px solid var(--line); }
p, li, td, th, caption { overflow-wrap: anywhere; }
.group { font-weight: 600; margin: 0; color: var(--muted); text-transform: uppercase;
         letter-spacing: .04em; font-size: .85rem; }
.lede { font-size: 1.1rem; max-width: 46rem; }
.muted { color: var(--muted); }
.note { font-size: .9rem; color: var(--muted); max-width: 46rem; }
ul.cards { list-style: none; padding: 0; display: grid; gap: .75rem;
           grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); }
ul.cards li { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem; }
ul.cards strong { display: block; font-size: 1.6rem; }
.scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: .5rem;
          max-width: 100%; }
.scroll:focus { outline: 3px solid #1a5fb4; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
caption { text-align: left; padding: .5rem; font-weight: 600; }
th, td { border-top: 1px solid var(--line); padding: .5rem; vertical-align: top;
         text-align: left; }
thead th { background: #f3f4f6; }
tbody th { font-weight: 600; min-width: 9rem; }
.matrix td { min-width: 9rem; }
.tag { display: inline-block; padding: 0 .4rem; border-radius: .25rem; color: #fff;
       font-size: .8rem; font-weight: 600; white-space: nowrap; }
.late { color: #b3261e; font-weight: 600; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .75rem; }
.legend span { display: inline-block; width: .9rem; height: .9rem; border-radius: .2rem;
               vertical-align: -.1rem; margin-right: .3rem; }
ol.questions li { margin-bottom: .4rem; }
svg { max-width: 100%; height: auto; }
svg text { font: 13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: #1d1f23; }
footer { border-top: 2px solid var(--line); margin-top: 2rem; font-size: .9rem; }
@media (max-width: 40rem) { body { font-size: 15px; } h1 { font-size: 1.4rem; }
  header, main, footer { padding: .75rem; } }
@media print {
  body { font-size: 10.5pt; }
  header, main, footer { max-width: none; padding: 0; }
  .scroll { overflow: visible; border: none; }
  table { font-size: 9pt; }
  .matrix td, tbody th { min-width: 0; }
  thead { display: table-header-group; }
  tr, ul.cards li, svg, figure { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; }
  a[href^="http"]::after { content: " (" attr(href) ")"; }
  .tag { color: #000; border: 1px solid #000; background: none !important; }
}
"""


def to_html(r: Report, title: str | None = None, intro: str | None = None,
            group: str | None = None, website: str | None = None) -> str:
    """The page: `title`, `intro` (paragraphs split by blank lines) and `group` are the
    campaign's own words; without a title, the question set's title names the page."""
    title = title or (f"{r.sets[0].title}: what the bodies said" if len(r.sets) == 1
                      else "What the bodies said")
    paras = [p.strip() for p in (intro or "").split("\n\n") if p.strip()]
    chosen = heading(r)
    head = (f'<header>{f"<p class=group>{escape(group)}</p>" if group else ""}'
            f"<h1>{escape(title)}</h1>"
            + "".join(f'<p class="lede">{escape(p)}</p>' for p in paras)
            + f'<p class="muted">Requests: {escape(chosen)}. Figures as of '
            f"{escape(r.today)}.</p></header>\n")
    return "".join([
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        head, "<main>\n", _summary(r), _requests(r),
        *(_question_set(r, qs, n) for n, qs in enumerate(r.sets)),
        _exemptions(r), _late(r), "</main>\n", _footer(r, group, website),
        "</body>\n</html>\n",
    ])


def _summary(r: Report) -> str:
    cards = [
        (len(r.sent), f"{plural('request', len(r.sent))} sent"),
        (len(r.replied), plural("reply", len(r.replied))),
        (len(r.not_replied), "without a reply"), (len(r.overdue), "overdue now"),
        (pct(r.on_time_rate), "answered on time"),
        ("-" if r.median_days is None else f"{r.median_days:g}", "median working days to reply"),
    ]
    items = "".join(f"<li><strong>{escape(str(n))}</strong>{escape(label)}</li>"
                    for n, label in cards)
    return (f'<section aria-labelledby="s-summary"><h2 id="s-summary">Summary</h2>'
            f"<p>{escape(summary_line(r))}</p>"
            f'<ul class="cards">{items}</ul><p class="note">Answered on time: '
            f"{escape(r.on_time_note)}. The law gives 20 working days (FOIA s.10, FOISA s.10, "
            "EIR reg 5); letters to MPs and boards have no legal deadline and are not "
            "counted.</p></section>\n")


def _requests(r: Report) -> str:
    rows = "".join(
        f'<tr><th scope="row">{escape(x.body)}<br><span class="muted">{_item(x)}</span>'
        f"</th><td>{x.sent or ''}</td><td>{x.due or ''}</td><td>{x.replied or ''}</td>"
        f'<td{" class=late" if x.timeliness in ("late", "overdue") else ""}>'
        f"{escape(x.timeliness)}</td><td>{days_late(x)}</td></tr>" for x in r.rows)
    return ('<section aria-labelledby="s-r"><h2 id="s-r">Every request</h2>'
            '<div class="scroll" role="region" aria-labelledby="r-cap" tabindex="0"><table>'
            '<caption id="r-cap">When each body was asked, when it had to answer, and when '
            'it did</caption><thead><tr><th scope="col">Body</th><th scope="col">Sent</th>'
            '<th scope="col">Due</th><th scope="col">Replied</th><th scope="col">On time?</th>'
            '<th scope="col">Working days late</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div></section>\n")


def _item(x: Row) -> str:
    """The item's id, linked to the same request on WhatDoTheyKnow where there is one (only
    an http(s) address is ever kept: tracking.events.check_url)."""
    if x.url and x.url.startswith(("https://", "http://")):
        return f'<a href="{escape(x.url, quote=True)}">{escape(x.item)}</a>'
    return escape(x.item)


def _legend() -> str:
    return '<ul class="legend">' + "".join(
        f'<li><span style="background:{COLOURS[k]}"></span>{escape(v)}</li>'
        for k, v in OUTCOME_LABELS.items()) + "</ul>"


def _chart(r: Report, qs: QuestionSet, n: int) -> str:
    replied = [x for x in qs.rows if x.replied]
    if not qs.questions or not replied:
        return ""
    counts = r.by_question(qs)
    width, row_h, label_w = 360, 30, 44
    height = row_h * len(qs.questions) + 10
    bars = []
    for i, q in enumerate(qs.questions):
        c = counts[q["number"]]
        total = sum(c.values()) or 1
        y = 5 + i * row_h
        bars.append(f'<text x="0" y="{y + 19}">Q{q["number"]}<title>{escape(q["label"])}'
                    "</title></text>")
        x = float(label_w)
        for outcome in OUTCOME_LABELS:
            k = c.get(outcome, 0)
            if not k:
                continue
            w = (width - label_w - 10) * k / total
            bars.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 8}" '
                        f'fill="{COLOURS[outcome]}"><title>Q{q["number"]}: {k} '
                        f'{escape(OUTCOME_LABELS[outcome])}</title></rect>')
            x += w
    desc = "; ".join(f"Q{q['number']}: " + ", ".join(
        f"{k} {OUTCOME_LABELS[o]}" for o, k in counts[q["number"]].items())
        for q in qs.questions)
    return (f'<figure><svg role="img" aria-labelledby="q{n}-t q{n}-d" viewBox="0 0 {width} '
            f'{height}" width="{width}" height="{height}"><title id="q{n}-t">Outcome of each '
            f"question across {len(replied)} replies</title><desc id=\"q{n}-d\">"
            f"{escape(desc)}</desc>" + "".join(bars) + f"</svg>{_legend()}</figure>")


def cell(row: Row, number: int) -> str:
    """What a body said to one question, inside a table cell: the outcome as a coloured tag,
    the exemptions, the answer (the published site's pages share it)."""
    c = row.cells.get(number)
    if c is None or c.outcome is None:
        return f'<span class="muted">{escape(cell_text(c, row))}</span>'
    tag = (f'<span class="tag" style="background:{COLOURS[c.outcome]}">'
           f"{escape(OUTCOME_LABELS[c.outcome])}</span>")
    ex = f" ({escape(', '.join(c.exemptions))})" if c.exemptions else ""
    whole = ' <span class="muted">(whole reply)</span>' if c.whole else ""
    text = f"<br>{escape(c.answer)}" if c.answer else ""
    return f"{tag}{ex}{whole}{text}"


def _cell(row: Row, number: int) -> str:
    return f"<td>{cell(row, number)}</td>"


def _question_set(r: Report, qs: QuestionSet, n: int) -> str:
    questions = "".join(f"<li><strong>{escape(q['label'])}</strong>: {escape(q['text'])}</li>"
                        for q in qs.questions)
    head = "".join(f'<th scope="col"><abbr title="{escape(q["text"])}">Q{q["number"]}</abbr> '
                   f'{escape(q["label"])}</th>' for q in qs.questions)
    rows = "".join(
        f'<tr><th scope="row">{escape(x.body)}<br><span class="muted">{escape(x.item)} · '
        f"{escape(x.state)}</span></th>"
        + "".join(_cell(x, q["number"]) for q in qs.questions) + "</tr>" for x in qs.rows)
    credit = f" The questions were written by {escape(qs.source)}." if qs.source else ""
    return (f'<section aria-labelledby="s-q{n}"><h2 id="s-q{n}">Answers: {escape(qs.title)}'
            f"</h2><p>{_asked(len(qs.rows))}{credit}</p>"
            f'<ol class="questions">{questions}</ol>{_chart(r, qs, n)}'
            f'<div class="scroll" role="region" aria-labelledby="m{n}-cap" tabindex="0">'
            f'<table class="matrix"><caption id="m{n}-cap">What each body said to each '
            f'question</caption><thead><tr><th scope="col">Body</th>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div></section>\n")


def _asked(n: int) -> str:
    return "One body was asked these questions." if n == 1 else \
        f"{n} bodies were asked these questions."


def _exemptions(r: Report) -> str:
    """The exemptions and exceptions cited, then apart from them the refusals to comply."""
    return _cited(
        r.exemptions, "s-e", "Exemptions cited",
        "Grouped by section of the Act (or regulation of the EIR). A body that says information "
        "is not held is not withholding it, nor is one that refuses to comply on cost or as "
        "vexatious or repeated: only exemptions and exceptions are counted here.",
        "Exemptions and exceptions relied on to withhold information") + _cited(
        r.refusal_grounds, "s-g", "Refusals to comply",
        "Cost (section 12) and vexatious or repeated requests (section 14) are not exemptions: "
        "under them a body declines to comply with a request at all.",
        "Grounds relied on to refuse to comply")


def _cited(groups: list[Exemption], anchor: str, title: str, note: str, caption: str) -> str:
    if not groups:
        return ""
    rows = "".join(
        f'<tr><th scope="row">{escape(g.section)}<br><span class="muted">{escape(g.name)}'
        f"</span></th><td>{g.bodies}</td><td>{g.cells}</td><td>"
        + escape(", ".join(f"{c} ×{k}" for c, k in g.codes.most_common())) + "</td></tr>"
        for g in groups)
    return (f'<section aria-labelledby="{anchor}"><h2 id="{anchor}">{title}</h2>'
            f'<p class="note">{note}</p><div class="scroll"><table><caption>{caption}'
            '</caption><thead><tr>'
            '<th scope="col">Section</th><th scope="col">Bodies</th><th scope="col">Answers'
            '</th><th scope="col">As cited</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div></section>\n")


def _late(r: Report) -> str:
    out = []
    if r.overdue:
        rows = "".join(f'<tr><th scope="row">{escape(x.body)}</th><td>{escape(x.item)}</td>'
                       f"<td>{x.due}</td><td>{x.days_late}</td></tr>" for x in r.overdue)
        out.append('<section aria-labelledby="s-o"><h2 id="s-o">Overdue</h2><div '
                   'class="scroll"><table><caption>Requests past their legal deadline with no '
                   'reply</caption><thead><tr><th scope="col">Body</th><th scope="col">Item'
                   '</th><th scope="col">Due</th><th scope="col">Working days late</th></tr>'
                   f"</thead><tbody>{rows}</tbody></table></div></section>\n")
    waiting = [x for x in r.rows if x.timeliness == "not yet due"]
    if waiting:
        items = "".join(f"<li>{escape(x.body)} ({escape(x.item)}), due {x.due}</li>"
                        for x in waiting)
        out.append('<section aria-labelledby="s-w"><h2 id="s-w">Awaiting a reply</h2>'
                   f"<ul>{items}</ul></section>\n")
    return "".join(out)


def _footer(r: Report, group: str | None, website: str | None) -> str:
    credits = [f"Questions: {escape(qs.title)}" + (f", by {escape(qs.source)}" if qs.source
                                                  else "") + "." for qs in r.sets]
    who = escape(group) if group else "the campaign"
    if group and website:
        who = f'<a href="{escape(website, quote=True)}">{escape(group)}</a>'
    return ('<footer class="muted">' + "".join(f"<p>{c}</p>" for c in credits)
            + f"<p>Compiled by {who} from its own record of the requests it sent and the "
            "replies it received; outcomes are as the campaign coded them. Made with "
            "konpfoi.</p></footer>\n")
