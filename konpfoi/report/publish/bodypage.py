"""One body's page: what the register knows of it, and each request sent to it — the text as
sent, the dates and whether it was answered in time (with how the deadline was counted), the
answers question by question, the replies and the documents released, and what followed."""

from __future__ import annotations

import re
from html import escape as e

from konpfoi.directory.bodies import KINDS, Body
from konpfoi.report.html import cell
from konpfoi.report.publish.pages import Pages, Reply, Request, question_path
from konpfoi.report.words import days_late
from konpfoi.tracking import register


def render(p: Pages, body_id: str, requests: list[Request]) -> str:
    """The whole page."""
    b = p.d.bodies.get(body_id)
    name = b.name if b else requests[0].row.body
    main = [f"<h1>{e(name)}</h1>", _about(b), _facts(p, body_id)]
    main += [_request(req, n) for n, req in enumerate(requests, start=1)]
    return p.page(name, "".join(main), 1)


def _about(b: Body | None) -> str:
    if b is None:
        return ""
    rows = [("Kind", KINDS.get(b.kind, b.kind)), ("Region", b.region), ("Website", b.website)]
    items = "".join(f"<dt>{e(k)}</dt><dd>{_link(v) if k == 'Website' else e(v)}</dd>"
                    for k, v in rows if v)
    return f'<dl class="facts">{items}</dl>'


def _link(url: str) -> str:
    return f'<a href="{e(url, quote=True)}">{e(url)}</a>' if url.startswith("http") else e(url)


def _facts(p: Pages, body_id: str) -> str:
    bf = p.known.get(body_id)
    status = bf.status if bf else "unknown"
    label = "sources disagree" if status == register.CONFLICT else register.STATUSES[status]
    extra = ""
    if bf is not None:
        for key in ("fdp-since", "fdp-products"):
            if bf.value(key):
                extra += f"<dt>{e(register.KEYS[key])}</dt><dd>{e(str(bf.value(key)))}</dd>"
    evidence = p.evidence(body_id)
    return ('<section aria-labelledby="s-fdp"><h2 id="s-fdp">Federated Data Platform</h2>'
            f'<dl class="facts"><dt>Status</dt><dd>{e(label)}</dd>{extra}'
            + (f"<dt>Evidence</dt><dd>{evidence}</dd>" if evidence else "")
            + "</dl></section>\n")


def _request(req: Request, n: int) -> str:
    row, item = req.row, req.item
    sid = f"r{n}"
    facts = [("Reference", item.id), ("Sent", row.sent), ("Due", row.due),
             ("Replied", row.replied), ("Answered in time?", row.timeliness),
             ("Working days late", days_late(row)), ("Their reference", row.their_ref),
             ("State", row.state)]
    dl = "".join(f"<dt>{e(k)}</dt><dd>{e(str(v))}</dd>" for k, v in facts if v)
    title = re.sub(rf"\s*\[{re.escape(item.id)}\]", "", item.subject or "") or "Request"
    out = [f'<section aria-labelledby="{sid}"><h2 id="{sid}">{e(title)} ({e(item.id)})</h2>',
           f'<dl class="facts">{dl}</dl>', _working(req, sid), _answers(req, sid)]
    if req.text:
        out.append(f'<h3 id="{sid}-text">The request as sent</h3><details><summary>Read the '
                   f'request</summary><div class="reply">{e(req.text)}</div></details>')
    out += [_reply(r, sid, k) for k, r in enumerate(req.replies, start=1)]
    if req.followups:
        items = "".join(f"<li>{e(d)}: {e(w)}</li>" for d, w in req.followups)
        out.append(f'<h3 id="{sid}-next">What happened</h3><ul>{items}</ul>')
    return "".join(out) + "</section>\n"


def _working(req: Request, sid: str) -> str:
    if not req.working:
        return ""
    lines = "".join(f"<li>{e(x)}</li>" for x in req.working)
    skipped = ("<p>Not counted, besides weekends: " + "; ".join(e(s) for s in req.skipped)
               + ".</p>") if req.skipped else "<p>Only weekends were not counted.</p>"
    return (f'<h3 id="{sid}-clock">How the deadline was counted</h3><ul>{lines}</ul>'
            f"{skipped}")


def _answers(req: Request, sid: str) -> str:
    questions = req.item.questions
    if not questions or not req.row.replied:
        return ""
    rows = "".join(
        f'<tr><th scope="row"><a href="../{question_path(req.row.question_set, q["number"])}">'
        f'Q{q["number"]} {e(q.get("label") or "")}</a></th><td>{cell(req.row, q["number"])}'
        "</td></tr>" for q in questions)
    return (f'<h3 id="{sid}-answers">What they said, question by question</h3>'
            f'<div class="scroll" role="region" aria-labelledby="{sid}-cap" tabindex="0">'
            f'<table><caption id="{sid}-cap">Answers to each question, as the campaign '
            'coded them</caption><thead><tr><th scope="col">Question</th><th scope="col">'
            f"Answer</th></tr></thead><tbody>{rows}</tbody></table></div>")


def _reply(reply: Reply, sid: str, k: int) -> str:
    docs = "".join(f'<li><a href="../{e(d.href, quote=True)}">{e(d.name)}</a> '
                   f"({_size(d.size)})</li>" for d in reply.documents)
    return (f'<h3 id="{sid}-reply{k}">{e(reply.what)} of {e(reply.date)}</h3>'
            + (f'<div class="reply">{e(reply.text)}</div>' if reply.text else "")
            + (f"<p>Documents released:</p><ul>{docs}</ul>" if docs else ""))


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"
