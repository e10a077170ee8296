"""What a well-formed ledger record is, field by field: one set of rules for an import (which
refuses anything else, naming the field) and for reading rows (a damaged row is reported and
left out, never a crash).

Paths are never data: a draft is `drafts/<name>.eml`, konpfoi's own place for it, and files are
found by their SHA-256 in the ledger's blobs. Sizes and nesting are bounded so that a shared file
cannot exhaust memory or the interpreter's stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from konpfoi.ledger.model import (
    EVENT_KINDS,
    INBOUND_STATES,
    ITEM_ID_PATTERN,
    MESSAGE_CLASSES,
    OUTCOMES,
)
from konpfoi.workspace import dates
from konpfoi.workspace.config import NATIONS
from konpfoi.workspace.yamlfile import is_email

MAX_LINE = 1_000  # a one-line text: a name, a subject
MAX_TEXT = 1_000_000  # a note, an answer: hundreds of pages
MAX_DATA = 1_000_000  # an event's data, as JSON
MAX_DEPTH = 8  # nesting inside an event's data, a record's lists
MAX_BLOB = 512 * 1024 * 1024  # one drafted message or received file
MAX_QUESTIONS = 500

HEX64 = re.compile(r"[0-9a-f]{64}")
UID = re.compile(r"[0-9a-f]{32}")
ITEM_ID = re.compile(ITEM_ID_PATTERN)
BODY_ID = re.compile(r"[a-z][a-z0-9-]{0,30}:[^\s\x00-\x1f\x7f]{1,120}")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")  # a template, a question set
# A status, an item's kind, a follow-up kind: the words are law.correspondence's (which reads
# a kind it does not know, a newer konpfoi's, as a plain letter); the ledger checks their form.
SLUG = re.compile(r"[a-z][a-z0-9-]{0,39}")
DRAFT_PATH = re.compile(r"drafts/[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.eml")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\x85\u2028\u2029]")


class BadField(ValueError):
    """A record's field breaks the model: `field` names it, the message says how."""

    def __init__(self, field: str, message: str, missing: bool = False) -> None:
        super().__init__(f"lacks field {field!r}" if missing else f"field {field!r}: {message}")
        self.field = field


# -- one field ---------------------------------------------------------------------------------


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def pattern(regex: re.Pattern[str], what: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, str) and regex.fullmatch(value):
            return None
        return f"{_brief(value)} is not {what}"
    return check


def text(limit: int = MAX_LINE, *, one_line: bool = True, empty: bool = False
         ) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"{_brief(value)} is not text"
        if not value and not empty:
            return "is empty"
        if len(value) > limit:
            return f"is {len(value)} characters long (at most {limit})"
        if "\x00" in value or (one_line and (_LINE_BREAK.search(value)
                                             or _CONTROL.search(value))):
            return "holds a line break or a control character"
        return None
    return check


def one_of(allowed: Any, what: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, str) and value in allowed:
            return None
        return f"{_brief(value)} is not {what}"
    return check


def whole(low: int, high: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return None
        return f"{_brief(value)} is not a whole number from {low} to {high}"
    return check


def email(value: Any) -> str | None:
    if isinstance(value, str) and len(value) <= 320 and is_email(value):
        return None
    return f"{_brief(value)} is not an email address"


def file_name(value: Any) -> str | None:
    """A single file name: no folder, no traversal, no control characters."""
    why = text(MAX_LINE)(value)
    if why:
        return why
    if value in (".", "..") or "/" in value or "\\" in value or value.startswith("."):
        return f"{_brief(value)} is not a plain file name"
    return None


def depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply lists and mappings nest in `value` (stopping once past `limit`)."""
    if limit < 0:
        return 1
    if isinstance(value, dict):
        return 1 + max((depth(v, limit - 1) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v, limit - 1) for v in value), default=0)
    return 0


def json_value(limit: int = MAX_DATA, kind: type = dict) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, kind):
            return f"{_brief(value)} is not a JSON {'object' if kind is dict else 'list'}"
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (ValueError, RecursionError):
            return f"is nested more than {MAX_DEPTH} deep"
        if len(text) > limit:
            return f"is larger than {limit} characters"
        # fewer brackets than the limit cannot nest past it: the walk is rarely needed
        if text.count("[") + text.count("{") > MAX_DEPTH and depth(value) > MAX_DEPTH:
            return f"is nested more than {MAX_DEPTH} deep"
        return None
    return check


def day(value: Any) -> str | None:
    return dates.problem(value)


def timestamp(value: Any) -> str | None:
    return dates.problem_in_timestamp(value)


def optional(check: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    def maybe(value: Any) -> str | None:
        return None if value is None else check(value)
    return maybe


_QUESTION_NUMBER = whole(1, MAX_QUESTIONS)
_QUESTION_LABEL = text(MAX_LINE, empty=True)
_QUESTION_TEXT = text(MAX_TEXT, one_line=False, empty=True)


def questions(value: Any) -> str | None:
    """A list of flat {number, label, text} mappings: checked field by field, so no nesting
    and no size beyond the fields' own limits can hide in it."""
    if not isinstance(value, list) or len(value) > MAX_QUESTIONS:
        return f"{_brief(value)} is not a list of at most {MAX_QUESTIONS} questions"
    for n, q in enumerate(value, start=1):
        if not isinstance(q, dict) or not q.keys() <= {"number", "label", "text"}:
            return f"question {n} is not a mapping of number, label and text"
        problem = (_QUESTION_NUMBER(q.get("number")) or _QUESTION_LABEL(q.get("label", ""))
                   or _QUESTION_TEXT(q.get("text")))
        if problem:
            return f"question {n}: {problem}"
    return None


def str_list(limit: int, each: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, list) or len(value) > limit:
            return f"{_brief(value)} is not a list of at most {limit} entries"
        for v in value:
            why = each(v)
            if why:
                return why
        return None
    return check


# -- the records -------------------------------------------------------------------------------

Rules = dict[str, tuple[bool, Callable[[Any], str | None]]]  # field -> (required, check)
_LINE = text()
_OPT_LINE = optional(text(empty=True))
_NOTE = optional(text(MAX_TEXT, one_line=False, empty=True))

ITEM: Rules = {
    "id": (True, pattern(ITEM_ID, "an item id such as K-0042")),
    "uid": (True, pattern(UID, "a uid (32 hex digits)")),
    "kind": (True, pattern(SLUG, "an item kind such as foi, sar or mp")),
    "body_id": (True, pattern(BODY_ID, "a body id such as icb:QKK")),
    "body_name": (True, _LINE),
    "subject": (True, text(998)),
    "created_at": (True, timestamp),
    "campaign": (False, optional(text(200))),
    "body_email": (False, optional(email)),
    "nation": (False, optional(one_of(NATIONS, "a nation (" + ", ".join(NATIONS) + ")"))),
    "sender_name": (False, _OPT_LINE),
    "sender_email": (False, optional(email)),
    "template": (False, optional(pattern(NAME, "a template name"))),
    "question_set": (False, optional(pattern(NAME, "a question set id"))),
    "questions": (False, optional(questions)),
    "draft_path": (False, optional(pattern(DRAFT_PATH, "konpfoi's own drafts/<name>.eml"))),
    "content_hash": (False, optional(pattern(HEX64, "a SHA-256 (64 hex digits)"))),
    "message_id": (False, optional(text(998))),
    "message_sha256": (False, optional(pattern(HEX64, "a SHA-256 (64 hex digits)"))),
}

EVENT: Rules = {
    "uid": (True, pattern(UID, "a uid (32 hex digits)")),
    "item": (True, pattern(ITEM_ID, "an item id such as K-0042")),
    "kind": (True, one_of(EVENT_KINDS, "an event kind konpfoi knows")),
    "date": (True, day),
    "recorded_at": (True, timestamp),
    "note": (False, _NOTE),
    "data": (False, optional(json_value())),
    "voids": (False, optional(pattern(UID, "a uid (32 hex digits)"))),
    "actor": (False, optional(email)),  # the volunteer who recorded it
}

# What konpfoi itself reads from an event's data: each must be what konpfoi wrote.
EVENT_DATA: Rules = {
    "until": (False, optional(day)),
    "outcome": (False, optional(one_of(OUTCOMES, "an outcome"))),
    "draft": (False, optional(pattern(DRAFT_PATH, "konpfoi's own drafts/<name>.eml"))),
    "message": (False, optional(pattern(HEX64, "a SHA-256 (64 hex digits)"))),
    "kind": (False, optional(pattern(SLUG, "a follow-up kind"))),
    "followup": (False, optional(pattern(SLUG, "a follow-up kind"))),
    "to": (False, optional(email)),
    "their_ref": (False, _OPT_LINE),
    "message_id": (False, _OPT_LINE),
    "interim": (False, optional(lambda v: None if isinstance(v, bool) else "is not true/false")),
    "attachments": (False, optional(str_list(1000, file_name))),
}

ATTACHMENT: Rules = {
    "event": (True, pattern(UID, "an event uid (32 hex digits)")),
    "sha256": (True, pattern(HEX64, "a SHA-256 (64 hex digits)")),
    "name": (True, file_name),
    "original_name": (False, optional(text(MAX_LINE, one_line=False, empty=True))),
    "size": (True, whole(0, MAX_BLOB)),
    "content_type": (False, optional(text(255))),
}

ANSWER: Rules = {
    "event": (True, pattern(UID, "an event uid (32 hex digits)")),
    "item": (True, pattern(ITEM_ID, "an item id such as K-0042")),
    "question": (True, whole(1, MAX_QUESTIONS)),
    "outcome": (True, one_of(OUTCOMES, "an outcome (" + ", ".join(OUTCOMES) + ")")),
    "exemptions": (False, optional(str_list(50, text(100)))),
    "answer": (False, _NOTE),
}

INBOUND: Rules = {
    "key": (True, text(MAX_LINE, one_line=False)),
    "imported_at": (True, timestamp),
    # what the message claimed: shown, never counted from, so any real day will do
    "date": (False, optional(lambda v: dates.problem(v, bounded=False))),
    "sender": (False, optional(text(MAX_LINE, one_line=False, empty=True))),
    "subject": (False, _NOTE),
    "sha256": (True, pattern(HEX64, "a SHA-256 (64 hex digits)")),
    "item_id": (False, optional(pattern(ITEM_ID, "an item id such as K-0042"))),
    "event_uid": (False, optional(pattern(UID, "an event uid (32 hex digits)"))),
    "status": (True, one_of(INBOUND_STATES, "a state (" + ", ".join(INBOUND_STATES) + ")")),
    "candidates": (False, optional(json_value(MAX_DATA, list))),
    "problems": (False, optional(str_list(1000, text(MAX_TEXT, one_line=False, empty=True)))),
    "message_id": (False, optional(text(MAX_LINE, one_line=False))),
    "identity": (False, optional(pattern(HEX64, "a SHA-256 (64 hex digits)"))),
    "class": (False, optional(one_of(MESSAGE_CLASSES, "a kind of message (" + ", ".join(
        MESSAGE_CLASSES) + ")"))),
    "reason": (False, _NOTE),
    "changed_at": (False, optional(timestamp)),
}

BLOB: Rules = {
    "sha256": (True, pattern(HEX64, "a SHA-256 (64 hex digits)")),
    "size": (True, whole(0, MAX_BLOB)),
    "content": (True, lambda v: None if isinstance(v, str) and len(v) <= MAX_BLOB * 4 // 3 + 4
                else "is not base64 text of a konpfoi blob"),
}

FACT: Rules = {
    "uid": (True, pattern(UID, "a uid (32 hex digits)")),
    "body_id": (True, pattern(BODY_ID, "a body id such as trust:RJ1")),
    "key": (True, pattern(SLUG, "a fact such as fdp")),
    "value": (True, text(MAX_LINE)),
    "source": (True, text(2000)),
    "checked": (True, day),
    "recorded_at": (True, timestamp),
    "item_id": (False, optional(pattern(ITEM_ID, "an item id such as K-0042"))),
    "question": (False, optional(whole(1, MAX_QUESTIONS))),
    "note": (False, _NOTE),
    "settles": (False, optional(lambda v: None if isinstance(v, bool) else "is not true/false")),
}

LEFT_OUT: Rules = {
    "digest": (True, pattern(HEX64, "a SHA-256 (64 hex digits)")),
    "recorded_at": (False, optional(timestamp)),
}

VOLUNTEER: Rules = {
    "email": (True, email),
    "name": (True, _LINE),
    "joined_at": (True, timestamp),
}

RECORDS: dict[str, Rules] = {"blob": BLOB, "volunteer": VOLUNTEER, "item": ITEM, "event": EVENT,
                             "attachment": ATTACHMENT, "answer": ANSWER, "inbound": INBOUND,
                             "fact": FACT, "left-out": LEFT_OUT}


def check(kind: str, rec: Mapping[str, Any]) -> None:
    """Raise BadField for the first field of `rec` that breaks the model (an unknown field
    too); a record of an unknown type is a BadField on 'type'."""
    rules = RECORDS.get(kind)
    if rules is None:
        raise BadField("type", f"unknown record type {_brief(kind)}")
    for key, (required, _) in rules.items():
        if required and key not in rec:
            raise BadField(key, "is missing", missing=True)
    for key in rec:
        if key != "type" and key not in rules:
            raise BadField(str(key)[:60], f"is not part of a konpfoi {kind} record")
    for key, (_, rule) in rules.items():
        if key not in rec:
            continue
        why = rule(rec[key])
        if why:
            raise BadField(key, why)
    if kind == "event" and rec.get("data"):
        for key, (_, rule) in EVENT_DATA.items():
            if key in rec["data"]:
                why = rule(rec["data"][key])
                if why:
                    raise BadField(f"data.{key}", why)


# -- reading rows: report and carry on ---------------------------------------------------------





def new_event_problem(kind: str, date: str, note: str | None, raw: str | None) -> str | None:
    """Why an event about to be written breaks the model, or None: what an import would
    refuse is never written in the first place."""
    if kind not in EVENT_KINDS:
        return f"unknown event kind {_brief(kind)}"
    why = dates.problem(date)
    if why:
        return f"its date: {why}"
    if note is not None and len(note) > MAX_TEXT:
        return f"its note is {len(note):,} characters long (at most {MAX_TEXT:,})"
    if raw is not None and len(raw) > MAX_DATA:
        return f"its data is {len(raw):,} characters long (at most {MAX_DATA:,})"
    return None


def event_row_problem(row: Any) -> str | None:
    """Why an events row cannot be read (cheap: it runs for every row), or None."""
    if row[3] not in EVENT_KINDS:
        return f"unknown kind {_brief(row[3])}"
    why = dates.problem(row[4])
    if why:
        return f"date {why}"
    if not isinstance(row[1], str) or not isinstance(row[2], str):
        return "its uid or item is not text"
    if row[7] is not None and not isinstance(row[7], str):
        return "its data is not JSON text"
    return None


def item_row_problem(row: Any) -> str | None:
    """Why an items row (id, uid, kind, body_id, body_name, subject, created_at, ...) cannot
    be read, or None."""
    if not isinstance(row[0], str) or not ITEM_ID.fullmatch(row[0]):
        return f"id {_brief(row[0])} is not an item id"
    if not isinstance(row[2], str) or not SLUG.fullmatch(row[2]):
        return f"kind {_brief(row[2])} is not an item kind"
    if not all(isinstance(v, str) for v in row[3:6]):
        return "its body or subject is not text"
    why = dates.problem_in_timestamp(row[6], strict=False)
    if why:
        return f"created_at {why}"
    if len(row) > 9 and row[9] is not None and row[9] not in NATIONS:
        return f"unknown nation {_brief(row[9])}"
    return None
