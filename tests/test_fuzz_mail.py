"""Fuzzing mail both ways: replies generated and mutated, imported through `konpfoi replies
import` as a user would (never an internal error, no file outside the workspace touched,
the ledger still readable); and the headers konpfoi writes, which must stay within RFC 5322's
998-character lines and RFC 2047's 75-character encoded words whatever the name or subject."""

from __future__ import annotations

import base64
import datetime as dt
import email
import re
import shutil
import tempfile
from email import policy
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from hostile import (  # noqa: F401 - golden_workspace is the 'golden' fixture
    golden_workspace,
    outside_workspace,
    records,
    sentinel,
)
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from konpfoi.errors import Unsafe
from konpfoi.mail import outgoing

pytestmark = pytest.mark.usefixtures("frozen")

NAMES = ["report.pdf", "../../x.pdf", "/etc/passwd", "..", ".bashrc", "CON.txt", "a\\b.docx",
         "😀" * 120 + ".pdf", "x" * 300 + ".xlsx", "=?utf-8?b?Li4vLi4veC5wZGY=?=", "",
         "name with spaces.pdf", "%2e%2e%2fx", "x.pdf\r\nX-Injected: 1", "über.pdf"]
DATES = ["Mon, 23 Nov 2026 10:00:00 +0000", "Thu, 01 Jan 1970 00:00:00 +0000",
         "Fri, 31 Dec 9999 23:59:59 +0000", "30 Feb 2026 10:00:00", "yesterday", ""]
SUBJECTS = ["RE: Freedom of Information request [K-0001]", "Automatic reply: received",
            "=?utf-8?q?R=C3=A9ponse_=5BK-0001=5D?=", "=?unknown?b?!!!?=", "x" * 5000,
            "[bold]K-0002[/] :x:", "Fwd: the FDP answer", ""]
SENDERS = ["a@b.nhs.uk", "Foi Team <foi@selondonics.nhs.uk>", "", "=?utf-8?b?4pyT?= <x@y>",
           "no at sign"]
CHARSETS = ["utf-8", "us-ascii", "iso-8859-1", "x-unknown", "utf-16", ""]


@st.composite
def attachment(draw: Any) -> str:
    name = draw(st.sampled_from(NAMES))
    content = draw(st.binary(max_size=64))
    how = draw(st.sampled_from(["filename", "name", "rfc2231"]))
    disposition = {"filename": f'attachment; filename="{name}"',
                   "name": "attachment",
                   "rfc2231": f"attachment; filename*=utf-8''{name.encode().hex()}"}[how]
    ctype = f'application/octet-stream; name="{name}"' if how == "name" else "application/pdf"
    return (f"Content-Type: {ctype}\nContent-Disposition: {disposition}\n"
            f"Content-Transfer-Encoding: base64\n\n{base64.b64encode(content).decode()}\n")


@st.composite
def message(draw: Any, reply_to: str) -> bytes:
    """A reply as a body's mail system (or a careless forwarder) might write it."""
    charset = draw(st.sampled_from(CHARSETS))
    text = draw(st.sampled_from(["Please find attached. Our ref: FOI-2026-1234",
                                 "Nous avons reçu votre demande.", "\x00\xff", ""]))
    part = (f"Content-Type: text/plain; charset=\"{charset}\"\n"
            f"Content-Transfer-Encoding: {draw(st.sampled_from(['8bit', 'base64', 'x-bad']))}"
            f"\n\n{text}\n")
    parts = [part] + [draw(attachment()) for _ in range(draw(st.integers(0, 3)))]
    body = part
    if len(parts) > 1:
        body = "Content-Type: multipart/mixed; boundary=\"b0\"\n\n" + "".join(
            f"--b0\n{p}" for p in parts) + "--b0--\n"
    for level in range(draw(st.integers(0, 40))):  # nested as forwards nest them
        body = (f"Content-Type: multipart/mixed; boundary=\"n{level}\"\n\n--n{level}\n"
                f"{body}--n{level}--\n")
    headers = [
        f"From: {draw(st.sampled_from(SENDERS))}",
        f"Subject: {draw(st.sampled_from(SUBJECTS))}",
        f"Date: {draw(st.sampled_from(DATES))}",
        f"Message-ID: {draw(st.sampled_from(['<m1@b>', '<m2@b>', '', 'not-an-id', '<>']))}",
        f"In-Reply-To: {draw(st.sampled_from([reply_to, '', '<unknown@x>']))}",
        "MIME-Version: 1.0",
    ]
    raw = ("\n".join(h for h in headers if not h.endswith(": ")) + "\n" + body).encode(
        "utf-8", "surrogateescape")
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(max_size=8)) + raw[at:]
    return raw


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])
@given(data=st.data())
def test_fuzzed_replies_import_through_the_cli(golden, tmp_path, monkeypatch, run, data) -> None:
    reply_to = next(r["message_id"] for r in records(golden / "good.jsonl")
                    if r["type"] == "item" and r["id"] == "K-0001")
    messages = data.draw(st.lists(message(reply_to), min_size=1, max_size=3), label="mail")
    folder = sentinel(tmp_path)
    (tmp_path / "other").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=tmp_path / "other"))  # outside_workspace skips "other"
    shutil.copytree(golden / "home", work / "home")
    monkeypatch.setenv("KONPFOI_HOME", str(work / "home"))
    inbox = work / "inbox"
    inbox.mkdir()
    for n, raw in enumerate(messages):
        (inbox / f"{n}.eml").write_bytes(raw)
    before = outside_workspace(tmp_path)
    out = run("replies", "import", str(inbox), code=None)
    event(f"exit {out.exit_code}")
    assert "internal error" not in out.stderr, out.stderr
    assert out.exit_code in (0, 5, 7, 8), out.stderr
    assert outside_workspace(tmp_path) == before and folder.exists()
    files = work / "home" / "files"
    for p in files.rglob("*"):  # every kept file lies inside files/, under a plain name
        assert p.resolve().is_relative_to(files.resolve())
        assert len(p.name.encode()) <= 255
    for args in (["status", "--all"], ["show", "K-0001"], ["replies", "unmatched"]):
        shown = run(*args, code=None)
        assert shown.exit_code == 0 and "internal error" not in shown.stderr, shown.stderr


# -- what konpfoi writes -------------------------------------------------------------------------

header_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\n\0"),
                      min_size=1, max_size=900)


def _lines_and_words(raw: bytes) -> tuple[int, int]:
    head = raw.split(b"\n\n", 1)[0].decode("ascii")
    words = re.findall(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=", head)
    return max(len(x) for x in head.split("\n")), max(map(len, words), default=0)


@settings(max_examples=200, deadline=None)
@given(name=header_text, subject=header_text)
def test_headers_keep_to_rfc_5322_and_2047(name: str, subject: str) -> None:
    try:
        raw = outgoing.build(sender_name=name, sender_email="jo@example.org",
                             to_name="NHS Body", to_email="foi@body.nhs.uk", subject=subject,
                             text="Dear Sir or Madam,\n", msg_id="<k-0001@example.org>",
                             date=dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
    except Unsafe:
        event("refused")
        return
    longest, word = _lines_and_words(raw)
    assert longest <= 998 and word <= 75
    if not (name + subject).isascii():
        event("encoded")
    msg = email.message_from_bytes(raw)
    decoded = str(make_header(decode_header(msg["Subject"])))
    assert decoded == subject or decoded.split() == subject.split()  # only spaces may differ
    decoded_from = str(make_header(decode_header(msg["From"])))
    assert decoded_from.endswith(" <jo@example.org>") or decoded_from.endswith("<jo@example.org>")
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["From"].addresses[0].addr_spec == "jo@example.org"
    if subject.strip() == subject and "  " not in subject:
        assert str(parsed["Subject"]) == subject


@pytest.mark.parametrize("value", ["a\nBcc: x@y", "a\rb", "a\0b", "x" * 901])
def test_header_injection_is_still_refused(value: str) -> None:
    with pytest.raises(Unsafe):
        outgoing.build(sender_name=value, sender_email="jo@example.org", to_name="B",
                       to_email="foi@body.nhs.uk", subject="s", text="t", msg_id="<m@x>",
                       date=dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
