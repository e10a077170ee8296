"""`--where` filters: key=value pairs over the directory, party families, and the hook through
which other facts (the FDP register) add filters of their own."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from konpfoi.directory.bodies import Body
from konpfoi.errors import InvalidInput, NotFound, no_match
from konpfoi.workspace.config import BODY_NATIONS

# A party family: `party=Labour` means every party in it; a party named exactly
# (`party="Labour (Co-op)"`) still means that party alone. The one home of this map.
PARTY_FAMILIES: dict[str, tuple[str, ...]] = {
    "labour": ("Labour", "Labour (Co-op)"),
}
# Short names campaigners use for a party, each for one party as the MP data names it.
PARTY_SHORT_NAMES: dict[str, str] = {
    "lib dem": "Liberal Democrat", "lib dems": "Liberal Democrat", "libdem": "Liberal Democrat",
    "tory": "Conservative", "tories": "Conservative", "snp": "Scottish National Party",
    "green": "Green Party", "greens": "Green Party", "reform": "Reform UK",
    "dup": "Democratic Unionist Party", "sdlp": "Social Democratic & Labour Party",
    "uup": "Ulster Unionist Party", "tuv": "Traditional Unionist Voice",
}

# A filter: does this body match any of the wanted values (lower case)?
Filter = Callable[[Body, list[str]], bool]


def _party(body: Body, wanted: list[str]) -> bool:
    if not body.party:
        return False
    have = body.party.lower()
    for w in wanted:
        family = PARTY_FAMILIES.get(w)
        if family is not None and have in (p.lower() for p in family):
            return True
        if have == PARTY_SHORT_NAMES.get(w, w).lower():
            return True
    return False


def _tag(body: Body, wanted: list[str]) -> bool:
    return bool({t.lower() for t in body.tags}.intersection(wanted))


def _field(key: str) -> Filter:
    def match(body: Body, wanted: list[str]) -> bool:
        value = getattr(body, key)
        return value is not None and str(value).lower() in wanted
    return match


FILTERS: dict[str, Filter] = {
    "kind": _field("kind"), "region": _field("region"), "parent": _field("parent"),
    "party": _party, "nation": _field("nation"), "tag": _tag, "law": _field("law"),
}
WHERE_KEYS = tuple(FILTERS)


def parse_where(text: str, extra: Mapping[str, Filter] | None = None) -> dict[str, list[str]]:
    """'kind=trust,region=London' → {'kind': ['trust'], 'region': ['london']}; '|' means or.

    `extra` holds filters a caller adds for facts the directory does not keep itself (the FDP
    register's `fdp=in-use`)."""
    keys = (*WHERE_KEYS, *(extra or {}))
    out: dict[str, list[str]] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or not value.strip():
            raise InvalidInput(f"--where: {part.strip()!r} is not key=value",
                               hint="e.g. --where kind=trust,region=London")
        if key not in keys:
            raise InvalidInput(f"--where: unknown key {key!r}", hint="keys are " + ", ".join(keys))
        values = [v.strip().strip("\"'").lower() for v in value.split("|")]
        if key == "nation":
            for v in values:
                if v not in BODY_NATIONS:
                    raise no_match("nation", v, list(BODY_NATIONS), message=f"--where "
                                   f"nation={v}: there is no such nation", among="nations")
        out.setdefault(key, []).extend(values)
    return out


def matches(body: Body, filters: dict[str, list[str]],
            extra: Mapping[str, Filter] | None = None) -> bool:
    """Whether the body passes every filter (each filter: any of its values)."""
    for key, wanted in filters.items():
        test = (extra or {}).get(key) or FILTERS[key]
        if not test(body, wanted):
            return False
    return True


def nothing_matches(pool: list[Body], filters: dict[str, list[str]], where: str,
                    extra: Mapping[str, Filter] | None = None) -> NotFound:
    """Why `--where` chose no body from `pool`: the first value no body has, with the close
    ones (`region=Londn`: did you mean London?), else that the parts never meet."""
    for key, wanted in filters.items():
        test = (extra or {}).get(key) or FILTERS[key]
        for value in wanted:
            if not any(test(b, [value]) for b in pool):
                if key not in FILTERS:  # another room's filter (the FDP register's `fdp`)
                    return NotFound(f"--where {key}={value}: no body has it",
                                    hint=f"none of the bodies chosen has {key} {value} now",
                                    filter=key, value=value, suggestions=[])
                return no_match(key, value, _known(key, pool),
                                message=f"--where {key}={value}: no body has it",
                                among=f"{key} values")
    return NotFound(f"--where {where}: no body matches every part",
                    hint="each part matches some bodies, but none matches them all",
                    filter="where", value=where, suggestions=[])


def _known(key: str, pool: list[Body]) -> list[str]:
    """The values bodies have for a `--where` key, to suggest from."""
    if key == "tag":
        return sorted({t for b in pool for t in b.tags})
    if key == "party":
        return sorted({b.party for b in pool if b.party} | set(PARTY_SHORT_NAMES))
    if key in FILTERS:
        return sorted({str(getattr(b, key)) for b in pool if getattr(b, key, None)})
    return []
