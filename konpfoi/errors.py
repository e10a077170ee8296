"""The exceptions konpfoi raises for a user's mistake, and the exit code each one maps to."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum


class ExitCode(IntEnum):
    """The named exit codes; the CLI maps every KonpfoiError to one of these in one place."""

    OK = 0
    FAILURE = 1  # a bug: something we did not expect
    USAGE = 2  # click's own code for a bad option
    NOT_FOUND = 3  # unknown body, question set, template, item
    AMBIGUOUS = 4  # a name matched more than one body
    INVALID = 5  # bad input: YAML, CSV, dates, template errors
    UNSAFE = 6  # refused for safety: sandbox escape, header injection, path escape
    CONFLICT = 7  # the ledger's state does not allow it (placeholder, newer schema, ...)
    DELIVERY = 8  # the SMTP server refused or went away
    STORAGE = 9  # the ledger or a workspace file cannot be read or written


class KonpfoiError(Exception):
    """A problem the user can fix: one line of message and an optional hint."""

    exit_code = ExitCode.FAILURE
    code = "error"

    def __init__(self, message: str, hint: str | None = None, **data: object) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.data = data

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"error": self.code, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        out.update(self.data)
        return out


class NotFound(KonpfoiError):
    exit_code = ExitCode.NOT_FOUND
    code = "not-found"


def no_match(what: str, value: str, known: Iterable[str], *, message: str | None = None,
             among: str | None = None, hint: str | None = None, cutoff: float = 0.5
             ) -> NotFound:
    """The one way a filter or a name that matches nothing is said: it names the filter and
    what was asked for, suggests the close matches (a misspelt campaign or body), else lists
    what there is (`among`: what the list is called), and exits with the "not found" code.

    `message` replaces the first line ("no campaign 'fdp-2062'"); `hint` is said after the
    suggestions. Raise what it returns."""
    import difflib

    names = list(dict.fromkeys(known))
    close = difflib.get_close_matches(value, names, n=3, cutoff=cutoff)
    if not close:  # case and spacing alone never hide a match
        folded = {" ".join(n.lower().split()): n for n in names}
        close = [folded[k] for k in difflib.get_close_matches(
            " ".join(value.lower().split()), list(folded), n=3, cutoff=cutoff)]
    if close:
        say = "did you mean " + " or ".join(close) + "?"
    elif names:
        shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10
                                         else "")
        say = f"{among or what + 's'}: {shown}"
    else:
        say = f"there are no {among or what + 's'} yet"
    return NotFound(message or f"no {what} {value!r}",
                    hint=say + (f"; {hint}" if hint else ""), filter=what, value=value,
                    suggestions=close)


class Ambiguous(KonpfoiError):
    exit_code = ExitCode.AMBIGUOUS
    code = "ambiguous"


class InvalidInput(KonpfoiError):
    exit_code = ExitCode.INVALID
    code = "invalid"


class Unsafe(KonpfoiError):
    exit_code = ExitCode.UNSAFE
    code = "unsafe"


class Conflict(KonpfoiError):
    exit_code = ExitCode.CONFLICT
    code = "conflict"


class DeliveryError(KonpfoiError):
    exit_code = ExitCode.DELIVERY
    code = "delivery"


class StorageError(KonpfoiError):
    exit_code = ExitCode.STORAGE
    code = "storage"


READ_ONLY_HINT = ("status, show, report and export still work here; to change anything, copy "
                  "the workspace to a folder you can write and work there")


def read_only_error(what: str) -> StorageError:
    """What a command that writes says in a workspace this user cannot write: never that the
    ledger is damaged, never "restore it from a backup"."""
    return StorageError(f"this workspace is read-only: {what} cannot be written",
                        hint=READ_ONLY_HINT, read_only=True)


class KonpfoiWarning(UserWarning):
    """Something konpfoi passed over and carried on from (a damaged ledger row, a duplicate
    row in a file): raised with `warnings.warn`, shown by the CLI as one warning line each."""


def unreadable(path: object, exc: OSError, what: str = "") -> InvalidInput:
    """The one way a file we cannot read is said: its name, why, and what to do about it."""
    import errno

    hint = {errno.ENOENT: "check the path: there is no such file",
            errno.EACCES: "you may not read it: check its permissions",
            errno.EISDIR: "that is a folder: give a file in it",
            errno.ENOTDIR: "part of the path is a file, not a folder"}.get(
        exc.errno or 0, "check the file, then run the command again")
    return InvalidInput(f"{path}: cannot read{what} ({exc.strerror or exc})", hint=hint)

