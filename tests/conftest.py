"""Shared fixtures: every test gets its own workspace, cache and working folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from konpfoi.cli import app

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point KONPFOI_HOME and the cache at tmp_path; never touch the user's real folders."""
    home = tmp_path / "home"
    monkeypatch.setenv("KONPFOI_HOME", str(home))
    monkeypatch.setenv("KONPFOI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    for var in ("KONPFOI_SMTP_PASSWORD", "KONPFOI_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return home


@pytest.fixture
def home(isolated: Path) -> Path:
    return isolated


class Run:
    """Invoke the CLI in-process, as a user would type it."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int | None = 0, input: str | None = None):  # noqa: A002
        result = self.runner.invoke(app, list(args), input=input, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, (
                f"exit {result.exit_code}, wanted {code}\nstdout:\n{result.stdout}\n"
                f"stderr:\n{result.stderr}"
            )
        return result

    def json(self, *args: str, code: int = 0):
        result = self(*args, "--json", code=code)
        return json.loads(result.stdout)


@pytest.fixture
def run() -> Run:
    return Run()


@pytest.fixture
def me(run: Run, home: Path) -> Path:
    """A workspace with the requester's details filled in."""
    run("init", str(home), "--name", "Jo Campaigner", "--email", "jo@example.org",
        "--address", "1 High Street\nLondon SE1 1AA")
    return home


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777
