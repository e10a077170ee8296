"""Coding a reply never guesses: no default outcome, a bad citation asks again for that
question only, answers typed so far are kept, EIR and FOIA citations together, and an
outcome for the whole reply fills every question."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import add_lothian, on_day, write

pytestmark = [pytest.mark.usefixtures("frozen"), pytest.mark.backends()]


@pytest.fixture
def replied(run, me: Path, tmp_path) -> Path:
    add_lothian(me)
    with on_day("2026-10-01"):
        run("draft", "--to", "icb:QKK", "--to", "hb:S08000024", "-q", "palantir-fdp")
    run("mark-sent", "K-0001", "K-0002", "--date", "2026-10-01")
    for item in ("K-0001", "K-0002"):
        eml = write(tmp_path / f"{item}.eml", f"From: FOI <foi@x.nhs.uk>\nSubject: Re: {item}\n"
                    f"Date: Fri, 30 Oct 2026 09:00:00 +0000\nMessage-ID: <{item}@x>\n\n"
                    "Please find our response attached.\n")
        run("reply", item, "--file", str(eml))
    return me


def answers(run, item: str) -> dict[int, tuple[str, list[str], str | None]]:
    return {a["question"]: (a["outcome"], tuple(a["exemptions"]), a["answer"])
            for a in run.json("show", item)["answers"]}


def test_enter_alone_records_nothing_and_asks_again(run, replied) -> None:
    typed = "\n" + "\n\n\nrefused\ns99\ns43(2)\ncommercial\n" + "not-held\n\n"
    out = run("code", "K-0001", input=typed)
    assert "Please select one of the available options" in out.stdout
    assert "'s99' is not an exemption under FOIA 2000" in out.stderr
    assert "stopped before the last question: the 2 answered are kept" in out.stderr
    assert answers(run, "K-0001") == {1: ("refused", ("s.43(2)",), "commercial"),
                                      2: ("not-held", (), None)}


def test_one_outcome_for_every_question(run, replied) -> None:
    run("code", "K-0001", input="not-held\nwe do not use the FDP\n")
    got = answers(run, "K-0001")
    assert len(got) == 7 and set(got.values()) == {("not-held", (), "we do not use the FDP")}
    assert run.json("show", "K-0001")["state"] == "not held"
    run("code", "K-0001", "--q", "all=refused:s43", "--q", "2=answered:minutes released")
    got = answers(run, "K-0001")
    assert got[2] == ("answered", (), "minutes released")
    assert got[1] == got[7] == ("refused", ("s.43",), None)


def test_eir_and_foia_citations_together(run, replied) -> None:
    run("code", "K-0001", "--q", "2=refused:reg 12(5)(e),s43")
    assert answers(run, "K-0001")[2] == ("refused", ("reg 12(5)(e)", "s.43"), None)
    run("code", "K-0001", "--q", "3=partly:regulation 13 and s.40(2):names removed")
    assert answers(run, "K-0001")[3] == ("partly-answered", ("reg 13", "s.40(2)"),
                                         "names removed")


@pytest.mark.parametrize("spec, words", [
    ("2=refused:reg 12(5)(e)", "the EIR 2004 do not apply to a Scottish body"),
    ("2=refused:s43", "not an exemption under FOISA 2002"),
])
def test_citations_that_cannot_apply_are_refused_with_the_reason(run, replied, spec,
                                                                 words) -> None:
    assert words in run("code", "K-0002", "--q", spec, code=5).stderr
    assert answers(run, "K-0002") == {}
