"""The exemptions (FOIA, FOISA) and exceptions (EIR) each law allows, the grounds for refusing
to comply that are not exemptions (cost, vexatious or repeated requests), their plain names, and
how to read them as people type them (a reply may cite FOIA sections and EIR regulations
together). One table: coding, letters and reports all read it. Plain names follow LAW.md
("s.43(2) commercial interests; s.40(2) personal data of third parties ... s.12 cost limit")."""

from __future__ import annotations

import re

from konpfoi.errors import InvalidInput
from konpfoi.law.regimes import ITEM_REGIME, LAW_NAMES

# Every citation each law allows a reply (exemptions, exceptions and the refusal grounds in
# REFUSAL_GROUNDS below), with what it is about.
EXEMPTIONS = {
    "foia": {
        "s.12": "cost limit", "s.14": "vexatious or repeated request",
        "s.21": "reasonably accessible elsewhere", "s.22": "intended for future publication",
        "s.22A": "research", "s.23": "security bodies", "s.24": "national security",
        "s.26": "defence", "s.27": "international relations",
        "s.28": "relations within the UK", "s.29": "the economy",
        "s.30": "investigations", "s.31": "law enforcement", "s.32": "court records",
        "s.33": "audit functions", "s.34": "parliamentary privilege",
        "s.35": "formulation of government policy",
        "s.36": "prejudice to the effective conduct of public affairs",
        "s.37": "the Royal Family and honours", "s.38": "health and safety",
        "s.39": "environmental information (EIR apply)", "s.40": "personal data",
        "s.41": "information provided in confidence", "s.42": "legal professional privilege",
        "s.43": "commercial interests", "s.44": "prohibited by law",
    },
    "foisa": {
        "s.12": "excessive cost", "s.14": "vexatious or repeated request",
        "s.17": "not held", "s.25": "otherwise accessible",
        "s.26": "prohibited by law", "s.27": "intended for publication",
        "s.28": "relations within the UK", "s.29": "formulation of Scottish Government policy",
        "s.30": "conduct of public affairs", "s.31": "national security and defence",
        "s.32": "international relations", "s.33": "commercial interests and the economy",
        "s.34": "investigations", "s.35": "law enforcement", "s.36": "confidentiality",
        "s.37": "court records", "s.38": "personal information",
        "s.39": "health, safety and the environment", "s.40": "audit functions",
        "s.41": "communications with the Royal Family and honours",
    },
    "eir": {
        "reg 12(4)(a)": "not held", "reg 12(4)(b)": "manifestly unreasonable",
        "reg 12(4)(c)": "too general", "reg 12(4)(d)": "unfinished material",
        "reg 12(4)(e)": "internal communications",
        "reg 12(5)(a)": "international relations, defence, national security, public safety",
        "reg 12(5)(b)": "course of justice", "reg 12(5)(c)": "intellectual property",
        "reg 12(5)(d)": "confidentiality of proceedings",
        "reg 12(5)(e)": "commercial confidentiality",
        "reg 12(5)(f)": "interests of the person who gave the information",
        "reg 12(5)(g)": "protection of the environment", "reg 13": "personal data",
    },
}


# Subsections whose plain name says more than their section's.
SUBSECTIONS = {
    "foia": {"s.14(1)": "vexatious request", "s.14(2)": "repeated request",
             "s.40(1)": "the requester's own personal data",
             "s.40(2)": "personal data of third parties", "s.43(1)": "trade secrets",
             "s.43(2)": "commercial interests"},
    "foisa": {"s.38(1)(a)": "the requester's own personal data",
              "s.38(1)(b)": "personal data of third parties", "s.33(1)(a)": "trade secrets",
              "s.33(1)(b)": "commercial interests"},
}
_EIR_LIKE = re.compile(r"^(regulation|reg\.?|r\.?)\s*\d|^\s*12\s*\(\s*[45]|^\s*13\b", re.I)
_SECTION_LIKE = re.compile(r"^(section|sect|sec|s)\.?\s*\d", re.I)


def section(code: str) -> str:
    """The section an exemption groups under: 's.43(2)' -> 's.43'; an EIR exception is its
    own group ('reg 12(5)(e)')."""
    return code if code.startswith("reg ") else code.split("(")[0]


def plain_name(code: str, kind: str) -> str:
    """'s.43(2)' -> 'commercial interests'; '' for a code the table does not know."""
    regime = "eir" if code.startswith("reg ") else ITEM_REGIME.get(kind, kind)
    if regime == "eir" and code.startswith("s."):
        regime = "foia"  # a FOIA section cited beside the EIR (see `cited`)
    return (SUBSECTIONS.get(regime, {}).get(code)
            or EXEMPTIONS.get(regime, {}).get(code)
            or EXEMPTIONS.get(regime, {}).get(section(code), ""))


def cited(text: str, kind: str) -> tuple[str, ...]:
    """Every exemption or exception a reply cites, as typed: 's43, s.40(2)', 'reg 12(5)(e)
    and s43' (FOIA and EIR together, as bodies often answer). Each is checked against the law
    it names; one that cannot apply is refused with the reason."""
    regime = ITEM_REGIME.get(kind, kind)
    out: list[str] = []
    for code in (c.strip() for c in re.split(r"[,;/]|\band\b|&", text) if c.strip()):
        if _EIR_LIKE.match(code) and not _SECTION_LIKE.match(code):
            if regime == "foisa":
                raise InvalidInput(
                    f"{code!r}: the EIR 2004 do not apply to a Scottish body (it would cite the "
                    "Environmental Information (Scotland) Regulations 2004)",
                    hint="code the FOISA sections it cites, and put the rest in the answer text")
            if regime not in ("foia", "eir"):
                raise InvalidInput(f"{code!r}: {LAW_NAMES.get(regime, 'this item')} has no "
                                   "exceptions", hint="emails carry no exemptions")
            out.append(exemption(code, "eir"))
        elif regime == "eir" and _SECTION_LIKE.match(code):
            out.append(exemption(code, "foia"))  # s.39 and friends, cited beside the EIR
        else:
            out.append(exemption(code, regime))
    return tuple(dict.fromkeys(out))


def exemption(code: str, regime: str) -> str:
    """'s43', 'S.43(2)', 'section 43' -> 's.43(2)'; '12(5)(e)' -> 'reg 12(5)(e)'."""
    regime = ITEM_REGIME.get(regime, regime)
    allowed = EXEMPTIONS.get(regime, {})
    text = code.strip().lower().replace(" ", "")
    text = re.sub(r"^(section|sect|sec|s\.?)", "", text)
    text = re.sub(r"^(regulation|reg\.?|r\.?)", "", text)
    m = re.fullmatch(r"(\d+[a-z]?)((?:\(\w+\))*)", text)
    if m:
        base, sub = m.group(1).upper() if m.group(1)[-1].isalpha() else m.group(1), m.group(2)
        for key in allowed:
            if regime == "eir":
                if key.replace("reg ", "") == base + sub or (key == f"reg {base}" and not sub):
                    return key
            elif key == f"s.{base}":
                return key + sub
    raise InvalidInput(
        f"{code!r} is not an exemption under {LAW_NAMES.get(regime, regime)}",
        hint="known: " + ", ".join(allowed) if allowed else "emails carry no exemptions")


# Exemptions to which no public interest test applies (FOIA s.2(3); FOISA s.2(2)). Every EIR
# exception is qualified (reg 12(1)(b)), with a presumption in favour of disclosure (reg 12(2)).
# s.40 and s.38 are absolute only in part; a letter treats them as absolute.
ABSOLUTE = {"foia": frozenset({"s.21", "s.23", "s.32", "s.34", "s.40", "s.41", "s.44"}),
            "foisa": frozenset({"s.25", "s.26", "s.37", "s.38"}), "eir": frozenset()}
# Grounds for refusing to comply that are not exemptions: FOIA s.12 and s.14 are in Part I, not
# Part II; FOISA s.12 and s.14 in Part 1, not Part 2. Under them a body does not withhold
# information, it declines to comply with the request (LAW.md: "withheld" only for an exemption
# or exception). What a letter says the body said, per ground; a subsection's words before its
# section's. An EIR request refused as manifestly unreasonable (on cost, too) cites an
# exception, reg 12(4)(b), and is withheld like any other.
REFUSAL_GROUNDS = {
    "foia": {"s.12": "the cost of complying would exceed the appropriate limit",
             "s.14": "the request was vexatious or repeated",
             "s.14(1)": "the request was vexatious",
             "s.14(2)": "the request repeated an earlier one"},
    "foisa": {"s.12": "the cost of complying would exceed the prescribed amount",
              "s.14": "the request was vexatious or repeated",
              "s.14(1)": "the request was vexatious",
              "s.14(2)": "the request repeated an earlier one"},
}
NOT_EXEMPTIONS = frozenset(section(c) for table in REFUSAL_GROUNDS.values() for c in table)
# Grounds that say the information is not held: a letter says "you said you do not hold it".
NOT_HELD = frozenset({"reg 12(4)(a)", "s.17"})


def is_refusal_ground(code: str) -> bool:
    """Whether a citation is a ground for refusing to comply (s.12 cost, s.14 vexatious or
    repeated), not an exemption or exception: 's.12', 's.14(2)' yes; 's.43', 'reg 12(4)(b)'
    no."""
    return code.startswith("s.") and section(code) in NOT_EXEMPTIONS


def refusal_words(code: str, kind: str) -> str:
    """What the body said in refusing to comply on `code`, as a clause: 'the cost of complying
    would exceed the appropriate limit'. FOISA's words for a Scottish item, FOIA's otherwise (a
    FOIA section cited beside the EIR)."""
    table = REFUSAL_GROUNDS.get(ITEM_REGIME.get(kind, kind), REFUSAL_GROUNDS["foia"])
    return table.get(code) or table[section(code)]
