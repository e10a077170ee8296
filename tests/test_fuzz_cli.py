"""Fuzzing what a user types: hostile text in every kind of argument — markup, emoji codes,
bytes that are not UTF-8, NUL, huge values — is refused or used, never an internal error, and
what is printed back is printed as written."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hostile import golden_workspace  # noqa: F401 - the 'golden' fixture
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.usefixtures("frozen"), pytest.mark.backends()]

TEXT = st.one_of(
    st.sampled_from(["[bold]x[/]", "[/]", "council:x:", ":smile:", "\udcff", "a\x00b", "x" * 5000,
                     "K-0001", "k-0001", "icb:QKK", "2026-02-30", "9999-12-31", "-1", "0",
                     "../../etc/passwd", "%s%n", "{{ 7*7 }}", "\u2028", "é", "", " "]),
    st.text(max_size=20),
)
COMMANDS = [
    ["draft", "--to", "{x}", "-q", "palantir-fdp"],
    ["draft", "--to", "icb:QKK", "-q", "palantir-fdp", "--campaign", "{x}", "--subject", "{x}"],
    ["record", "K-0001", "note", "--note", "{x}"],
    ["record", "K-0001", "{x}"],
    ["record", "K-0001", "acknowledged", "--their-ref", "{x}", "--date", "{x}"],
    ["mark-sent", "{x}"],
    ["show", "{x}"],
    ["status", "--campaign", "{x}", "--today", "{x}"],
    ["status", "--state", "{x}"],
    ["bodies", "search", "{x}"],
    ["bodies", "show", "{x}"],
    ["questions", "show", "{x}"],
    ["templates", "show", "{x}"],
    ["deadline", "{x}"],
    ["code", "K-0001", "--q", "{x}"],
    ["followup", "K-0001", "--kind", "{x}", "--reason", "{x}"],
    ["send", "--campaign", "{x}", "--rate", "{x}"],
    ["report", "--campaign", "{x}", "--format", "{x}"],
]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])
@given(command=st.sampled_from(COMMANDS), text=TEXT, as_json=st.booleans())
def test_fuzzed_arguments(golden, tmp_path, monkeypatch, run, command, text, as_json) -> None:
    (tmp_path / "other").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=tmp_path / "other"))
    shutil.copytree(golden / "home", work / "home")
    monkeypatch.setenv("KONPFOI_HOME", str(work / "home"))
    args = [a.replace("{x}", text) for a in command]
    if as_json and command[0] not in ("report",):
        args.append("--json")
    out = run(*args, code=None)
    event(f"exit {out.exit_code}")
    assert out.exit_code != 1 and "internal error" not in out.stderr, (args, out.stderr)
    if "[" in text and text in out.stdout + out.stderr:
        event("printed as written")
