"""Meta-tests: the README's commands are the ones CI runs, and every command has help."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from konpfoi.cli.main import app


def _readme_command(marker: str) -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(rf"<!-- {marker} -->\s*```(?:sh|bash|console)?\n(.+?)\n```", text, re.S)
    assert match, f"README has no '{marker}' block"
    lines = [line for line in match.group(1).splitlines() if line.strip()]
    assert len(lines) == 1, f"the {marker} must be a single line"
    return lines[0]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    command = _readme_command("test-command")
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert command in ci, f".ci/run must contain the README's test command verbatim: {command}"


def test_readme_run_command_installs_and_drafts() -> None:
    command = _readme_command("run-command")
    assert "pip install ." in command
    assert "konpfoi draft --to icb:QKK --questions palantir-fdp" in command


def _commands(group, prefix=()):  # type: ignore[no-untyped-def]
    for info in group.registered_commands:
        yield (*prefix, info.name), info.callback
    for sub in group.registered_groups:
        yield from _commands(sub.typer_instance, (*prefix, sub.name))


@pytest.mark.parametrize("path, callback", list(_commands(app)))
def test_every_command_has_help(run, path, callback) -> None:
    assert callback.__doc__ and callback.__doc__.strip(), path
    out = run(*path, "--help")
    assert callback.__doc__.strip().splitlines()[0][:30] in " ".join(out.stdout.split())


def test_every_command_is_documented_in_the_readme() -> None:
    text = (ROOT / "README.md").read_text()
    for path, _ in _commands(app):
        assert f"konpfoi {' '.join(path)}" in text, path
