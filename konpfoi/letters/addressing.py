"""Who a letter goes to and who signs it, by its kind of correspondence (law.correspondence):
the directory address each kind asks for, and the requester, the group or a supporter."""

from __future__ import annotations

from dataclasses import dataclass

from konpfoi.directory.bodies import Body
from konpfoi.directory.routes import route, set_command
from konpfoi.errors import InvalidInput
from konpfoi.law.correspondence import kind_of
from konpfoi.workspace.config import EMAIL_PLACEHOLDER, NAME_PLACEHOLDER, Config

# How a missing address is named in an error.
_WHAT = {"foi": "FOI email", "eir": "FOI email", "foisa": "FOI email",
         "sar": "data protection officer (or FOI) email", "board": "board or chair email",
         "mp": "email", "constituent": "email", "email": "general, board or chair email"}


@dataclass(frozen=True)
class Sender:
    name: str
    email: str
    address: str | None = None
    signature: str | None = None
    placeholders: tuple[str, ...] = ()  # which details are still placeholders


def sender_from_config(config: Config) -> Sender:
    missing = []
    if not config.name:
        missing.append("name")
    if not config.email:
        missing.append("email")
    return Sender(
        name=config.name or NAME_PLACEHOLDER, email=config.email or EMAIL_PLACEHOLDER,
        address=config.address, signature=config.signature, placeholders=tuple(missing),
    )


def placeholder_warning(sender: Sender) -> str | None:
    if not sender.placeholders:
        return None
    parts = {"name": f"your name ({NAME_PLACEHOLDER})",
             "email": f"your email address ({EMAIL_PLACEHOLDER})"}
    return (
        "the draft has placeholders for " + " and ".join(parts[p] for p in sender.placeholders)
        + " (an FOI request must give your real name and an address for correspondence, "
        "FOIA s.8). Run: konpfoi init --name 'Your Name' --email you@example.org, then draft "
        "again; a draft with placeholders cannot be sent."
    )


def recipient(body: Body, kind: str) -> str:
    """The address a letter of `kind` goes to: the first of the kind's contact roles the body
    has (an FOI request: foi, foi-alt; a SAR: dpo, foi; a board: board, chair; an MP: general).
    A letter to a board never goes to the FOI inbox."""
    roles = kind_of(kind).roles
    return str(route(body, roles[0], roles[1:], what=_WHAT.get(kind, "email")).email)


def fallback_warning(body: Body, kind: str) -> list[str]:
    """A subject access request goes to the DPO; to the FOI inbox only when the directory knows
    no DPO address, and then the user is told (it will need passing on)."""
    own = body.contact(kind_of(kind).roles[0])
    if kind != "sar" or (own is not None and own.email):
        return []
    return [f"{body.id} has no Data Protection Officer address in the directory: the subject "
            f"access request goes to its FOI address ({recipient(body, kind)}); if you find the "
            f"DPO's, {set_command(body.id, 'dpo')}"]


def signer(kind: str, config: Config, own: Sender, supporter: Sender | None) -> Sender:
    """Whose name and From a letter carries: the supporter (their own letter to their MP), or
    the workspace's requester; a letter from the group to an MP needs the group's name."""
    who = kind_of(kind).signer
    if who == "supporter":
        if supporter is None:
            raise InvalidInput("a constituent's letter needs the supporter who signs it")
        return supporter
    if who == "group" and not config.group.name:
        raise InvalidInput(
            "a letter from your group to an MP speaks on the group's behalf, and no group is set",
            hint="add to konpfoi.yaml: group: {name: ..., email: ..., website: ...}; or, for "
                 "constituents writing to their own MP, use --supporters")
    return own
