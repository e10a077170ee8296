"""Fuzzing the files a user is handed: konpfoi.yaml, question sets, bodies.yaml, templates'
front matter and supporters CSVs, mutated and generated. Each is read, or refused with one
error naming the file (and, where there is one, the line) — never an internal error."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hostile import outside_workspace, sentinel
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from konpfoi.errors import KonpfoiError
from konpfoi.workspace.resources import packaged


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=list(HealthCheck))


YAML_SCALARS = [
    "2026-02-30", "'2026-02-30'", "9999-12-31", "0001-01-01", "2026-13-01", "2026-02-30 10:00",
    "2026-11-23", "1990-01-01", "2100-12-31", "20260230", "1e999", "0x10", "~", "null", "yes",
    "[]", "{}", "[a, [b, {c: d}]]", "{a: 1, a: 2}", "!!python/object/apply:os.system [ls]",
    "!!binary 'AAA'", "!!binary '%%%'", "!!set {a, b}", "!!omap [a: 1]", "&a [*a]", "*nope",
    "'unterminated", '"\\x"', "|\n  two\n  lines", ">-\n  folded", "? [a, b]\n  : c",
    "<<: {a: 1}", "<<: 5", "- x", ": :", "\t", "[bold]x[/]", "council:x:", "../../etc/passwd",
    "x" * 5000, "é" * 300, "\u2028", "'\x00'", "[" * 5000 + "]" * 5000, "{{ 7*7 }}",
]
scalars = st.one_of(st.sampled_from(YAML_SCALARS), st.text(max_size=30),
                    st.integers().map(str), st.floats().map(str))


@st.composite
def mutated_text(draw: Any, text: str) -> str:
    """`text` with one to three values, lines or characters changed."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["value", "value", "line", "chars"]))
        if not lines:
            lines = [""]
        n = draw(st.integers(0, len(lines) - 1))
        if how == "value" and ":" in lines[n]:
            key = lines[n].split(":", 1)[0]
            lines[n] = f"{key}: {draw(scalars)}"
        elif how == "line":
            op = draw(st.sampled_from(["drop", "twice", "indent", "dedent", "insert"]))
            if op == "drop":
                lines.pop(n)
            elif op == "twice":
                lines.insert(n, lines[n])
            elif op == "indent":
                lines[n] = "  " + lines[n]
            elif op == "dedent":
                lines[n] = lines[n].lstrip()
            else:
                lines.insert(n, draw(scalars))
        else:
            at = draw(st.integers(0, len(lines[n])))
            lines[n] = lines[n][:at] + draw(st.text(max_size=4)) + lines[n][at:]
    return "\n".join(lines) + "\n"


def _only_our_errors(call: Any, where: Path) -> Any:
    try:
        result = call()
        event("read")
        return result
    except KonpfoiError as exc:
        assert str(where) in exc.message, exc.message  # one error naming the file
        assert "\n" not in exc.message
        event("refused")
        return None


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


@fuzz(120)
@given(data=st.data())
def test_fuzzed_konpfoi_yaml(tmp_path, data) -> None:
    from konpfoi.workspace.config import Config, GroupSettings, load_config, render_config

    good = render_config(Config(name="Jo", email="jo@example.org", address="1 High St",
                                group=GroupSettings(name="KONP", website="https://x.org")))
    good = good.replace("  add: []", "  add: [{date: 2027-05-10, name: Proclaimed}]")
    text = data.draw(mutated_text(good), label="konpfoi.yaml")
    with tempfile.TemporaryDirectory(dir=tmp_path) as d:
        path = _write(Path(d), "konpfoi.yaml", text)
        _only_our_errors(lambda: load_config(path), path)


@fuzz(120)
@given(data=st.data())
def test_fuzzed_question_sets(tmp_path, data) -> None:
    from konpfoi.letters import questions

    text = data.draw(mutated_text(packaged("questions/palantir-fdp.yaml").read_text()),
                     label="question set")
    with tempfile.TemporaryDirectory(dir=tmp_path) as d:
        path = _write(Path(d), "palantir-fdp.yaml", text)
        qs = _only_our_errors(lambda: questions.parse(path), path)
        if qs is not None:
            assert all(isinstance(q.text, str) and isinstance(q.label, str)
                       for q in qs.questions)


BODIES = """\
bodies:
  - id: council:lambeth-hosc
    kind: council
    name: Lambeth Health and Adult Social Care Scrutiny Sub-Committee
    nation: england
    region: London
    tags: [scrutiny]
    contacts:
      - {role: general, email: scrutiny@lambeth.gov.uk, source: website, checked: 2026-11-01}
      - role: foi
        email: foi@lambeth.gov.uk
        checked: 2026-10-01
  - id: trust:RJ1
    kind: trust
    name: Guy's and St Thomas' NHS Foundation Trust
    nation: england
    parent: icb:QKK
    closed: 2026-04-01
    successor: trust:R1K
"""


@fuzz(120)
@given(data=st.data())
def test_fuzzed_bodies_yaml(tmp_path, data) -> None:
    from konpfoi.directory import catalogue
    from konpfoi.directory.bodies import Body

    text = data.draw(mutated_text(BODIES), label="bodies.yaml")
    with tempfile.TemporaryDirectory(dir=tmp_path) as d:
        path = _write(Path(d), "bodies.yaml", text)
        raw = path.read_bytes()
        rows = _only_our_errors(lambda: catalogue._parse([path], [raw]), path)
        for row in rows or []:
            Body.from_dict(row)


FRONT = "{# kind: request\ndescription: A request to {{ body.name }}\n#}\n"


@fuzz(80)
@given(data=st.data())
def test_fuzzed_template_front_matter(tmp_path, data) -> None:
    from konpfoi.letters.templates import Templates

    text = data.draw(mutated_text(FRONT), label="front matter")
    body = "{% set subject = 'S' %}\nDear {{ body.name }}\n"
    with tempfile.TemporaryDirectory(dir=tmp_path) as d:
        path = _write(Path(d), "t.j2", text + body)
        if data.draw(st.booleans(), label="not UTF-8"):
            path.write_bytes(b"\xff\xfe" + path.read_bytes())
        t = Templates([Path(d)])
        _only_our_errors(lambda: t.info("t"), path)
        try:
            t.render("t", {"body": {"name": "N"}})
        except KonpfoiError as exc:
            assert str(path) in exc.message


# -- supporters CSVs -----------------------------------------------------------------------------

SEATS = ["Aldershot", "Leeds Central and Headingley", "Nowhere at all", "", "aldershot"]
cells = st.one_of(st.text(max_size=12),
                  st.sampled_from(['"', '""', "a,b", "a;b", "\t", "\n", "\r\n", "x\"y", "'",
                                   "=cmd|' /C calc'!A0", "é", "\ufeff", "[b]x[/]", "\x00"]))


@st.composite
def supporters_file(draw: Any) -> tuple[bytes, int]:
    """A supporters file as a spreadsheet (or a careless hand) might write it, and its rows."""
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    columns = ["name", "email", "constituency", "personal", "address"][
        : draw(st.integers(3, 5))]
    rows = [delimiter.join(columns)]
    n = draw(st.integers(1, 6))
    for i in range(n):
        fields = [draw(cells) + f"Supporter {i}", f"p{i}@example.org", draw(st.sampled_from(SEATS))]
        fields += [draw(cells) for _ in columns[3:]]
        if draw(st.integers(0, 4)) == 0:  # a quote, closed or not
            k = draw(st.integers(0, len(fields) - 1))
            fields[k] = '"' + fields[k] + draw(st.sampled_from(['"', "", "\n"]))
        rows.append(delimiter.join(fields))
    text = draw(st.sampled_from(["\n", "\r\n"])).join(rows) + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"]))
    raw = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 6)) == 0:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(max_size=6)) + raw[at:]
    return raw, n


@fuzz(150)
@given(made=supporters_file())
def test_fuzzed_supporters_files(tmp_path, made) -> None:
    from konpfoi.context import Context
    from konpfoi.letters.supporters import plan_supporters

    raw, _ = made
    folder = sentinel(tmp_path)
    before = outside_workspace(tmp_path)
    directory = Context().directory
    with tempfile.TemporaryDirectory(dir=tmp_path / "cwd") as d:
        path = Path(d) / "supporters.csv"
        path.write_bytes(raw)
        plan = _only_our_errors(lambda: plan_supporters(directory, path, set()), path)
    assert outside_workspace(tmp_path) == before and folder.exists()
    if plan is None:
        return
    emails = [t.sender.email for t in plan.targets if t.sender]
    assert len(emails) == len(set(e.lower() for e in emails))  # no supporter twice
    for t in plan.targets:
        assert t.sender and "\n" not in t.sender.name and "\r" not in t.sender.name
        theirs = t.sender.email
        others = set(re.findall(r"p\d+@example\.org", " ".join(
            str(v) for v in (t.extra.get("personal"), t.sender.address, t.sender.name))))
        assert not others - {theirs}, "a row swallowed another supporter's row"


@pytest.mark.usefixtures("me")
@fuzz(20)
@given(made=supporters_file())
def test_fuzzed_supporters_through_batch(tmp_path, run, made) -> None:
    raw, _ = made
    with tempfile.TemporaryDirectory(dir=tmp_path / "cwd") as d:
        path = Path(d) / "s.csv"
        path.write_bytes(raw)
        out = run("batch", "--supporters", str(path), "--template", "mp-fdp", "--campaign",
                  f"c{Path(d).name}", "--json", code=None)
    assert out.exit_code in (0, 5), out.stderr
    assert "internal error" not in out.stderr
