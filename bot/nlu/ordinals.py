"""Ordinal references in a follow-up ("第二条", "2", "最后一个"), normalized.

Pure Python, no Rasa imports, so actions can reuse it. A value is a 1-based
position (int) or LAST.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

LAST = "last"
MAX_ORDINAL = 20

_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3,
    "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
_NUMBER = r"[0-9０-９]{1,2}|[一二两三四五六七八九十]{1,3}"
_COUNTER = r"[条个项点家种篇則条個項]"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:最后|最後|末尾|倒数第[一1])[一1]?" + _COUNTER + "?"), "last"),
    (re.compile(r"(?:第\s*(?P<n>" + _NUMBER + r")\s*" + _COUNTER + "?)"), "number"),
    (re.compile(r"(?:头一|頭一|首)" + _COUNTER), "first"),
    (re.compile(r"(?P<n>[" + _CIRCLED + r"])"), "number"),
    # A bare number: "2", "看看3", "2条"; not a longer number, a year, "3个月", "5天", a phone number.
    (
        re.compile(
            r"(?<![0-9０-９.])(?P<n>[0-9０-９]{1,2})(?![0-9０-９.%％])"
            r"(?:\s*(?:[条项点條項則]|[个個](?![月人小天]))|(?=的)|(?![\u4e00-\u9fff]))"
        ),
        "number",
    ),
    # A message that is only a Chinese numeral: "二", "三个".
    (re.compile(r"^\s*(?P<n>[一二两三四五六七八九十]{1,2})\s*" + _COUNTER + r"?\s*$"), "number"),
)


@dataclass(frozen=True)
class OrdinalMention:
    """An ordinal found in a message: where, as typed, and its normalized value."""

    start: int
    end: int
    text: str
    value: Union[int, str]  # 1-based position or LAST


def parse_number(token: str) -> int | None:
    """Value of an Arabic, full-width, circled or Chinese numeral up to 99.

    Args:
        token: e.g. "2", "２", "②", "二", "十二".

    Returns:
        The number, or None if `token` is not a numeral.
    """
    if len(token) == 1 and token in _CIRCLED:
        return _CIRCLED.index(token) + 1
    digits = token.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if digits.isdigit():
        return int(digits)
    if not token or any(ch not in _CN_DIGITS and ch != "十" for ch in token):
        return None
    if "十" not in token:
        return _CN_DIGITS[token] if len(token) == 1 else None
    tens, _, ones = token.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def find_ordinals(text: str | None) -> list[OrdinalMention]:
    """Ordinal references in `text`, left to right, without overlaps.

    Args:
        text: the user's message (any length; None or empty gives nothing).

    Returns:
        Mentions whose value is between 1 and MAX_ORDINAL, or LAST.
    """
    if not text:
        return []
    found: list[OrdinalMention] = []
    taken: set[int] = set()
    for pattern, kind in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if start == end or taken.intersection(range(start, end)):
                continue
            value: Union[int, str, None]
            if kind == "last":
                value = LAST
            elif kind == "first":
                value = 1
            else:
                value = parse_number(match.group("n"))
                if value is None or not 1 <= value <= MAX_ORDINAL:
                    continue
            span_text = text[start:end].strip()
            start += len(text[start:end]) - len(text[start:end].lstrip())
            end = start + len(span_text)
            found.append(OrdinalMention(start, end, span_text, value))
            taken.update(range(start, end))
    return sorted(found, key=lambda m: m.start)
