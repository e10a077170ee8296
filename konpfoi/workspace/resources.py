"""Where the packaged templates, question sets and directory live, in a wheel or a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def packaged(name: str) -> Path:
    """The packaged copy of `name` (templates, questions, bodies.yaml).

    A wheel carries them in konpfoi/_data; a source checkout keeps them at the project root.
    """
    inside = _PACKAGE / "_data" / name
    if inside.exists():
        return inside
    return _PACKAGE.parent / name
