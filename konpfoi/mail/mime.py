"""A received message's MIME tree, read without recursion: Python's parser is used where it
can be, and a message nested too deep for it (a mail loop 3,000 multiparts deep) is flattened
in one pass to its leaf parts, so that nothing in it is lost and nothing overflows the stack.
"""

from __future__ import annotations

import binascii
import email
import re
from collections.abc import Iterator
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from typing import Any

from konpfoi.workspace.words import count

# Beyond this many "multipart/" mentions the message goes straight to the flattener: Python's
# own parser recurses once per level and would fail somewhere past a few hundred.
STDLIB_NESTING = 100
# The flattener follows this many levels; anything deeper stays in the raw message only.
FLAT_LIMIT = 10_000

_BLANK_LINE = re.compile(rb"\r?\n\r?\n|\r\r")
_DASH_LINE = re.compile(rb"(?m)^--[^\r\n]*")
_UU_BEGIN = re.compile(r"^begin [0-7]{3,4} (.+?)\r?$", re.M)


def read(raw: bytes) -> tuple[Message, list[str]]:
    """The parsed message (flattened when nested too deep) and what went wrong reading it."""
    if raw.lower().count(b"multipart/") <= STDLIB_NESTING:
        quick = plain(raw)
        if quick is not None:
            return quick, []
        try:
            return email.message_from_bytes(raw, policy=POLICY), []
        except RecursionError:
            pass
    return flatten(raw)


class Part(EmailMessage):
    """A parsed message or part whose headers are each parsed once: the standard policy parses
    a header every time it is read (a part's Content-Type five times over), and the same
    header value recurs from message to message (a sender, a text part's type)."""

    def get(self, name: str, failobj: Any = None) -> Any:
        name = name.lower()
        for k, v in self._headers:  # type: ignore[attr-defined]
            if k.lower() == name:
                return _fetch(k, v)
        return failobj


_FETCHED: dict[tuple[str, str], Any] = {}


def _fetch(name: str, value: Any) -> Any:
    """The policy's reading of a header (the same for the same name and value, and read-only:
    the same object serves every message that has it)."""
    key = (name, value)
    found = _FETCHED.get(key)
    if found is None:
        if len(_FETCHED) > 20_000:
            _FETCHED.clear()
        found = _FETCHED[key] = POLICY.header_fetch_parse(name, value)
    return found


POLICY = default_policy.clone(message_factory=Part)
_HEADERS = BytesHeaderParser(policy=POLICY)


def _drop_line_break(text: str) -> str:
    """Without its last line break, which belongs to the boundary after it (RFC 2046)."""
    return text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text


def plain(raw: bytes) -> Message | None:
    """The message exactly as Python's parser reads it, read faster where it is plainly
    well-formed: each body is cut at its boundaries, not read line by line (a 20 kB
    attachment is 270 lines). None where anything is out of the ordinary (a lone CR, a header
    block the parser would find fault with, a missing or doubled boundary, an attached
    message, a digest): the parser then reads it, with its defects.
    """
    if b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n"):
        return None  # a lone CR ends a line for the parser: not worth matching here
    return _plain(raw, 0)


def _plain(data: bytes, depth: int) -> Message | None:
    if depth > 8 or data[:1] in (b"\r", b"\n"):
        return None
    m = _BLANK_LINE.search(data)
    if m is None:
        return None
    msg = _HEADERS.parsebytes(data[:m.end()])
    if msg.defects or not msg.keys():
        return None
    body = data[m.end():]
    maintype = msg.get_content_maintype()
    if maintype == "message" or msg.get_content_type() == "multipart/digest":
        return None
    if maintype != "multipart":
        msg.set_payload(body.decode("ascii", "surrogateescape"))
        return msg
    boundary = msg.get_boundary()
    cte = str(msg.get("content-transfer-encoding", "8bit")).lower()
    if not boundary or cte not in ("7bit", "8bit", "binary"):
        return None
    marks = _boundary_lines(body, b"--" + boundary.encode("ascii", "surrogateescape"))
    if len(marks) < 2 or not marks[-1][2] or any(k[2] for k in marks[:-1]) \
            or any(a[1] == b[0] for a, b in zip(marks, marks[1:], strict=False)):
        return None  # no parts, no closing line, parts after it, or an empty part
    parts: list[Message | str] = []
    for a, b in zip(marks, marks[1:], strict=False):
        part = _plain(body[a[1]:b[0]], depth + 1)
        if part is None:
            return None
        if part.is_multipart():
            epilogue = part.epilogue
            part.epilogue = None if not epilogue else _drop_line_break(epilogue)
        else:
            part.set_payload(_drop_line_break(str(part.get_payload())))
        parts.append(part)
    if marks[0][0]:
        msg.preamble = _drop_line_break(body[:marks[0][0]].decode("ascii", "surrogateescape"))
    msg.set_payload(parts)
    msg.epilogue = body[marks[-1][1]:].decode("ascii", "surrogateescape")
    return msg


_BOUNDARY_END = re.compile(rb"(--)?[ \t]*(?:\r?\n|\Z)")


def _boundary_lines(body: bytes, dashes: bytes) -> list[tuple[int, int, bool]]:
    """The lines that are `dashes` (--boundary), maybe '--', maybe blanks, as the parser
    sees them: (where each starts, where it ends past its line break, whether it closes)."""
    found = []
    at = body.find(dashes)
    while at >= 0:
        if at == 0 or body[at - 1] == 10:  # at the start of a line
            m = _BOUNDARY_END.match(body, at + len(dashes))
            if m:
                found.append((at, m.end(), m.group(1) is not None))
        at = body.find(dashes, at + 1)
    return found


def _split_head(data: bytes) -> int:
    """Where the body starts (after the blank line that ends the headers)."""
    m = _BLANK_LINE.search(data)
    return m.end() if m else len(data)


def _headers(data: bytes) -> Message:
    return BytesHeaderParser(policy=POLICY).parsebytes(data)


def flatten(raw: bytes, limit: int = FLAT_LIMIT) -> tuple[Message, list[str]]:
    """The top-level headers over the leaf parts, found in one pass over the lines.

    Each multipart's boundary is pushed on a stack when its part starts and dropped when its
    closing line (or an outer boundary) comes; every other part is a leaf, parsed alone.
    """
    head_end = _split_head(raw)
    top = _headers(raw[:head_end])
    boundary = top.get_param("boundary") if top.get_content_maintype() == "multipart" else None
    if not isinstance(boundary, str) or not boundary:
        return email.message_from_bytes(raw, policy=POLICY), []
    body = raw[head_end:]
    stack: list[bytes] = [b"--" + boundary.encode("ascii", "replace")]
    depth_of = {stack[0]: 0}
    leaves: list[bytes] = []
    deepest, cut = 1, False
    start: int | None = None  # where the current leaf part starts
    for m in _DASH_LINE.finditer(body):
        line = m.group(0).rstrip()
        closing = line.endswith(b"--") and line[:-2] in depth_of
        level = depth_of.get(line[:-2] if closing else line)
        if level is None:
            continue
        if start is not None:
            leaves.append(body[start:m.start()])
            start = None
        for gone in stack[level + 1:]:
            depth_of.pop(gone, None)
        del stack[level + 1:]
        if closing:
            depth_of.pop(stack.pop(), None)
            continue
        nl = body.find(b"\n", m.end())
        if nl < 0:
            break
        part_start = nl + 1
        head = _headers(body[part_start:part_start + _split_head(body[part_start:])])
        inner = head.get_param("boundary") if head.get_content_maintype() == "multipart" \
            else None
        if isinstance(inner, str) and inner and len(stack) < limit:
            marker = b"--" + inner.encode("ascii", "replace")
            depth_of[marker] = len(stack)
            stack.append(marker)
            deepest = max(deepest, len(stack))
        else:
            cut = cut or bool(inner)
            start = part_start
    if start is not None:
        leaves.append(body[start:])
    problems = [f"MIME nested {deepest} levels deep: read as "
                f"{count(len(leaves), 'flat part')}; the whole message is kept as it came"]
    if cut:
        problems.append(f"parts nested deeper than {limit} levels are kept only in the raw "
                        "message")
    parts = []
    for leaf in leaves:
        head = _headers(leaf[:_split_head(leaf)])
        # a leaf that is itself a multipart (past the limit) is kept whole, never re-parsed
        parts.append(head if head.get_content_maintype() == "multipart"
                     else email.message_from_bytes(leaf, policy=POLICY))
    top.set_payload(parts)  # type: ignore[arg-type]
    return top, problems


def leaves(msg: Message) -> Iterator[tuple[Message, int]]:
    """Every part that is not a multipart, in order, with its depth; attached messages are
    leaves too (their insides are not this message's parts)."""
    stack: list[tuple[Message, int]] = [(msg, 0)]
    while stack:
        part, depth = stack.pop()
        # is_multipart() is cheap; reading the Content-Type is not, so it comes second
        payload = part.get_payload() if part.is_multipart() \
            and part.get_content_maintype() == "multipart" else None
        if isinstance(payload, list):
            stack.extend((p, depth + 1) for p in reversed(payload) if isinstance(p, Message))
        else:
            yield part, depth


def uudecode(text: str) -> tuple[str, list[tuple[str, bytes, bool]]]:
    """Uuencoded files in a text body ('begin 644 name' ... 'end'): the text without them,
    and each file as (name, content, complete)."""
    found: list[tuple[str, bytes, bool]] = []
    out: list[str] = []
    pos = 0
    for m in _UU_BEGIN.finditer(text):
        if m.start() < pos:
            continue
        out.append(text[pos:m.start()])
        data = bytearray()
        complete = False
        end = len(text)
        offset = m.end() + 1
        for line in text[offset:].splitlines(keepends=True):
            offset += len(line)
            stripped = line.rstrip("\r\n")
            if stripped == "end":
                complete, end = True, offset
                break
            if not stripped or stripped == "`":
                continue
            try:
                data += binascii.a2b_uu(stripped)
            except binascii.Error:
                try:  # some encoders pad short lines badly: decode what the length says
                    n = (ord(stripped[0]) - 32) & 63
                    data += binascii.a2b_uu(stripped[:((n + 2) // 3) * 4 + 1])
                except (binascii.Error, IndexError):
                    end = offset - len(line)
                    break
        found.append((m.group(1).strip(), bytes(data), complete))
        pos = end
    out.append(text[pos:])
    return "".join(out), found
