"""The workspace: init, discovery, where, and the config's validation."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import mode, write

from konpfoi.workspace import config as ws_config


def test_init_writes_private_config_with_details(run, tmp_path: Path) -> None:
    ws = tmp_path / "group"
    out = run("init", str(ws), "--name", "Jo Campaigner", "--email", "jo@example.org")
    assert "Created workspace" in out.stdout
    config = ws_config.load_config(ws / "konpfoi.yaml")
    assert (config.name, config.email) == ("Jo Campaigner", "jo@example.org")
    assert mode(ws / "konpfoi.yaml") == 0o600
    assert mode(ws / "drafts") == 0o700 and mode(ws / "files") == 0o700
    assert "password:" not in (ws / "konpfoi.yaml").read_text()


def test_init_again_updates_details_and_keeps_comments(run, tmp_path: Path) -> None:
    ws = tmp_path / "group"
    run("init", str(ws), "--name", "Jo")
    text = (ws / "konpfoi.yaml").read_text()
    (ws / "konpfoi.yaml").write_text(text + "# my own note\n")
    out = run("init", str(ws), "--email", "jo@example.org", "--address", "1 Road\nTown")
    assert "Updated workspace" in out.stdout
    config = ws_config.load_config(ws / "konpfoi.yaml")
    assert (config.name, config.email, config.address) == ("Jo", "jo@example.org", "1 Road\nTown")
    assert "# my own note" in (ws / "konpfoi.yaml").read_text()


def test_init_without_name_warns(run, tmp_path: Path) -> None:
    out = run("init", str(tmp_path / "w"))
    assert "placeholders" in out.stderr


def test_init_refuses_a_name_with_a_newline(run, tmp_path: Path) -> None:
    out = run("init", str(tmp_path / "w"), "--name", "Jo\nBcc: victim@example.org", code=6)
    assert "one line" in out.stderr
    assert not (tmp_path / "w" / "konpfoi.yaml").exists()


def test_init_refuses_a_bad_email(run, tmp_path: Path) -> None:
    out = run("init", str(tmp_path / "w"), "--email", "not-an-address", code=5)
    assert "not an email address" in out.stderr


def test_discovery_walks_up_from_a_subfolder(run, tmp_path: Path, monkeypatch) -> None:
    ws = tmp_path / "group"
    run("init", str(ws), "--name", "Jo")
    deep = ws / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    where = run.json("where")
    assert where["workspace"] == str(ws.resolve())
    assert where["found_by"] == "folder"


def test_konpfoi_home_is_created_on_first_use(run, home: Path) -> None:
    assert not home.exists()
    where = run.json("where")
    assert where["workspace"] == str(home)
    assert where["found_by"] == "KONPFOI_HOME"
    assert (home / "konpfoi.yaml").is_file()
    assert mode(home / "konpfoi.yaml") == 0o600


def test_per_user_default_via_platformdirs(run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("KONPFOI_HOME")
    where = run.json("where")
    assert where["found_by"] == "per-user default"
    assert where["workspace"].startswith(str(tmp_path / "xdg-data"))
    assert Path(where["config"]).is_file()


def test_where_human_output_lists_paths(run, home: Path) -> None:
    out = run("where").stdout
    for key in ("workspace", "config", "ledger", "drafts", "templates", "bodies"):
        assert key in out
    assert str(home) in out


def test_malformed_config_names_file_and_line(run, home: Path) -> None:
    write(home / "konpfoi.yaml", "name: Jo\nemail: [unclosed\n")
    out = run("where", code=5)
    assert f"{home / 'konpfoi.yaml'}:" in out.stderr
    assert "Traceback" not in out.stderr


def test_config_with_a_password_is_refused(run, home: Path) -> None:
    write(home / "konpfoi.yaml", "name: Jo\nsmtp:\n  host: mail.example.org\n  password: hunter2\n")
    out = run("where", code=5)
    assert "konpfoi.yaml:4" in out.stderr and "never stored" in out.stderr


def test_config_unknown_key_names_line_and_field(run, home: Path) -> None:
    write(home / "konpfoi.yaml", "name: Jo\nemial: jo@example.org\n")
    out = run("where", "--json", code=5)
    err = json.loads(out.stderr)
    assert err["error"] == "invalid"
    assert "konpfoi.yaml:2" in err["message"] and "'emial'" in err["message"]
    assert "email" in err["hint"]
