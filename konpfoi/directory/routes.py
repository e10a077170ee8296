"""Which of a body's contacts a letter goes to, and the one-line error, naming the command that
adds one, when the body has none. Each kind of letter asks for the role it needs: a request the
`foi` route, an open letter to a board `board` or `chair`, a subject access request `dpo`."""

from __future__ import annotations

from konpfoi.directory.bodies import ROLES, Body, Contact
from konpfoi.errors import NotFound


def set_command(body_id: str, role: str) -> str:
    """The command that gives a body an address for a role."""
    return f"konpfoi bodies set {body_id} {role}=EMAIL --source URL"


def route(body: Body, role: str, fallbacks: tuple[str, ...] = (), what: str | None = None
          ) -> Contact:
    """The body's email contact for `role` (else the first of `fallbacks` it has).

    Raises NotFound ("has no <what> address") with a hint that names the command which adds
    one, and the body's own page or form for those roles where the directory knows it."""
    roles = (role, *fallbacks)
    for r in roles:
        c = body.contact(r)
        if c and c.email:
            return c
    what = what or f"{role} email"
    raise NotFound(f"{body.id} {body.name} has no {what} address in the directory "
                   f"({ROLES.get(role, role)})", hint=missing_hint(body, role, roles))


def missing_hint(body: Body, role: str, roles: tuple[str, ...] = ()) -> str:
    """How to go on without an address: the command that adds one, and the page to find it on."""
    roles = roles or (role, f"{role}-alt")
    page = next((c.url for c in body.contacts if c.role in roles and c.url), None)
    where = f"its page {page}" if page else (f"its website {body.website}" if body.website
                                             else "the body's website")
    return f"find the address on {where}, then: {set_command(body.id, role)}"
