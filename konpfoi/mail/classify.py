"""What a received message is, decided before it is matched, with the reason kept: the user's
own mail, a delivery failure (RFC 3464 and the common non-standard forms), an automatic reply
(RFC 3834 headers, out-of-office and acknowledgement phrasing, read receipts), a forward from
someone else, or a reply written by a person.

Length, and "thank you for your request" alone, never make a message an acknowledgement: when
a message reads both ways it stays a reply, marked for the user to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from konpfoi.mail.incoming import Enclosed, Mail

_DAEMON = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|maildelivery|mdaemon|"
                     r"microsoftexchange[0-9a-f]*|bounces?)(@|$)", re.I)
_DAEMON_NAME = re.compile(r"mail delivery (system|subsystem)|microsoft outlook|"
                          r"microsoft exchange|postmaster", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"undeliverable|undelivered|delivery (status notification \(failure|has failed|failure|"
    r"failed)|mail delivery failed|failure notice|returned mail|could not be delivered|"
    r"non-?delivery|message not delivered|delivery incomplete", re.I)
_DELAY_SUBJECT = re.compile(r"delayed mail|delivery (status notification \(delay|delayed)|"
                            r"warning: could not send|still being retried", re.I)
_OOF_SUBJECT = re.compile(r"^\s*(automatic reply|auto(matic)?[ -]?(reply|response)|autoreply|"
                          r"auto|out of (the )?office( autoreply)?|oof|away|on leave|"
                          r"abwesend\w*|absence)\b\s*[:\-]", re.I)
_MDN_SUBJECT = re.compile(r"^\s*(read|not read|gelesen)\s*:", re.I)
_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|fw|tr|wg)\s*:", re.I)
_FORWARD_TEXT = re.compile(r"(?im)^[ >]*(-{3,} ?forwarded message ?-{3,}|begin forwarded "
                           r"message:|-{3,} ?forwarded by)")
# Phrasing that says "we have your request", not "here is the answer": receipt, with a promise
# of an answer to come (or a plain "this is an automated message").
_RECEIVED = re.compile(
    r"(was|were|been|is) (received|logged|registered|recorded)|we (have )?(received|logged) "
    r"your|acknowledge(s|d)? (the )?receipt|requests are logged|(which|that) we received|"
    r"(has|have) been passed to", re.I)
_PROMISE = re.compile(
    r"we (will|shall|aim to|are required to) (respond|reply|answer|provide)|will be (answered|"
    r"dealt with|handled|processed|responded to)|statutory (response|due) date|within (20|"
    r"twenty) working days|reference number will be sent|\bdue date\b", re.I)
_AUTOMATED = re.compile(r"automatic(ally)? (generated|sent)|automated (response|message|reply)"
                        r"|this mailbox is (not )?monitored|do not reply to this", re.I)
_OOF = re.compile(r"out of (the )?office|on (annual |parental )?leave|away from (the office|"
                  r"my desk)|no access to (my )?e-?mail|not (be )?(monitoring|checking) "
                  r"(my )?e-?mail", re.I)
# Phrasing that only an answer (or a refusal) uses.
_ANSWER = re.compile(
    r"do(es)? not hold|not held|\bholds? no\b|section 1\(1\)\(a\)|section 17 notice|"
    r"please find (attached|enclosed|below|our response)|(is|are) attached|"
    r"attached (is|are|letter|response|document)|our response (to|is)|"
    r"in (response|answer) to your (request|questions)|\brefus(ed|e|al)\b|\bexempt|"
    r"withh(e|o)ld|section \d+\(\d|\bs\.? ?\d{2}\(\d|regulation 12|\breg\.? ?12\(|"
    r"(we|i) can confirm|internal review|information commissioner|question \d", re.I)
# A message that is not the answer yet: asking for clarification, claiming more time, or
# saying the formal response is still to come (this outweighs section numbers it cites)...
_NOT_YET = re.compile(
    r"could you (please )?clarify|(ask|request|seek) (for )?clarification|before we can "
    r"(progress|proceed)|section 10\(3\)|further time|extend (the|our) (deadline|time)|"
    r"(send|provide) (you )?(the|our) (formal|full) response|formal response will", re.I)
# ...or a holding note, when it gives no answer.
_HOLDING = re.compile(
    r"(our|the|a) (formal |full )?response will|will be (sent|with you)|will (send|respond|"
    r"reply) (to you )?(by|within|this|next)|(expect|aim|hope) to (respond|reply)|(are|is) "
    r"(still )?(checking|considering|working on)|treat your request as", re.I)
_QUOTE_START = re.compile(
    r"(?m)^(-{2,} ?original message ?-{2,}|_{10,}\s*$|on .{4,200}wrote:\s*$|"
    r"from: .+\n(sent|date): |-{3,} ?forwarded message|begin forwarded message:|>)", re.I)
_RETURNED_MARK = re.compile(
    r"(?im)^.*(copy of the (original )?message|original message (headers|details|follows)|"
    r"below this line is a copy|returned message|message headers follow|your message\s*$).*$")
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_DOCUMENTS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".csv", ".odt", ".ods", ".zip", ".dat")


@dataclass
class Verdict:
    """What a message is, and why."""

    kind: str  # a key of ledger.model.MESSAGE_CLASSES
    reason: str
    auto: str | None = None  # acknowledgement, out of office, read receipt, delivery report
    final: bool = True  # a bounce: a failure (False: only a delay)
    failed: list[str] = field(default_factory=list)  # a bounce: who it could not reach
    returned: Enclosed | None = None  # a bounce: the original, as far as it came back
    check: str | None = None  # a reply: why the user should look at it
    interim: bool = False  # a reply that is not the answer yet (holding note, clarification)


def own_words(text: str) -> str:
    """A message's text above the quoted history (Outlook, Gmail, Thunderbird, '>' quotes)."""
    m = _QUOTE_START.search(text)
    return text[:m.start()] if m else text


def classify(mail: Mail, own: set[str], ours: set[str], known_sender: bool = False) -> Verdict:
    """Own mail, bounce, automatic reply, forward or reply: the first that fits, with why."""
    sender = mail.from_addr or ""
    if sender and sender in own:
        return Verdict("own", f"from your own address {sender}")
    if mail.message_id and mail.message_id in ours:
        return Verdict("own", "a message konpfoi made (its Message-ID is one we sent)")
    bounce = _bounce(mail, own)
    if bounce is not None:
        return bounce
    h = mail.headers
    if mail.mdn or "disposition-notification" in h.get("content-type", "").lower():
        return Verdict("auto", "a read receipt (disposition notification)", auto="read receipt")
    words = own_words(mail.text)
    auto = _automatic(mail, words)
    if auto is not None:
        return auto
    forwarded = _FORWARD_SUBJECT.match(mail.subject) or _FORWARD_TEXT.search(mail.text[:3000])
    if forwarded and not known_sender:
        return Verdict("forward", f"forwarded by {sender or 'someone'}, not by a body")
    return _reply(mail, words)


def _automatic(mail: Mail, words: str) -> Verdict | None:
    h = mail.headers
    answer = bool(_ANSWER.search(words)) or _has_documents(mail)
    sub = "out of office" if _OOF.search(words) or _OOF_SUBJECT.match(mail.subject) \
        else "acknowledgement"
    submitted = h.get("auto-submitted", "").split("(")[0].strip().lower()
    if submitted and submitted != "no":
        return Verdict("auto", f"Auto-Submitted: {h['auto-submitted']}", auto=sub)
    for name in ("x-autoreply", "x-autorespond"):
        if name in h:
            return Verdict("auto", f"{name.title()} header", auto=sub)
    precedence = h.get("precedence", "").lower()
    if precedence == "auto_reply":
        return Verdict("auto", "Precedence: auto_reply", auto=sub)
    if "mailbox rules agent" in h.get("x-ms-exchange-generated-message-source", "").lower():
        return Verdict("auto", "sent by an Exchange inbox rule", auto=sub)
    if _OOF_SUBJECT.match(mail.subject) and not answer:
        return Verdict("auto", f"an automatic reply by its subject ({mail.subject[:40]!r})",
                       auto="out of office")
    if precedence in ("bulk", "junk", "list") and not answer:
        return Verdict("auto", f"Precedence: {precedence}, and it gives no answer", auto=sub)
    if _acknowledges(words) and not answer:
        return Verdict("auto", "it reads as an acknowledgement and gives no answer",
                       auto="acknowledgement")
    return None


def _acknowledges(words: str) -> bool:
    return bool(_AUTOMATED.search(words)) or bool(_RECEIVED.search(words)
                                                  and _PROMISE.search(words))


def _reply(mail: Mail, words: str) -> Verdict:
    documents = _has_documents(mail)
    answer = bool(_ANSWER.search(words)) or documents
    if (_NOT_YET.search(words) and not documents) or (not answer and _HOLDING.search(words)):
        return Verdict("reply", "written by a person", interim=True, check=(
            "it reads like a holding note, a request for clarification or an extension, not "
            "the answer: the clock keeps running"))
    if _acknowledges(words):
        return Verdict("reply", "written by a person", check=(
            "it reads partly like an acknowledgement: if it is only that, record it as one"))
    return Verdict("reply", "written by a person")


def _has_documents(mail: Mail) -> bool:
    return any((a.name or "").lower().endswith(_DOCUMENTS) for a in mail.attachments)


def _bounce(mail: Mail, own: set[str]) -> Verdict | None:
    ctype = mail.headers.get("content-type", "").lower()
    actions = [d.get("action", "").lower() for d in mail.delivery]
    report = "report-type=delivery-status" in ctype.replace('"', "").replace(" ", "") \
        or bool(mail.delivery)
    sender = mail.from_addr or ""
    daemon = bool(_DAEMON.match(sender)) or bool(_DAEMON_NAME.search(mail.from_name or "")) \
        or not sender or "x-failed-recipients" in mail.headers
    if report and actions and all(a in ("delivered", "relayed", "expanded") for a in actions):
        return Verdict("auto", "a delivery report saying it arrived (" + ", ".join(
            sorted(set(actions))) + ")", auto="delivery report", returned=_returned(mail))
    if report and any(a == "failed" for a in actions):
        final, why = True, "a delivery status notification (Action: failed)"
    elif report and any(a.startswith("delayed") for a in actions):
        final, why = False, "a delivery status notification (Action: delayed)"
    elif daemon and _DELAY_SUBJECT.search(mail.subject):
        final, why = False, f"a delay warning from {sender or 'the mail system'}"
    elif (daemon or report) and _BOUNCE_SUBJECT.search(mail.subject):
        final, why = True, f"a delivery failure report ({mail.subject[:50]!r})"
    else:
        return None
    return Verdict("bounce", why, final=final, failed=_failed(mail, own),
                   returned=_returned(mail))


def _failed(mail: Mail, own: set[str]) -> list[str]:
    """Who the message could not reach: the report's recipients, else the text's addresses."""
    out = [a.strip().lower() for a in mail.headers.get("x-failed-recipients", "").split(",")
           if "@" in a]
    for d in mail.delivery:
        if d.get("action", "").lower() in ("failed", "delayed") or not d.get("action"):
            value = d.get("final-recipient") or d.get("original-recipient") or ""
            found = _ADDRESS.search(value.rpartition(";")[2])
            if found:
                out.append(found.group(0).lower())
    if not out:
        text = mail.text
        mark = _RETURNED_MARK.search(text)
        head = text[:mark.start()] if mark and mark.start() > 0 else text[:3000]
        sender = mail.from_addr or ""
        out = [a.lower() for a in _ADDRESS.findall(head)
               if a.lower() not in own and a.lower() != sender and not _DAEMON.match(a)]
    return list(dict.fromkeys(out))


def _returned(mail: Mail) -> Enclosed:
    """The original that bounced: an attached copy or its headers, else what the report's
    text quotes of it (Message-ID, To, Subject)."""
    got = next((e for e in mail.enclosed if e.message_id or e.subject), None)
    if got is not None:
        return got
    text = mail.text
    mark = _RETURNED_MARK.search(text)
    tail = text[mark.start():] if mark else text
    ids = re.findall(r"(?im)^\s*message-id:\s*(<[^<>\s]+@[^<>\s]+>)", tail)
    subject = re.search(r"(?im)^\s*subject:\s*(.+)$", tail)
    to = re.findall(r"(?im)^\s*(?:to|recipient address):\s*(.+)$", tail)
    return Enclosed(message_id=ids[0] if ids else None, subject=subject.group(1).strip()
                    if subject else "", to=[a.lower() for v in to for a in _ADDRESS.findall(v)],
                    text=tail)
