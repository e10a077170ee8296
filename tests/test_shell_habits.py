"""What a shell user expects of any command line: --version, completion in bash, zsh and fish,
and --json that means JSON for every outcome, a bad option included."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from konpfoi import __version__
from konpfoi.cli.main import app

KONPFOI = Path(sys.executable).parent / "konpfoi"


def _leaves(cmd, path=()):  # type: ignore[no-untyped-def]
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            yield from _leaves(sub, (*path, name))
    else:
        yield path, cmd


COMMANDS = [(path, cmd) for path, cmd in _leaves(get_command(app))]


def test_version(run) -> None:
    assert run("--version").stdout == f"konpfoi {__version__}\n"
    assert "--version" in run("--help").stdout


def _env(home: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "KONPFOI_HOME": str(home), "NO_COLOR": "1", **extra}


@pytest.mark.skipif(not KONPFOI.exists() or not shutil.which("bash"), reason="needs bash")
def test_bash_completes_commands_options_and_subcommands(home: Path) -> None:
    script = subprocess.run([str(KONPFOI), "completion", "bash"], capture_output=True,
                            text=True, env=_env(home), check=True).stdout
    assert "complete -o default -F _konpfoi_completion konpfoi" in script

    def complete(*words: str) -> list[str]:
        probe = (f'source /dev/stdin; COMP_WORDS=({" ".join(words)}); '
                 f'COMP_CWORD={len(words) - 1}; _konpfoi_completion konpfoi; '
                 'printf "%s\\n" "${COMPREPLY[@]}"')
        env = _env(home, PATH=f"{KONPFOI.parent}{os.pathsep}{os.environ['PATH']}")
        out = subprocess.run(["bash", "-c", probe], input=script, capture_output=True,
                             text=True, env=env, check=True)
        return out.stdout.split()

    assert complete("konpfoi", "sta") == ["status"]
    assert complete("konpfoi", "status", "--ov") == ["--overdue"]
    assert {"list", "show", "search", "check"} <= set(complete("konpfoi", "bodies", "''"))


@pytest.mark.skipif(not KONPFOI.exists(), reason="needs the installed script")
@pytest.mark.parametrize("shell, env, wanted", [
    ("zsh", {"_KONPFOI_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "konpfoi sta"},
     '"status":"Open requests'),
    ("fish", {"_KONPFOI_COMPLETE": "complete_fish", "_TYPER_COMPLETE_FISH_ACTION": "get-args",
              "_TYPER_COMPLETE_ARGS": "konpfoi sta"}, "status\tOpen requests")])
def test_zsh_and_fish_complete(home: Path, shell: str, env: dict[str, str], wanted: str) -> None:
    script = subprocess.run([str(KONPFOI), "completion", shell], capture_output=True,
                            text=True, env=_env(home), check=True).stdout
    assert "_KONPFOI_COMPLETE=complete_" + shell in script
    out = subprocess.run([str(KONPFOI)], capture_output=True, text=True,
                         env=_env(home, **env), check=True).stdout
    assert wanted in out


def test_completion_needs_a_shell_it_knows(run, monkeypatch) -> None:
    monkeypatch.setenv("SHELL", "/bin/bash")
    assert "_konpfoi_completion" in run("completion").stdout
    err = run("completion", "tcsh", code=5).stderr
    assert "bash, zsh and fish, not 'tcsh'" in err


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS if p != ("completion",)],
                         ids=" ".join)
def test_a_bad_option_under_json_is_one_json_error(run, path) -> None:
    out = run(*path, "--no-such-option", "--json", code=2)
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    error = json.loads(lines[0])
    assert error["error"] == "usage" and "--no-such-option" in error["message"]
    assert error["hint"] == f"see konpfoi {' '.join(path)} --help"


@pytest.mark.parametrize("args, says", [
    (["status", "--limit", "many", "--json"], "Invalid value for '--limit'"),
    (["show", "--json"], "Missing argument 'ID'"),
    (["--json", "--bogus"], "No such option: --json"),
    (["no-such-command", "--json"], "No such command 'no-such-command'"),
    (["report", "--format", "json", "--today", "soon"], "--today"),
])
def test_bad_arguments_under_json(run, me, args, says) -> None:
    out = run(*args, code=None)
    assert out.exit_code in (2, 5) and out.stdout == ""
    error = json.loads(out.stderr)
    assert says in error["message"]


def test_without_json_a_usage_error_is_clicks_own(run) -> None:
    err = run("status", "--no-such-option", code=2).stderr
    assert "Usage: konpfoi status" in err and "No such option: --no-such-option" in err


def test_report_takes_json_too(run, me) -> None:
    err = json.loads(run("report", "--json", code=5).stderr)
    assert err["error"] == "invalid"


@pytest.mark.skipif(not hasattr(signal, "SIGPIPE"), reason="no SIGPIPE here")
def test_a_reader_that_stops_stops_konpfoi_as_any_unix_tool(me: Path) -> None:
    """`konpfoi bodies list | head -1`: exit 141 (SIGPIPE), nothing on stderr, not the code of
    a bug."""
    proc = subprocess.Popen([sys.executable, "-m", "konpfoi", "bodies", "list"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader goes away
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == -13 and err == b""  # killed by SIGPIPE: the shell says 141
