"""mail.outgoing.build with attachments: a real multipart/mixed message that the standard
library reads back exactly, names RFC 2231-encoded, nothing that can inject a header."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from konpfoi.errors import Unsafe
from konpfoi.mail.outgoing import Attachment, build, with_date

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def message(text: str = "Dear ICO,\n\nI attach my request.\n", *attachments: Attachment):
    raw = build(sender_name="Jo Campaigner", sender_email="jo@example.org",
                to_name="Information Commissioner's Office", to_email="casework@ico.org.uk",
                subject="Complaint", text=text, msg_id="<k-0001@example.org>", date=NOW,
                attachments=attachments)
    assert all(len(line) <= 998 for line in raw.split(b"\n"))
    return raw, message_from_bytes(raw, policy=default)


def test_no_attachment_is_plain_text() -> None:
    _, msg = message()
    assert msg.get_content_type() == "text/plain" and not msg.is_multipart()


def test_attachments_read_back_exactly() -> None:
    pdf = bytes(range(256)) * 40
    raw, msg = message("Dear ICO,\n\nI attach the response: £0.\n",
                       Attachment("response.pdf", "application/pdf", pdf),
                       Attachment("Réponse – décision finale (copie) " * 3 + ".docx",
                                  "application/vnd.openxmlformats-officedocument."
                                  "wordprocessingml.document", b"PK\x03\x04"))
    assert msg.get_content_type() == "multipart/mixed"
    assert msg.get_body(("plain",)).get_content() == "Dear ICO,\n\nI attach the response: £0.\n"
    first, second = msg.iter_attachments()
    assert first.get_filename() == "response.pdf" and first.get_content() == pdf
    assert second.get_filename() == "Réponse – décision finale (copie) " * 3 + ".docx"
    assert b"filename*0*=utf-8''" in raw and b"filename*1*=" in raw
    assert with_date(raw, NOW + dt.timedelta(days=3)).count(b"\nDate: ") == 1


def test_a_forwarded_email_is_carried_as_it_is() -> None:
    inner = b"From: a@b.example\nSubject: their answer\n\nNot held.\n"
    _, msg = message("Dear ICO,\n", Attachment("answer.eml", "message/rfc822", inner))
    [att] = list(msg.iter_attachments())
    assert att.get_content_type() == "message/rfc822"
    assert att.get_content()["Subject"] == "their answer"


@pytest.mark.parametrize("name", ["evil\r\nBcc: x@evil.example.pdf", "../../etc/passwd",
                                  'quote".pdf', "nul\x00.pdf"])
def test_a_name_cannot_inject_a_header_or_a_path(name: str) -> None:
    raw, msg = message("x\n", Attachment(name, "application/pdf", b"x"))
    assert msg["Bcc"] is None and b"\nBcc:" not in raw
    [att] = list(msg.iter_attachments())
    assert "/" not in att.get_filename() and "\n" not in att.get_filename()


def test_a_bad_content_type_is_refused() -> None:
    with pytest.raises(Unsafe):
        message("x\n", Attachment("a.pdf", "application/pdf\nBcc: x@evil.example", b"x"))


@settings(max_examples=60, deadline=None)
@given(name=st.text(min_size=1, max_size=150), data=st.binary(max_size=3000),
       text=st.text(max_size=400))
def test_any_name_and_content_survive(name: str, data: bytes, text: str) -> None:
    _, msg = message(text or "x", Attachment(name, "application/octet-stream", data))
    [att] = list(msg.iter_attachments())
    assert att.get_content() == data
    assert att.get_filename() and "\n" not in att.get_filename()
