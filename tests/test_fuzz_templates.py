"""Fuzzing templates: generated Jinja2 made of the constructs that grow or loop (string and
list doubling, powers, ranges, widths, replace, filters, macros, recursion). Each render ends
within the time limit with a letter or one error naming the template — never a hang, never
memory exhausted (the process runs under an address-space cap, so a bomb would show as the
'ran out of memory' error, which fails the test), never an internal error."""

from __future__ import annotations

import contextlib
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from konpfoi.errors import KonpfoiError
from konpfoi.letters import sandbox
from konpfoi.letters.templates import Templates

NUMBERS = st.sampled_from(["0", "1", "2", "7", "99", "-1", "100000", "2000000000", "10**6",
                           "9**99", "1e308", "0.5"])
STRINGS = st.sampled_from(["'x'", "'ab'", "''", "'%s'", "'{:>9}'", "'\\t'", "'a\\nb'", "s",
                           "ns.s", "body.name", "'{}'"])
LISTS = st.sampled_from(["[1, 2]", "[]", "l", "ns.l", "range(100000)|list", "[ns.l]",
                         "questions"])


def exprs() -> st.SearchStrategy[str]:
    return st.recursive(
        st.one_of(NUMBERS, STRINGS, LISTS),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["*", "**", "+", "~", "%", "//"]), inner)
            .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(inner, st.sampled_from([
                "center({n})", "ljust({n})", "zfill({n})", "replace('a', {s})",
                "replace('', {s})", "expandtabs({n})", "join({l})", "format({s}, {n})",
                "split()", "upper()", "count('a')", "to_bytes({n}, 'big')",
            ]), NUMBERS, STRINGS, LISTS)
            .map(lambda t: f"{t[0]}.{t[1].format(n=t[2], s=t[3], l=t[4])}"),
            st.tuples(inner, st.sampled_from([
                "center({n})", "indent({n})", "wordwrap({n}, wrapstring={s})",
                "replace('a', {s})", "format({n})", "batch({n}, 'x')|list", "slice({n})|list",
                "join({s})", "list", "string", "tojson", "sum", "length", "first", "sort",
                "unique|list", "truncate({n})", "round", "int", "e", "title", "reverse",
            ]), NUMBERS, STRINGS)
            .map(lambda t: f"({t[0]}|{t[1].format(n=t[2], s=t[3])})"),
            st.tuples(st.sampled_from(["m", "d", "r"]), inner).map(lambda t: f"{t[0]}({t[1]})"),
        ),
        max_leaves=6,
    )


@st.composite
def templates(draw: Any) -> str:
    lines = ["{% set ns = namespace(s='x', l=[1], n=2) %}",
             "{% macro m(x) %}{{ x }}{{ x }}{% endmacro %}",
             "{% macro d(x) %}{{ x }}{% endmacro %}",
             "{% macro r(x) %}{{ r(x) }}{% endmacro %}",
             "{% set s = 'abc' %}{% set l = [1, 2, 3] %}"]
    depth = 0
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["out", "set", "set", "for", "for", "end", "block"]))
        e = draw(exprs())
        if kind == "out":
            lines.append(f"{{{{ {e} }}}}")
        elif kind == "set":
            target = draw(st.sampled_from(["ns.s", "ns.l", "ns.n"]))
            lines.append(f"{{% set {target} = {e} %}}")
        elif kind == "for":
            lines.append(f"{{% for i{depth} in {e} %}}")
            depth += 1
        elif kind == "block":
            lines.append("{% set t %}{{ ns.s }}{{ ns.s }}{% endset %}{% set ns.s = t %}")
        elif depth:
            lines.append("{% endfor %}")
            depth -= 1
    lines += ["{% endfor %}"] * depth
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def memory_cap(extra: int = 1_500_000_000) -> Iterator[None]:
    """At most `extra` bytes more address space than now, so a memory bomb fails fast."""
    if not sys.platform.startswith("linux"):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as fh:
        now = int(fh.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (now + extra, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture
def short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "MAX_SECONDS", 1.0)  # the limit under test, shorter


CONTEXT = {"body": {"name": "NHS Somewhere ICB"}, "questions": [{"number": 1, "text": "Q?"}]}


@pytest.mark.usefixtures("short")
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=templates())
def test_fuzzed_templates_end_within_limits(tmp_path: Path, source: str) -> None:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    path = folder / "t.j2"
    path.write_text(source)
    start = time.monotonic()
    with memory_cap():
        try:
            text = Templates([folder]).render("t", CONTEXT).text
            event("rendered")
            assert len(text) <= sandbox.MAX_TEXT
        except KonpfoiError as exc:
            assert str(path) in exc.message, exc.message
            assert "ran out of memory" not in exc.message, source
            event(exc.message.split(": ", 1)[-1].split(" (")[0].split(":")[0][:50])
    assert time.monotonic() - start < sandbox.MAX_SECONDS + 2, source


def test_the_packaged_templates_are_well_within_the_limits() -> None:
    """A real letter is thousands of times smaller and faster than any limit."""
    from konpfoi.letters.drafting import letter_context
    from konpfoi.tracking import register
    from konpfoi.workspace.resources import packaged

    t = Templates([packaged("templates")])
    context = {"body": {"name": "N", "short_name": "N", "id": "icb:QKK", "kind": "icb",
                        "nation": "england", "law": "foia", "region": "", "website": "",
                        "email": "", "constituency": "", "party": ""},
               "questions": {"id": "q", "title": "T", "description": "", "source": "S",
                             "questions": [{"number": n, "label": f"L{n}", "text": "Why? " * 80}
                                           for n in range(1, 30)]},
               "requester": {"name": "Jo", "email": "jo@example.org", "address": "1 High St",
                             "signature": ""},
               "group": {"name": "G", "email": "g@example.org", "address": "2 High St",
                         "website": "https://example.org"},
               "reference": "K-0001", "campaign": "c", "today": "2026-11-23", "personal": "Hi",
               # #16: every letter is told what the FDP register knows of its body
               "facts": register.letter_context(None)}
    # #12: each kind of letter is told what it is (letter), and may speak for the group
    for name, kind in (("foi-request", "foi"), ("foi-request-foisa", "foisa"),
                       ("foi-request-eir", "eir"), ("sar-request", "sar"), ("mp-fdp", "mp"),
                       ("mp-fdp", "constituent"), ("trust-say-no-to-palantir", "board")):
        start = time.monotonic()
        text = t.render(name, {**context, "letter": letter_context(kind)}).text
        assert time.monotonic() - start < 0.5 and len(text) < sandbox.MAX_TEXT // 50
