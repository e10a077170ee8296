"""Find bodies in the directory: by id, name, predecessor or filter; pick a campaign's targets."""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from konpfoi.directory.bodies import Body
from konpfoi.directory.filters import Filter, matches, parse_where
from konpfoi.errors import Ambiguous, InvalidInput, NotFound

_CACHE_FORMAT = "1"


@dataclass(frozen=True)
class Resolved:
    body: Body
    note: str | None = None  # e.g. "icb:QHG closed on 2026-04-01; its successor is ..."


class Directory:
    """All known bodies, by id, with lookups by predecessor and by name."""

    def __init__(self, bodies: list[Body], files: list[Path]) -> None:
        self.bodies = {b.id: b for b in bodies}
        self.files = files
        self.successors: dict[str, list[str]] = {}
        for b in bodies:
            for old in b.predecessors:
                self.successors.setdefault(old, []).append(b.id)
        self._keys: dict[str, list[str]] | None = None

    def __len__(self) -> int:
        return len(self.bodies)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.bodies.values())

    def get(self, body_id: str) -> Body:
        """The body with this id; a predecessor id resolves to its successor."""
        return self.resolve(body_id).body

    # -- name search -----------------------------------------------------------------------

    def _search_keys(self) -> dict[str, list[str]]:
        """Each body's normalised names, aliases, constituency and codes, built on first search."""
        if self._keys is None:
            self._keys = {}
            for b in self.bodies.values():
                names = [b.name, b.short_name, b.constituency, *b.aliases, *b.codes.values()]
                self._keys[b.id] = sorted({normalise(n) for n in names if n} - {""})
        return self._keys

    def search(self, query: str, kind: str | None = None, include_closed: bool = True,
               limit: int | None = None) -> list[Body]:
        """Bodies whose name, short name, alias, constituency or code matches, best first."""
        q = normalise(query)
        if not q:
            return []
        q_tokens = q.split()
        scored: list[tuple[int, str, Body]] = []
        for body_id, keys in self._search_keys().items():
            b = self.bodies[body_id]
            if kind and b.kind != kind:
                continue
            if b.closed and not include_closed:
                continue
            best = 0
            for key in keys:
                best = max(best, _score(q, q_tokens, key))
            if best:
                scored.append((-best, b.display_name.lower(), b))
        scored.sort(key=lambda t: (t[0], t[1]))
        found = [b for _, _, b in scored]
        return found[:limit] if limit else found

    def suggest(self, query: str, n: int = 5) -> list[Body]:
        """Close matches for a name that matched nothing."""
        q = normalise(query)
        index: dict[str, Body] = {}
        for body_id, keys in self._search_keys().items():
            for key in keys:
                index.setdefault(key, self.bodies[body_id])
        close = difflib.get_close_matches(q, list(index), n=n * 3, cutoff=0.55)
        out: list[Body] = []
        for key in close:
            if index[key] not in out:
                out.append(index[key])
        return out[:n]

    # -- resolving one target ------------------------------------------------------------------

    def resolve(self, target: str, follow_closed: bool = True) -> Resolved:
        """One body for an id, a code or a name; never a guess between several.

        A closed body resolves to its successor, with a note (unless `follow_closed` is off,
        to show the closed body itself).
        """
        found = self._resolve(target.strip())
        b = found.body
        if follow_closed and b.closed and b.successor in self.bodies:
            new = self.bodies[b.successor]
            return Resolved(new, note=f"{b.id} {b.name} closed on {b.closed}; its successor is "
                                      f"{new.id} {new.name}")
        return found

    def _resolve(self, target: str) -> Resolved:
        if target in self.bodies:
            return Resolved(self.bodies[target])
        if target in self.successors:
            return self._successor(target)
        if re.fullmatch(r"[a-z]+:\S+", target):
            lowered = {k.lower(): k for k in self.bodies}
            if target.lower() in lowered:
                return Resolved(self.bodies[lowered[target.lower()]])
            close_ids = difflib.get_close_matches(target, list(self.bodies), n=5, cutoff=0.6)
            raise NotFound(
                f"no body with id {target!r}",
                hint=("did you mean: " + ", ".join(close_ids)) if close_ids
                else "search by name: konpfoi bodies search NAME",
                suggestions=close_ids,
            )
        by_code = [b for b in self.bodies.values() if b.code.lower() == target.lower()]
        if len(by_code) == 1:
            return Resolved(by_code[0])
        found = self.search(target, include_closed=False)
        if not found:
            close = self.suggest(target)
            raise NotFound(
                f"no body matches {target!r}",
                hint=("did you mean: " + "; ".join(f"{b.id} {b.name}" for b in close))
                if close else "list bodies with: konpfoi bodies list",
                suggestions=[b.id for b in close],
            )
        q = normalise(target)
        exact = [b for b in found if q in self._search_keys()[b.id]]
        if len(found) == 1:
            return Resolved(found[0])
        if len(exact) == 1:
            return Resolved(exact[0])
        shown = found[:8]
        more = f" and {len(found) - len(shown)} more" if len(found) > len(shown) else ""
        raise Ambiguous(
            f"{target!r} matches {len(found)} bodies: "
            + "; ".join(f"{b.id} {b.name}" for b in shown) + more,
            hint="give the id instead, e.g. --to " + shown[0].id,
            candidates=[b.id for b in found],
        )

    def _successor(self, old: str) -> Resolved:
        new = self.successors[old]
        if len(new) > 1:
            raise Ambiguous(
                f"{old} was split between " + ", ".join(
                    f"{i} {self.bodies[i].name}" for i in new),
                hint="choose one of the successors by id", candidates=new,
            )
        body = self.bodies[new[0]]
        when = f" on {body.formed}" if body.formed else ""
        return Resolved(body, note=f"{old} merged{when} into {body.id} {body.name}")

    # -- selecting many targets ----------------------------------------------------------------

    def select(self, to: list[str] | None = None, where: str | None = None,
               include_closed: bool = False, extra: Mapping[str, Filter] | None = None
               ) -> list[Body]:
        """Targets from ids, wildcards ('icb:*') and names, filtered by --where (with the
        `extra` filters a caller adds, such as the FDP register's)."""
        filters = parse_where(where, extra) if where else {}
        chosen: list[Body] = []
        if to:
            for t in to:
                if any(ch in t for ch in "*?["):
                    chosen += [b for i, b in self.bodies.items() if fnmatch.fnmatchcase(i, t)]
                else:
                    chosen.append(self.resolve(t, follow_closed=False).body)
        else:
            if not filters:
                raise InvalidInput("no targets given", hint="use --to ID or --where kind=icb")
            chosen = list(self.bodies.values())
        seen: set[str] = set()
        out = []
        for b in chosen:
            if b.id in seen or (b.closed and not include_closed) or \
                    not matches(b, filters, extra):
                continue
            seen.add(b.id)
            out.append(b)
        return out


# -- names -------------------------------------------------------------------------------------

_NOISE = re.compile(
    r"\b(?:integrated care boards?|integrated care system|icb|ics|nhs foundation trust|"
    r"foundation trust|nhs trust|nhs)\b"
)


def normalise(text: str) -> str:
    """Lower case; apostrophes dropped; punctuation to spaces; NHS, ICB, Foundation Trust gone."""
    t = text.lower().replace("&", " and ")
    t = re.sub(r"['\u2018\u2019`\u00b4]", "", t)
    t = re.sub(r"[^a-z0-9]+", " ", t)
    t = re.sub(r"\bsaint\b", "st", t)
    t = _NOISE.sub(" ", t)
    return " ".join(t.split())


def _score(q: str, q_tokens: list[str], key: str) -> int:
    if q == key:
        return 100
    k_tokens = key.split()
    if all(t in k_tokens for t in q_tokens):
        return 80 if f" {q} " in f" {key} " else 70
    if all(any(k.startswith(t) for k in k_tokens) for t in q_tokens):
        return 50
    return 0
