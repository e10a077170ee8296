"""`konpfoi login`: sign in once and keep the password (or the OAuth2 sign-in) in the system
keyring, so that send and replies fetch need not ask."""

from __future__ import annotations

from typing import Annotated

import typer

from konpfoi.cli.common import JsonOpt, emit_json, stdout


def sign_in(
    imap: Annotated[bool, typer.Option("--imap", help="Only the IMAP account.")] = False,
    smtp: Annotated[bool, typer.Option("--smtp", help="Only the SMTP account.")] = False,
    check: Annotated[bool, typer.Option(
        "--check/--no-check", help="Sign in to the server before keeping the password.")]
    = True,
    as_json: JsonOpt = False,
) -> None:
    """Keep your mail password in the system keyring (asked for, never on the command line),
    or sign in to Microsoft 365 / Outlook.com or Gmail with OAuth2 and keep the sign-in.

    Off a terminal the password is read from the first line of standard input.
    """
    import sys

    from konpfoi.cli.common import stderr
    from konpfoi.context import Context
    from konpfoi.errors import InvalidInput
    from konpfoi.mail import signin

    s = Context()
    wanted = [w for w, on in (("imap", imap), ("smtp", smtp)) if on] or ["imap", "smtp"]
    servers: dict[str, object] = {}
    if "imap" in wanted and (s.config.imap.host or imap):
        servers["imap"] = s.imap_server()
    if "smtp" in wanted and (s.config.smtp.host or smtp):
        from konpfoi.mail import transport

        servers["smtp"] = transport.server(s.config.smtp)
    if not servers:
        raise InvalidInput("no mail server is set", hint="set imap.host and smtp.host in "
                                                         "konpfoi.yaml first")

    def ask(prompt: str) -> str:
        if sys.stdin.isatty():
            return str(typer.prompt(prompt, hide_input=True))
        return sys.stdin.readline().rstrip("\r\n")

    def show(text: str) -> None:
        stderr().print(text, soft_wrap=True, highlight=False, markup=False)

    done = signin.remember(servers, s.config.oauth, ask, show, check=check)
    if as_json:
        emit_json(done)
        return
    con = stdout()
    for d in done:
        con.print(d["what"], soft_wrap=True, markup=False)
