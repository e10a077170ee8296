"""A group's ledger on PostgreSQL: choosing it, passwords never written down, a schema migrated
once under a lock, roles that may only read and write, and a lossless move both ways."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import time_machine
from conftest import TODAY, on_day, write

from konpfoi.errors import Conflict, StorageError
from konpfoi.ledger import migrations
from konpfoi.ledger.backends import open_ledger
from konpfoi.ledger.model import Item, new_uid

pytestmark = pytest.mark.usefixtures("frozen")


def _story(run, home: Path, tmp_path: Path) -> None:
    """A ledger with something of everything: volunteers, items, events of many kinds,
    drafted messages, a reply with an attachment, an unmatched message, coded answers."""
    with on_day("2026-10-28"):
        run("draft", "--to", "icb:QKK", "--to", "icb:QWO", "-q", "palantir-fdp",
            "--campaign", "c")
    run("mark-sent", "K-0001", "--date", "2026-11-02")
    run("record", "K-0001", "acknowledged", "--their-ref", "FOI-1", "--note", "café ✓")
    run("record", "K-0001", "correction", "--event", "4", "--date", "2026-11-03")
    eml = write(tmp_path / "r.eml", "From: a@b.nhs.uk\nSubject: re\nMessage-ID: <m@b>\n\nhi\n")
    pdf = tmp_path / "answer.pdf"
    pdf.write_bytes(b"%PDF-1.4 " + bytes(range(256)))
    run("reply", "K-0001", "--file", str(eml), "--file", str(pdf), "--outcome", "refused")
    run("code", "K-0001", "--q", "1=answered:Yes", "--q", "5=refused:s43")
    run("assign", "K-0002", "--to", "ann@example.org")
    box = write(tmp_path / "in.mbox", "From x@y Mon Nov 23 10:00:00 2026\nFrom: pal@friend.org"
                "\nSubject: the FDP\nMessage-ID: <f@friend>\n\nwhat do you make of this?\n")
    run("replies", "import", str(box))


def test_sqlite_to_postgresql_to_sqlite_is_byte_identical(run, me: Path, tmp_path: Path,
                                                          pg_url: str, monkeypatch) -> None:
    _story(run, me, tmp_path)
    original = tmp_path / "sqlite.jsonl"
    run("export", str(original))
    types = {json.loads(x)["type"] for x in original.read_text().splitlines()}
    assert types == {"header", "blob", "volunteer", "item", "event", "attachment", "answer",
                     "inbound", "fact"}
    with time_machine.travel(TODAY + dt.timedelta(days=1), tick=False):  # a copy adds nothing
        out = run.json("ledger", "copy", "--to", pg_url)
    assert out["added"]["event"] == 8 and out["already_present"] == {}
    again = run.json("ledger", "copy", "--to", pg_url)
    assert again["added"] == {} and again["already_present"]["event"] == 8
    back = tmp_path / "back" / "konpfoi.db"
    run("ledger", "copy", "--from", pg_url, "--to", f"sqlite://{back}")
    exports = []
    for url in (pg_url, str(back)):
        monkeypatch.setenv("KONPFOI_LEDGER", url)
        exports.append(tmp_path / f"{len(exports)}.jsonl")
        run("export", str(exports[-1]))
    assert exports[0].read_bytes() == original.read_bytes()  # PostgreSQL's
    assert exports[1].read_bytes() == original.read_bytes()  # and SQLite's again
    shown = run.json("show", "K-0001")  # the copy is a working ledger
    assert shown["state"] == "partly answered"
    assert [a["outcome"] for a in shown["answers"]] == ["answered", "refused"]
    assert [e["by"] for e in shown["events"]] == ["jo@example.org"] * 6


def test_a_copy_never_renumbers(run, me: Path, pg_url: str, monkeypatch) -> None:
    run("draft", "--to", "icb:QKK", "-q", "palantir-fdp")
    with open_ledger(pg_url) as other, other.write():  # another ledger with its own K-0001
        other.add_item(Item("K-0001", new_uid(), "foi", "icb:QWO", "X", "s", "2026-11-01"))
    out = run("ledger", "copy", "--to", pg_url, code=7)
    assert "K-0001 is already a different item here" in out.stderr
    assert "nothing was copied" in out.stderr
    with open_ledger(pg_url) as other:
        assert [i.body_id for i in other.items()] == ["icb:QWO"]


def test_init_ledger_where_and_the_environment(run, home: Path, pg_url: str,
                                              monkeypatch) -> None:
    out = run("init", str(home), "--name", "Jo", "--email", "jo@example.org", "--ledger",
              pg_url)
    assert f"ledger: {pg_url}" in " ".join(out.stdout.split())
    assert f"ledger: {pg_url}\n" in (home / "konpfoi.yaml").read_text()
    where = run.json("where")
    assert where["ledger"] == pg_url and where["ledger_from"] == "konpfoi.yaml"
    run("draft", "--to", "icb:QKK", "-q", "palantir-fdp")
    assert not (home / "konpfoi.db").exists()
    with open_ledger(pg_url) as ledger:
        assert [i.id for i in ledger.items()] == ["K-0001"]
    monkeypatch.setenv("KONPFOI_LEDGER", str(home / "local.db"))
    where = run.json("where")
    assert where["ledger"] == str(home / "local.db") and where["ledger_from"] == "KONPFOI_LEDGER"
    # a file named by KONPFOI_LEDGER that is not there is refused, never started afresh
    assert "no ledger at" in run("status", code=3).stderr and not (home / "local.db").exists()


@pytest.mark.parametrize("url", [
    "postgresql://jo:s3cret@db.example.org/campaign",
    "postgresql://jo@db.example.org/campaign?sslmode=require&password=s3cret",
])
def test_a_password_is_never_taken(run, home: Path, url: str, monkeypatch) -> None:
    run("init", str(home), "--name", "Jo", "--email", "jo@example.org")
    before = (home / "konpfoi.yaml").read_text()
    out = run("init", str(home), "--ledger", url, code=6)
    assert "--ledger holds a password; konpfoi never keeps one" in out.stderr
    assert "~/.pgpass" in out.stderr and "s3cret" not in out.stderr
    assert (home / "konpfoi.yaml").read_text() == before
    write(home / "konpfoi.yaml", before.replace("ledger: \n", f"ledger: {url}\n"))
    out = run("status", code=6)
    assert f"konpfoi.yaml:{before.splitlines().index('ledger: ') + 1}: the ledger setting" \
        in out.stderr
    write(home / "konpfoi.yaml", before)
    monkeypatch.setenv("KONPFOI_LEDGER", url)
    assert "KONPFOI_LEDGER holds a password" in run("status", code=6).stderr
    monkeypatch.delenv("KONPFOI_LEDGER")
    assert "--to holds a password" in run("ledger", "copy", "--to", url, code=6).stderr


def test_unknown_schemes_and_unreachable_servers_are_one_line(run, home: Path, monkeypatch,
                                                              tmp_path: Path) -> None:
    monkeypatch.setenv("KONPFOI_LEDGER", "mysql://db/campaign")
    out = run("status", code=5)
    assert "unknown ledger URL scheme 'mysql'" in out.stderr
    monkeypatch.setenv("KONPFOI_LEDGER", f"postgresql://jo@/campaign?host={tmp_path}")
    out = run("status", code=9)
    lines = out.stderr.splitlines()
    assert lines[0].startswith(f"error: cannot open the ledger postgresql://jo@/campaign?host="
                               f"{tmp_path} (") and len(lines) == 2
    assert "the server is running" in lines[1]


def test_without_psycopg_a_postgresql_url_names_the_extra(run, home: Path, monkeypatch,
                                                          pg_url: str) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    monkeypatch.setenv("KONPFOI_LEDGER", pg_url)
    out = run("status", code=9)
    assert out.stderr.splitlines() == [
        "error: a PostgreSQL ledger needs psycopg, which is not installed",
        "  hint: pip install 'konpfoi[postgres]'"]


def test_konpfoi_imports_psycopg_only_for_a_postgresql_ledger(tmp_path: Path) -> None:
    code = textwrap.dedent(f"""
        import sys
        from typer.testing import CliRunner
        from konpfoi.cli.main import app
        CliRunner().invoke(app, ["--help"])
        CliRunner().invoke(app, ["draft", "--to", "icb:QKK", "-q", "palantir-fdp"])
        CliRunner().invoke(app, ["status"])
        assert "psycopg" not in sys.modules, "psycopg was imported"
        from konpfoi.ledger.backends import open_ledger
        open_ledger({str(tmp_path / 'x.db')!r}).close()
        assert "psycopg" not in sys.modules
    """)
    subprocess.run([sys.executable, "-c", code], check=True, env=os.environ)


def test_a_database_with_other_tables_is_left_untouched(pg_url: str, postgres) -> None:
    name = pg_url.split("/")[3].split("?")[0]
    postgres.psql("CREATE TABLE photos (id int)", name)
    with pytest.raises(StorageError) as exc:
        open_ledger(pg_url)
    assert "holds tables konpfoi did not create; it was left untouched" in exc.value.message
    assert postgres.psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
                         name) == "photos"


OPEN = textwrap.dedent("""
    import sys
    from konpfoi.ledger.backends import open_ledger
    with open_ledger(sys.argv[1]) as ledger:
        print(ledger.schema_version())
""")


@pytest.mark.slow
def test_processes_opening_a_new_database_at_once_migrate_it_once(pg_url: str,
                                                                  tmp_path: Path) -> None:
    script = write(tmp_path / "open.py", OPEN)
    procs = [subprocess.Popen([sys.executable, str(script), pg_url], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, outs
    assert {o.strip() for o, _ in outs} == {str(migrations.SCHEMA_VERSION)}
    with open_ledger(pg_url) as ledger:
        names = [r[0] for r in ledger.db.execute("SELECT name FROM migrations")]
    assert sorted(names) == sorted(migrations.KNOWN)


def test_a_password_from_the_keyring(postgres, pg_url: str, monkeypatch) -> None:
    import types

    name = pg_url.split("/")[3].split("?")[0]
    postgres.create_role("kr_owner", "from the keyring")
    postgres.psql(f'ALTER DATABASE "{name}" OWNER TO kr_owner')
    postgres.psql('GRANT ALL ON SCHEMA public TO kr_owner', name)
    url = postgres.url(name, "kr_owner")
    monkeypatch.setenv("PGPASSFILE", os.devnull)
    with pytest.raises(StorageError) as exc:
        open_ledger(url)
    assert "~/.pgpass" in exc.value.hint
    asked = []

    def get_password(service: str, user: str) -> str | None:
        asked.append((service, user))
        return "from the keyring"

    monkeypatch.setitem(sys.modules, "keyring", types.SimpleNamespace(get_password=get_password))
    with open_ledger(url) as ledger:
        assert ledger.schema_version() == migrations.SCHEMA_VERSION
    assert asked == [("konpfoi", f"postgresql://kr_owner@{postgres.host}")]


def test_a_volunteer_role_reads_and_writes_but_never_migrates(run, me: Path, postgres,
                                                              pg_url: str, tmp_path: Path,
                                                              monkeypatch) -> None:
    """The README's set-up: the owner role migrates; a volunteer's role has DML only."""
    name = pg_url.split("/")[3].split("?")[0]
    postgres.create_role("ledger_owner", "owner pw")
    postgres.create_role("vol_ann", "ann pw")
    postgres.psql(f'ALTER DATABASE "{name}" OWNER TO ledger_owner; '
                  f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC; '
                  f'GRANT CONNECT ON DATABASE "{name}" TO vol_ann')
    postgres.psql("ALTER SCHEMA public OWNER TO ledger_owner; "
                  "REVOKE CREATE ON SCHEMA public FROM PUBLIC; "
                  "GRANT USAGE ON SCHEMA public TO vol_ann; "
                  "ALTER DEFAULT PRIVILEGES FOR ROLE ledger_owner IN SCHEMA public "
                  "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO vol_ann; "
                  "ALTER DEFAULT PRIVILEGES FOR ROLE ledger_owner IN SCHEMA public "
                  "GRANT USAGE, SELECT ON SEQUENCES TO vol_ann", name)
    passfile = write(tmp_path / "pgpass", "*:*:*:ledger_owner:owner pw\n*:*:*:vol_ann:ann pw\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    owner, ann = postgres.url(name, "ledger_owner"), postgres.url(name, "vol_ann")
    monkeypatch.setenv("KONPFOI_LEDGER", ann)
    out = run("status", code=9)
    assert "only its owner may do" in out.stderr and "konpfoi ledger upgrade" in out.stderr
    out = run.json("ledger", "upgrade", "--from", owner)
    assert out == {"ledger": owner, "schema": migrations.SCHEMA_VERSION}
    run("draft", "--to", "icb:QKK", "-q", "palantir-fdp", "--campaign", "c")
    run("mark-sent", "K-0001")
    assert run.json("status")["items"][0]["state"] == "awaiting response"
    with open_ledger(ann) as ledger, pytest.raises(StorageError) as exc:
        ledger.db.execute("DROP TABLE events")
    assert "must be owner" in exc.value.message


def test_a_newer_ledger_is_refused_before_anything_changes(pg_url: str, postgres) -> None:
    open_ledger(pg_url).close()
    name = pg_url.split("/")[3].split("?")[0]
    postgres.psql("INSERT INTO migrations VALUES ('m999_future', '2030-01-01')", name)
    with pytest.raises(Conflict) as exc:
        open_ledger(pg_url)
    assert "newer konpfoi" in exc.value.message and "upgrade konpfoi" in exc.value.hint


@pytest.fixture(scope="module")
def postgres_tls():
    from servers.postgres import PostgresCluster, available

    if available():
        pytest.skip(available())
    with PostgresCluster(tls=True) as cluster:
        yield cluster


def test_tls_with_verify_full(run, me: Path, postgres_tls, monkeypatch) -> None:
    postgres_tls.create_database("campaign")
    port, ca = postgres_tls.tcp_port, postgres_tls.certs.ca_file
    for host, body in (("localhost", "icb:QKK"), ("127.0.0.1", "icb:QWO")):  # both named
        url = f"postgresql://postgres@{host}:{port}/campaign?sslmode=verify-full&sslrootcert={ca}"
        monkeypatch.setenv("KONPFOI_LEDGER", url)
        run("draft", "--to", body, "-q", "palantir-fdp")
        with open_ledger(url) as ledger:
            ssl = ledger.db.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = "
                                    "pg_backend_pid()").fetchone()[0]
            assert ssl is True
    assert [i["id"] for i in run.json("status")["items"]] == ["K-0001", "K-0002"]
    monkeypatch.setenv("KONPFOI_LEDGER", f"postgresql://postgres@localhost:{port}/campaign"
                                         "?sslmode=disable")
    assert "rejects connection" in run("status", code=9).stderr
    monkeypatch.setenv("KONPFOI_LEDGER", f"postgresql://postgres@localhost:{port}/campaign"
                                         f"?sslmode=verify-full&sslrootcert={me}/nothing.pem")
    out = run("status", code=9)
    assert "sslrootcert=/path/to/ca.pem" in out.stderr
