"""The exceptions konpfoi raises for a user's mistake, and the exit code each one maps to."""

from __future__ import annotations

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


class KonpfoiWarning(UserWarning):
    """Something konpfoi passed over and carried on from (a damaged ledger row, a duplicate
    row in a file): raised with `warnings.warn`, shown by the CLI as one warning line each."""
