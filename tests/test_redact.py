"""What publish takes out of a page (#16): a supporter's name only whole, never by a surname
alone; a name that is not a supporter's is never labelled "[supporter]" and never loses only
its surname (the first name left beside a mark)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import on_day, with_group, write
from hypothesis import given, settings
from hypothesis import strategies as st

from konpfoi.report.publish.redact import _BESIDE, _NOT_A_NAME, Redactor

REQUESTER = [("name", "Jo Campaigner"), ("email", "jo@example.org")]
# A word a name could be: capitalised, not a word that stands beside names ("Dear", "Ms").
WORD = st.from_regex(r"\A[A-Z][a-z]{2,8}\Z").filter(
    lambda w: w.lower() not in _BESIDE and not _NOT_A_NAME.search(w)
    and w not in ("Campaigner", "Thank", "Kind", "Yours"))
# How a reply names an official: signed under a closing, or in its text.
SIGNED = ["Dear Ms Campaigner,\n\nPlease find our response.\n\nKind regards,\n{name}\n"
          "Information Governance Officer\n",
          "Dear Sir or Madam,\n\nYours sincerely,\n\n{name}\nHead of Information Governance\n"]
INLINE = ["Our reply was checked by {name} of the FOI team.\n",
          "Please contact {name} if you have questions.\n"]


def _redactor(supporters: list[str], officials: bool = True) -> Redactor:
    return Redactor.of(REQUESTER, [("name", s) for s in supporters], [], officials)


def _beside_a_mark(word: str, text: str) -> bool:
    return bool(re.search(rf"\b{re.escape(word)}\W{{0,3}}\[|\]\W{{0,3}}{re.escape(word)}\b",
                          text))


def test_the_reply_from_rj1_names_no_supporter() -> None:
    """The reported case: Alice Smith signs; Ann Smith is a supporter elsewhere."""
    reply = SIGNED[0].format(name="Alice Smith")
    red = _redactor(["Ann Smith", "Bob Baker"])
    text = red.reply_text(reply, "bodies/trust-rj1.html", "Alice Smith")
    assert "[supporter]" not in text and "Alice" not in text and "Smith" not in text
    assert "Kind regards,\n[name removed]\nInformation Governance Officer" in text
    assert [(r.kind, r.text) for r in red.made] == [("requester", "Campaigner"),
                                                  ("name", "Alice Smith")]
    same = _redactor([]).reply_text(reply, "bodies/trust-rj1.html", "Alice Smith")
    assert same == text  # as with no supporter sharing her surname


@pytest.mark.parametrize(("said", "published", "kind"), [
    ("Thank you Ann Smith.", "Thank you [supporter].", "supporter"),
    ("I met ANN SMITH today", "I met [supporter] today", "supporter"),
    ("Smith, Ann wrote", "[supporter] wrote", "supporter"),
    ("Ann Smith's letter", "[supporter]'s letter", "supporter"),
    ("Ann Mary Smith wrote", "[supporter] wrote", "supporter"),
    # Not known to be hers: taken out, never labelled.
    ("A. Smith signed", "[name removed] signed", "name"),
    ("Mary Ann Smith wrote", "[name removed] wrote", "name"),
    ("Ann Smith-Jones wrote", "[name removed] wrote", "name"),
    # Not hers at all: a surname or a first name alone is left (to the officials' rule).
    ("Mr Smith wrote", "Mr Smith wrote", None),
    ("Ann wrote", "Ann wrote", None),
])
def test_a_supporters_name_whole_and_its_variants(said: str, published: str,
                                                  kind: str | None) -> None:
    supporter = "Ann Mary Smith" if "Mary Smith" in said or "Ann Mary" in said else "Ann Smith"
    red = _redactor([supporter], officials=False)
    assert red.private_text(said, "p") == published
    assert [r.kind for r in red.made] == ([kind] if kind else [])


def test_the_requester_by_a_part_alone_but_not_a_part_of_another_name() -> None:
    red = _redactor([], officials=False)
    assert red.private_text("Dear Ms Campaigner, see J. Campaigner and Alice Campaigner-Brown",
                            "p") == ("Dear Ms [requester], see [name removed] and Alice "
                                     "Campaigner-Brown")  # hers is another name
    assert red.private_text("Signed, Rosa Campaigner", "p") == "Signed, Rosa Campaigner"
    assert red.private_text("Jo Campaigner-Brown", "p") == "[name removed]"


def test_a_document_is_withheld_for_a_supporters_whole_name_only() -> None:
    red = _redactor(["Ann Smith"])
    assert "Ann Smith" in red.people and "Smith" not in red.people and "Ann" not in red.people
    assert "A. Smith" not in red.people  # "[name removed]" on a page, no reason to withhold


@settings(max_examples=300, deadline=None)
@given(first=WORD, other_first=WORD, surname=WORD, others=st.lists(WORD, max_size=3),
       how=st.sampled_from(SIGNED + INLINE), officials=st.booleans(),
       sender=st.booleans())
def test_an_official_sharing_a_supporters_surname_is_never_a_supporter(
        first: str, other_first: str, surname: str, others: list[str], how: str,
        officials: bool, sender: bool) -> None:
    """Alice Smith signs; Ann Smith (and others) support: never "[supporter]", never "Alice"
    left beside a mark; taken out as any official's name is, when that rule applies."""
    if len({first, other_first, surname}) < 3:
        return
    supporters = [f"{other_first} {surname}", f"{first} {other_first}"] + \
        [f"{o} {surname}" for o in others if o != first]
    official = f"{first} {surname}"
    red = _redactor(supporters, officials)
    text = red.reply_text(how.format(name=official), "p", official if sender else None)
    assert "[supporter]" not in text
    assert not _beside_a_mark(first, text) and not _beside_a_mark(surname, text)
    assert all(r.kind != "supporter" for r in red.made)
    if officials and (how in SIGNED or sender):
        assert "[name removed]" in text and first not in text and surname not in text
    elif not officials:
        assert official in text  # --no-redact: an official's name is left whole


@settings(max_examples=200, deadline=None)
@given(first=WORD, surname=WORD, how=st.sampled_from(SIGNED + INLINE),
       officials=st.booleans())
def test_a_supporters_whole_name_is_always_taken_out(first: str, surname: str, how: str,
                                                     officials: bool) -> None:
    if first == surname:
        return
    red = _redactor([f"{first} {surname}"], officials)
    text = red.reply_text(how.format(name=f"{first} {surname}"), "p")
    assert "[supporter]" in text and first not in text and surname not in text


def test_publish_labels_no_official_a_supporter(run, me: Path, tmp_path: Path, frozen) -> None:
    """Through the CLI: a trust's reply signed by Alice Smith, a supporter Ann Smith in
    another campaign's letters."""
    with_group(me)
    people = write(tmp_path / "people.csv", "name,email,mp\nAnn Smith,ann@people.example,5173\n")
    with on_day("2026-09-28"):
        run("draft", "--to", "trust:RJ1", "-q", "palantir-fdp", "--campaign", "fdp")
        run("batch", "--supporters", str(people), "--template", "mp-fdp", "--campaign", "lobby")
    run("mark-sent", "K-0001", "--date", "2026-10-01")
    eml = write(tmp_path / "reply.eml", "From: Alice Smith <alice.smith@nhs.net>\n"
                "Subject: Re: [K-0001]\nDate: Tue, 20 Oct 2026 10:00:00 +0000\n"
                "Message-ID: <k1@r>\n\n" + SIGNED[0].format(name="Alice Smith"))
    run("reply", "K-0001", "--file", str(eml))
    run("publish", str(tmp_path / "site"))
    page = next((tmp_path / "site" / "bodies").glob("*rj1*.html")).read_text()
    assert "[name removed]" in page and "[supporter]" not in page
    assert "Alice" not in page and "Smith" not in page
    check = run.json("publish", str(tmp_path / "checked"), "--check")
    made = {(r["kind"], r["text"]) for r in check["redactions"]}
    assert ("name", "Alice Smith") in made
    assert not any(kind == "supporter" for kind, _ in made), json.dumps(check["redactions"])
