"""How practices are shown: one message per answer that every channel can draw.

The message's text is the compact answer for channels that show text (WeChat, REST
text): each practice as one numbered item, then one source line. Its ``custom`` payload
carries the same practices as cards (place, headline, key fact, citation) for channels
that draw them (the web chat, apps); such a channel draws the cards instead of the text,
so each practice appears once. Only variables are computed here; every sentence is a
response in domain.yml (``bot.responses`` fills the per-item ones).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable, Iterator, Optional, Sequence

from rasa_sdk.executor import CollectingDispatcher

from bot import responses
from bot.kb.types import REGION_EXACT, REGION_PROVINCE, Hit, Practice

# The key fact stays readable on a phone: about three lines of a card at 390 px.
FACT_MAX_CHARS = 56

# A sentence ends at 。！？； (full- or half-width).
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
# A figure is a number with what it counts: 56个项目, 3.7万个, 36.8万份, 90%.
# Years (2023年) and document numbers (〔2022〕19号) are not figures.
_FIGURE = re.compile(
    r"\d[\d.,]*\s*(?:%|％|万|亿|千|百|个|名|人|家|项|场|份|元|次|余|多|倍|所|期|天"
    r"|小时|批|类|种|支|户|套|条|座|间|亩|平方米)"
)
# A sentence that reports results ("截至2023年底…累计…万人次") rather than saying what is done.
_RESULTS = re.compile(r"^(截至|截止|近年来|目前|先后|累计|\d{4}\s*年)|累计|共计|人次|亿元|[率]达")
# Words of what a worker can use or meet on site.
_USABLE = re.compile("工人|农民工|免费|补贴|工资|培训|服务|平台|维权|调解|纠纷|岗位|找活|招工|合同|证书|体检|考勤|预警"
                     "|扫码|专户|代发")
# A clause that only frames what follows ("依托产业园，" "围绕…方针，"): skipped when the rest says more.
_FRAMING = re.compile(r"^(为了?|针对|围绕|基于|按照|根据|依托|聚焦|结合|立足|坚持|发挥)")
# What is done ("推行…专户", "补贴 200 元"), and what is only its outcome ("提升监管效能").
_DOING = re.compile(r"推行|实行|建立|设立|开发|举办|开展|提供|补贴|给予|纳入|发放|免费|成立|搭建|实施|代发|预警|调解")
_AMOUNT = re.compile(r"(补贴|奖励|给予)\s*\d[\d.]*\s*(万)?元")
_OUTCOME = re.compile(r"^(提升|提高|实现|推动|促进|形成|丰富|解决|强化|逐步|督促|确保|有效|进一步|着力|助推|为)")
_DOCUMENT = re.compile(r"印发|〔\d{4}〕")  # a document issued, not what it does
_CLAUSE_END = re.compile(r"(?<=[，,：:])")  # not 、: a list item cut from its list reads as a fragment
_ELLIPSIS = "…"
_TRAILING_FIGURE = re.compile(r"[\d.,%．\s]+$")
_CITATION_SEPARATOR = "、"
_SOURCE_SEPARATOR = "；"

LIST_RESPONSE = "utter_practice_list"
ITEM_RESPONSE = "utter_practice_item"
DETAIL_BUTTON_RESPONSE = "utter_practice_detail_button"
DETAIL_RESPONSE = "utter_practice_detail"
CITATION_RESPONSE = "utter_citation_practices"
CITATION_ITEM_RESPONSE = "utter_citation_practice"
SOURCE_RESPONSE = "utter_practice_source"
PLACE_LABEL_RESPONSES = {REGION_PROVINCE: "utter_practice_place_province", "elsewhere": "utter_practice_place_elsewhere"}


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


def reports_results(sentence: str) -> bool:
    """Whether the sentence reports results (totals, rates, "截至…") rather than what is done."""
    return bool(_RESULTS.search(sentence))


def _windows(sentence: str, max_chars: int) -> Iterator[tuple[int, str]]:
    """Each quote of the sentence that starts at a clause and keeps whole clauses up to
    ``max_chars`` (a first clause too long is cut within, never inside a figure)."""
    clauses = [c for c in _CLAUSE_END.split(sentence.rstrip("；;")) if c]
    for start in range(len(clauses)):
        kept = ""
        for clause in clauses[start:]:
            if len(kept) + len(clause) > max_chars:
                break
            kept += clause
        yield start, kept or _cut_within(clauses[start], max_chars - 1)


def _worth(quote: str, sentence_index: int, clause_index: int) -> float:
    """How well a quote tells a worker what is done: words of what a worker meets, a deed and
    an amount per person count; reports of totals, document numbers, framing and outcome
    clauses, fragments and lateness cost."""
    usable = min(3, len(set(_USABLE.findall(quote))))
    return (usable + 1.0 * bool(_DOING.search(quote)) + 2.0 * bool(_AMOUNT.search(quote))
            - 4.0 * reports_results(quote) - 3.0 * bool(_DOCUMENT.search(quote))
            - 3.0 * bool(_FRAMING.match(quote)) - 1.5 * bool(_OUTCOME.match(quote))
            - 2.0 * (len(quote) < 16) - 0.5 * sentence_index - 0.3 * clause_index)


def _best_quote(body: Sequence[str], max_chars: int) -> str:
    """The best-worth quote among the sentences' quotes (the earliest on a tie), ending with … when cut."""
    candidates = [((_worth(quote, i, start), -i, -start), sentence, quote)
                  for i, sentence in enumerate(body) for start, quote in _windows(sentence, max_chars)
                  if quote.strip(" 。！？!?；;，,：:、")]
    if not candidates:  # nothing to quote (an empty or punctuation-only text)
        return ""
    _, sentence, quote = max(candidates)
    quote = quote.rstrip("，,：:、；;")
    return quote if sentence.endswith(quote) else quote.rstrip("。") + _ELLIPSIS


def shorten(sentence: str, max_chars: int = FACT_MAX_CHARS) -> str:
    """The sentence, or its best quote of at most ``max_chars`` characters."""
    return _best_quote([sentence], max_chars)


def _cut_within(clause: str, max_chars: int) -> str:
    """The clause cut to ``max_chars`` at a list comma (、) if there is one, and never inside a figure."""
    head = clause[:max_chars]
    if "、" in head:
        return head[: head.rindex("、")]
    # A figure cut short ("补贴 4…" for 400) would misstate it: drop the figure whole.
    return _TRAILING_FIGURE.sub("", head) if clause[max_chars:max_chars + 1].isdigit() or head[-1:].isdigit() else head


@lru_cache(maxsize=1024)  # a practice never changes: its fact was half the work of an answer
def key_fact(practice: Practice, max_chars: int = FACT_MAX_CHARS) -> str:
    """One key fact, quoted from the practice: the part of a sentence after the headline that
    best says what is done for workers (a report of totals only when nothing else is there)."""
    body = [s for s in sentences(practice.text) if not _is_headline(s, practice)]
    return _best_quote(body or [practice.title], max_chars)


def body_text(practice: Practice) -> str:
    """The practice's full text without its headline (shown just above it)."""
    parts = sentences(practice.text)
    if parts and _is_headline(parts[0], practice):
        parts = parts[1:]
    return "".join(parts) or practice.text


def place_label(hit: Hit, place: Optional[str]) -> str:
    """Where the practice is from, labelled as from the province or elsewhere when a place was asked."""
    region = hit.practice.region
    if not place or hit.region_match == REGION_EXACT:
        return region
    key = REGION_PROVINCE if hit.region_match == REGION_PROVINCE else "elsewhere"
    return responses.text(PLACE_LABEL_RESPONSES[key], place=region) or region


def source_line(practices: Iterable[Practice]) -> str:
    """The source of the practices: per document, its title and the citations, in the order shown."""
    by_document: dict[str, list[str]] = {}
    for practice in practices:
        citations = by_document.setdefault(practice.document, [])
        if practice.citation not in citations:
            citations.append(practice.citation)
    return _SOURCE_SEPARATOR.join(f"《{d}》{_CITATION_SEPARATOR.join(c)}" for d, c in by_document.items())


def card(practice: Practice, **shown: Any) -> dict[str, Any]:
    """The design's card fields, plus how this answer shows the practice (``n``, ``place``,
    ``fact`` or ``body``, the ``detail`` button)."""
    return {**practice.card(), **{k: v for k, v in shown.items() if v}}


def _cards_payload(cards: list[dict[str, Any]], sources: str) -> dict[str, Any]:
    return {"practices": cards, "source": responses.text(SOURCE_RESPONSE, sources=sources)}


def present(
    dispatcher: CollectingDispatcher, hits: Sequence[Hit], first_number: int, place: Optional[str]
) -> list[str]:
    """Show the hits as one message (numbered items and their source; the cards) and return
    their ids in the order shown."""
    practices = [hit.practice for hit in hits]
    items, cards, detail_buttons = [], [], []
    for number, hit in enumerate(hits, start=first_number):
        practice, label, fact = hit.practice, place_label(hit, place), key_fact(hit.practice)
        items.append(responses.text(ITEM_RESPONSE, n=number, place=label, title=practice.title, fact=fact))
        button = next(iter(responses.buttons(DETAIL_BUTTON_RESPONSE, n=number)), None)
        detail_buttons += [button] if button else []
        cards.append(card(practice, n=str(number), place=label, fact=fact, detail=button))
    sources = source_line(practices)
    dispatcher.utter_message(
        response=LIST_RESPONSE, items="\n".join(items), sources=sources,
        buttons=detail_buttons, json_message=_cards_payload(cards, sources),
    )
    return [p.id for p in practices]


def present_in_full(dispatcher: CollectingDispatcher, practice: Practice, number: int) -> None:
    """One practice shown in the thread (第N条), in full, with its source and card."""
    sources = source_line([practice])
    body = body_text(practice)
    dispatcher.utter_message(
        response=DETAIL_RESPONSE, n=str(number), place=practice.region, title=practice.title, body=body,
        sources=sources, json_message=_cards_payload([card(practice, n=str(number), body=body)], sources),
    )


def present_cited(dispatcher: CollectingDispatcher, practices: Sequence[Practice]) -> None:
    """Practices named by their numbering ("五（一）2"), in full, with their source and cards."""
    items, cards = [], []
    for practice in practices:
        body = body_text(practice)
        items.append(responses.text(CITATION_ITEM_RESPONSE, citation=practice.citation, place=practice.region,
                                    title=practice.title, body=body))
        cards.append(card(practice, body=body))
    sources = source_line(practices)
    dispatcher.utter_message(response=CITATION_RESPONSE, items="\n".join(items), sources=sources,
                             json_message=_cards_payload(cards, sources))


def present_sources(dispatcher: CollectingDispatcher, practices: Sequence[Practice]) -> None:
    """Where the practices shown come from: the source line, with their cards."""
    sources = source_line(practices)
    cards = [card(p, fact=key_fact(p)) for p in practices]
    dispatcher.utter_message(response=SOURCE_RESPONSE, sources=sources, json_message=_cards_payload(cards, sources))
