"""The FDP register: what is known of each body's use of the Federated Data Platform (its
status, the products in use, since when), every claim with its evidence — a coded FOI answer
(item and question) or a URL — and the day it was checked.

Claims are appended, never overwritten. What the register says of a body now follows from
them: a claim replaces an earlier one from the same source (an answer coded again, a page
checked again); claims from different sources that disagree are a conflict, shown with both,
until the user settles the key (`facts set ... --settle`). Nothing is seeded: a body nobody
has found out about is "not known".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from konpfoi.directory.bodies import Body
from konpfoi.directory.filters import Filter
from konpfoi.errors import InvalidInput, NotFound
from konpfoi.ledger.model import ITEM_ID_PATTERN, Fact, new_uid, now_utc
from konpfoi.ledger.store import Ledger

# What the register records of a body: one home for these words.
KEYS = {"fdp": "FDP status", "fdp-products": "FDP products", "fdp-since": "FDP since"}
STATUSES = {"in-use": "in use", "signed-up": "signed up, not yet live",
            "not-in-use": "says it is not using it", "declined": "declined",
            "unknown": "not known"}
CONFLICT = "conflict"  # claims from different sources disagree
# The statuses a letter may treat as "not yet using it".
NOT_YET = ("signed-up", "not-in-use", "declined")
_SINCE = re.compile(r"\bsince\s+(?:(\d{1,2})\s+)?([A-Za-z]+\s+\d{4}|\d{4}-\d{2}(?:-\d{2})?|"
                    r"\d{1,2}/\d{4}|\d{4})", re.I)
_MONTHS = {m: n for n, m in enumerate(("january", "february", "march", "april", "may", "june",
                                       "july", "august", "september", "october", "november",
                                       "december"), start=1)}
_ITEM_SOURCE = re.compile(rf"^\s*({ITEM_ID_PATTERN})\s*[: /]?\s*Q?(\d+)\s*$", re.I)


# -- what a question establishes --------------------------------------------------------------

Rule = Mapping[str, str] | str  # answer words -> value; "answer" (its text); "since" (a date)


def parse_rules(raw: Any, where: str) -> dict[str, Rule]:
    """A question set's `establishes:` — fact key -> how its answer gives the value."""
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{where}: establishes must map a fact (fdp, ...) to a rule")
    out: dict[str, Rule] = {}
    for key, rule in raw.items():
        if key not in KEYS:
            raise InvalidInput(f"{where}: unknown fact {key!r}", hint="facts: " + ", ".join(KEYS))
        if isinstance(rule, Mapping):
            words = {_yes_no(k): str(v) for k, v in rule.items()}
            for v in words.values():
                check_value(key, v, where)
            out[key] = words
        elif rule in ("answer", "since"):
            out[key] = str(rule)
        else:
            raise InvalidInput(f"{where}: the rule for {key} must map answers to values, or "
                               "be 'answer' or 'since'")
    return out


def _yes_no(key: Any) -> str:
    # YAML 1.1 reads an unquoted yes/no as true/false
    return {True: "yes", False: "no"}.get(key, str(key).strip().lower()) \
        if isinstance(key, bool) else str(key).strip().lower()


def check_value(key: str, value: str, where: str = "") -> str:
    value = " ".join(str(value).split())
    pre = f"{where}: " if where else ""
    if key == "fdp" and value not in STATUSES:
        raise InvalidInput(f"{pre}{value!r} is not an FDP status",
                           hint="statuses: " + ", ".join(STATUSES))
    if key == "fdp-since" and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise InvalidInput(f"{pre}since {value!r}: write it as YYYY, YYYY-MM or YYYY-MM-DD")
    if not value:
        raise InvalidInput(f"{pre}an empty value for {key}")
    return value


def value_from(rule: Rule, answer: str) -> str | None:
    """The value an answer gives under a rule, or None when its words do not say."""
    text = " ".join(answer.split())
    if rule == "answer":
        return text or None
    if rule == "since":
        return since_of(text)
    if isinstance(rule, str):
        return None
    lowered = re.sub(r"[^a-z0-9 -]+", " ", text.lower()).strip()
    words = dict(rule) | {s.replace("-", " "): s for s in STATUSES} | {s: s for s in STATUSES}
    for key in sorted(words, key=len, reverse=True):
        if lowered == key or lowered.startswith(key + " "):
            return words[key]
    return None


def since_of(text: str) -> str | None:
    """'since June 2025' -> 2025-06; 'since 2024' -> 2024; '1 June 2025' -> 2025-06-01."""
    m = _SINCE.search(text)
    if not m:
        return None
    day, when = m.group(1), m.group(2)
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", when):
        return when
    if "/" in when:
        month, year = when.split("/")
        return f"{year}-{int(month):02d}"
    name, year = when.split()
    month = next((n for k, n in _MONTHS.items() if k.startswith(name.lower()[:3])), None)
    if month is None:
        return None
    return f"{year}-{month:02d}" + (f"-{int(day):02d}" if day else "")


# -- what the register says now ------------------------------------------------------------


@dataclass
class Standing:
    """What the register says of one key of one body: its value (None when claims conflict),
    the claims that stand, and those that gave way."""

    key: str
    value: str | None
    claims: list[Fact]
    gave_way: list[Fact] = field(default_factory=list)

    @property
    def conflict(self) -> bool:
        return self.value is None


@dataclass
class BodyFacts:
    body_id: str
    keys: dict[str, Standing] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """in-use, signed-up, not-in-use, declined, unknown, or conflict."""
        s = self.keys.get("fdp")
        if s is None:
            return "unknown"
        return CONFLICT if s.conflict else str(s.value)

    def value(self, key: str) -> str | None:
        s = self.keys.get(key)
        return s.value if s is not None else None


def standing(key: str, claims: Sequence[Fact]) -> Standing:
    """One key's claims, in the order recorded, as they stand."""
    stands: list[Fact] = []
    gone: list[Fact] = []
    for c in claims:
        if c.settles:
            gone += stands
            stands = [c]
            continue
        same = [s for s in stands if s.source == c.source]
        gone += same
        stands = [s for s in stands if s.source != c.source] + [c]
    values = list(dict.fromkeys(c.value for c in stands if c.value != "unknown"))
    if len(values) > 1:
        return Standing(key, None, stands, gone)
    return Standing(key, values[0] if values else "unknown", stands, gone)


def build(facts: Iterable[Fact]) -> dict[str, BodyFacts]:
    """Every body's facts as they stand."""
    grouped: dict[str, dict[str, list[Fact]]] = {}
    for f in facts:
        grouped.setdefault(f.body_id, {}).setdefault(f.key, []).append(f)
    out = {}
    for body_id, keys in grouped.items():
        bf = BodyFacts(body_id)
        for key, claims in keys.items():
            s = standing(key, claims)
            if s.claims or s.gave_way:
                bf.keys[key] = s
        out[body_id] = bf
    return out


def load(ledger: Ledger, body_id: str | None = None) -> dict[str, BodyFacts]:
    return build(ledger.facts(body_id))


def status_of(register: Mapping[str, BodyFacts], body_id: str) -> str:
    found = register.get(body_id)
    return found.status if found is not None else "unknown"


def where_filters(register: Mapping[str, BodyFacts]) -> dict[str, Filter]:
    """The `--where` filters the register adds: fdp=in-use|signed-up|...|unknown|conflict."""
    allowed = (*STATUSES, CONFLICT)

    def fdp(body: Body, wanted: list[str]) -> bool:
        bad = [w for w in wanted if w not in allowed]
        if bad:
            raise InvalidInput(f"--where fdp={bad[0]}: not an FDP status",
                               hint="fdp=" + "|".join(allowed))
        return status_of(register, body.id) in wanted

    return {"fdp": fdp}


# -- recording claims ----------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    text: str  # what the register shows: a URL, or "K-0042 Q1"
    item_id: str | None = None
    question: int | None = None


def parse_source(text: str, ledger: Ledger | None = None, body_id: str | None = None) -> Source:
    """A URL (a board paper, privacy notice, news item), or a coded FOI answer K-0042:Q1."""
    text = text.strip()
    m = _ITEM_SOURCE.match(text)
    if m:
        item_id, q = m.group(1).upper(), int(m.group(2))
        if ledger is not None:
            item = ledger.item(item_id)
            if body_id and item.body_id != body_id:
                raise InvalidInput(f"{item_id} was sent to {item.body_id}, not {body_id}",
                                   hint="a body's facts come from its own answers")
            if q not in {x["number"] for x in item.questions}:
                raise NotFound(f"{item_id} has no question {q}")
        return Source(f"{item_id} Q{q}", item_id, q)
    if re.fullmatch(r"https?://[^\s]+\.[^\s]+", text):
        return Source(text)
    raise InvalidInput(f"--source {text!r} is neither a URL nor a coded answer",
                       hint="give the page it came from (https://...), or the item and "
                            "question: --source K-0042:Q1")


def claim(ledger: Ledger, body_id: str, key: str, value: str, source: Source, checked: str,
          *, note: str | None = None, settles: bool = False) -> Fact:
    """Record one claim (inside the caller's transaction)."""
    if key not in KEYS:
        raise InvalidInput(f"unknown fact {key!r}", hint="facts: " + ", ".join(KEYS))
    fact = Fact(new_uid(), body_id, key, check_value(key, value), source.text, checked,
                now_utc(), source.item_id, source.question, note, settles)
    ledger.add_fact(fact)
    return fact


def set_facts(ledger: Ledger, body_id: str, pairs: Sequence[str], source: str,
              checked: dt.date, *, note: str | None = None, settle: bool = False
              ) -> BodyFacts:
    """`facts set BODY fdp=in-use ...`: one claim per pair, one transaction; what stands."""
    parsed = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().lower()
        if not sep or key not in KEYS:
            raise InvalidInput(f"{pair!r} is not FACT=VALUE",
                               hint="facts: " + ", ".join(f"{k}=..." for k in KEYS))
        parsed.append((key, check_value(key, value.strip())))
    if not parsed:
        raise InvalidInput("no facts given", hint="e.g. konpfoi facts set trust:RJ1 fdp=in-use "
                                                  "--source URL")
    with ledger.write():
        src = parse_source(source, ledger, body_id)
        for key, value in parsed:
            claim(ledger, body_id, key, value, src, checked.isoformat(), note=note,
                  settles=settle)
        return load(ledger, body_id).get(body_id, BodyFacts(body_id))


def from_answers(ledger: Ledger, item_id: str, body_id: str,
                 answers: Sequence[tuple[int, str, str | None]],
                 rules: Mapping[int, Mapping[str, Rule]], checked: str) -> list[str]:
    """The claims coded answers make, by their question set's rules (inside the caller's
    transaction): notes for the user, naming what was set and any conflict."""
    notes = []
    touched = set()
    for number, outcome, text in answers:
        if number not in rules or outcome not in ("answered", "partly-answered"):
            continue
        for key, rule in rules[number].items():
            value = value_from(rule, text or "")
            if value is None:
                if rule != "since":
                    notes.append(f"Q{number} establishes {key}, but its answer does not say "
                                 f"which: konpfoi facts set {body_id} {key}=VALUE --source "
                                 f"{item_id}:Q{number}")
                continue
            claim(ledger, body_id, key, value, Source(f"{item_id} Q{number}", item_id, number),
                  checked, note=text)
            touched.add(key)
    now = load(ledger, body_id).get(body_id, BodyFacts(body_id))
    for key in sorted(touched):
        s = now.keys[key]
        if s.conflict:
            said = "; ".join(f"{c.value} ({c.source}, {c.checked})" for c in s.claims)
            notes.append(f"register: {body_id} {KEYS[key]} is in conflict: {said}; settle it "
                         f"with konpfoi facts set {body_id} {key}=VALUE --source ... --settle")
        else:
            notes.append(f"register: {body_id} {KEYS[key]}: {s.value} ({item_id})")
    return notes


# -- what a letter may say -----------------------------------------------------------------


def letter_context(bf: BodyFacts | None) -> dict[str, Any]:
    """What a template may say of a body's use of the FDP, and the evidence to cite. A status
    that is not known, or in conflict, lets a letter claim neither."""
    status = bf.status if bf is not None else "unknown"
    s = bf.keys.get("fdp") if bf is not None else None
    claims = s.claims if s is not None and not s.conflict else []
    since = (bf.value("fdp-since") if bf is not None else None) or ""
    return {"fdp": {
        "status": status, "known": status not in ("unknown", CONFLICT),
        "in_use": status == "in-use", "not_yet": status in NOT_YET,
        "label": STATUSES.get(status, "in conflict"),
        "products": (bf.value("fdp-products") if bf is not None else None) or "",
        "since": since, "since_words": _words(since),
        "evidence": evidence([c for c in claims if c.value == status]),
        "sources": [c.source for c in claims]}}


def evidence(claims: Sequence[Fact]) -> str:
    """How a letter cites a claim: the body's own FOI answer first, else the page."""
    best = next((c for c in claims if c.item_id or re.match(ITEM_ID_PATTERN, c.source)),
                None) or (claims[-1] if claims else None)
    if best is None:
        return ""
    if best.source.startswith("http"):
        return f"according to {best.source} (checked {_words(best.checked)})"
    return (f"as your reply of {_words(best.checked)} to a Freedom of Information request "
            "said")


def _words(day: str) -> str:
    """2025-06 -> June 2025; 2026-11-20 -> 20 November 2026."""
    parts = day.split("-") if day else []
    if len(parts) == 3:
        d = dt.date(*map(int, parts))
        return f"{d.day} {d:%B %Y}"
    if len(parts) == 2:
        return f"{dt.date(int(parts[0]), int(parts[1]), 1):%B %Y}"
    return day
