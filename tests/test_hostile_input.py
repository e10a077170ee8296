"""Every case of hostile or broken input the issue lists (#17), each as a test: a shared file
cannot read your files, a template cannot hang the machine, nothing is lost quietly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from conftest import TODAY, mode, use_server, write
from hostile import (  # noqa: F401 - golden_workspace is the 'golden' fixture
    SECRET,
    golden_workspace,
    outside_workspace,
    records,
    sentinel,
    sql,
    write_records,
)

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def story(golden: Path, home: Path, tmp_path: Path) -> Path:
    """A copy of the golden workspace, and its export in tmp_path/good.jsonl."""
    shutil.copytree(golden / "home", home)
    shutil.copy(golden / "good.jsonl", tmp_path / "good.jsonl")
    return home


def _other(run, tmp_path: Path, monkeypatch) -> Path:
    """A second, empty workspace to import into."""
    other = tmp_path / "other"
    monkeypatch.setenv("KONPFOI_HOME", str(other))
    run("init", str(other), "--name", "Al Other", "--email", "al@example.org")
    return other


def _line_of(recs: list[dict], rec: dict) -> int:
    return next(n for n, r in enumerate(recs, start=1) if r is rec)


# -- a tampered export cannot read your files ---------------------------------------------------


@pytest.mark.parametrize("path", ["/etc/passwd", "../../etc/passwd", "drafts/../../x.eml",
                                  "{sentinel}/secret.txt", "drafts/K-0002.txt"])
def test_an_export_naming_a_file_is_refused(run, story, tmp_path, monkeypatch, path) -> None:
    recs = records(tmp_path / "good.jsonl")
    item = next(r for r in recs if r["type"] == "item" and r["id"] == "K-0002")
    item["draft_path"] = path.format(sentinel=sentinel(tmp_path))
    bad = write_records(tmp_path / "bad.jsonl", recs)
    _other(run, tmp_path, monkeypatch)
    out = run("import", str(bad), code=5)
    assert f"bad.jsonl:{_line_of(recs, item)}: item record, field 'draft_path'" in out.stderr
    assert "nothing was imported" in out.stderr
    assert run.json("status", "--all")["items"] == []


@pytest.mark.parametrize("path", ["{sentinel}/secret.txt", "../sentinel/secret.txt",
                                  "../sentinel/nested/x.eml"])
def test_send_never_mails_a_file_a_ledger_row_names(run, story, tmp_path, smtp, path) -> None:
    """Even a ledger written by something else (not an import) cannot choose what is sent."""
    folder = sentinel(tmp_path)
    before = outside_workspace(tmp_path)
    sql(story / "konpfoi.db", "UPDATE items SET draft_path = ?, message_sha256 = NULL "
        "WHERE id = 'K-0002'", (path.format(sentinel=folder),))
    server = smtp()
    use_server(story, server)
    out = run("send", "K-0002", "--yes", code=7)
    assert "missing from the ledger: draft it again" in out.stderr
    assert server.received == [] and SECRET not in out.stdout + out.stderr
    run("mark-sent", "K-0002")  # its placeholder check reads no file either
    assert outside_workspace(tmp_path) == before


# -- a poisoned export is refused line and field; a poisoned ledger is read around --------------


def _event(recs: list[dict], kind: str = "reply") -> dict:
    return next(r for r in recs if r["type"] == "event" and r["kind"] == kind)


def _first(recs: list[dict], type_: str) -> dict:
    return next(r for r in recs if r["type"] == type_)


POISONS = [  # (what, how to poison the export, the field named)
    ("an impossible date", lambda rs: _event(rs).update(date="2026-02-30"), "'date'"),
    ("a date as a number", lambda rs: _event(rs).update(date=20261102), "'date'"),
    ("a far-future date", lambda rs: _event(rs).update(date="9999-12-31"), "'date'"),
    ("an unknown event kind", lambda rs: _event(rs).update(kind="exploded"), "'kind'"),
    ("an attachment hash that is a path",
     lambda rs: _first(rs, "attachment").update(sha256="../../etc/passwd"), "'sha256'"),
    ("an attachment name that is a path",
     lambda rs: _first(rs, "attachment").update(name="../../.bashrc"), "'name'"),
    ("a 30 MB note", lambda rs: _event(rs).update(note="x" * 30_000_000), "'note'"),
    ("an integer item id", lambda rs: _first(rs, "item").update(id=42), "'id'"),
    ("data that is not an object", lambda rs: _event(rs).update(data=[1, 2]), "'data'"),
    ("an until-date that is not a day",
     lambda rs: _event(rs).update(data={"until": "2026-13-01"}), "'data.until'"),
    ("an inbound hash that is a path",
     lambda rs: _first(rs, "inbound").update(sha256="../" * 21 + "x"), "'sha256'"),
    ("a field the model does not have", lambda rs: _first(rs, "item").update(shell="rm -rf"),
     "'shell'"),
    ("an event for an item the file does not carry",
     lambda rs: _event(rs).update(item="K-0099"), "'item'"),
    ("a blob whose content is not its hash",
     lambda rs: _first(rs, "blob").update(content="aGVsbG8="), "content"),
    ("a negative size", lambda rs: _first(rs, "attachment").update(size=-1), "'size'"),
    ("a uid that is not hex", lambda rs: _event(rs).update(uid="../x"), "'uid'"),
]


@pytest.mark.parametrize("what, poison, field", POISONS, ids=[p[0] for p in POISONS])
def test_a_poisoned_export_is_refused_naming_line_and_field(run, story, tmp_path, monkeypatch,
                                                            what, poison, field) -> None:
    recs = records(tmp_path / "good.jsonl")
    poison(recs)
    bad = write_records(tmp_path / "bad.jsonl", recs)
    _other(run, tmp_path, monkeypatch)
    out = run("import", str(bad), code=5)
    assert out.stderr.startswith(f"error: {bad}:") and field in out.stderr, out.stderr
    assert "nothing was imported" in out.stderr
    assert run.json("status", "--all")["items"] == []


@pytest.mark.parametrize("line", [
    "[" * 20_000 + "]" * 20_000,
    '{"type": "item", "id": ' + "[" * 20_000 + "]" * 20_000 + "}",
    '{"type": "event", "n": ' + "9" * 5000 + "}",
    '{"type": ["item"]}',
    "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"),
])
def test_a_broken_line_is_refused_not_a_crash(run, story, tmp_path, monkeypatch, line) -> None:
    good = (tmp_path / "good.jsonl").read_text().splitlines()
    bad = write(tmp_path / "bad.jsonl", "\n".join([good[0], line, *good[1:]]) + "\n")
    _other(run, tmp_path, monkeypatch)
    out = run("import", str(bad), code=5)
    assert f"{bad}:2:" in out.stderr and "internal error" not in out.stderr


def test_a_line_separator_inside_a_note_travels_intact(run, story, tmp_path, monkeypatch) -> None:
    run("record", "K-0001", "note", "--note", "one\u2028two\u0085three\x1cfour")
    run("export", str(tmp_path / "sep.jsonl"))
    _other(run, tmp_path, monkeypatch)
    run("import", str(tmp_path / "sep.jsonl"))
    notes = [e["note"] for e in run.json("show", "K-0001")["events"] if e["kind"] == "note"]
    assert notes == ["one\u2028two\u0085three\x1cfour"]


DAMAGE = [  # (what, statement on the ledger file)
    ("an impossible date", "UPDATE events SET date = '2026-02-30' WHERE kind = 'reply'"),
    ("a date as a number", "UPDATE events SET date = 20261102 WHERE kind = 'reply'"),
    ("a far-off date", "UPDATE events SET date = '9999-12-31' WHERE kind = 'sent'"),
    ("an unknown kind", "UPDATE events SET kind = 'exploded' WHERE kind = 'reply'"),
    ("data that is not an object", "UPDATE events SET data = '[1, 2]' WHERE kind = 'reply'"),
    ("data that is not JSON", "UPDATE events SET data = '{\"outcome\": ' WHERE kind = 'reply'"),
    ("an outcome that is a list", "UPDATE events SET data = '{\"outcome\": [1]}' "
                                  "WHERE kind = 'reply'"),
    ("an attachment hash that is a path",
     "UPDATE attachments SET sha256 = '../../etc/passwd'"),
    ("a 30 MB note", "UPDATE events SET note = printf('%.*c', 30000000, 'x') "
                     "WHERE kind = 'reply'"),
    ("questions that are not JSON", "UPDATE items SET questions = '[{' WHERE id = 'K-0001'"),
    # #12: an unknown kind word (a newer konpfoi's) reads as a plain letter; this is no word
    ("an item kind that is no kind", "UPDATE items SET kind = 'FOI; x' WHERE id = 'K-0002'"),
    ("an item created on no day", "UPDATE items SET created_at = 'soon' WHERE id = 'K-0002'"),
    ("answers' exemptions that are not JSON", "UPDATE answers SET exemptions = '['"),
    ("inbound candidates that are not JSON", "UPDATE inbound SET candidates = '{'"),
    ("an inbound hash that is a path", "UPDATE inbound SET sha256 = '../../etc/passwd', "
                                       "status = 'unmatched'"),
]


@pytest.mark.parametrize("what, statement", DAMAGE, ids=[d[0] for d in DAMAGE])
def test_reading_a_damaged_ledger_reports_the_row_and_carries_on(run, story, tmp_path, what,
                                                                statement) -> None:
    sql(story / "konpfoi.db", statement)
    warned = ""
    for args in (["status", "--all"], ["show", "K-0001", "--explain"], ["report", "-f", "html"],
                 ["export", str(tmp_path / "again.jsonl")], ["replies", "unmatched"],
                 ["followup", "K-0001", "--kind", "chaser"], ["send", "--campaign", "c"]):
        out = run(*args, code=None)
        assert out.exit_code in (0, 7, 9), (args, out.exit_code, out.stderr)
        assert "internal error" not in out.stderr, (args, out.stderr)
        warned += out.stderr
    if what not in ("an outcome that is a list", "a 30 MB note"):  # read as none; or fine
        assert "is damaged" in warned, warned


# -- templates cannot hang or exhaust the machine ------------------------------------------------

TEMPLATES = {
    "doubling": "{% set ns = namespace(s='x') %}{% for i in range(64) %}"
                "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
    "nested ranges": "{% for a in range(100000) %}{% for b in range(100000) %}{{ '' }}"
                     "{% endfor %}{% endfor %}",
    "center": "{{ 'x'.center(2000000000) }}",
    "indent": "{{ ('a\\n' * 1000) | indent(50000) }}",
    "replace doubling": "{% set ns = namespace(s='ab') %}{% for i in range(64) %}"
                        "{% set ns.s = ns.s.replace('a', 'aa') %}{% endfor %}",
    "chained powers": "{{ ((9**99)**99)**99 }}",
    "recursive macro": "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
}


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_a_template_cannot_hang_or_exhaust_the_machine(run, me, name) -> None:
    path = write(me / "templates" / "evil.j2",
                 "{# kind: request\ndescription: evil #}\n{% set subject = 'x' %}\n"
                 + TEMPLATES[name] + "\n")
    start = time.monotonic()
    # a request (#12: a plain letter goes to a body's general address, which QKK lacks)
    out = run("draft", "--to", "icb:QKK", "-q", "palantir-fdp", "--template", "evil", code=None)
    assert time.monotonic() - start < 8
    assert out.exit_code in (5, 6) and "internal error" not in out.stderr
    assert f"template {path}:4:" in out.stderr.replace("\n", "")
    assert not list((me / "drafts").glob("*")) if (me / "drafts").exists() else True
    assert run.json("status", "--all")["items"] == []


# -- one campaign, one batch at a time ---------------------------------------------------------


def test_three_batches_at_once_draft_each_body_once(me: Path, tmp_path: Path) -> None:
    env = {**os.environ, "KONPFOI_HOME": str(me), "KONPFOI_CACHE_DIR": str(tmp_path / "cache")}
    code = "from konpfoi.cli.main import main; main()"
    argv = [sys.executable, "-c", code, "batch", "--to", "icb:*", "-q", "palantir-fdp",
            "--campaign", "fdp", "--json"]
    procs = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(3)]
    outs = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert sorted(len(o["drafted"]) for o in outs) == [0, 0, 36]
    ids = [i for o in outs for i in o["drafted"]]
    assert len(ids) == len(set(ids)) == 36
    items = sql(me / "konpfoi.db", "SELECT COUNT(*), COUNT(DISTINCT body_id) FROM items")
    assert items == [(36, 36)]


def test_a_batch_that_waited_for_another_skips_what_it_drafted(me: Path) -> None:
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.letters import campaigns
    from konpfoi.letters import questions as qmod
    from konpfoi.letters.addressing import sender_from_config

    s = Context()
    qs = qmod.get("palantir-fdp", s.question_dirs)
    sender = sender_from_config(s.config)
    kwargs = dict(templates=s.templates, drafts_dir=s.ws.drafts, template="foi-request",
                  qs=qs, subject=None, now=dt.datetime.now().astimezone(), drafts_root=s.ws.root,
                  config=s.config)
    with s.ledger() as ledger:
        first = campaigns.plan_bodies(s.directory, set(), s.templates, "foi-request", qs,
                                      ["icb:*"], None)
        second = campaigns.plan_bodies(s.directory, set(), s.templates, "foi-request", qs,
                                       ["icb:*"], None)
        assert len(campaigns.draft_batch(ledger, first, "fdp", sender, **kwargs)) == 36
        assert campaigns.draft_batch(ledger, second, "fdp", sender, **kwargs) == []
        assert {k.reason for k in second.skipped} == {
            "already drafted in this campaign (by another batch)"}
        assert len(ledger.items()) == 36


def test_a_lost_claim_undoes_the_whole_batch(me: Path, monkeypatch) -> None:
    import datetime as dt

    from konpfoi.context import Context
    from konpfoi.errors import Conflict
    from konpfoi.ledger.sql.items import ItemsSql
    from konpfoi.letters import campaigns
    from konpfoi.letters import questions as qmod
    from konpfoi.letters.addressing import sender_from_config

    calls = []

    def claim(self, key, item_id):  # another writer claimed the third body first
        calls.append(key)
        if len(calls) == 3:
            raise Conflict("the ledger refused a duplicate")
        return original(self, key, item_id)

    original = ItemsSql.claim
    monkeypatch.setattr(ItemsSql, "claim", claim)
    s = Context()
    qs = qmod.get("palantir-fdp", s.question_dirs)
    with s.ledger() as ledger:
        plan = campaigns.plan_bodies(s.directory, set(), s.templates, "foi-request", qs,
                                     ["icb:*"], None)
        with pytest.raises(Conflict):
            campaigns.draft_batch(ledger, plan, "fdp", sender_from_config(s.config),
                                  templates=s.templates, drafts_dir=s.ws.drafts,
                                  template="foi-request", qs=qs, subject=None,
                                  now=dt.datetime.now().astimezone(), drafts_root=s.ws.root,
                                  config=s.config)
        assert ledger.items() == []
    assert list(s.ws.drafts.iterdir()) == []


def test_two_batches_in_the_same_second_write_two_mboxes(run, me: Path) -> None:
    with time_machine.travel(TODAY, tick=False):
        one = run.json("batch", "--to", "icb:QKK", "-q", "palantir-fdp", "--campaign", "fdp")
        two = run.json("batch", "--to", "icb:QWO", "-q", "palantir-fdp", "--campaign", "fdp")
    assert one["mbox"] != two["mbox"]
    assert Path(one["mbox"]).exists() and Path(two["mbox"]).exists()
    assert Path(one["mbox"]).name.endswith("-K-0001.mbox")


# -- every bad file is one line and a hint --------------------------------------------------------


@pytest.mark.parametrize("value, words", [
    ("2026-02-30", "'2026-02-30' is not a real date"),
    ('"2026-02-30"', "'2026-02-30' is not a real date"),
    ("9999-12-31", "outside the years konpfoi accepts"),
    ("2999-01-01", "outside the years konpfoi accepts"),
])
def test_dates_in_konpfoi_yaml(run, me: Path, value, words) -> None:
    text = (me / "konpfoi.yaml").read_text()
    lines = text.splitlines()
    number = next(n for n, x in enumerate(lines, 1) if x.startswith("  add:"))
    (me / "konpfoi.yaml").write_text(text.replace(
        "  add: []", f"  add: [{{date: {value}, name: Proclaimed}}]"))
    out = run("where", code=5)
    assert f"konpfoi.yaml:{number}:" in out.stderr and words in out.stderr
    assert "hint:" in out.stderr and "internal error" not in out.stderr


def test_an_impossible_date_in_a_question_set(run, me: Path) -> None:
    write(me / "questions" / "qs.yaml", "id: qs\ntitle: T\nsource: S\nquestions:\n"
          "  - label: when\n    text: 2026-02-30\n")
    out = run("questions", "show", "qs", code=5)
    assert "qs.yaml:6: '2026-02-30' is not a real date" in out.stderr


def test_an_impossible_date_in_bodies_yaml(run, me: Path) -> None:
    write(me / "bodies.yaml", "bodies:\n  - id: icb:QKK\n    contacts:\n"
          "      - {role: foi, email: a@b.nhs.uk, checked: 2026-02-30}\n")
    out = run("bodies", "show", "icb:QKK", code=5)
    assert "bodies.yaml:4: '2026-02-30' is not a real date" in out.stderr


@pytest.mark.parametrize("args", [["deadline", "9999-12-31"], ["deadline", "0001-01-01"],
                                  ["status", "--today", "9999-12-31"]])
def test_far_dates_are_refused_not_overflowed(run, me: Path, args) -> None:
    out = run(*args, code=5)
    assert "outside the years konpfoi accepts (1990 to 2100)" in out.stderr


def test_mark_sent_on_day_one_is_refused(run, me: Path) -> None:
    run("draft", "--to", "icb:QKK", "-q", "palantir-fdp")
    out = run("mark-sent", "K-0001", "--date", "0001-01-01", code=5)
    assert "--date: 0001-01-01 is outside the years" in out.stderr


SUPPORTERS = ("name\temail\tconstituency\tpersonal\n"
              "Ann Able\tann@example.org\tAldershot\tÉtonnée, I care.\n")


def test_a_utf16_supporters_file_from_excel(run, me: Path, tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    path.write_bytes(SUPPORTERS.encode("utf-16"))  # Excel's "Unicode text": UTF-16LE, tabs
    out = run.json("batch", "--supporters", str(path), "--template", "mp-fdp",
                   "--campaign", "lobby")
    assert out["drafted"] == ["K-0001"]
    assert "Étonnée" in (me / "drafts" / "K-0001.txt").read_text()


def test_a_huge_field_is_one_line_naming_the_row(run, me: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "name,email,constituency,personal\n"
                 "Ann,ann@example.org,Aldershot,ok\n"
                 f'Bob,bob@example.org,Aldershot,"{"x" * 200_000}"\n')
    out = run("batch", "--supporters", str(path), "--template", "mp-fdp", "--campaign", "l",
              code=5)
    assert "s.csv:3: a field is longer than 131,072 characters" in out.stderr


def test_an_unterminated_quote_never_swallows_the_next_row(run, me: Path, tmp_path) -> None:
    path = write(tmp_path / "s.csv", "name,email,constituency,personal\n"
                 'Ann,ann@example.org,Aldershot,"I care\n'
                 "Bob,bob@example.org,Aldershot,me too\n")
    out = run("batch", "--supporters", str(path), "--template", "mp-fdp", "--campaign", "l",
              code=5)
    assert "s.csv:2: a quote opened on this line is not closed until line 3" in out.stderr
    assert run.json("status", "--all")["items"] == []


def test_duplicate_supporter_rows_are_warned_and_skipped(run, me: Path, tmp_path) -> None:
    path = write(tmp_path / "s.csv", "name,email,constituency\n"
                 "Ann,ann@example.org,Aldershot\nAnn A,ANN@example.org,Aldershot\n")
    out = run("batch", "--supporters", str(path), "--template", "mp-fdp", "--campaign", "l")
    assert "warning: skipped s.csv:3 ANN@example.org -> mp:5173: a duplicate of row 2" \
        in " ".join(out.stderr.split())
    assert len(run.json("status", "--all")["items"]) == 1


# -- smaller ---------------------------------------------------------------------------------------


def test_user_data_is_never_read_as_markup_or_emoji(run, me: Path) -> None:
    write(me / "bodies.yaml", "bodies:\n  - id: 'council:x:'\n    kind: council\n"
          "    name: '[/]Bad [bold]name :smile:'\n    nation: england\n")
    out = run("bodies", "show", "council:x:")
    assert "council:x:" in out.stdout and "[/]Bad [bold]name :smile:" in out.stdout
    listed = run("bodies", "list", "--kind", "council")
    assert "[/]Bad [bold]name" in listed.stdout
    missing = run("draft", "--to", "council:x:", "-q", "palantir-fdp", code=3)
    assert "council:x:" in missing.stderr and "❌" not in missing.stderr


def test_report_files_are_private_unless_asked_to_publish(run, story, tmp_path) -> None:
    run("report", "-o", str(tmp_path / "private.html"), "-f", "html")
    run("report", "-o", str(tmp_path / "public.html"), "-f", "html", "--public")
    assert mode(tmp_path / "private.html") == 0o600
    assert mode(tmp_path / "public.html") == 0o644


@pytest.mark.parametrize("host, warned", [("smtp.example.org", True), ("192.0.2.7", True),
                                          ("localhost", False), ("127.0.0.1", False),
                                          ("::1", False), ("[::1]", False)])
def test_a_password_in_clear_is_warned_about(host, warned) -> None:
    from konpfoi.mail.transport import Server, cleartext_warning

    assert bool(cleartext_warning(Server(host, 25, "jo@example.org", "none"))) is warned
    assert cleartext_warning(Server(host, 587, "jo@example.org", "starttls")) is None
    assert cleartext_warning(Server(host, 25, None, "none")) is None


def test_send_warns_before_the_password_crosses_the_network(run, story, monkeypatch) -> None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:  # no packet is sent
        try:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
        except OSError:
            pytest.skip("no network interface but loopback")
    if address.startswith("127."):
        pytest.skip("no network interface but loopback")
    with socket.socket() as closed:  # a port nothing listens on: refused at once
        closed.bind((address, 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("KONPFOI_SMTP_PASSWORD", "hunter2")
    out = run("send", "K-0002", "--yes", "--smtp-host", address, "--smtp-port", str(port),
              "--smtp-user", "jo@example.org", "--smtp-security", "none", code=8)
    first = out.stderr.index("UNENCRYPTED")
    assert first < out.stderr.index("error:") and "hunter2" not in out.stderr


def test_long_non_ascii_headers_are_folded(run, me: Path) -> None:
    import re

    subject = "Données de santé, Palantir et la plateforme 😀 " * 15
    run("draft", "--to", "icb:QKK", "-q", "palantir-fdp", "--subject", subject)
    raw = (me / "drafts" / "K-0001.eml").read_bytes()
    head = raw.split(b"\n\n")[0].decode("ascii")
    assert max(len(line) for line in head.split("\n")) <= 78
    assert all(len(w) <= 75 for w in re.findall(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=", head))
    from email import message_from_bytes
    from email.policy import default

    assert str(message_from_bytes(raw, policy=default)["Subject"]) == " ".join(subject.split())
