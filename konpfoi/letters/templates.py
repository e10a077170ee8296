"""Render shared Jinja2 templates safely: sandboxed, strict about missing values, with lines."""

from __future__ import annotations

import difflib
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError

from konpfoi.errors import InvalidInput, NotFound, Unsafe
from konpfoi.law.correspondence import TEMPLATE_KINDS
from konpfoi.letters import sandbox
from konpfoi.workspace import yamlfile
from konpfoi.workspace.resources import packaged

SUFFIX = ".j2"
# What a template's leading comment may say it is: a letter's kind, a follow-up, or part of a
# supporter's pack (the email that brings them their letter; their GP opt-out letter).
KINDS = (*TEMPLATE_KINDS, "followup", "pack")


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    path: Path
    kind: str
    description: str
    overrides: bool  # a workspace template replacing a packaged one of the same name


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    text: str


def search_path(workspace_dir: Path | None) -> list[Path]:
    """The workspace's templates/ first (it overrides by name), then the packaged ones."""
    dirs = [workspace_dir] if workspace_dir and workspace_dir.is_dir() else []
    return dirs + [packaged("templates")]


class Templates:
    """The templates on a search path, rendered in one sandboxed environment."""

    def __init__(self, dirs: list[Path]) -> None:
        self.dirs = dirs
        self.env = sandbox.Sandbox(
            loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # plain-text email, not HTML
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._names: dict[str, Path] | None = None
        self._info: dict[str, TemplateInfo] = {}

    def names(self) -> dict[str, Path]:
        if self._names is None:
            self._names = self._find()
        return self._names

    def _find(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for d in self.dirs:
            for f in d.glob(f"*{SUFFIX}"):
                found.setdefault(f.name[: -len(SUFFIX)], f)
        return dict(sorted(found.items()))

    def info(self, name: str) -> TemplateInfo:
        if name in self._info:
            return self._info[name]
        path = self.path(name)
        meta = read_meta(path)
        packaged_dir = self.dirs[-1]
        overrides = path.parent != packaged_dir and (packaged_dir / path.name).exists()
        self._info[name] = TemplateInfo(name, path, meta.get("kind", "email"),
                                        meta.get("description", ""), overrides)
        return self._info[name]

    def all(self) -> list[TemplateInfo]:
        return [self.info(n) for n in self.names()]

    def path(self, name: str) -> Path:
        names = self.names()
        if name not in names:
            close = difflib.get_close_matches(name, list(names), n=3, cutoff=0.5)
            raise NotFound(
                f"no template {name!r}",
                hint=(f"did you mean {close[0]}? " if close else "")
                + "templates: " + ", ".join(sorted(names)),
                available=sorted(names),
            )
        return names[name]

    def exists(self, name: str) -> bool:
        return name in self.names()

    def render(self, name: str, context: dict[str, Any]) -> Rendered:
        """Render `name`; a template sets the subject with {% set subject = ... %}."""
        path = self.path(name)
        try:
            _check_source(path)
            template = self.env.get_template(path.name)
            ctx = template.new_context(dict(context))
            with sandbox.budget():
                try:
                    text = sandbox.check_output(template.root_render_func(ctx))
                except Exception:
                    self.env.handle_exception()  # re-raises with template file and line
        except jinja2.TemplateSyntaxError as exc:
            raise InvalidInput(f"template {exc.filename or path}:{exc.lineno}: {exc.message}",
                               hint="fix the template syntax on that line") from None
        except sandbox.TemplateLimit as exc:
            raise Unsafe(
                f"template {path}{_line(exc, path)}: refused as unsafe: it would make {exc}",
                hint="a letter's template needs nothing like this; check its loops and sizes",
            ) from None
        except RecursionError as exc:
            raise InvalidInput(
                f"template {path}{_line(exc, path)}: calls itself without end (a macro or "
                "include that recurses)", hint="make the recursion stop") from None
        except MemoryError:
            raise Unsafe(f"template {path}: stopped: it ran out of memory",
                         hint="a letter's template needs nothing like this") from None
        except jinja2.TemplateNotFound as exc:
            raise InvalidInput(f"template {path}: it includes {exc.name!r}, which is not a "
                               "template here", hint="templates: " + ", ".join(self.names())
                               ) from None
        except UnicodeDecodeError:
            raise InvalidInput(f"template {path}: not UTF-8 text",
                               hint="save the file as UTF-8") from None
        except SecurityError as exc:
            raise Unsafe(
                f"template {path}{_line(exc, path)}: refused as unsafe ({exc})",
                hint="templates may use the variables they are given, not Python internals",
            ) from None
        except jinja2.UndefinedError as exc:
            raise InvalidInput(
                f"template {path}{_line(exc, path)}: {exc.message}",
                hint="variables available: " + ", ".join(sorted(context)),
            ) from None
        except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError,
                jinja2.TemplateError) as exc:
            raise InvalidInput(f"template {path}{_line(exc, path)}: {exc}") from None
        except Exception as exc:  # a template is someone's code: its failures are its own
            raise InvalidInput(f"template {path}{_line(exc, path)}: "
                               f"{type(exc).__name__}: {exc}") from None
        subject = ctx.get_exported().get("subject")
        return Rendered(subject=str(subject) if subject is not None else None, text=text)


def _check_source(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidInput(f"template {path}: cannot read ({exc.strerror})") from None
    if size > sandbox.MAX_SOURCE:
        raise InvalidInput(f"template {path}: {size:,} bytes is too long for a template",
                           hint=f"a letter's template is a few kilobytes (at most "
                                f"{sandbox.MAX_SOURCE:,} bytes)")


def _line(exc: BaseException, path: Path) -> str:
    """':N' for the template line the error came from, from Jinja's rewritten traceback."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).name == path.name:
            line = frame.lineno
    return f":{line}" if line else ""


def read_meta(path: Path) -> dict[str, str]:
    """The YAML in a template's leading {# ... #} comment: description and kind."""
    _check_source(path)
    text = yamlfile.read_text(path)
    if not text.startswith("{#"):
        return {}
    end = text.find("#}")
    if end < 0:
        return {}
    data = yamlfile.parse(text[2:end].strip("-").strip(), path)
    if not isinstance(data, dict):
        return {}
    meta = {str(k): str(v) for k, v in data.items()}
    if meta.get("kind", "email") not in KINDS:
        raise InvalidInput(f"{path}:1: template kind must be one of {', '.join(KINDS)}")
    return meta
