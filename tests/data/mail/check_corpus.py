"""Check the konpfoi mail corpus against its manifest, with nothing but Python's email package.

    .venv/bin/python tests/data/mail/check_corpus.py          # exit 1 on any problem
    .venv/bin/python tests/data/mail/check_corpus.py -q       # problems and the summary only

For every manifest entry: the file exists (or the generator runs and is deterministic), it
parses with email.policy.default, the Date header gives the manifest's date, the attachment
names a careful decoder finds (RFC 2231 and RFC 2047 parameters through email.policy.default,
plus a uuencode scan of text/plain bodies) are exactly the listed ones, and the evidence named
by match_by / their_ref / failed_recipients is really in the message. Also: every .eml in
corpus/ has an entry, no two files are byte-identical, same_message_id_as pairs share a
Message-ID, and the manifest is valid YAML with known values. Does not import konpfoi.
"""
from __future__ import annotations

import collections
import email
import email.policy
import email.utils
import hashlib
import html
import importlib.util
import re
import sys
from email.parser import BytesHeaderParser
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
CLASSES = {"own", "bounce", "auto", "reply", "forward"}
MATCH_BY = {"in-reply-to", "our-ref", "their-ref", "sender", "none"}
FIELDS = {"file", "generator", "class", "item", "match_by", "their_ref", "attachments", "date",
          "final", "failed_recipients", "same_message_id_as", "candidates", "best_guess",
          "unnamed_attachments", "nested_attachments", "why"}
NOT_FILES = {"message/delivery-status", "message/disposition-notification",
             "text/rfc822-headers", "message/global-delivery-status"}
UU_BEGIN = re.compile(r"^begin [0-7]{3,4} (.+?)\r?$", re.M)

problems: list[str] = []
notes: list[str] = []


def problem(where: str, what: str) -> None:
    problems.append(f"{where}: {what}")


# ------------------------------------------------------------------ reading a message
def top_level_parts(msg):
    """Every part, descending into multiparts but not into attached messages."""
    stack = [msg]
    while stack:
        part = stack.pop(0)
        yield part
        if part.get_content_maintype() == "multipart" and part.is_multipart():
            stack[0:0] = list(part.iter_parts())


def inner_messages(msg):
    for part in top_level_parts(msg):
        if part.get_content_type() == "message/rfc822" and part.is_multipart():
            yield from part.get_payload()


def decode_text(part) -> str:
    data = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "us-ascii"
    for cs in (charset, "utf-8", "cp1252"):
        try:
            return data.decode(cs)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def texts(msg, deep=True):
    """Decoded text of the message: headers that matter, text parts, attached messages."""
    out = []
    for h in ("subject", "from", "to", "cc", "in-reply-to", "references", "message-id"):
        for v in msg.get_all(h) or []:
            out.append(str(v))
    parts = msg.walk() if deep else top_level_parts(msg)
    for part in parts:
        ctype = part.get_content_type()
        if part.get_content_maintype() == "multipart" and not part.is_multipart():
            out.append(str(part.get_payload()))  # broken multipart (no boundary): raw text
            continue
        if part.is_multipart():
            if part.get_content_maintype() == "message" and deep:
                for h in ("subject", "from", "in-reply-to", "references", "message-id"):
                    inner = part.get_payload()[0]
                    for v in inner.get_all(h) or []:
                        out.append(str(v))
            continue
        if part.get_content_maintype() in ("text", "message") or ctype in NOT_FILES:
            if part.get_content_maintype() == "multipart":
                continue
            t = decode_text(part) if not isinstance(part.get_payload(), list) else ""
            if ctype == "text/html":
                t = html.unescape(re.sub(r"<[^>]+>", " ", t))
            out.append(t)
    return "\n".join(out)


def attachments(msg):
    names, unnamed = [], []
    for part in top_level_parts(msg):
        if part is msg and msg.is_multipart():
            continue
        if part.get_content_maintype() == "multipart":
            continue
        name = part.get_filename()  # RFC 2231 and RFC 2047 under policy.default
        ctype = part.get_content_type()
        if name is not None:
            names.append(name)
            continue
        disp = part.get_content_disposition()
        if ctype in NOT_FILES:
            continue
        if disp == "attachment" or part.get_content_maintype() in ("application", "image",
                                                                   "audio", "video"):
            unnamed.append(ctype)
            continue
        if ctype == "text/plain":  # uuencoded files inside a body
            body = decode_text(part)
            for m in UU_BEGIN.finditer(body):
                if re.search(r"^end\r?$", body[m.end():], re.M):
                    names.append(m.group(1))
    return names, unnamed


def nested_attachments(msg):
    names = []
    for inner in inner_messages(msg):
        names += attachments(inner)[0]
    return names


def header_date(msg) -> str | None:
    values = msg.get_all("date")
    if not values:
        return None
    raw = str(values[0])
    try:
        d = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return d.date().isoformat() if d else None


def addresses(value) -> list[str]:
    return [a.lower() for _, a in email.utils.getaddresses([str(value or "")]) if a]


# ------------------------------------------------------------------ checking an entry
def check_entry(where: str, e: dict, raw: bytes, scenario: dict, msg, full: bool = True) -> None:
    """`msg` is the parsed message; `full` is False when only its headers could be parsed."""
    # attachments
    if full:
        names, unnamed = attachments(msg)
        if sorted(names) != sorted(e.get("attachments") or []):
            problem(where, f"attachments {names!r} != manifest {e.get('attachments')!r}")
        if sorted(unnamed) != sorted(e.get("unnamed_attachments") or []):
            problem(where, f"unnamed attachments {unnamed!r} != manifest "
                           f"{e.get('unnamed_attachments')!r}")
        nested = nested_attachments(msg)
        if sorted(nested) != sorted(e.get("nested_attachments") or []):
            problem(where, f"nested attachments {nested!r} != {e.get('nested_attachments')!r}")
    # date
    got = header_date(msg)
    if got != e.get("date"):
        problem(where, f"Date header gives {got!r}, manifest says {e.get('date')!r}")
    # evidence
    text = texts(msg)
    rawtext = raw.decode("utf-8", "replace")
    item, how = e.get("item"), e.get("match_by")
    req = {r["item"]: r for r in scenario["requests"]}
    ids = collections.defaultdict(set)
    for r in scenario["requests"]:
        ids[r["item"]].add(r["message_id"])
    for f in scenario.get("followups", []):
        ids[f["item"]].add(f["message_id"])
    if (how == "none") != (item is None):
        problem(where, f"match_by {how!r} with item {item!r}")
    if item is not None and item not in req:
        problem(where, f"unknown item {item!r}")
    if how == "in-reply-to":
        if not any(i in rawtext for i in ids[item]):
            problem(where, f"match_by in-reply-to but no Message-ID of {item} in the message")
    elif how == "our-ref":
        if item not in text:
            problem(where, f"match_by our-ref but {item} is not in the decoded text")
    elif how == "their-ref":
        if not e.get("their_ref") or e["their_ref"] not in text:
            problem(where, "match_by their-ref but their_ref is not in the decoded text")
    elif how == "sender":
        to = req[item]["to"].lower()
        domain = to.split("@")[1]
        seen = addresses(msg.get("from")) + [a.lower() for a in e.get("failed_recipients", [])]
        if not any(a == to or (domain != "nhs.net" and a.endswith("@" + domain)) for a in seen):
            problem(where, f"match_by sender but From/failed recipient is not {item}'s body")
    if e.get("their_ref") and e["their_ref"] not in text:
        problem(where, f"their_ref {e['their_ref']!r} not found in the decoded text")
    for r in e.get("failed_recipients", []):
        if r.lower() not in rawtext.lower():
            problem(where, f"failed recipient {r} not in the message")
    if e["class"] == "own":
        frm = addresses(msg.get("from"))
        if not set(frm) & set(a.lower() for a in scenario["campaigner"]["addresses"]):
            problem(where, f"class own but From is {frm}")
    if "final" in e and e["class"] != "bounce":
        problem(where, "'final' is only for bounces")
    if e["class"] == "bounce" and "final" not in e:
        problem(where, "bounce without 'final'")
    for k in e.get("candidates", []):
        if k not in text:
            problem(where, f"candidate {k} not in the decoded text")


def load_generate():
    sys.dont_write_bytecode = True  # leave no __pycache__ in the test data folder
    spec = importlib.util.spec_from_file_location("corpus_generate", HERE / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(argv: list[str]) -> int:
    quiet = "-q" in argv
    try:
        doc = yaml.safe_load((HERE / "manifest.yaml").read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        print("manifest.yaml is not valid YAML:", exc)
        return 1
    scenario, entries = doc["scenario"], doc["messages"]
    gen = load_generate()
    seen_files, hashes = set(), {}
    counts = collections.Counter()
    for n, e in enumerate(entries):
        where = e.get("file") or (f"generator:{e['generator']}" if e.get("generator")
                                  else f"entry {n}")
        unknown = set(e) - FIELDS
        if unknown:
            problem(where, f"unknown fields {sorted(unknown)}")
        for k in ("class", "item", "match_by", "attachments", "date", "why"):
            if k not in e:
                problem(where, f"missing field {k!r}")
        if ("file" in e) == ("generator" in e):
            problem(where, "needs exactly one of file / generator")
        if e.get("class") not in CLASSES:
            problem(where, f"class {e.get('class')!r}")
        if e.get("match_by") not in MATCH_BY:
            problem(where, f"match_by {e.get('match_by')!r}")
        if e.get("date") is not None and not re.fullmatch(r"\d{4}-\d\d-\d\d", str(e["date"])):
            problem(where, f"date {e['date']!r} is not a YYYY-MM-DD string")
        counts[e.get("class")] += 1
        if "file" in e:
            path = CORPUS / e["file"]
            if e["file"] in seen_files:
                problem(where, "listed twice")
            seen_files.add(e["file"])
            if not path.is_file():
                problem(where, "file missing")
                continue
            raw = path.read_bytes()
            digest = hashlib.sha256(raw).hexdigest()
            if digest in hashes:
                problem(where, f"byte-identical to {hashes[digest]}")
            hashes[digest] = e["file"]
            try:
                msg = email.message_from_bytes(raw, policy=email.policy.default)
                for part in msg.walk():        # touch every header and body the way a reader would
                    for _name, v in part.items():
                        str(v)
                    if not part.is_multipart():
                        part.get_payload(decode=True)
            except Exception as exc:  # noqa: BLE001 — any crash is the finding
                problem(where, f"email package raised {type(exc).__name__}: {exc}")
                continue
            defects = [type(d).__name__ for p in msg.walk() for d in p.defects]
            if defects and not quiet:
                notes.append(f"{where}: parser defects {sorted(set(defects))}")
            check_entry(where, e, raw, scenario, msg)
            if e.get("same_message_id_as"):
                other = CORPUS / e["same_message_id_as"]
                if not other.is_file():
                    problem(where, "same_message_id_as names a missing file")
                else:
                    heads = BytesHeaderParser(policy=email.policy.default)
                    other_raw = other.read_bytes()
                    h1, h2 = heads.parsebytes(raw), heads.parsebytes(other_raw)
                    if h1["message-id"] != h2["message-id"] or raw == other_raw:
                        problem(where, "same_message_id_as: Message-IDs differ or bytes equal")
        else:
            fn = getattr(gen, e["generator"], None)
            if fn is None:
                problem(where, "generate.py has no such function")
                continue
            raw = fn()
            if not isinstance(raw, bytes) or raw != fn():
                problem(where, "generator must return the same bytes every call")
            full = True
            try:
                msg = email.message_from_bytes(raw, policy=email.policy.default)
                list(msg.walk())
            except RecursionError:
                notes.append(f"{where}: Python's parser hits RecursionError (expected for deep "
                             "nesting); headers checked only")
                msg = BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
                full = False
            check_entry(where, e, raw, scenario, msg, full)
            if not quiet:
                notes.append(f"{where}: {len(raw):,} bytes")
    on_disk = {p.name for p in CORPUS.glob("*.eml")}
    for orphan in sorted(on_disk - seen_files):
        problem(orphan, "in corpus/ but not in manifest.yaml")
    others = sorted(p.name for p in CORPUS.iterdir() if not p.name.endswith(".eml"))
    if others:
        problem("corpus/", f"non-.eml files: {others}")
    for note in notes:
        print("note:", note)
    for p in problems:
        print("PROBLEM:", p)
    total = sum(counts.values())
    print(f"{total} messages ({len(seen_files)} files, {total - len(seen_files)} generated): "
          + ", ".join(f"{k} {counts[k]}" for k in ("own", "bounce", "auto", "reply", "forward")))
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
