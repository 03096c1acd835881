"""How practices are shown: one short item each, then their source, then the cards.

Only variables are computed here; every sentence is a response in domain.yml.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional, Sequence

from rasa_sdk.executor import CollectingDispatcher

from bot.kb.types import REGION_EXACT, REGION_PROVINCE, Hit, Practice

# The key fact stays readable on a phone.
FACT_MAX_CHARS = 60

# A sentence ends at 。！？； (full- or half-width).
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
# A figure is a number with what it counts: 56个项目, 3.7万个, 36.8万份, 90%.
# Years (2023年) and document numbers (〔2022〕19号) are not figures.
_FIGURE = re.compile(
    r"\d[\d.,]*\s*(?:%|％|万|亿|千|百|个|名|人|家|项|场|份|元|次|余|多|倍|所|期|天"
    r"|小时|批|类|种|支|户|套|条|座|间|亩|平方米)"
)
_CLAUSE_END = re.compile(r"(?<=[，,：:])")  # not 、: a list item cut from its list reads as a fragment
_ELLIPSIS = "…"
_TRAILING_FIGURE = re.compile(r"[\d.,%．\s]+$")
_CITATION_SEPARATOR = "、"


def sentences(text: str) -> list[str]:
    """The sentences of a practice's text, in order."""
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s.strip()]


def _is_headline(sentence: str, practice: Practice) -> bool:
    core = sentence.rstrip("。！？；!?;")
    title = practice.title.rstrip("。！？；!?;")
    return bool(title) and (title in core or (len(core) >= 4 and core in title))


def has_figure(sentence: str) -> bool:
    """Whether the sentence carries a figure (a counted number, not a year)."""
    return bool(_FIGURE.search(sentence))


def shorten(sentence: str, max_chars: int = FACT_MAX_CHARS) -> str:
    """The sentence, or its clauses from the first figure on, cut to ``max_chars``."""
    sentence = sentence.rstrip("；;")
    if len(sentence) <= max_chars:
        return sentence
    clauses = [c for c in _CLAUSE_END.split(sentence) if c]
    start = next((i for i, c in enumerate(clauses) if has_figure(c)), 0)
    kept = ""
    for clause in clauses[start:]:
        if len(kept) + len(clause) > max_chars:
            break
        kept += clause
    if not kept:
        kept = _cut_within(clauses[start], max_chars - 1)
    kept = kept.rstrip("，,：:、；;。")
    return kept + ("" if kept == sentence.rstrip("。") else _ELLIPSIS)


def _cut_within(clause: str, max_chars: int) -> str:
    """The clause cut to ``max_chars`` at a list comma (、) if there is one, and never inside a figure."""
    head = clause[:max_chars]
    if "、" in head:
        return head[: head.rindex("、")]
    # A figure cut short ("补贴 4…" for 400) would misstate it: drop the figure whole.
    return _TRAILING_FIGURE.sub("", head) if clause[max_chars:max_chars + 1].isdigit() or head[-1:].isdigit() else head


def key_fact(practice: Practice, max_chars: int = FACT_MAX_CHARS) -> str:
    """One key fact: the first sentence after the headline carrying a figure, else the
    sentence right after the headline; kept short."""
    body = [s for s in sentences(practice.text) if not _is_headline(s, practice)]
    if not body:
        return shorten(practice.title, max_chars)
    chosen = next((s for s in body if has_figure(s)), body[0])
    return shorten(chosen, max_chars)


def body_text(practice: Practice) -> str:
    """The practice's full text without its headline (shown just above it)."""
    parts = sentences(practice.text)
    if parts and _is_headline(parts[0], practice):
        parts = parts[1:]
    return "".join(parts) or practice.text


def item_response(region_match: str, place: Optional[str]) -> str:
    """The response for one item: plain, or labelled as from the province or elsewhere."""
    if not place or region_match == REGION_EXACT:
        return "utter_practice_item"
    if region_match == REGION_PROVINCE:
        return "utter_practice_item_province"
    return "utter_practice_item_elsewhere"


def utter_items(
    dispatcher: CollectingDispatcher, hits: Sequence[Hit], first_number: int, place: Optional[str]
) -> None:
    """One short message per practice, numbered from ``first_number``."""
    for number, hit in enumerate(hits, start=first_number):
        practice = hit.practice
        dispatcher.utter_message(
            response=item_response(hit.region_match, place),
            n=str(number),
            place=practice.region,
            title=practice.title,
            fact=key_fact(practice),
        )


def utter_sources(dispatcher: CollectingDispatcher, practices: Iterable[Practice]) -> None:
    """Where the practices come from: per document, its title and the citations."""
    by_document: dict[str, list[str]] = {}
    for practice in practices:
        citations = by_document.setdefault(practice.document, [])
        if practice.citation not in citations:
            citations.append(practice.citation)
    for document, citations in by_document.items():
        dispatcher.utter_message(
            response="utter_practice_source", document=document, citations=_CITATION_SEPARATOR.join(citations)
        )


def utter_cards(dispatcher: CollectingDispatcher, practices: Iterable[Practice]) -> None:
    """The design's ``custom`` payload: the practices' cards in the order shown."""
    dispatcher.utter_message(json_message={"practices": [p.card() for p in practices]})


def present(
    dispatcher: CollectingDispatcher, hits: Sequence[Hit], first_number: int, place: Optional[str]
) -> list[str]:
    """Show the hits (items, source, cards) and return their ids in the order shown."""
    practices = [hit.practice for hit in hits]
    utter_items(dispatcher, hits, first_number, place)
    utter_sources(dispatcher, practices)
    utter_cards(dispatcher, practices)
    return [p.id for p in practices]
