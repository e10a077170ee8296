"""The root command group: `--version`, shell completion when a shell asks for it, and usage
errors (a bad option or argument) as JSON under `--json`, like every other error."""

from __future__ import annotations

import os
from collections.abc import MutableMapping, Sequence
from typing import Any

import typer
from typer.core import TyperGroup

try:  # Typer 0.26 and later carry their own Click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - an older Typer, with Click beside it
    from click import exceptions as click_errors  # type: ignore[no-redef]

from konpfoi.errors import ExitCode, KonpfoiError

PROG = "konpfoi"
COMPLETE_VAR = "_KONPFOI_COMPLETE"  # set by the script `konpfoi completion SHELL` prints
SHELLS = ("bash", "zsh", "fish")


class UsageError(KonpfoiError):
    """A bad option or argument, found by the command-line parser before any command runs."""

    exit_code = ExitCode.USAGE
    code = "usage"


def wants_json(args: Sequence[str]) -> bool:
    """Whether the command line asks for JSON (before any `--` that ends the options)."""
    for arg in args:
        if arg == "--":
            return False
        if arg == "--json":
            return True
    return False


def usage_error(exc: click_errors.ClickException, args: Sequence[str]) -> UsageError:
    """A parser's complaint as konpfoi's error: one line, and where help is."""
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else PROG
    found = UsageError(exc.format_message(), hint=f"see {where} --help")
    found.exit_code = ExitCode(exc.exit_code) if exc.exit_code in set(ExitCode) \
        else ExitCode.USAGE
    return found


class KonpfoiGroup(TyperGroup):
    """The `konpfoi` command: Typer's group, with konpfoi's habits."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: Any = None, **extra: Any) -> Any:
        as_json = wants_json(args)
        try:
            ctx = super().make_context(info_name, args, parent=parent, **extra)
        except click_errors.ClickException as exc:
            if not as_json or isinstance(exc, click_errors.NoArgsIsHelpError):
                raise
            _json_exit(usage_error(exc, args))
        ctx.meta["konpfoi.json"] = as_json
        return ctx

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except click_errors.ClickException as exc:
            if not ctx.meta.get("konpfoi.json") or \
                    isinstance(exc, click_errors.NoArgsIsHelpError):
                raise
            _json_exit(usage_error(exc, ctx.args))

    def _main_shell_completion(self, ctx_args: MutableMapping[str, Any], prog_name: str,
                               complete_var: str | None = None) -> None:
        # Typer's completion classes are set up only when a shell asks: `konpfoi --help`
        # and every command start as fast as before.
        if os.environ.get(complete_var or COMPLETE_VAR):
            from typer.completion import completion_init

            completion_init()
        super()._main_shell_completion(ctx_args, prog_name, complete_var)


def _json_exit(error: UsageError) -> None:
    from konpfoi.cli.common import report_error

    report_error(error, as_json=True)
    raise typer.Exit(int(error.exit_code))


def completion_script(shell: str) -> str:
    """The script that makes `shell` complete konpfoi's commands and options."""
    from typer.completion import completion_init, get_completion_script

    completion_init()
    return get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell)
