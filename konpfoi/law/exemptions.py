"""The exemptions (FOIA, FOISA) and exceptions (EIR) each law allows, and how to read one typed
as people type them. One table: coding, letters and reports all read it."""

from __future__ import annotations

import re

from konpfoi.errors import InvalidInput
from konpfoi.law.regimes import ITEM_REGIME, LAW_NAMES

# Exemptions and refusal grounds each law allows, with what they are about.
EXEMPTIONS = {
    "foia": {
        "s.12": "cost limit", "s.14": "vexatious or repeated request",
        "s.21": "reasonably accessible by other means", "s.22": "intended for publication",
        "s.22A": "research", "s.23": "security bodies", "s.24": "national security",
        "s.26": "defence", "s.27": "international relations",
        "s.28": "relations within the UK", "s.29": "the economy",
        "s.30": "investigations", "s.31": "law enforcement", "s.32": "court records",
        "s.33": "audit functions", "s.34": "parliamentary privilege",
        "s.35": "formulation of government policy", "s.36": "conduct of public affairs",
        "s.37": "the Royal Family and honours", "s.38": "health and safety",
        "s.39": "environmental information (EIR apply)", "s.40": "personal information",
        "s.41": "provided in confidence", "s.42": "legal professional privilege",
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


# Exemptions to which no public interest test applies (FOIA s.2(3); FOISA s.2(2)), and the
# refusal grounds that are not exemptions at all (cost, vexatious or repeated requests). Every
# EIR exception is qualified (reg 12(1)(b)), with a presumption in favour of disclosure
# (reg 12(2)). s.40 and s.38 are absolute only in part; a letter treats them as absolute.
ABSOLUTE = {"foia": frozenset({"s.21", "s.23", "s.32", "s.34", "s.40", "s.41", "s.44"}),
            "foisa": frozenset({"s.25", "s.26", "s.37", "s.38"}), "eir": frozenset()}
NOT_EXEMPTIONS = frozenset({"s.12", "s.14"})
# Grounds that say the information is not held: a letter says "you said you do not hold it".
NOT_HELD = frozenset({"reg 12(4)(a)", "s.17"})


def base(code: str) -> str:
    """The table's key for a cited code: 's.43(2)' -> 's.43'; EIR codes are keys already."""
    return code if code.startswith("reg ") else code.split("(", 1)[0]
