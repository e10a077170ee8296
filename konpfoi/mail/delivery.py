"""Handing one message over with care: a temporary refusal (4xx) is tried again after a pause,
a bounded number of times; a connection that drops before the message was handed over is made
again, once a run, and the message goes on it; one that drops while the message was being
handed over leaves its outcome unknown, never guessed.
"""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from konpfoi.errors import DeliveryError
from konpfoi.mail.transport import NotHandedOver, Transport

# Seconds to wait before each new try after a temporary refusal: greylisting asks for a few
# minutes at most, and a rate limit for less. Three tries more, then the item waits for the
# next run (a temporary refusal is tried again without --retry).
BACKOFF = (10.0, 30.0, 90.0)


class Broken(Exception):
    """The connection is gone and may not be made again: the run stops here."""


@dataclass
class Handed:
    ok: bool
    reply: str
    retries: int = 0  # how many times a temporary refusal was tried again
    temporary: bool = False  # refused, but only for now (4xx)
    unknown: bool = False  # the connection broke while the message was handed over


def temporary(reply: str) -> bool:
    return reply[:1] == "4"


class Courier:
    """One run's connection: the first one given, and at most one made again."""

    def __init__(self, conn: Transport, reconnect: Callable[[], Transport] | None,
                 sleep: Callable[[float], Any], backoff: tuple[float, ...] | None = None
                 ) -> None:
        self.conn = conn
        self.reconnect = reconnect
        self.sleep = sleep
        self.backoff = BACKOFF if backoff is None else backoff
        self.reconnected: Transport | None = None
        self.broken: str | None = None  # why the connection went, until it is made again

    def close(self) -> None:
        if self.reconnected is not None:
            self.reconnected.close()

    def _again(self) -> None:
        """Make the connection again, or raise Broken."""
        why, self.broken = self.broken, None
        if self.reconnect is None or self.reconnected is not None:
            raise Broken(f"the connection to {self.conn.srv.host} broke ({why})")
        with contextlib.suppress(OSError, smtplib.SMTPException):
            self.conn.close()
        try:
            self.conn = self.reconnected = self.reconnect()
        except DeliveryError as exc:
            raise Broken(f"the connection to {self.conn.srv.host} broke ({why}) and could "
                         f"not be made again ({exc.message})") from None

    def deliver(self, sender: str, to: str, raw: bytes) -> Handed:
        retries = 0
        while True:
            if self.broken:
                self._again()
            try:
                ok, reply = self.conn.deliver(sender, to, raw)
            except NotHandedOver as exc:  # nothing was handed over: safe to go again
                self.broken = str(exc)
                continue
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                self.broken = str(exc) or "disconnected"
                return Handed(False, f"the connection broke while the message was handed "
                                     f"over ({self.broken})", retries, unknown=True)
            if ok or not temporary(reply):
                return Handed(ok, reply, retries)
            if retries >= len(self.backoff):
                return Handed(False, reply, retries, temporary=True)
            self.sleep(self.backoff[retries])
            retries += 1
