"""Question sets: the packaged ones, validation, and the CLI."""

from __future__ import annotations

import re

import pytest
from conftest import SHARED, write

from konpfoi.errors import InvalidInput, NotFound
from konpfoi.letters import questions
from konpfoi.workspace.resources import packaged

DIRS = [packaged("questions")]


def test_palantir_fdp_has_the_seven_seed_questions_verbatim() -> None:
    qs = questions.get("palantir-fdp", DIRS)
    assert len(qs.questions) == 7
    assert "Socialist Health Association FOI Group" in qs.source
    assert qs.questions[0].text == ("Please confirm whether you are or are not utilising any "
                                    "aspects of the Federated Data Platform (FDP) in your "
                                    "organisation.")
    seeds = sorted((SHARED / "seeds").glob("*.txt")) if (SHARED / "seeds").is_dir() else []
    page = next((p.read_text() for p in seeds if "Socialist Health Association FOI Group"
                 in p.read_text()), None)
    if page is None:
        pytest.skip("the campaign seed pages are not present")
    for q in qs.questions:
        match = re.search(rf"^{q.number}\. (.+)$", page.split("FOI Group")[1], re.M)
        assert match, q.number
        assert q.text == match.group(1).strip(), q.number


@pytest.mark.parametrize("set_id", ["palantir-fdp", "icb-patient-data", "gp-online-triage"])
def test_every_set_is_complete(set_id: str) -> None:
    qs = questions.get(set_id, DIRS)
    assert qs.title and qs.description and qs.source
    assert len(qs.questions) >= 5
    assert len({q.label for q in qs.questions}) == len(qs.questions)
    assert all(q.label and len(q.label) <= 40 for q in qs.questions)


def test_patient_data_set_covers_the_seed_concerns() -> None:
    text = " ".join(q.text for q in questions.get("icb-patient-data", DIRS).questions).lower()
    for concern in ("outside the nhs", "data-sharing agreements", "data protection impact",
                    "population health management", "national data opt-out", "commercial"):
        assert concern in text


def test_unknown_set_lists_the_real_ones() -> None:
    with pytest.raises(NotFound) as exc:
        questions.get("palantir", DIRS)
    assert "palantir-fdp" in exc.value.hint


def test_workspace_set_overrides_and_is_validated(tmp_path) -> None:
    ws = tmp_path / "questions"
    write(ws / "palantir-fdp.yaml", "id: palantir-fdp\ntitle: Mine\nsource: me\nquestions:\n"
          "  - {label: One, text: Is it so?}\n")
    assert questions.get("palantir-fdp", [ws, *DIRS]).title == "Mine"
    write(ws / "bad.yaml", "id: bad\ntitle: Bad\nsource: me\nquestions:\n  - {text: No label}\n")
    with pytest.raises(InvalidInput) as exc:
        questions.get("bad", [ws, *DIRS])
    assert exc.value.message.startswith(f"{ws / 'bad.yaml'}:5:")
    assert "missing field 'label'" in exc.value.message
    write(ws / "twice.yaml", "id: twice\ntitle: Twice\nsource: me\nquestions:\n"
          "  - {label: Cost, text: What did it cost?}\n  - {label: Cost, text: Who paid?}\n")
    with pytest.raises(InvalidInput) as exc:
        questions.get("twice", [ws, *DIRS])
    assert exc.value.message == (f"{ws / 'twice.yaml'}:6: question 2 has the label of "
                                 "question 1")


def test_cli_lists_and_shows(run) -> None:
    listed = run.json("questions", "list")
    assert {q["id"] for q in listed} >= {"palantir-fdp", "icb-patient-data", "gp-online-triage"}
    shown = run("questions", "show", "palantir-fdp").stdout
    assert "7. Reputational risk (ICE)" in shown
    out = run("questions", "show", "nope", code=3)
    assert "palantir-fdp" in out.stderr
