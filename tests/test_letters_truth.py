"""Every follow-up letter is true on the day it is sent.

Ledgers are generated in many states — every kind of correspondence × outcomes and codings ×
clarification, extensions, late replies, reviews, complaints × days before, on and after each
deadline — and every follow-up that konpfoi agrees to draft is read for false claims: a date
"was due" that has not passed, "withheld" with no exemption, "not hold" with nothing coded not
held, "I attach" with no attachment, a review past its window without --late, a Scottish
Commissioner without a review, the ICO for a Scottish body, statute in a letter to an MP or a
board, an exemption named twice, a URL broken across lines; a refusal on cost (s.12) or as
vexatious or repeated (s.14) said as "withheld" or as an exemption.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from konpfoi.errors import Conflict, InvalidInput
from konpfoi.law import bank_holidays
from konpfoi.law.correspondence import FOLLOWUPS, KINDS, REGULATORS, SAR_COMPLAINT_FORM
from konpfoi.law.exemptions import NOT_HELD, is_refusal_ground, refusal_words
from konpfoi.law.workdays import Calendars
from konpfoi.ledger.model import Event, Item
from konpfoi.letters import availability, followups, grounds
from konpfoi.letters.templates import Templates, search_path
from konpfoi.letters.wording import cite, distinct_codes, join, written

D = dt.date.fromisoformat
ONE = dt.timedelta(days=1)


def _cals() -> Calendars:
    table = bank_holidays.HolidayTable()
    bank_holidays.add_package(table, 2020, 2035, 2027)
    return Calendars(table)


CALS = _cals()
TEMPLATES = Templates(search_path(None))
QUESTIONS = [{"number": 1, "label": "FDP in use", "text": "Do you use the FDP?"},
             {"number": 2, "label": "Board reports", "text": "Please send the board papers."},
             {"number": 3, "label": "Contracts", "text": "Please send the contract."}]
EXEMPTION = {"foi": ["s.43", "s.43(2)"], "foisa": ["s.33", "s.33(1)"],
             "eir": ["reg 12(5)(e)"], "sar": []}
NOT_HELD_CODE = {"eir": "reg 12(4)(a)", "foisa": "s.17"}
REQUESTS = ("foi", "eir", "foisa", "sar")
LETTERS = ("mp", "constituent", "board", "email")


@dataclass
class Case:
    """One generated ledger state: an item, its events, its coded answers."""

    kind: str
    events: list[Event] = field(default_factory=list)
    answers: dict[int, dict[str, Any]] = field(default_factory=dict)
    last: dt.date = D("2026-03-02")  # the latest event: today cannot be before it
    extension_until: dt.date | None = None

    def add(self, kind: str, day: dt.date, **data: Any) -> None:
        n = len(self.events) + 1
        self.events.append(Event.make(n, f"u{n}", "K-0001", kind, day.isoformat(), "", None,
                                      data or None))
        self.last = max(self.last, day)

    @property
    def item(self) -> Item:
        nation = "scotland" if self.kind == "foisa" else "england"
        return Item(id="K-0001", uid="x", kind=self.kind, body_id="trust:RJ1",
                    body_name="Guy's and St Thomas' NHS Foundation Trust",
                    subject="Freedom of Information request: The FDP [K-0001]"
                    if self.kind in REQUESTS else "Palantir and our health data",
                    created_at="2026-03-01T00:00:00+00:00", body_email="foi@gstt.example",
                    nation=nation, sender_name="Jo Campaigner", sender_email="jo@example.org",
                    questions_json=__import__("json").dumps(QUESTIONS))

    def grounds(self, today: dt.date) -> grounds.Grounds:
        return grounds.read(self.item, self.events, self.answers, CALS, today)


def coding(kind: str, which: str) -> dict[int, dict[str, Any]]:
    ex = EXEMPTION.get(kind, [])
    a = lambda o, e=(): {"outcome": o, "exemptions": list(e), "answer": None}  # noqa: E731
    return {
        "none": {},
        "answered": {1: a("answered"), 2: a("answered"), 3: a("answered")},
        "not-held": {1: a("answered"), 2: a("not-held"), 3: a("answered")},
        "refused-ex": {1: a("refused", ex), 2: a("refused", ex[:1]), 3: a("answered")},
        "refused-bare": {1: a("refused"), 2: a("answered"), 3: a("answered")},
        "mixed": {1: a("answered"), 2: a("not-held"),
                  3: a("partly-answered", ["s.40"] if kind in ("foi", "foisa") else ex)},
        "held-code": {1: a("refused", [NOT_HELD_CODE[kind]] + ex) if kind in NOT_HELD_CODE
                      else a("not-held"), 2: a("answered"), 3: a("answered")},
    }[which]


def build(kind: str, sent: dt.date, clar: str, ext: str, reply: str, code: str, review: str,
          complaint: bool, withdrawn: bool) -> Case:
    """A ledger state, every date consistent with the ones before it."""
    c = Case(kind)
    c.add("drafted", sent - ONE)
    c.add("sent", sent)
    statutory = kind in REQUESTS
    if statutory and clar != "no":
        c.add("clarification-requested", sent + dt.timedelta(days=4))
        if clar == "given":
            c.add("clarification-sent", sent + dt.timedelta(days=7))
    due = c.grounds(c.last).due
    if statutory and ext != "no" and due is not None and clar != "pending":
        cal = c.grounds(c.last).cal
        claimed = due + ONE if ext == "late-claim" else c.last + dt.timedelta(days=3)
        until = {"short": cal.add(due, 10), "long": cal.add(due, 38), "open": None,
                 "late-claim": cal.add(due, 15)}[ext]
        c.add("extension-claimed", claimed, **({"until": until.isoformat()} if until else {}))
        c.extension_until = until
        due = c.grounds(c.last).due
    if reply != "no" and clar != "pending" and due is not None:
        day = c.last + dt.timedelta(days=2) if reply == "ontime" else \
            c.grounds(c.last).cal.add(due, 6)
        day = max(day, c.last)
        c.add("reply", day, **({"outcome": _overall(code)} if code != "none" else {}))
        c.answers = coding(kind, code) if statutory else {}
        if review != "no" and kind in ("foi", "eir", "foisa"):
            asked = day + dt.timedelta(days=5)
            c.add("review-requested", asked)
            if review in ("done", "late-done"):
                g = c.grounds(asked)
                rdue = g.clocks["review-answer"].due
                out = asked + dt.timedelta(days=8) if review == "done" else g.cal.add(rdue, 4)
                c.add("review-outcome", out, outcome="refused")
    elif review != "no" and kind in ("foi", "eir", "foisa") and due is not None \
            and clar != "pending":
        c.add("review-requested", due + dt.timedelta(days=3))
    if complaint and statutory:
        c.add("complaint-filed", c.last + ONE)
    if withdrawn:
        c.add("withdrawn", c.last + ONE)
    return c


def _overall(code: str) -> str:
    return {"answered": "answered", "not-held": "partly-answered", "refused-ex": "partly-answered",
            "refused-bare": "partly-answered", "mixed": "partly-answered",
            "held-code": "partly-answered"}.get(code, "answered")


def deadlines(c: Case) -> list[dt.date]:
    """Every date on which something about the item turns, seen from after its last event."""
    g = c.grounds(c.last)
    days = [clock.due for clock in g.view.clocks if clock.due]
    if g.statutory_due:
        days.append(g.statutory_due)
    return days


def days_to_try(c: Case) -> list[dt.date]:
    out = {c.last, c.last + dt.timedelta(days=400)}
    for d in deadlines(c):
        out |= {d - ONE, d, d + ONE}
    return sorted(x for x in out if x >= c.last)


# -- the claims a letter makes, checked against the case ----------------------------------------

DATE = r"(\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|" \
       r"November|December) \d{4})"
STATUTE = re.compile(r"\b(section|sections|regulation|Article|Act|Regulations|FOI|Freedom of "
                     r"Information|Information Commissioner|ICO|statutory|overdue|deadline|"
                     r"breach|law)\b")


GROUND = re.compile(r"\bsection 1[24]\b")  # FOIA, FOISA s.12 cost; s.14 vexatious or repeated


def parse(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d %B %Y").date()


def own_words(text: str) -> str:
    """The letter without the earlier letter quoted below it."""
    return "\n".join(line for line in text.split("\n") if not line.startswith(">"))


def check_letter(c: Case, key: str, today: dt.date, late: bool, attached: bool,
                 letter: followups.Letter) -> None:
    g = c.grounds(today)
    text = own_words(letter.text)
    flat = " ".join(text.split())
    where = f"{c.kind} {key} on {today} (late={late}): {flat[:3000]}"
    # dates: what "was due" or passed is in the past; what "is due" is in the future
    for m in re.finditer(r"(?:was due by|were due by|after the deadline of|passed|required you "
                         r"[^.]*?so by|deadline was) " + DATE, flat):
        assert parse(m.group(1)) < today, f"past claim about a future date: {m.group(0)}; {where}"
    for m in re.finditer(r"(?:requires you|expects a review|is due by)[^.]*?" + DATE, flat):
        assert parse(m.group(1)) > today, f"future claim about a past date: {m.group(0)}; {where}"
    for m in re.finditer(r"deadline is " + DATE, flat):
        assert parse(m.group(1)) >= today, f"'is' for a date passed: {m.group(0)}; {where}"
    for m in re.finditer(r"(?:responded on|came on|asked for [^.]*? on|made the request "
                         r"quoted below|wrote to you on|On) " + DATE, flat):
        assert parse(m.group(1)) <= today, f"an event after today: {m.group(0)}; {where}"
    # outcomes
    withholding = [a for a in c.answers.values() if a["outcome"] in ("refused", "partly-answered")
                   and [x for x in a["exemptions"] if x not in NOT_HELD
                        and not is_refusal_ground(x)]]
    if "withheld" in flat:
        assert withholding, f"'withheld' with no exemption coded; {where}"
    # s.12 and s.14 are refusals to comply, never an exemption relied on to withhold
    for sentence in re.split(r"(?<=\.) (?=[A-Z-])", flat):
        ground = GROUND.search(sentence)
        if ground:
            assert not re.search(r"\b(exemptions?|exceptions?)\b", sentence), \
                f"s.12/s.14 as an exemption: {sentence}; {where}"
        for m in re.finditer(r"\b(?:withheld|citing)\b.*", sentence):
            assert not GROUND.search(m.group(0)), f"s.12/s.14 withheld: {sentence}; {where}"
    not_held = any(a["outcome"] == "not-held" or set(a["exemptions"]) & {"reg 12(4)(a)", "s.17"}
                   for a in c.answers.values())
    if "do not hold" in flat:
        assert not_held, f"'do not hold' with nothing coded not held; {where}"
    for line in text.split("\n"):
        cites = re.findall(r"(?:section|regulation) \d+[A-Z]?(?:\(\w+\))*", line)
        assert len(cites) == len(set(cites)), f"an exemption named twice: {line}; {where}"
        bases = {x.split("(")[0] for x in cites if "(" in x}
        assert not [x for x in cites if "(" not in x and x in bases], \
            f"a section and its subsection: {line}; {where}"
    # attachments
    assert ("I attach" in flat) == attached, where
    assert "enclose" not in flat, where
    # windows, regulators, kinds
    if key == "internal-review" and availability.is_late(g, key):
        assert late and "I know that" in flat, f"a late review that does not say so; {where}"
    if key in ("ico-complaint", "sic-application") and availability.is_late(g, key):
        assert late and "I know that" in flat, where
    if key == "sic-application":
        assert c.kind == "foisa" and g.facts.review_requested, where
        assert "ICO" not in flat and "Information Commissioner's Office" not in flat, where
    if key == "ico-complaint":
        assert c.kind != "foisa", where
        form = SAR_COMPLAINT_FORM if c.kind == "sar" else REGULATORS["ico"].form
        assert any(form in word for word in letter.text.split()), f"URL broken; {where}"
    if "No review outcome has come, although" in flat:
        assert g.past(g.clocks["review-answer"].due), where
    if c.kind in LETTERS:
        assert key == "reminder", where
        assert not STATUTE.search(text), f"statute in a letter: {STATUTE.search(text)}; {where}"
    if c.kind == "eir":
        assert "exemption" not in flat and "section 10" not in flat, where
        assert "Freedom of Information Act" not in flat.replace(
            "section 50 of the Freedom of Information Act 2000, as applied by regulation 18", ""
        ), where
    if c.kind == "foi":
        assert "regulation" not in flat and "Scottish" not in flat, where
    if c.kind == "foisa":
        assert "Information Commissioner's Office" not in flat, where
    if key == "chaser":
        assert not g.replied and g.past(g.due), where
        assert "My request of" in letter.text and "(our reference K-0001)" in letter.text, where
    late_by = re.search(r"responded on " + DATE + r", (\d+) working days? after the deadline of "
                        + DATE, flat)
    if late_by:
        replied, n, due = parse(late_by.group(1)), int(late_by.group(2)), parse(late_by.group(3))
        assert replied > due and n == g.cal.count(due, replied), where
    if c.kind == "foi" and c.extension_until and g.statutory_due and key != "clarification" \
            and g.cal.count(g.statutory_due, g.due or today) > 20 and "extended" in flat:
        assert "more than the 20 further working days" in flat, where
    # lines: wrapped only at spaces; a long line is one unbreakable word
    for line in letter.text.split("\n"):
        if len(line) > 78:
            assert " " not in line.lstrip("> ").strip(), f"a long line: {line!r}"


def compose_all(c: Case, today: dt.date) -> int:
    """Every follow-up, with and without --late and an attachment: check each one drafted."""
    g = c.grounds(today)
    drafted = 0
    for key, late, attached in itertools.product(FOLLOWUPS, (False, True), (False, True)):
        try:
            letter = followups.compose(
                TEMPLATES, g, key, reason="The public interest favours release",
                late=late, attachments=("request.pdf",) if attached else (),
                requester={"name": "Jo Campaigner", "email": "jo@example.org", "address": ""},
                group={"name": "Lambeth KONP", "email": "", "address": "", "website":
                       "https://konp.example/a-very-long-group-page-name-that-goes-on"},
                original=followups.original(None, c.item, g.facts.sent))
        except (Conflict, InvalidInput) as exc:
            assert exc.message and "\n" not in exc.message
            continue
        drafted += 1
        check_letter(c, key, today, late, attached, letter)
    return drafted


# -- the sweep and the random walk ----------------------------------------------------------

SCENARIOS = [
    # clarification, extension, reply, coding, review, complaint, withdrawn
    ("no", "no", "no", "none", "no", False, False),
    ("pending", "no", "no", "none", "no", False, False),
    ("given", "no", "ontime", "refused-ex", "no", False, False),
    ("no", "short", "no", "none", "no", False, False),
    ("no", "long", "late", "mixed", "no", False, False),
    ("no", "late-claim", "late", "refused-bare", "pending", False, False),
    ("no", "open", "ontime", "not-held", "done", False, False),
    ("no", "no", "late", "held-code", "late-done", False, False),
    ("no", "no", "no", "none", "pending", False, False),
    ("no", "no", "ontime", "answered", "no", True, False),
    ("no", "no", "ontime", "refused-ex", "no", False, True),
]


def test_every_kind_in_every_state_on_every_deadline() -> None:
    drafted = 0
    # a spring start, one whose deadlines cross Easter, and one across Christmas and New Year
    for kind, scenario, start in itertools.product(KINDS, SCENARIOS, ("2026-03-02",
                                                                       "2026-03-16",
                                                                       "2026-12-01")):
        c = build(kind, D(start), *scenario)
        for today in days_to_try(c):
            drafted += compose_all(c, today)
    assert drafted > 1500  # the sweep must reach letters, not only refusals


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(KINDS)), start=st.integers(0, 700),
       clar=st.sampled_from(["no", "pending", "given"]),
       ext=st.sampled_from(["no", "short", "long", "open", "late-claim"]),
       reply=st.sampled_from(["no", "ontime", "late"]),
       code=st.sampled_from(["none", "answered", "not-held", "refused-ex", "refused-bare",
                             "mixed", "held-code"]),
       review=st.sampled_from(["no", "pending", "done", "late-done"]),
       complaint=st.booleans(), offset=st.integers(0, 420))
def test_random_ledgers_give_true_letters(kind, start, clar, ext, reply, code, review,
                                          complaint, offset) -> None:
    c = build(kind, D("2025-06-02") + dt.timedelta(days=start), clar, ext, reply, code, review,
              complaint, False)
    compose_all(c, c.last + dt.timedelta(days=offset))


def test_the_sweep_offers_each_follow_up_only_when_it_is_open() -> None:
    """Spot checks of the table: when each follow-up opens, for each kind."""
    c = build("foi", D("2026-03-02"), "no", "no", "no", "none", "no", False, False)
    g = c.grounds(c.last)
    due = g.due
    with_pytest_raises(Conflict, lambda: availability.check(c.grounds(due), "chaser"))
    assert availability.check(c.grounds(due + ONE), "chaser") == []
    with_pytest_raises(InvalidInput, lambda: availability.check(g, "sic-application"))
    with_pytest_raises(InvalidInput, lambda: availability.check(g, "reminder"))
    letter = build("mp", D("2026-03-02"), "no", "no", "no", "none", "no", False, False)
    for key in ("chaser", "internal-review", "ico-complaint", "sic-application"):
        with_pytest_raises(InvalidInput, lambda k=key: availability.check(
            letter.grounds(D("2026-06-01")), k))
    assert KINDS["mp"].followups == ("reminder",)


def with_pytest_raises(exc: type[Exception], fn: Any) -> None:
    import pytest

    with pytest.raises(exc):
        fn()


# -- refusals to comply (s.12, s.14) against exemptions, over generated codings --------------

CITABLE = {  # what a reply may cite, per kind: exemptions, not-held notices, s.12 and s.14
    "foi": ["s.12", "s.14", "s.14(1)", "s.14(2)", "s.43", "s.43(2)", "s.40(2)", "s.21"],
    "foisa": ["s.12", "s.14", "s.14(2)", "s.33(1)", "s.38(1)(b)", "s.17"],
    "eir": ["reg 12(4)(b)", "reg 12(5)(e)", "reg 12(4)(a)", "s.12", "s.14", "s.39"],
}
REGIME = {"foi": "foia", "foisa": "foisa", "eir": "eir"}


@st.composite
def codings(draw: Any, kind: str) -> dict[int, dict[str, Any]]:
    out = {}
    for n in (1, 2, 3):
        outcome = draw(st.sampled_from(["answered", "not-held", "refused", "partly-answered"]))
        codes = draw(st.lists(st.sampled_from(CITABLE[kind]), max_size=3, unique=True)) \
            if outcome in ("refused", "partly-answered") else []
        out[n] = {"outcome": outcome, "exemptions": codes, "answer": None}
    return out


def bullets(text: str) -> dict[int, str]:
    """The letter's per-question lines ("- Question N (label): ..."), unwrapped."""
    out: list[str] = []
    for line in own_words(text).split("\n"):
        if line.startswith("- "):
            out.append(line[2:])
        elif line.startswith("  ") and out:
            out[-1] += " " + line.strip()
        elif out and not out[-1].endswith("\n"):
            out[-1] += "\n"
    found = {}
    for b in (" ".join(x.split()) for x in out):
        m = re.match(r"Question (\d+) \(", b)
        if m:
            found[int(m.group(1))] = b
        m = re.match(r"Questions ([\d, ]+ and \d+): (.*)", b)
        if m:  # questions answered alike, said once: each as if on its own
            for n in map(int, re.findall(r"\d+", m.group(1))):
                found[n] = f"Question {n} ({QUESTIONS[n - 1]['label']}): {m.group(2)}"
    return found


def check_refusals(c: Case, letter: followups.Letter, to_body: bool = True) -> None:
    """Each question's line: s.12/s.14 as a refusal to comply, in its own words; each exemption
    as before ("withheld ..., citing" it, by name). To a regulator, the body is "it"."""
    regime, lines = REGIME[c.kind], bullets(letter.text)
    you, hold = ("you", "do not hold") if to_body else ("it", "does not hold")
    for n, a in c.answers.items():
        every = distinct_codes(a["exemptions"])
        grounds_ = [x for x in every if is_refusal_ground(x)]
        held = [x for x in every if x in NOT_HELD]
        codes = [x for x in every if x not in NOT_HELD and x not in grounds_]
        cites = join([cite(x, regime) for x in codes])
        what = f"Question {n} ({QUESTIONS[n - 1]['label']}): {you}"
        line = lines.get(n, "")
        where = f"{c.kind} q{n} {a}: {line!r}"
        if a["outcome"] == "answered":
            assert not line, where
            continue
        if grounds_:
            assert line.startswith(what + (" refused to comply, saying that " if a["outcome"]
                                           == "refused" else " answered in part and refused "
                                           "to comply with the rest, saying that ")), where
            for x in grounds_:
                assert f"{refusal_words(x, c.kind)} ({written(x)})" in line, where
            assert "exemption" not in line and "exception" not in line, where
            if codes:
                assert re.search(r"withheld (the|some) information, citing " + re.escape(cites)
                                 + r"(\.|, and said)", line), where
                assert not GROUND.search(line.split("withheld", 1)[1]), where
            else:
                assert "withheld" not in line and "citing" not in line, where
            continue
        assert "refused to comply" not in line, where
        if a["outcome"] == "refused" and codes:  # exactly as before s.12/s.14 were told apart
            said = f", and said {you} {hold} the rest ({join([cite(x, regime) for x in held])})"
            assert line == f"{what} withheld the information, citing {cites}" \
                + (said if held else "") + ".", where
        elif a["outcome"] == "partly-answered" and codes:
            assert line == f"{what} answered in part and withheld the rest, citing {cites}.", where
        else:
            assert "withheld" not in line, where


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kind=st.sampled_from(sorted(CITABLE)), start=st.integers(0, 700),
       review=st.sampled_from(["no", "done"]), offset=st.integers(0, 60))
def test_refusals_to_comply_are_never_exemptions(data, kind, start, review, offset) -> None:
    """Over generated codings: no letter says "withheld" or "exemption" of a s.12/s.14
    citation, and every exemption cited is still said as before."""
    c = build(kind, D("2025-06-02") + dt.timedelta(days=start), "no", "no", "ontime",
              "answered", review, False, False)
    c.answers = data.draw(codings(kind))
    g = c.grounds(c.last + dt.timedelta(days=offset))
    drafted = 0
    for key in ("internal-review", "ico-complaint", "sic-application"):
        try:
            letter = followups.compose(
                TEMPLATES, g, key, reason="The public interest favours release", late=True,
                requester={"name": "Jo Campaigner", "email": "jo@example.org", "address": ""},
                group={"name": "Lambeth KONP", "email": "", "address": "", "website": ""},
                original=followups.original(None, c.item, g.facts.sent))
        except (Conflict, InvalidInput):
            continue
        drafted += 1
        check_letter(c, key, g.today, True, False, letter)
        check_refusals(c, letter, to_body=key == "internal-review")
        if key != "internal-review":  # to the regulator, which did none of it: never "you"
            text = own_words(letter.text)
            start = "What happened" if key == "ico-complaint" else "My name is"
            said = text.split(start, 1)[1].split("Why ", 1)[0]
            assert not re.search(r"\b[Yy]ou(r)?\b", said), said
    assert drafted, "no letter drafted: the test must reach letters"
