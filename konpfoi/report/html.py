"""The campaign report as one self-contained HTML page: inline CSS and SVG charts, no script,
no font or image fetched from anywhere, readable on a phone, tables marked up for screen
readers."""

from __future__ import annotations

from html import escape

from konpfoi.report.campaign import OUTCOME_LABELS, Cell, Report

COLOURS = {"answered": "#1b7f3b", "partly-answered": "#b26a00", "refused": "#b3261e",
           "not-held": "#5c5f66", "clarification-sought": "#6a4fb3", None: "#c9ccd1"}
CSS = """
:root { color-scheme: light; --ink: #1d1f23; --muted: #5c5f66; --line: #d5d8dd; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #fff; }
header, main, footer { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 2px solid var(--line); }
.muted { color: var(--muted); }
ul.cards { list-style: none; padding: 0; display: grid; gap: .75rem;
           grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); }
ul.cards li { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem; }
ul.cards strong { display: block; font-size: 1.6rem; }
.scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: .5rem; }
.scroll:focus { outline: 3px solid #1a5fb4; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
caption { text-align: left; padding: .5rem; font-weight: 600; }
th, td { border-top: 1px solid var(--line); padding: .5rem; vertical-align: top;
         text-align: left; }
thead th { background: #f3f4f6; position: sticky; top: 0; }
tbody th { font-weight: 600; min-width: 10rem; }
td { min-width: 9rem; }
.tag { display: inline-block; padding: 0 .4rem; border-radius: .25rem; color: #fff;
       font-size: .8rem; font-weight: 600; white-space: nowrap; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .75rem; }
.legend span { display: inline-block; width: .9rem; height: .9rem; border-radius: .2rem;
               vertical-align: -.1rem; margin-right: .3rem; }
svg { max-width: 100%; height: auto; }
svg text { font: 13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: #1d1f23; }
@media (max-width: 40rem) { body { font-size: 15px; } h1 { font-size: 1.35rem; } }
"""


def to_html(r: Report) -> str:
    title = f"{r.campaign or 'All requests'}: what the bodies said"
    parts = [
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        f"<header><h1>{escape(title)}</h1><p class=\"muted\">As of {escape(r.today)}. "
        "Made with konpfoi from the campaign's own ledger.</p></header>\n<main>\n",
        _summary(r), _by_question(r), _matrix(r), _exemptions(r), _late(r),
        "</main>\n<footer class=\"muted\"><p>Outcomes as coded by the campaign; a refusal names "
        "the exemptions the body cited.</p></footer>\n</body>\n</html>\n",
    ]
    return "".join(parts)


def _summary(r: Report) -> str:
    cards = [
        (len(r.sent), "requests sent"), (len(r.replied), "replies"),
        (len(r.not_replied), "without a reply"), (len(r.overdue), "overdue"),
        ("-" if r.on_time_rate is None else f"{r.on_time_rate:.0%}", "answered on time"),
        ("-" if r.median_days is None else f"{r.median_days:g}", "median working days to reply"),
    ]
    items = "".join(f"<li><strong>{escape(str(n))}</strong>{escape(label)}</li>"
                    for n, label in cards)
    return (f'<section aria-labelledby="s-summary"><h2 id="s-summary">Summary</h2>'
            f'<ul class="cards">{items}</ul></section>\n')


def _legend() -> str:
    return '<ul class="legend">' + "".join(
        f'<li><span style="background:{COLOURS[k]}"></span>{escape(v)}</li>'
        for k, v in OUTCOME_LABELS.items()) + "</ul>"


def _by_question(r: Report) -> str:
    if not r.questions or not r.replied:
        return ""
    counts = r.by_question()
    width, row_h, label_w = 360, 30, 44
    height = row_h * len(r.questions) + 10
    bars = []
    for i, q in enumerate(r.questions):
        c = counts[q["number"]]
        total = sum(c.values()) or 1
        y = 5 + i * row_h
        bars.append(f'<text x="0" y="{y + 19}">Q{q["number"]}<title>{escape(q["label"])}'
                    "</title></text>")
        x = float(label_w)
        for outcome in OUTCOME_LABELS:
            n = c.get(outcome, 0)
            if not n:
                continue
            w = (width - label_w - 10) * n / total
            bars.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 8}" '
                        f'fill="{COLOURS[outcome]}"><title>Q{q["number"]}: {n} '
                        f'{escape(OUTCOME_LABELS[outcome])}</title></rect>')
            x += w
    desc = "; ".join(
        f"Q{q['number']}: " + ", ".join(f"{n} {OUTCOME_LABELS[o]}"
                                        for o, n in counts[q["number"]].items())
        for q in r.questions)
    return (f'<section aria-labelledby="s-q"><h2 id="s-q">Answers by question</h2>'
            f'<svg role="img" aria-labelledby="q-t q-d" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}"><title id="q-t">Outcome of each question '
            f'across {len(r.replied)} replies</title><desc id="q-d">{escape(desc)}</desc>'
            + "".join(bars) + f"</svg>{_legend()}</section>\n")


def _cell(c: Cell | None, replied: bool) -> str:
    if c is None or c.outcome is None:
        return f'<td class="muted">{"not coded" if replied else "no reply"}</td>'
    tag = (f'<span class="tag" style="background:{COLOURS[c.outcome]}">'
           f"{escape(OUTCOME_LABELS[c.outcome])}</span>")
    ex = f" ({escape(', '.join(c.exemptions))})" if c.exemptions else ""
    text = f"<br>{escape(c.answer)}" if c.answer else ""
    return f"<td>{tag}{ex}{text}</td>"


def _matrix(r: Report) -> str:
    if not r.questions:
        return ""
    head = "".join(f'<th scope="col"><abbr title="{escape(q["text"])}">Q{q["number"]}</abbr> '
                   f'{escape(q["label"])}</th>' for q in r.questions)
    rows = []
    for x in r.rows:
        cells = "".join(_cell(x.cells.get(q["number"]), bool(x.replied)) for q in r.questions)
        rows.append(f'<tr><th scope="row">{escape(x.body)}<br><span class="muted">{x.item}'
                    f' · {escape(x.state)}</span></th>{cells}</tr>')
    return (f'<section aria-labelledby="s-m"><h2 id="s-m">Answers by body</h2>'
            f'<div class="scroll" role="region" aria-labelledby="m-cap" tabindex="0">'
            f'<table><caption id="m-cap">What each body said to each question</caption>'
            f'<thead><tr><th scope="col">Body</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div></section>\n')


def _exemptions(r: Report) -> str:
    if not r.exemptions:
        return ""
    top = r.exemptions[:12]
    most = top[0][1]
    width, row_h = 360, 26
    height = row_h * len(top) + 10
    bars = []
    for i, (code, n) in enumerate(top):
        y = 5 + i * row_h
        w = (width - 150) * n / most
        bars.append(f'<text x="0" y="{y + 17}">{escape(code)}</text><rect x="100" y="{y}" '
                    f'width="{w:.1f}" height="{row_h - 8}" fill="{COLOURS["refused"]}"/>'
                    f'<text x="{105 + w:.1f}" y="{y + 17}">{n}</text>')
    rows = "".join(f'<tr><th scope="row">{escape(c)}</th><td>{n}</td></tr>' for c, n in
                   r.exemptions)
    return (f'<section aria-labelledby="s-e"><h2 id="s-e">Exemptions cited</h2>'
            f'<svg role="img" aria-labelledby="e-t" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}"><title id="e-t">How often each exemption was '
            f'cited</title>' + "".join(bars) + '</svg><div class="scroll"><table><caption>'
            'Exemptions cited</caption><thead><tr><th scope="col">Exemption</th>'
            f'<th scope="col">Times cited</th></tr></thead><tbody>{rows}</tbody></table>'
            "</div></section>\n")


def _late(r: Report) -> str:
    out = []
    if r.overdue:
        rows = "".join(f'<tr><th scope="row">{escape(x.body)}</th><td>{x.item}</td>'
                       f"<td>{x.due}</td><td>{x.days_late}</td></tr>" for x in r.overdue)
        out.append('<section aria-labelledby="s-o"><h2 id="s-o">Overdue</h2><div '
                   'class="scroll"><table><caption>Requests past their legal deadline with no '
                   'reply</caption><thead><tr><th scope="col">Body</th><th scope="col">Item'
                   '</th><th scope="col">Due</th><th scope="col">Working days late</th></tr>'
                   f"</thead><tbody>{rows}</tbody></table></div></section>\n")
    waiting = [x for x in r.not_replied if not x.days_late]
    if waiting:
        items = "".join(f"<li>{escape(x.body)} ({x.item}), "
                        + (f"due {x.due}" if x.due else "a letter with no statutory deadline")
                        + "</li>" for x in waiting)
        out.append('<section aria-labelledby="s-w"><h2 id="s-w">Awaiting a reply</h2>'
                   f"<ul>{items}</ul></section>\n")
    return "".join(out)
