"""Every command, with good input and with bad, exits with the code the README's table gives;
a command added without a line here fails the walk. (Commands that need a mail server are run
for real in test_send, test_imap and test_signin; here their bad input is the missing
server.)"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, TODAY, Run, on_day, write
from test_shell_habits import COMMANDS

from konpfoi.errors import ExitCode

DATA = ROOT / "tests" / "data"

REPLY = """\
From: FOI <wyicb.foi@nhs.net>
To: jo@example.org
Subject: RE: Freedom of Information request [K-0002]
Date: Mon, 16 Nov 2026 10:00:00 +0000
Message-ID: <reply-k2@nhs.net>

Please find our response attached. We do not hold this information.
"""
STRANGERS = """\
From someone@example.com Mon Nov 16 10:00:00 2026
From: Someone <someone@example.com>
To: jo@example.org
Subject: hello
Date: Mon, 16 Nov 2026 10:00:00 +0000
Message-ID: <stranger-1@example.com>

Are you coming to the meeting?

From other@example.com Mon Nov 16 11:00:00 2026
From: Other <other@example.com>
To: jo@example.org
Subject: our newsletter
Date: Mon, 16 Nov 2026 11:00:00 +0000
Message-ID: <stranger-2@example.com>

News.
"""
EDIT = "Subject: FDP questions [K-0003]\n\nDear FOI team,\n\nDo you use the FDP?\n\nJo\n"
CHANGES = """\
bodies:
  - id: icb:QKK
    contacts: [{role: chair, email: chair@selondon.example.org, source: board papers}]
"""

# command -> (good arguments, 0) and (bad arguments, the code the README gives for them)
CASES: dict[str, list[tuple[list[str], int]]] = {
    "init": [(["init", "{ws}", "--name", "Jo Campaigner"], 0),
             (["init", "{ws}", "--prefix", "k1"], 5)],
    "where": [(["where"], 0), (["where", "--bogus"], 2)],
    "draft": [(["draft", "--to", "trust:RJ1", "-q", "palantir-fdp"], 0),
              (["draft", "--to", "icb:QQQQ", "-q", "palantir-fdp"], 3)],
    "batch": [(["batch", "--to", "trust:RJ1", "--to", "trust:RJZ", "-q", "palantir-fdp",
                "--campaign", "b"], 0),
              (["batch", "--to", "icb:QKK", "-q", "nope", "--campaign", "b"], 3)],
    "edit": [(["edit", "K-0003", "--file", "{tmp}/edit.txt"], 0),
             (["edit", "K-0001", "--file", "{tmp}/edit.txt"], 7)],
    "withdraw": [(["withdraw", "3"], 0), (["withdraw", "K-0099"], 3)],
    "send": [(["send", "--campaign", "fdp"], 0), (["send", "--campaign", "fdp", "--yes"], 5)],
    "login": [(["login", "--help"], 0), (["login", "--smtp"], 5)],
    "mark-sent": [(["mark-sent", "K-0003", "--date", "20/11/2026"], 0),
                  (["mark-sent", "K-0001"], 7)],
    "record": [(["record", "K-0001", "acknowledged"], 0),
               (["record", "K-0001", "acknowledged", "--date", "31/02/2026"], 5)],
    "reply": [(["reply", "K-0001", "--file", "{tmp}/reply1.eml"], 0),
              (["reply", "K-0002", "--file", "{tmp}/missing.eml"], 5)],
    "status": [(["status"], 0), (["status", "--campaign", "nope"], 3)],
    "show": [(["show", "1"], 0), (["show", "K-0099"], 3)],
    "code": [(["code", "K-0002", "--q", "all=not-held"], 0),
             (["code", "K-0002", "--q", "1=maybe"], 5)],
    "followup": [(["followup", "K-0001", "--kind", "chaser"], 0),
                 (["followup", "K-0003", "--kind", "chaser"], 7)],
    "report": [(["report"], 0), (["report", "--format", "pdf"], 5)],
    "export": [(["export", "{tmp}/out.jsonl"], 0),
               (["export", "{tmp}/no/such/folder/out.jsonl"], 5)],
    "import": [(["import", "{tmp}/export.jsonl"], 0), (["import", "{tmp}/reply.eml"], 5)],
    "deadline": [(["deadline", "12/03/2026"], 0), (["deadline", "soon"], 5)],
    "completion": [(["completion", "bash"], 0), (["completion", "tcsh"], 5)],
    "bodies list": [(["bodies", "list", "--kind", "icb"], 0),
                    (["bodies", "list", "--where", "region=Londn"], 3)],
    "bodies show": [(["bodies", "show", "icb:QKK"], 0), (["bodies", "show", "leeds"], 4)],
    "bodies search": [(["bodies", "search", "leeds"], 0),
                      (["bodies", "search", "zzzqqq"], 3)],
    "bodies check": [(["bodies", "check"], 0), (["bodies", "check", "--stale-days", "x"], 2)],
    "bodies import": [(["bodies", "import", "mps", "{data}/mps-small.csv"], 0),
                      (["bodies", "import", "mps", "{data}/mps-small.csv", "--yes"], 6)],
    "bodies set": [(["bodies", "set", "icb:QKK", "chair=chair@example.org", "--source",
                     "https://example.org"], 0),
                   (["bodies", "set", "icb:QKK", "chair=notanemail", "--source",
                     "https://example.org"], 5)],
    "bodies add": [(["bodies", "add", "council:lambeth-hosc", "--name", "Lambeth HOSC",
                     "--nation", "england"], 0),
                   (["bodies", "add", "icb:QKK", "--name", "X", "--nation", "england"], 7)],
    "bodies note": [(["bodies", "note", "icb:QKK", "met the chair"], 0),
                    (["bodies", "note", "icb:QQQ", "x"], 3)],
    "bodies export-changes": [(["bodies", "export-changes", "{tmp}/mine.yaml"], 0),
                              (["bodies", "export-changes", "{tmp}/no/such/x.yaml"], 5)],
    "bodies import-changes": [(["bodies", "import-changes", "{tmp}/changes.yaml"], 0),
                              (["bodies", "import-changes", "{tmp}/reply.eml"], 5)],
    "questions list": [(["questions", "list"], 0), (["questions", "list", "--bogus"], 2)],
    "questions show": [(["questions", "show", "palantir-fdp"], 0),
                       (["questions", "show", "palantir"], 3)],
    "templates list": [(["templates", "list"], 0), (["templates", "list", "--bogus"], 2)],
    "templates show": [(["templates", "show", "foi-request"], 0),
                       (["templates", "show", "foi"], 3)],
    "drafts upload": [(["drafts", "upload", "--help"], 0),
                      (["drafts", "upload", "--campaign", "fdp"], 5)],
    "replies import": [(["replies", "import", "{tmp}/reply.eml"], 0),
                       (["replies", "import", "{tmp}/missing.mbox"], 5)],
    "replies fetch": [(["replies", "fetch", "--help"], 0), (["replies", "fetch"], 5)],
    "replies unmatched": [(["replies", "unmatched"], 0),
                          (["replies", "unmatched", "--bogus"], 2)],
    "replies assign": [(["replies", "assign", "{msg}", "K-0002"], 0),
                       (["replies", "assign", "{msg}", "K-0099"], 3)],
    "replies dismiss": [(["replies", "dismiss", "{msg}"], 0),
                        (["replies", "dismiss", "ffff"], 3)],
    "replies undo": [(["replies", "undo", "{dismissed}"], 0), (["replies", "undo", "ffff"], 3)],
    "publish": [(["publish", "{tmp}/site"], 0),
                (["publish", "{tmp}/site", "--campaign", "nope"], 3)],
    "facts set": [(["facts", "set", "trust:RJ1", "fdp=in-use", "--source",
                    "https://example.org/board", "--date", "1 Nov 2026"], 0),
                  (["facts", "set", "trust:RJ1", "fdp=maybe", "--source",
                    "https://example.org/board"], 5)],
    "facts list": [(["facts", "list"], 0), (["facts", "list", "--where", "region=Londn"], 3)],
    "facts export": [(["facts", "export", "{tmp}/facts.csv"], 0),
                     (["facts", "export", "{tmp}/no/such/facts.csv"], 5)],
    "facts import": [(["facts", "import", "{tmp}/facts-in.csv"], 0),
                     (["facts", "import", "{tmp}/reply.eml"], 5)],
    "supporters list": [(["supporters", "list"], 0),
                        (["supporters", "list", "--campaign", "lobbby"], 3)],
    "supporters confirm": [(["supporters", "confirm", "4", "--date", "today"], 0),
                           (["supporters", "confirm", "K-0001"], 5)],
    "supporters forget": [(["supporters", "forget", "ann@example.org"], 0),
                          (["supporters", "forget", "nobody@example.org"], 3)],
    "volunteers": [(["volunteers"], 0), (["volunteers", "--bogus"], 2)],
    "assign": [(["assign", "K-0001", "--to", "Jo"], 0),
               (["assign", "K-0001", "--to", "Nobody"], 3)],
    "ledger upgrade": [(["ledger", "upgrade"], 0),
                       (["ledger", "upgrade", "--from", "mysql://db.example.org/x"], 5)],
    "ledger copy": [(["ledger", "copy", "--to", "sqlite://{tmp}/copy.db"], 0),
                    (["ledger", "copy", "--to", "mysql://db.example.org/x"], 5)],
    "holidays list": [(["holidays", "list"], 0),
                      (["holidays", "list", "--nation", "narnia"], 3)],
    "holidays import": [(["holidays", "import", "{data}/bank-holidays-small.json"], 0),
                        (["holidays", "import", "{tmp}/reply.eml"], 5)],
}


def _takes_json(command: str) -> bool:
    cmd = dict((" ".join(path), c) for path, c in COMMANDS)[command]
    return any("--json" in getattr(p, "opts", []) for p in cmd.params)


def readme_codes() -> dict[int, str]:
    """The README's table of exit codes."""
    text = (ROOT / "README.md").read_text()
    start = text.index("| code | meaning |")
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", text[start:start + 3000], re.M)
    return {int(code): meaning for code, meaning in rows}


def test_the_readme_table_is_konpfois_exit_codes() -> None:
    table = readme_codes()
    assert set(table) == {int(c) for c in ExitCode} | {130, 141}
    assert "not found" in table[ExitCode.NOT_FOUND] and "ambiguous" in table[ExitCode.AMBIGUOUS]


def test_every_command_is_walked() -> None:
    assert {" ".join(path) for path, _ in COMMANDS} == set(CASES)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A workspace with three requests (one sent and overdue, one answered, one drafted), a
    supporter's letter, an unmatched message and a dismissed one: made once, copied for each
    run."""
    base = tmp_path_factory.mktemp("walk")
    home, files = base / "home", base / "files"
    files.mkdir()
    saved = {k: os.environ.get(k) for k in ("KONPFOI_HOME", "KONPFOI_CACHE_DIR")}
    os.environ.update(KONPFOI_HOME=str(home), KONPFOI_CACHE_DIR=str(base / "cache"))
    try:
        run = Run()
        run("init", str(home), "--name", "Jo Campaigner", "--email", "jo@example.org",
            "--address", "1 High Street\nLondon SE1 1AA")
        with on_day("2026-09-28"):
            run("draft", "--to", "icb:QKK", "--to", "icb:QWO", "--to", "icb:QF7", "-q",
                "palantir-fdp", "--campaign", "fdp")
        with on_day(TODAY.date().isoformat()):
            run("mark-sent", "K-0001", "K-0002", "--date", "2026-10-01")
            write(files / "reply.eml", REPLY)
            write(files / "reply1.eml", REPLY.replace("K-0002", "K-0001").replace(
                "wyicb.foi@nhs.net", "FOI@selondonics.nhs.uk").replace("-k2@", "-k1@"))
            run("reply", "K-0002", "--file", str(files / "reply.eml"))
            run("bodies", "note", "icb:QWO", "spoke to the FOI lead")
            write(files / "supporters.csv", "name,email,constituency\n"
                  "Ann Able,ann@example.org,Aldershot\n")
            run("batch", "--supporters", str(files / "supporters.csv"), "--template", "mp-fdp",
                "--campaign", "lobby")
            write(files / "strangers.mbox", STRANGERS)
            run("replies", "import", str(files / "strangers.mbox"))
            waiting = run.json("replies", "unmatched")
            handles = {m["subject"]: m["handle"] for m in waiting}
            run("replies", "dismiss", handles["our newsletter"])
            run("export", str(files / "export.jsonl"))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    write(files / "edit.txt", EDIT)
    write(files / "changes.yaml", CHANGES)
    write(files / "facts-in.csv", "body_id,key,value,source,checked\n"
          "trust:RJZ,fdp,signed-up,https://example.org/kings-board,2026-11-02\n")
    return base, {"msg": handles["hello"], "dismissed": handles["our newsletter"]}


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize("command, args, code", [
    (c, args, code) for c, cases in CASES.items() for args, code in cases],
    ids=lambda v: " ".join(v) if isinstance(v, list) else str(v))
def test_every_command_exits_as_the_readme_says(run, home: Path, tmp_path: Path, template,
                                                command, args, code) -> None:
    base, handles = template
    shutil.copytree(base / "home", home)
    files = tmp_path / "files"
    shutil.copytree(base / "files", files)
    given = [a.format(ws=home, tmp=files, data=DATA, **handles) for a in args]
    out = run(*given, code=None)
    assert out.exit_code == code, (given, out.stdout[-800:], out.stderr[-800:])
    assert code in readme_codes()
    if code:
        lines = out.stderr.strip().splitlines()
        assert any(line.startswith(("error:", "Usage:")) for line in lines), out.stderr
        if "--help" not in given and _takes_json(command):
            as_json = run(*given, "--json", code=code)
            error = json.loads(as_json.stderr.strip().splitlines()[-1])
            assert error["error"] and error["message"]
