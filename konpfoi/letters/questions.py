"""Question sets: numbered FOI questions with short labels for reports, one YAML file each."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi.errors import NotFound
from konpfoi.tracking.register import Rule, parse_rules
from konpfoi.workspace import yamlfile
from konpfoi.workspace.resources import packaged

REGIMES = ("foi", "eir")


@dataclass(frozen=True)
class Question:
    number: int
    label: str
    text: str
    # the facts of the register its answer establishes (fdp: {"yes": in-use, ...})
    establishes: dict[str, Rule] = field(default_factory=dict)


@dataclass(frozen=True)
class QuestionSet:
    id: str
    title: str
    description: str
    regime: str
    source: str
    questions: tuple[Question, ...]
    path: Path

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "description": self.description,
            "regime": self.regime, "source": self.source, "path": str(self.path),
            "questions": [{"number": q.number, "label": q.label, "text": q.text,
                           **({"establishes": q.establishes} if q.establishes else {})}
                          for q in self.questions],
        }

    def rules(self) -> dict[int, dict[str, Rule]]:
        """Question number -> the facts its answer establishes (for coding)."""
        return {q.number: q.establishes for q in self.questions if q.establishes}


def search_path(workspace_dir: Path | None) -> list[Path]:
    """The workspace's questions/ first (it overrides by id), then the packaged ones."""
    dirs = [workspace_dir] if workspace_dir and workspace_dir.is_dir() else []
    return dirs + [packaged("questions")]


def available(dirs: list[Path]) -> dict[str, Path]:
    """Set id → file, the first folder winning."""
    found: dict[str, Path] = {}
    for d in dirs:
        for f in sorted(d.glob("*.yaml")):
            found.setdefault(f.stem, f)
    return found


def load_all(dirs: list[Path]) -> list[QuestionSet]:
    return [parse(p) for p in available(dirs).values()]


def get(set_id: str, dirs: list[Path]) -> QuestionSet:
    files = available(dirs)
    if set_id not in files:
        close = difflib.get_close_matches(set_id, list(files), n=3, cutoff=0.5)
        listing = ", ".join(sorted(files))
        raise NotFound(
            f"no question set {set_id!r}",
            hint=(f"did you mean {close[0]}? " if close else "") + f"question sets: {listing}",
            available=sorted(files),
        )
    return parse(files[set_id])


def parse(path: Path) -> QuestionSet:
    """Read and validate one question set; errors name the file, line and field."""
    ck = yamlfile.Checker(path)
    data = ck.mapping(yamlfile.load(path), "a question set")
    ck.fields(data, "question set", ("id", "title", "questions", "source"),
              ("description", "regime"))
    set_id = ck.text(data, "id", "question set")
    if set_id != path.stem:
        ck.fail(data, "id", f"id {set_id!r} differs from the file name {path.stem!r}",
                hint=f"rename the file to {set_id}.yaml or change the id")
    regime = ck.text(data, "regime", "question set") or "foi"
    if regime not in REGIMES:
        ck.fail(data, "regime", f"regime must be one of {', '.join(REGIMES)}")
    raw = data["questions"]
    if not isinstance(raw, list) or not raw:
        ck.fail(data, "questions", "questions must be a non-empty list")
    questions = []
    numbers: dict[str, int] = {}
    for number, item in enumerate(raw, start=1):
        q = ck.mapping(item, f"question {number}", data, "questions")
        ck.fields(q, f"question {number}", ("label", "text"), ("establishes",))
        label = ck.text(q, "label", f"question {number}") or ""
        if label in numbers:
            ck.fail(q, "label", f"question {number} has the label of question {numbers[label]}",
                    hint="labels head the columns of a report; make each one distinct")
        numbers[label] = number
        rules = parse_rules(q["establishes"], f"{path}:{q.line_of('establishes')}") \
            if "establishes" in q else {}
        questions.append(Question(
            number=number, label=label,
            text=" ".join((ck.text(q, "text", f"question {number}", single_line=False)
                           or "").split()), establishes=rules,
        ))
    return QuestionSet(
        id=str(set_id), title=str(ck.text(data, "title", "question set")),
        description=" ".join((ck.text(data, "description", "question set",
                                      single_line=False) or "").split()),
        regime=regime, source=" ".join(str(ck.text(data, "source", "question set",
                                                   single_line=False)).split()),
        questions=tuple(questions), path=path,
    )
