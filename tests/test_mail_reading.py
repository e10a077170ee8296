"""The fast ways of reading mail read it exactly as Python's own parser and mailbox module do."""

from __future__ import annotations

import email
import mailbox
from email.message import Message
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from konpfoi.mail import mailboxes, mime

CORPUS = sorted((Path(__file__).parent / "data" / "mail" / "corpus").glob("*.eml"))


def _differs(a: Message, b: Message, where: str = "message") -> str | None:
    """Where two parsed messages differ in anything the parser produces, if they do."""
    if a.get_unixfrom() != b.get_unixfrom() or list(a.raw_items()) != list(b.raw_items()):
        return f"{where}: headers"
    if (a.preamble, a.epilogue) != (b.preamble, b.epilogue):
        return f"{where}: preamble or epilogue"
    if [type(d) for d in a.defects] != [type(d) for d in b.defects]:
        return f"{where}: defects"
    pa, pb = a.get_payload(), b.get_payload()
    if isinstance(pa, list) and isinstance(pb, list) and len(pa) == len(pb):
        for n, (x, y) in enumerate(zip(pa, pb, strict=True)):
            found = _differs(x, y, f"{where}.{n}")
            if found:
                return found
        return None
    return None if pa == pb else f"{where}: payload"


def _same_as_the_parser(raw: bytes) -> bool:
    """Whether the quick reading, where there is one, is the parser's; and whether there is."""
    quick = mime.plain(raw)
    if quick is None:
        return False
    assert _differs(quick, email.message_from_bytes(raw, policy=mime.POLICY)) is None
    return True


def test_the_quick_reading_of_the_corpus_is_the_parsers() -> None:
    quick = [p.name for p in CORPUS if _same_as_the_parser(p.read_bytes())]
    assert len(quick) > len(CORPUS) // 2  # most messages are read quickly...
    # ...and what is not ordinary goes to the parser
    assert "mime-truncated-multipart.eml" not in quick
    assert "mime-mixed-line-endings.eml" not in quick
    assert "bounce-postfix-dsn.eml" not in quick


_LINE = st.sampled_from(["", "text", " indented", "--", "--b", "--b--", "--b-- ", "--bb",
                         "--c", "--c--", "x--b", "=?utf-8?q?caf=C3=A9?=", "From here",
                         "Content-Type: text/plain", "caf\xe9"])


@st.composite
def _message(draw, depth: int = 0) -> str:  # type: ignore[no-untyped-def]
    """A message or part: headers, then a body, a multipart one sometimes (boundaries b, c),
    with preambles, epilogues, blanks after boundaries and boundary-like lines in bodies."""
    boundary = "b" if depth == 0 else "c"
    multipart = depth < 2 and draw(st.booleans())
    head = [f"Subject: {draw(_LINE)}"]
    if multipart:
        head.append(f'Content-Type: multipart/{draw(st.sampled_from(["mixed", "alternative"]))};'
                    f' boundary="{boundary}"')
    else:
        head.append(draw(st.sampled_from(["Content-Type: text/plain; charset=utf-8",
                                          "Content-Type: application/pdf; name=a.pdf",
                                          "Content-Disposition: attachment; filename=x"])))
    lines = head + [""]
    if multipart:
        lines += draw(st.lists(_LINE, max_size=2))  # preamble
        for _ in range(draw(st.integers(1, 3))):
            lines.append(f"--{boundary}" + draw(st.sampled_from(["", " ", "\t"])))
            lines.append(draw(_message(depth + 1)).rstrip("\n"))
        lines.append(f"--{boundary}--" + draw(st.sampled_from(["", " "])))
        lines += draw(st.lists(_LINE, max_size=2))  # epilogue
    else:
        lines += draw(st.lists(_LINE, max_size=4))
    end = draw(st.sampled_from(["\n", "\r\n"])) if depth == 0 else "\n"
    return end.join(lines) + draw(st.sampled_from(["", end]))


@settings(max_examples=400, deadline=None)
@given(_message())
def test_generated_mime_is_read_as_the_parser_reads_it(text: str) -> None:
    _same_as_the_parser(text.encode("utf-8"))


_MBOX_PIECE = st.sampled_from([b"From a@b Mon Jan  1 00:00:00 2026\n", b"From \n", b"\n",
                               b"text\n", b">From x\n", b"From", b"rom \n", b"x", b"\r\n",
                               b"From y\r\n", b"no line break"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_MBOX_PIECE, max_size=30), st.sampled_from([1, 2, 3, 7, 8, 64, 1 << 22]))
def test_an_mbox_is_split_as_pythons_mailbox_splits_it(tmp_path_factory, pieces: list[bytes],
                                                       chunk: int) -> None:
    path = tmp_path_factory.mktemp("mbox") / "box"
    path.write_bytes(b"From first\n" + b"".join(pieces))
    box = mailbox.mbox(path, create=False)
    expected = [box.get_bytes(key) for key in box.iterkeys()]
    box.close()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(mailboxes, "_CHUNK", chunk)
        found = [raw for _, raw in mailboxes.MboxFile(path).messages()]
    assert found == expected
