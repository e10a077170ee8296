"""Bank holidays from every source in force: the `holidays` package, the GOV.UK feed, the config.

Loading reads files; the table it returns is plain data that the calendar uses without I/O.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi.errors import InvalidInput, unreadable
from konpfoi.workspace.config import NATIONS
from konpfoi.workspace.files import atomic_write, private_dir

_SUBDIVS = {"ENG": "england", "WLS": "wales", "SCT": "scotland", "NIR": "northern-ireland"}
_DIVISIONS = {"england-and-wales": ("england", "wales"), "scotland": ("scotland",),
              "northern-ireland": ("northern-ireland",)}
CONFIG_SOURCE = "konpfoi.yaml"
_CACHE_FORMAT = "1"


def short_source(source: str) -> str:
    """'GOV.UK', 'holidays', 'konpfoi.yaml': for tables; JSON keeps the full source."""
    return source.split(" (")[0].replace(" feed", "").split(" ")[0]


def nations_label(nations: tuple[str, ...] | list[str]) -> str:
    return "all UK" if set(nations) >= set(NATIONS) else ", ".join(nations)


@dataclass(frozen=True)
class Holiday:
    """One non-working day, merged across the nations asked for and every source listing it."""

    date: dt.date
    name: str
    nations: tuple[str, ...]
    sources: tuple[str, ...]
    missing_from: tuple[str, ...] = ()  # sources covering the year that do not list it

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"date": self.date.isoformat(), "name": self.name,
                               "nations": list(self.nations), "source": ", ".join(self.sources)}
        if self.missing_from:
            out["missing_from"] = list(self.missing_from)
        return out


@dataclass
class HolidayTable:
    """Each (date, nation) with its name per source; days the config removed; source years."""

    entries: dict[dt.date, dict[str, dict[str, str]]] = field(default_factory=dict)
    removed: dict[dt.date, str] = field(default_factory=dict)
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)
    key: str = ""  # identifies the sources and settings it was built from (set by `load`)

    def add(self, day: dt.date, nation: str, name: str, source: str) -> None:
        self.entries.setdefault(day, {}).setdefault(nation, {}).setdefault(source, name)

    def last_covered_year(self) -> int:
        return max((last for _, last in self.coverage.values()), default=0)

    def first_covered_year(self) -> int:
        return min((first for first, _ in self.coverage.values()), default=9999)

    def holidays(self, nations: frozenset[str] | tuple[str, ...]) -> dict[dt.date, Holiday]:
        """The non-working days for a set of nations (a union), removed days left out."""
        out = {}
        for day, by_nation in self.entries.items():
            if day in self.removed:
                continue
            hit = [n for n in NATIONS if n in nations and n in by_nation]
            if not hit:
                continue
            sources: list[str] = []
            names: list[str] = []
            for n in hit:
                for src, name in by_nation[n].items():
                    if src not in sources:
                        sources.append(src)
                    if name not in names:
                        names.append(name)
            missing = tuple(
                src for src, (first, last) in self.coverage.items()
                if first <= day.year <= last and src not in sources and src != CONFIG_SOURCE
                and day.weekday() < 5 and CONFIG_SOURCE not in sources
            )
            out[day] = Holiday(day, _best_name(sources, by_nation, hit), tuple(hit),
                               tuple(sorted(sources, key=_source_rank)), missing)
        return out

    def to_json(self) -> str:
        return json.dumps({
            "entries": {d.isoformat(): v for d, v in self.entries.items()},
            "removed": {d.isoformat(): s for d, s in self.removed.items()},
            "coverage": self.coverage,
        })

    @classmethod
    def from_json(cls, text: str) -> HolidayTable:
        raw = json.loads(text)
        return cls(
            entries={dt.date.fromisoformat(d): v for d, v in raw["entries"].items()},
            removed={dt.date.fromisoformat(d): s for d, s in raw["removed"].items()},
            coverage={k: (v[0], v[1]) for k, v in raw["coverage"].items()},
        )


def _source_rank(source: str) -> tuple[int, str]:
    return (0 if source == CONFIG_SOURCE else 1 if source.startswith("GOV.UK") else 2, source)


def _best_name(sources: list[str], by_nation: dict[str, dict[str, str]], hit: list[str]) -> str:
    for src in sorted(sources, key=_source_rank):
        for n in hit:
            if src in by_nation[n]:
                return by_nation[n][src]
    return ""


# -- sources ---------------------------------------------------------------------------------


def add_package(table: HolidayTable, first_year: int, last_year: int, covered_to: int) -> None:
    """Rule-based holidays of the four UK nations from the `holidays` package."""
    import holidays

    source = f"holidays {holidays.__version__}"
    years = range(first_year, last_year + 1)
    for subdiv, nation in _SUBDIVS.items():
        for day, name in holidays.country_holidays("GB", subdiv=subdiv, years=years).items():
            for part in name.split("; "):
                table.add(day, nation, part, source)
    table.coverage[source] = (first_year, covered_to)


def read_feed(path: Path) -> dict[str, Any]:
    """Read and check a GOV.UK bank-holidays.json; errors name the file (and line)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise unreadable(path, exc) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})",
                           hint="download it again from https://www.gov.uk/bank-holidays.json"
                           ) from None
    if not isinstance(data, dict) or not any(k in data for k in _DIVISIONS):
        raise InvalidInput(f"{path}: not the GOV.UK bank holidays format",
                           hint="expected divisions england-and-wales, scotland, "
                                "northern-ireland, each with a list of events")
    for division, body in data.items():
        if division not in _DIVISIONS:
            raise InvalidInput(f"{path}: unknown division {division!r}",
                               hint="divisions are " + ", ".join(_DIVISIONS))
        events = body.get("events") if isinstance(body, dict) else None
        if not isinstance(events, list):
            raise InvalidInput(f"{path}: division {division!r} has no list of events")
        for i, event in enumerate(events):
            try:
                dt.date.fromisoformat(event["date"])
                if not str(event["title"]).strip():
                    raise ValueError
            except (KeyError, TypeError, ValueError):
                raise InvalidInput(
                    f"{path}: {division} event {i + 1} needs a 'date' (YYYY-MM-DD) and a 'title'"
                ) from None
    return data


def add_feed(table: HolidayTable, path: Path) -> None:
    data = read_feed(path)
    imported = dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    source = f"GOV.UK feed (imported {imported})"
    years = []
    for division, body in data.items():
        for event in body["events"]:
            day = dt.date.fromisoformat(event["date"])
            years.append(day.year)
            name = event["title"].replace("\u2019", "'")
            if event.get("notes"):
                name += f" ({event['notes'].lower()})"
            for nation in _DIVISIONS[division]:
                table.add(day, nation, name, source)
    if years:
        table.coverage[source] = (min(years), max(years))


def add_config(table: HolidayTable, added: tuple[Any, ...], removed: tuple[str, ...]) -> None:
    for extra in added:
        for nation in extra.nations:
            table.add(dt.date.fromisoformat(extra.date), nation, extra.name, CONFIG_SOURCE)
    for day in removed:
        table.removed[dt.date.fromisoformat(day)] = CONFIG_SOURCE


def import_feed(src: Path, dest: Path) -> dict[str, Any]:
    """Check a GOV.UK feed and copy it into the workspace; returns a summary."""
    data = read_feed(src)
    atomic_write(dest, src.read_bytes())
    counts = {division: len(body["events"]) for division, body in data.items()}
    dates = [e["date"] for body in data.values() for e in body["events"]]
    return {"file": str(dest), "events": counts, "first": min(dates), "last": max(dates)}


# -- loading with a cache ----------------------------------------------------------------------


def load(config: Any, feed: Path | None, today: dt.date, cache: Path | None) -> HolidayTable:
    """The table for a workspace; cached by the package version, the feed and the config."""
    first, last = 2000, today.year + 15
    covered_to = today.year + 1  # proclaimed one-off days are rarely known further ahead
    key = _cache_key(config, feed, first, last, covered_to)
    path = cache / f"holidays-{key}.json" if cache is not None else None
    if path is not None:
        try:
            table = HolidayTable.from_json(path.read_text())
            table.key = key
            return table
        except (OSError, ValueError, KeyError):
            pass
    table = HolidayTable(key=key)
    add_package(table, first, last, covered_to)
    if feed is not None and feed.is_file():
        add_feed(table, feed)
    add_config(table, config.holidays_add, config.holidays_remove)
    if path is not None:
        try:
            private_dir(path.parent)
            for old in path.parent.glob("holidays-*.json"):
                old.unlink(missing_ok=True)
            atomic_write(path, table.to_json())
        except OSError:
            pass
    return table


def _cache_key(config: Any, feed: Path | None, *years: int) -> str:
    import importlib.util

    h = hashlib.sha256(_CACHE_FORMAT.encode())
    spec = importlib.util.find_spec("holidays")
    if spec and spec.origin:
        st = Path(spec.origin).stat()
        h.update(f"{spec.origin}:{st.st_mtime_ns}:{st.st_size}".encode())
    if feed is not None and feed.is_file():
        h.update(feed.read_bytes())
        h.update(str(feed.stat().st_mtime_ns).encode())
    h.update(repr((config.holidays_add, config.holidays_remove, years)).encode())
    return h.hexdigest()[:24]
