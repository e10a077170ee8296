"""The kinds of follow-up letter, and what each one does to the record when it is sent (the clock
it starts). One home: drafting, sending and recording read it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Followup:
    template: str
    event: str  # recorded when it is sent: the clock it starts
    to: str  # "body", "ico" or "sic"
    needs_reason: bool


FOLLOWUPS = {
    "chaser": Followup("followup-chaser", "chased", "body", False),
    "clarification": Followup("followup-clarification", "clarification-sent", "body", True),
    "internal-review": Followup("followup-internal-review", "review-requested", "body", True),
    "ico-complaint": Followup("followup-ico-complaint", "complaint-filed", "ico", True),
    "sic-application": Followup("followup-sic-application", "complaint-filed", "sic", True),
}
