"""Practice references as people type them: "五（一）2", "五(一)2", "5.1.2", "第五项第一条第二个".

A hotline agent looks a practice up by the list's own numbering; a worker may copy it from an
answer. :func:`find_references` reads every form into the practice ids of
:func:`bot.kb.ingest.practice_id` (``5.1.2``, ``b2-5.1.2`` for a later batch), in the order they
appear. Whether such a practice exists is the knowledge base's business, not this module's.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.kb.ingest import chinese_numeral_value, practice_id

_NUMERAL = r"[一二三四五六七八九十]{1,3}"
_NUMBER = rf"(?:\d{{1,2}}|{_NUMERAL})"
_BATCH = rf"(?:第\s*(?P<batch>\d{{1,2}}|{_NUMERAL})\s*批\s*(?:清单)?\s*(?:的)?\s*)?"
# 五（一）2 / 五(一)2 / 五、（一）2 / 五（一）第2条 / 五（一）二. Parentheses are folded to ASCII first.
_LIST_FORM = re.compile(
    rf"{_BATCH}(?<![一二三四五六七八九十\d])(?P<task>{_NUMERAL})\s*[、，,.]?\s*\(\s*(?P<measure>{_NUMERAL})\s*\)"
    rf"\s*第?\s*(?P<item>{_NUMBER})(?![\d.])"
)
# 5.1.2 / b2-5.1.2 (never inside a longer number such as a date 2024.1.5 or a figure 3.5.1.2).
_ID_FORM = re.compile(
    r"(?<![\w.])(?:b(?P<batch>\d{1,2})\s*-\s*)?(?P<task>\d{1,2})\s*\.\s*(?P<measure>\d{1,2})\s*\.\s*(?P<item>\d{1,2})"
    r"(?![\d.]*\d)"
)
# 第五项第一条第二个（做法） / 第五部分第一项第二条: three ordinals in a row.
_ORDINAL_FORM = re.compile(
    rf"{_BATCH}第\s*(?P<task>{_NUMBER})\s*(?:项|部分|大项|个任务|项任务|条任务|大类)\s*(?:的)?\s*"
    rf"第\s*(?P<measure>{_NUMBER})\s*(?:条|项|个举措|项举措|个|点|小项)\s*(?:的)?\s*"
    rf"第\s*(?P<item>{_NUMBER})\s*(?:个|条|项|点)?"
)
_FORMS = (_LIST_FORM, _ID_FORM, _ORDINAL_FORM)


@dataclass(frozen=True)
class Reference:
    """One practice reference found in a text: the id it names and where it stands."""

    practice_id: str
    start: int
    end: int


def _value(number: str | None, default: int = 1) -> int:
    if not number:
        return default
    return int(number) if number.isdigit() else chinese_numeral_value(number)


def _folded(text: str) -> str:
    """Full-width forms (（）．５) folded to ASCII, one character for one, so offsets hold."""
    folded = (unicodedata.normalize("NFKC", ch) for ch in text)
    return "".join(f if len(f) == 1 else ch for f, ch in zip(folded, text))


def find_references(text: object) -> list[Reference]:
    """Every practice reference in ``text``, in order of appearance, each once.

    Examples:
        >>> [r.practice_id for r in find_references("清单五（一）2讲的是什么")]
        ['5.1.2']
        >>> [r.practice_id for r in find_references("第五项第二条第一个做法")]
        ['5.2.1']
    """
    if not isinstance(text, str) or not text:
        return []
    folded = _folded(text[:2000])
    found: dict[int, Reference] = {}
    for form in _FORMS:
        for match in form.finditer(folded):
            if any(r.start <= match.start() < r.end for r in found.values()):
                continue
            try:
                numbers = [_value(match.group(name)) for name in ("task", "measure", "item")]
                batch = _value(match.group("batch"))
            except (ValueError, KeyError):
                continue
            if min(numbers) < 1 or batch < 1:
                continue
            found[match.start()] = Reference(practice_id(batch, *numbers), match.start(), match.end())
    ordered = [found[start] for start in sorted(found)]
    seen: set[str] = set()
    return [r for r in ordered if not (r.practice_id in seen or seen.add(r.practice_id))]


def referenced_ids(text: object) -> list[str]:
    """The practice ids ``text`` refers to, in order."""
    return [r.practice_id for r in find_references(text)]
