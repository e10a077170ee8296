"""Counts and articles as English says them: "1 item", "3 bodies", "an ICO complaint".

The one helper every message uses, so that no line says "1 items", "1 bodies' changes",
"item(s)" or "a internal review".
"""

from __future__ import annotations

import re

# Plurals that are not the word and an "s" (the words konpfoi counts).
_IRREGULAR = {
    "body": "bodies", "reply": "replies", "match": "matches", "entry": "entries",
    "is": "are", "was": "were", "has": "have", "it": "they", "this": "these", "its": "their",
    "address": "addresses", "inbox": "inboxes", "copy": "copies", "party": "parties",
    "family": "families", "authority": "authorities", "volunteer's": "volunteers'",
    "body's": "bodies'", "supporter's": "supporters'", "person": "people",
}
_PLURALS = frozenset(_IRREGULAR.values())
# Initialisms whose first letter is said with a vowel sound: "an FOI request", "an MP".
_VOWEL_LETTERS = frozenset("AEFHILMNORSX")
# Capitals said as a word, not letter by letter: "a FOISA request", "a SAR".
_SAID_AS_WORDS = frozenset({"FOISA", "SAR", "NICE"})
# Words with a vowel letter and a consonant sound, or the other way round.
_A_BEFORE = re.compile(r"(?i)^(one\b|once\b|uni|use|usu|uti|ura|ure|eu|ewe|u[bcdfgklmnprstvz]"
                       r"[aeiou])")
_AN_BEFORE = re.compile(r"(?i)^(hour|honest|honou?r|heir)")


def plural(word: str, n: int = 2) -> str:
    """`word` as said of `n` things: plural('body', 3) is 'bodies'. The last word of a phrase
    is the one made plural ('working day' -> 'working days')."""
    if n == 1:
        return word
    head, _, last = word.rpartition(" ")
    lower = last.lower()
    if lower in _PLURALS:
        made = last
    elif lower in _IRREGULAR:
        made = _IRREGULAR[lower]
        made = made.capitalize() if last[:1].isupper() else made
    elif lower.endswith(("s", "x", "ch", "sh")):
        made = last + "es"
    elif lower.endswith("y") and lower[-2:-1] not in "aeiou":
        made = last[:-1] + "ies"
    else:
        made = last + "s"
    return f"{head} {made}" if head else made


def count(n: int, word: str, many: str | None = None) -> str:
    """'1 item', '2 items', '0 items'; `many` gives a plural the rules do not know."""
    return f"{n} {word if n == 1 else (many or plural(word, n))}"


def article(phrase: str) -> str:
    """'a' or 'an' before `phrase`, by how it is said: 'an ICO complaint', 'a FOISA
    request', 'an internal review', 'a user', 'an hour'."""
    first = phrase.strip().split(" ", 1)[0].strip("\"'(") if phrase.strip() else ""
    if not first:
        return "a"
    capitals = re.match(r"([A-Z]{2,})s?(?![a-z])", first)
    if capitals:
        if capitals.group(1) in _SAID_AS_WORDS:
            return "an" if first[0] in "AEIO" else "a"
        return "an" if first[0] in _VOWEL_LETTERS else "a"
    if first[0].isdigit():
        return "an" if re.match(r"(8|11|18)(\D|$)|8\d", first) else "a"
    if _AN_BEFORE.match(first):
        return "an"
    if _A_BEFORE.match(first):
        return "a"
    return "an" if first[0].lower() in "aeiou" else "a"


def a(phrase: str) -> str:
    """The phrase with its article: 'an ICO complaint'."""
    return f"{article(phrase)} {phrase}"

