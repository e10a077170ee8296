"""What every command shares: the --json option, consoles, and the one place errors are shown."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer

from konpfoi.errors import ExitCode, InvalidInput, KonpfoiError, KonpfoiWarning

if TYPE_CHECKING:
    from rich.console import Console

JsonOpt = Annotated[bool, typer.Option(
    "--json", help="Print JSON to stdout; errors become JSON on stderr.")]

# The IMAP account's settings, overridable on every command that uses it (as send's --smtp-*).
ImapHost = Annotated[str | None, typer.Option(help="Override imap.host.")]
ImapPort = Annotated[int | None, typer.Option(help="Override imap.port.")]
ImapUser = Annotated[str | None, typer.Option(help="Override imap.user.")]
ImapSecurity = Annotated[str | None, typer.Option(
    help="Override imap.security: none, starttls or ssl.")]


def stdout() -> Console:
    from rich.console import Console

    # emoji=False: a name such as "council:x:" is printed as written, never as an emoji.
    return Console(highlight=False, soft_wrap=False, emoji=False)


def stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def warn(message: str) -> None:
    from rich.markup import escape

    stderr().print(f"[yellow]warning:[/] {escape(message)}", soft_wrap=True)


def note(message: str) -> None:
    from rich.markup import escape

    stderr().print(f"[dim]note:[/] {escape(message)}", soft_wrap=True)


def secret_prompt() -> Callable[[str], str] | None:
    """Ask for a password on the terminal (hidden), or None off a terminal: never on argv."""
    if not sys.stdin.isatty():
        return None
    return lambda prompt: str(typer.prompt(prompt, hide_input=True))


def warn_cleartext(srv: Any, kind: str) -> None:
    """Before signing in: a loud warning if the password would cross the network unencrypted
    (security 'none' to anything but this machine)."""
    from konpfoi.mail.transport import cleartext_warning

    text = cleartext_warning(srv, kind)
    if text:
        warn(text)


def report_error(exc: KonpfoiError, as_json: bool) -> None:
    if as_json:
        sys.stderr.write(json.dumps(exc.as_dict(), ensure_ascii=False, default=str) + "\n")
        return
    from rich.markup import escape

    con = stderr()
    con.print(f"[red]error:[/] {escape(exc.message)}", soft_wrap=True)
    if exc.hint:
        con.print(f"  [dim]hint:[/] {escape(exc.hint)}", soft_wrap=True)


def handled(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command so every KonpfoiError becomes one line, a hint and a named exit code.

    Applied once, where commands are registered; with --json the error is JSON too.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = bool(kwargs.get("as_json"))
        try:
            _check_text_options(kwargs)
            with passed_over():
                return func(*args, **kwargs)
        except KonpfoiError as exc:
            report_error(exc, as_json)
            raise typer.Exit(int(exc.exit_code)) from None
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            stderr().print("[red]interrupted[/]: every completed step was kept; run the same "
                           "command again to carry on")
            raise typer.Exit(130) from None
        except Exception as exc:  # a bug, not a user mistake
            if os.environ.get("KONPFOI_DEBUG"):
                raise
            report_error(KonpfoiError(
                f"internal error: {type(exc).__name__}: {exc}",
                hint="this is a bug in konpfoi; run again with KONPFOI_DEBUG=1 for the traceback",
            ), as_json)
            raise typer.Exit(int(ExitCode.FAILURE)) from None

    return wrapper


def _check_text_options(kwargs: dict[str, Any]) -> None:
    """Text typed on the command line must be text: bytes that are not UTF-8 arrive as lone
    surrogates, which no file or ledger can hold. (File names may be any bytes: Paths pass.)"""
    for name, value in kwargs.items():
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str):
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    raise InvalidInput(
                        f"--{name.rstrip('_').replace('_', '-')}: not valid UTF-8 text",
                        hint="type it again (is the terminal set to UTF-8?)") from None


@contextlib.contextmanager
def passed_over() -> Iterator[None]:
    """Show each thing the domain passed over (a KonpfoiWarning) once, as a warning line,
    whether the command ends well or not; other warnings are shown as Python shows them."""
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", KonpfoiWarning)
            yield
    finally:
        seen: set[str] = set()
        for w in caught:
            if not issubclass(w.category, KonpfoiWarning):
                warnings.showwarning(w.message, w.category, w.filename, w.lineno)
            elif str(w.message) not in seen:
                seen.add(str(w.message))
                if len(seen) <= 20:
                    warn(str(w.message))
        if len(seen) > 20:
            warn(f"... and {len(seen) - 20} more like these")


def register(app: typer.Typer, name: str, func: Callable[..., Any]) -> None:
    """Add a command under `name`, with konpfoi's error handling."""
    app.command(name)(handled(func))


def counted(counts: Mapping[str, int]) -> str:
    """"3 items, 12 events", or "nothing"."""
    return ", ".join(f"{n} {kind}s" for kind, n in counts.items()) or "nothing"
