"""Fuzzing the ledger's importer and readers: generated and mutated JSON Lines, and rows damaged
straight in the ledger file. Nothing may end in an internal error, touch a file outside the
workspace, or leave an import half-written."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hostile import (  # noqa: F401 - golden_workspace is the 'golden' fixture
    SECRET,
    golden_workspace,
    outside_workspace,
    read_everything,
    sentinel,
)
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from konpfoi.errors import KonpfoiError
from konpfoi.ledger import exchange
from konpfoi.ledger.backends import open_ledger

pytestmark = pytest.mark.usefixtures("frozen")


def fuzz(examples: int) -> settings:
    """Fuzz settings: a modest number of examples, no per-example deadline."""
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=list(HealthCheck))


class Raw:
    """JSON text put into a record as it is (nesting deeper than json.dumps will write)."""

    def __init__(self, text: str) -> None:
        self.text = text


CURATED = [
    "/etc/passwd", "../../etc/passwd", "drafts/../../x.eml", "../sentinel/secret.txt",
    "drafts/K-0001.eml", "2026-02-30", "9999-12-31", "0001-01-01", "1970-01-01", "2026-11-02",
    "2026-11-02T10:00:00+00:00", "K-0001", "K-0002", "K-0099", "k-1", "K-", "x" * 3000,
    "\u2028", "\x00", "\ud800", "[bold]x[/]", "council:x:", "icb:QKK", "0" * 64, "f" * 32,
    "../" * 30, "%s%n", "{{ 7*7 }}", "a@b.org", "not an email", "foi", "email", "reply", "sent",
    "note", "void", "correction", "england", "refused", "matched", "unmatched", 0, -1, 2**63,
    10**400, 1e308, True, None, [], {}, [1, 2], {"until": "2026-02-30"}, {"outcome": [1]},
    {"draft": "/etc/passwd"}, {"message": "../x"}, {"attachments": ["../../x"]},
]
KEYS = ["id", "uid", "kind", "item", "date", "recorded_at", "data", "note", "voids", "event",
        "sha256", "size", "content", "name", "draft_path", "message_sha256", "questions",
        "created_at", "body_id", "body_email", "type", "schema", "format", "key", "item_id",
        "event_uid", "status", "candidates", "question", "outcome", "exemptions", "shell"]
leaf = st.one_of(st.sampled_from(CURATED), st.none(), st.booleans(), st.integers(),
                 st.floats(allow_nan=False), st.text(max_size=30))
values = st.one_of(
    leaf,
    st.lists(leaf, max_size=4),
    st.dictionaries(st.sampled_from(["until", "outcome", "draft", "message", "kind", "to",
                                     "followup", "attachments", "interim", "x"]), leaf,
                    max_size=3),
    st.integers(1, 30_000).map(lambda n: Raw("[" * n + "]" * n)),
)


def _dump(rec: Any) -> str:
    raws: list[str] = []

    def swap(v: Any) -> Any:
        if isinstance(v, Raw):
            raws.append(v.text)
            return f"__RAW{len(raws) - 1}__"
        if isinstance(v, dict):
            return {k: swap(x) for k, x in v.items()}
        if isinstance(v, list):
            return [swap(x) for x in v]
        return v

    text = json.dumps(swap(rec), ensure_ascii=False)
    for n, raw in enumerate(raws):
        text = text.replace(f'"__RAW{n}__"', raw)
    return text


@st.composite
def mutated(draw: Any, lines: list[str]) -> bytes:
    """A golden export with one to three mutations: of a field, of the lines, of the bytes."""
    recs: list[Any] = [json.loads(x) for x in lines]
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["field", "field", "field", "data", "line", "bytes"]))
        if how in ("field", "data") and recs:
            n = draw(st.integers(0, len(recs) - 1))
            rec = recs[n] if isinstance(recs[n], dict) else {}
            if how == "data" and isinstance(rec.get("data"), dict):
                rec["data"][draw(st.sampled_from(["until", "outcome", "draft", "message",
                                                  "kind", "to", "followup"]))] = draw(values)
            elif draw(st.booleans()) and rec:
                rec.pop(draw(st.sampled_from(sorted(rec))))
            else:
                rec[draw(st.sampled_from(sorted(rec) + KEYS) if rec else
                         st.sampled_from(KEYS))] = draw(values)
        elif how == "line" and recs:
            i = draw(st.integers(0, len(recs) - 1))
            op = draw(st.sampled_from(["drop", "twice", "first", "scalar"]))
            if op == "drop":
                recs.pop(i)
            elif op == "twice":
                recs.insert(i, recs[i])
            elif op == "first":
                recs.insert(0, recs.pop(i))
            else:
                recs[i] = draw(leaf)
    text = "".join(_dump(r) + "\n" for r in recs)
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 5)) == 0:  # bytes: cut short, or something spliced in
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from([b"", b"\xff\xfe", b"\n", b"{", b"\x00",
                                               b'"\\ud800"', b"\r"]))
    return raw


def _empty(ledger: Any) -> bool:
    recs = list(ledger.dump())
    return [r["type"] for r in recs] == ["header"]


@fuzz(150)
@given(data=st.data())
def test_fuzzed_exports_import_whole_or_not_at_all(golden, tmp_path, data) -> None:
    from konpfoi.context import Context

    lines = (golden / "good.jsonl").read_text(encoding="utf-8").splitlines()
    raw = data.draw(mutated(lines), label="export")
    folder = sentinel(tmp_path)
    before = outside_workspace(tmp_path)
    cals = Context().calendars
    with tempfile.TemporaryDirectory(dir=tmp_path / "cwd") as d:
        root = Path(d)
        path = root / "in.jsonl"
        path.write_bytes(raw)
        with open_ledger(root / "l.db") as ledger:
            try:
                exchange.import_file(ledger, path)
                imported = True
                event("imported")
            except KonpfoiError as exc:
                imported = False
                event("refused: " + exc.message.split(": ", 1)[-1].split(":")[0][:40])
            if not imported:
                assert _empty(ledger), "a refused import left something behind"
            else:
                read_everything(ledger, cals, root)
    assert outside_workspace(tmp_path) == before
    assert SECRET in (folder / "secret.txt").read_text()


@fuzz(25)
@given(data=st.data())
def test_fuzzed_imports_through_the_cli(golden, tmp_path, monkeypatch, run, data) -> None:
    """As a user would: `konpfoi import` never says 'internal error', and a refused import
    leaves the ledger byte for byte as it was."""
    lines = (golden / "good.jsonl").read_text(encoding="utf-8").splitlines()
    raw = data.draw(mutated(lines), label="export")
    work = Path(tempfile.mkdtemp(dir=tmp_path / "cwd"))
    shutil.copytree(golden / "home", work / "home")
    monkeypatch.setenv("KONPFOI_HOME", str(work / "home"))
    run("export", str(work / "before.jsonl"))
    (work / "in.jsonl").write_bytes(raw)
    out = run("import", str(work / "in.jsonl"), code=None)
    assert out.exit_code in (0, 5, 7), out.stderr
    assert "internal error" not in out.stderr
    if out.exit_code:
        run("export", str(work / "after.jsonl"))
        assert (work / "after.jsonl").read_bytes() == (work / "before.jsonl").read_bytes()
    for args in (["status", "--all"], ["show", "K-0001"], ["report"]):
        shown = run(*args, code=None)
        assert shown.exit_code in (0, 3), (args, shown.stderr)
        assert "internal error" not in shown.stderr


COLUMNS = {
    "events": ["kind", "date", "data", "note", "voids", "item_id", "recorded_at"],
    "items": ["kind", "body_id", "body_name", "subject", "created_at", "questions", "nation",
              "draft_path", "message_sha256", "body_email", "sender_email", "campaign"],
    "attachments": ["sha256", "name", "size", "original_name"],
    "answers": ["question", "outcome", "exemptions", "answer"],
    "inbound": ["sha256", "status", "candidates", "problems", "item_id", "date"],
    "blobs": ["content", "size"],
}
sql_values = st.one_of(st.sampled_from([v for v in CURATED if not isinstance(v, (list, dict))
                                        and not (isinstance(v, int) and abs(v) > 2**62)]),
                       st.integers(-(2**62), 2**62), st.floats(allow_nan=False),
                       st.text(max_size=20), st.binary(max_size=20),
                       st.sampled_from(['{"until": 5}', "[1]", "{", '{"outcome": "x"}',
                                        '[{"number": "1"}]', "null", '"text"']))


@fuzz(120)
@given(damage=st.lists(st.tuples(st.sampled_from(sorted(COLUMNS)), st.data()), min_size=1,
                       max_size=3))
def test_fuzzed_damage_in_the_ledger_is_read_around(golden, tmp_path, damage) -> None:
    from konpfoi.context import Context

    cals = Context().calendars
    with tempfile.TemporaryDirectory(dir=tmp_path / "cwd") as d:
        root = Path(d)
        shutil.copy(golden / "home" / "konpfoi.db", root / "l.db")
        conn = sqlite3.connect(root / "l.db")
        try:
            for table, data in damage:
                column = data.draw(st.sampled_from(COLUMNS[table]), label="column")
                value = data.draw(sql_values, label="value")
                try:
                    with conn:
                        conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid IN "
                                     f"(SELECT rowid FROM {table} LIMIT 1)", (value,))
                except (sqlite3.IntegrityError, UnicodeEncodeError):
                    assume(False)
        finally:
            conn.close()
        with open_ledger(root / "l.db") as ledger:
            read_everything(ledger, cals, root)
