"""Load YAML safely (the C loader where present) keeping the line of every mapping and key."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from konpfoi.errors import InvalidInput, unreadable
from konpfoi.workspace import dates

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class YMap(dict):
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class _LineLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    pass


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> YMap:
    loader.flatten_mapping(node)
    out = YMap()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool, dt.date)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain name, not a list or mapping",
                key_node.start_mark)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


def _construct_timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    """An unquoted date as YAML reads it; an impossible one (2026-02-30) is an error on its
    line rather than a crash."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a real date", node.start_mark) from None


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def parse(text: str, source: str | Path) -> Any:
    """Parse YAML text; a syntax error names the source and line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "not valid YAML"
        raise InvalidInput(
            f"{source}{line}: {problem}",
            hint=dates.HINT if "real date" in problem
            else "check the indentation and quoting on that line",
        ) from None
    except yaml.reader.ReaderError as exc:
        where = text[: exc.position].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or " ")
        raise InvalidInput(f"{source}:{where}: a character YAML does not allow (#x{code:04x})",
                           hint="remove it, or save the file again as UTF-8 text") from None
    except yaml.YAMLError as exc:
        first = (str(exc).strip().splitlines() or ["?"])[0]
        raise InvalidInput(f"{source}: not valid YAML ({first})") from None
    except RecursionError:
        raise InvalidInput(f"{source}: nested too deeply to be a konpfoi file",
                           hint="check the brackets and indentation") from None


def read_text(path: Path) -> str:
    """A file a user hands us, as UTF-8 text, or one error naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: not UTF-8 text", hint="save the file as UTF-8") from None
    except OSError as exc:
        raise unreadable(path, exc) from None


def load(path: Path) -> Any:
    """Read and parse a YAML file."""
    return parse(read_text(path), path)


class Checker:
    """Validates one loaded YAML document, raising one error that names file, line and field."""

    def __init__(self, source: str | Path) -> None:
        self.source = source

    def fail(self, where: YMap | None, key: Any, message: str, hint: str | None = None) -> None:
        line = where.line_of(key) if isinstance(where, YMap) else 0
        loc = f"{self.source}:{line}" if line else f"{self.source}"
        raise InvalidInput(f"{loc}: {message}", hint=hint)

    def mapping(self, value: Any, what: str, parent: YMap | None = None, key: Any = None) -> YMap:
        if not isinstance(value, YMap):
            self.fail(parent, key, f"{what} must be a mapping of field: value")
        return value  # type: ignore[return-value]

    def fields(
        self, m: YMap, what: str, required: Iterable[str], optional: Iterable[str]
    ) -> None:
        required = list(required)
        allowed = set(required) | set(optional)
        for key in m:
            if key not in allowed:
                self.fail(
                    m, key, f"{what}: unknown field {key!r}",
                    hint="allowed fields: " + ", ".join(sorted(allowed)),
                )
        for key in required:
            if m.get(key) in (None, ""):
                self.fail(m, key, f"{what}: missing field {key!r}")

    def text(self, m: YMap, key: str, what: str, *, single_line: bool = True) -> str | None:
        value = m.get(key)
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.fail(m, key, f"{what}: field {key!r} must be text")
        if single_line and ("\n" in value or "\r" in value):
            self.fail(m, key, f"{what}: field {key!r} must be on one line")
        return value.strip()

    def email(self, m: YMap, key: str, what: str) -> str | None:
        value = self.text(m, key, what)
        if value and not is_email(value):
            self.fail(m, key, f"{what}: field {key!r} is not an email address: {value!r}")
        return value or None

    def date(self, m: YMap, key: str, what: str) -> str | None:
        value = m.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = value.strip()
        why = dates.problem(value)
        if why is not None:
            self.fail(m, key, f"{what}: field {key!r}: {why}", hint=dates.HINT)
        return dates.to_day(value).isoformat()

    def items(self, m: YMap, key: str, what: str) -> list[Any]:
        """A field that must hold a list (or nothing)."""
        value = m.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(m, key, f"{what}: field {key!r} must be a list",
                      hint=f"write it as [ ... ] or as lines starting '- ' under {key}:")
        return value  # type: ignore[no-any-return]

    def text_list(self, m: YMap, key: str, what: str) -> list[str]:
        value = m.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            self.fail(m, key, f"{what}: field {key!r} must be a list of text")
        return [str(v) for v in value]


_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def is_email(value: str) -> bool:
    """A plain addr-spec: no display name, no spaces, no control characters, a dotted domain."""
    return bool(_EMAIL.match(value)) and ".." not in value
