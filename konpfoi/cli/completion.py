"""`konpfoi completion`: the script that makes a shell complete konpfoi's commands."""

from __future__ import annotations

import os
from typing import Annotated

import typer


def print_completion(
    shell: Annotated[str | None, typer.Argument(
        metavar="[SHELL]", help="bash, zsh or fish (default: the shell you use, from $SHELL).")]
    = None,
) -> None:
    """Print the script that makes your shell complete konpfoi's commands and options.

    bash: eval "$(konpfoi completion bash)" in ~/.bashrc; zsh: eval "$(konpfoi completion
    zsh)" in ~/.zshrc, after compinit; fish: konpfoi completion fish >
    ~/.config/fish/completions/konpfoi.fish.
    """
    from konpfoi.cli.group import SHELLS, completion_script
    from konpfoi.errors import InvalidInput

    name = shell or os.path.basename(os.environ.get("SHELL", ""))
    if name not in SHELLS:
        raise InvalidInput(f"konpfoi completes in bash, zsh and fish, not {name!r}"
                           if name else "which shell?", hint="konpfoi completion bash|zsh|fish")
    typer.echo(completion_script(name))
