"""Which law each kind of item answers to, what it is called and who enforces it.

One home for each of these facts: every other module imports them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from konpfoi.law.correspondence import KINDS

REGIMES = ("foia", "eir", "foisa", "sar")
# An item's kind -> the regime whose clock it runs, from the one table of kinds of
# correspondence; a letter to an MP or a board runs none.
ITEM_REGIME = {k.key: k.regime for k in KINDS.values() if k.regime is not None}
STATUTE = {"foia": "FOIA s.10(1)", "eir": "EIR reg 5(2)", "foisa": "FOISA s.10(1)",
           "sar": "UK GDPR Art 12(3)"}
LAW_NAMES = {"foia": "FOIA 2000", "foisa": "FOISA 2002", "eir": "the EIR 2004",
             "sar": "UK GDPR"}
REGULATOR = {"foia": "the ICO", "eir": "the ICO", "foisa": "the Scottish Information Commissioner",
             "sar": "the ICO"}
RULES = ("a", "b")


def regime_of(kind: str) -> str | None:
    """The regime of an item kind ('foi' -> 'foia'), or None for a letter with no clock."""
    return ITEM_REGIME.get(kind)


def calendar_regime(kind: str) -> str:
    """Whose working days an item's clocks count: its regime's, or the body's nation's."""
    return ITEM_REGIME.get(kind, "email")


@dataclass(frozen=True)
class Policy:
    """The campaign's choices where the law leaves one: how day 0 is counted (rule a: the day
    of receipt, ICO; rule b: the next working day) and when a letter with no statutory clock
    (to an MP or a board) is due a reminder."""

    rule: str = "a"
    chase_days: int = 15


DEFAULT_POLICY = Policy()
