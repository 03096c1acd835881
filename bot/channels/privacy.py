"""Mask personal numbers in what users type, before anything is stored or logged.

Workers paste their identity card number to ask about a subsidy, their phone
number to be called back, their bank card number to say where wages did not
arrive. None of these may reach the tracker store, a log or the console. The
channels call :func:`mask` on every text before they build Rasa's
``UserMessage``; what Rasa stores, logs and shows is then already masked.

What is masked, keeping a few digits so an agent still has context:

- identity card numbers, 18 characters (the last may be the check digit X) and
  the old 15-digit ones: ``110105199001011234`` → ``110105********1234``;
- mobile numbers ``1[3-9]`` + 9 digits, with or without ``+86``/``0086``,
  spaces or dashes: ``138 1234 5678`` → ``138 **** 5678``;
- bank card numbers of 16 to 19 digits, plain or in groups of four:
  ``6222021234567890123`` → ``6222***********0123``.

Years (2023年), amounts (36.8万份), practice ids (5.1.2), hotline numbers
(12333) and other short numbers stay as they are.
"""
from __future__ import annotations

import re
from typing import Optional

MASK_CHAR = "*"

_SEP = r"[ \-－‐]"  # one space or dash between digit groups
_CHECK = r"[0-9Xx\uff38\uff58]"  # the last character of an identity card number (Ｘ, ｘ too)
_D = r"\d"  # any decimal digit, full-width ones included
_MOBILE_START = r"[1１][3-9３-９]"
_COUNTRY = r"(?:[+＋]|00|００)?[8８][6６]"  # +86, 0086, 86

_PATTERNS: tuple[tuple[str, str, int, int], ...] = (
    # (group name, pattern, digits kept at the start, digits kept at the end)
    ("id18", rf"{_D}{{6}}{_SEP}?{_D}{{8}}{_SEP}?{_D}{{3}}{_CHECK}(?![A-Za-z])", 6, 4),
    ("card_grouped", rf"{_D}{{4}}(?:{_SEP}{_D}{{4}}){{3}}(?:{_SEP}?{_D}{{1,3}})?", 4, 4),
    ("card", rf"{_D}{{16,19}}", 4, 4),
    # before id15: 0086 + 11 digits is 15 digits too (no identity card starts with 86)
    ("mobile", rf"(?:{_COUNTRY}{_SEP}?)?{_MOBILE_START}{_D}(?:{_SEP}?{_D}{{4}}){{2}}", 3, 4),
    ("id15", rf"{_D}{{15}}", 6, 3),
)

_SENSITIVE = re.compile(
    r"(?<!\d)(?:" + "|".join(f"(?P<{name}>{pattern})" for name, pattern, _, _ in _PATTERNS) + r")(?!\d)"
)
_KEEP = {name: (head, tail) for name, _, head, tail in _PATTERNS}
_COUNTRY_PREFIX = re.compile(rf"^{_COUNTRY}{_SEP}?(?={_MOBILE_START})")


def mask(text: str) -> str:
    """The text with identity card, mobile and bank card numbers masked.

    Args:
        text: what a user typed, any length.

    Returns:
        The same text where each such number keeps only its first and last few
        digits; separators and everything else are unchanged.
    """
    if not text or not any(ch.isdigit() for ch in text):
        return text
    return _SENSITIVE.sub(_mask_match, text)


def mask_optional(text: Optional[str]) -> Optional[str]:
    """:func:`mask` that lets None (no text in a request) through."""
    return mask(text) if isinstance(text, str) else text


def contains_sensitive(text: str) -> bool:
    """Whether the text holds a number :func:`mask` would mask."""
    return bool(text) and _SENSITIVE.search(text) is not None


def _mask_match(match: "re.Match[str]") -> str:
    kind = match.lastgroup or "card"
    head, tail = _KEEP[kind]
    found = match.group(0)
    prefix = ""
    if kind == "mobile":
        country = _COUNTRY_PREFIX.match(found)
        if country:
            prefix, found = found[: country.end()], found[country.end():]
    return prefix + _mask_digits(found, head, tail)


def _mask_digits(number: str, head: int, tail: int) -> str:
    """Replaces every digit (and check letter) but the first `head` and last `tail` ones."""
    positions = [i for i, ch in enumerate(number) if ch.isdigit() or ch in "XxＸｘ"]
    hidden = set(positions[head: len(positions) - tail])
    return "".join(MASK_CHAR if i in hidden else ch for i, ch in enumerate(number))
