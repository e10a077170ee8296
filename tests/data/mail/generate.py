"""Pathological messages for the konpfoi mail corpus that are too big to store.

Each public function returns the bytes of one RFC 5322 message and is named by a
`generator:` entry in manifest.yaml. Output is deterministic (same bytes every call).

    python tests/data/mail/generate.py OUT_DIR        # write every one as OUT_DIR/<name>.eml
    python tests/data/mail/generate.py OUT_DIR NAME   # just one

Only the standard library is used; nothing here imports konpfoi.
"""
from __future__ import annotations

import base64
import hashlib
import sys
from pathlib import Path

# The requests these messages answer (see manifest.yaml, scenario.requests).
_SUBJECT = "Freedom of Information request: NHS use of Palantir's Federated Data Platform [{}]"
_MSGID_K0001 = "<179361450341.4242.12345678901234567890.k-0001@example.org>"


def nested_multipart_3000(depth: int = 3000) -> bytes:
    """A reply whose body is `depth` multipart/mixed levels deep, a text part at the bottom."""
    head = (
        "From: FOI <foi@gstt.nhs.uk>\n"
        "To: Jo Campaigner <jo@example.org>\n"
        f"Subject: RE: {_SUBJECT.format('K-0002')}\n"
        "Date: Mon, 7 Dec 2026 09:00:00 +0000\n"
        "Message-ID: <20261207090000.NESTED3000@foi-relay.gstt.nhs.uk>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="n0"\n\n'
    )
    opening = []
    for level in range(1, depth):
        opening.append(f'--n{level - 1}\nContent-Type: multipart/mixed; boundary="n{level}"\n\n')
    middle = (f"--n{depth - 1}\nContent-Type: text/plain; charset=us-ascii\n\n"
              "Our ref: GSTT/FOI/26/1234. Please see our response below.\n"
              f"--n{depth - 1}--\n")
    closing = [f"--n{level}--\n" for level in range(depth - 2, -1, -1)]
    return (head + "".join(opening) + middle + "".join(closing)).encode("ascii")


def huge_base64_part(size: int = 24 * 1024 * 1024) -> bytes:
    """A reply with one PDF attachment of `size` bytes (base64: about 4/3 of it, over 30 MB)."""
    block = bytearray()
    seed = b"konpfoi-corpus"
    while len(block) < 1 << 16:               # 64 KiB of hash output, repeated: incompressible
        seed = hashlib.sha256(seed).digest()  # enough to defeat shortcuts, cheap to make
        block += seed
    header = b"%PDF-1.4\n% scanned at 600 dpi\n"
    body = header + bytes(block) * (size // len(block) + 1)
    body = body[: size - 6] + b"%%EOF\n"
    b64 = base64.encodebytes(body)            # 76-character lines, LF
    head = (
        "From: Leeds Teaching Hospitals FOI <leedsth.foi@nhs.net>\n"
        "To: Jo Campaigner <jo@example.org>\n"
        f"Subject: RE: {_SUBJECT.format('K-0004')}\n"
        "Date: Thu, 10 Dec 2026 14:00:00 +0000\n"
        "Message-ID: <LO6P265MB6160HUGE0123456789ABCDEF0@LO6P265MB6160.GBRP265.PROD.OUTLOOK.COM>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="_huge_"\n\n'
        "--_huge_\n"
        'Content-Type: text/plain; charset="us-ascii"\n\n'
        "Dear Jo Campaigner\n\nOur reference FOI 26/0412. The scanned response is attached.\n\n"
        "--_huge_\n"
        'Content-Type: application/pdf; name="FOI 26-0412 scanned response.pdf"\n'
        'Content-Disposition: attachment; filename="FOI 26-0412 scanned response.pdf"\n'
        "Content-Transfer-Encoding: base64\n\n"
    ).encode("ascii")
    return head + b64 + b"\n--_huge_--\n"


def huge_references_header(count: int = 20000) -> bytes:
    """A reply whose References header lists `count` Message-IDs, ours last; no In-Reply-To."""
    ids = [f"<thread.{i:05d}.{hashlib.md5(str(i).encode()).hexdigest()[:12]}@selondonics.nhs.uk>"
           for i in range(count - 1)] + [_MSGID_K0001]
    refs = "References: " + "\n ".join(ids) + "\n"
    return (
        "From: NHS South East London ICB - FOI <FOI@selondonics.nhs.uk>\n"
        "To: Jo Campaigner <jo@example.org>\n"
        "Subject: RE: RE: RE: RE: RE: your request\n"
        "Date: Sat, 12 Dec 2026 10:00:00 +0000\n"
        "Message-ID: <20261212100000.MANYREFS@selondonics.nhs.uk>\n"
        + refs +
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=us-ascii\n\n"
        "Dear Jo\n\nSEL-FOI-26/0099: one last correction to our figures.\n\nFOI Team\n"
    ).encode("ascii")


GENERATORS = {f.__name__: f for f in (nested_multipart_3000, huge_base64_part,
                                      huge_references_header)}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    out = Path(argv[0])
    names = argv[1:] or list(GENERATORS)
    unknown = [n for n in names if n not in GENERATORS]
    if unknown:
        print("unknown generator(s):", ", ".join(unknown), file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        data = GENERATORS[name]()
        (out / f"{name}.eml").write_bytes(data)
        print(f"{name}.eml  {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
