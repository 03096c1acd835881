"""Turn the messages Rasa sent in one turn into text replies (WeChat, WeCom, the terminal chat).

A WeChat (or WeCom) text reply carries one text of at most 2048 bytes. Rasa
answers with several messages, some with buttons; this module joins them into
one readable text, renders buttons as numbered choices, and cuts a long text
into pages at sentence boundaries, each but the last ending with the "reply
'more'" prompt. The terminal chat uses the same rendering, unpaged. A `custom`
payload is left out: an answer's text already says what its cards show. Pure functions: no Rasa, no I/O.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional, Sequence

MAX_REPLY_BYTES = 2048
"""The largest text WeChat shows in one passive or customer-service reply."""

SENTENCE_ENDS = "。！？!?；;…\n"
"""Characters after which a page may end."""

MORE_KEYWORDS = frozenset({"更多", "more", "下一页"})
"""What a user types to see the next page of a long answer."""

_CHOICE = re.compile(r"^\s*(\d{1,2})\s*[.。、]?\s*$")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class ChannelTexts:
    """The sentences the channel itself says, taken from `domain.yml` responses.

    Attributes:
        unsupported: the reply to a picture, video, location or any other message
            the assistant cannot read.
        voice_unrecognized: the reply to a voice message WeChat could not transcribe.
        more_prompt: the line ending every page but the last of a long answer.
        choose_hint: the line under numbered choices, telling the user to reply a digit.
    """

    unsupported: str = ""
    voice_unrecognized: str = ""
    more_prompt: str = ""
    choose_hint: str = ""


RESPONSE_NAMES = {
    "unsupported": "utter_wechat_unsupported",
    "voice_unrecognized": "utter_wechat_voice_unrecognized",
    "more_prompt": "utter_wechat_more_prompt",
    "choose_hint": "utter_wechat_choose_hint",
}
"""Which `domain.yml` response holds each of the channel's texts."""


def texts_from_responses(responses: Mapping[str, Sequence[Mapping[str, Any]]]) -> ChannelTexts:
    """Reads the channel's texts from a domain's `responses` (the first variation of each).

    Args:
        responses: response name → list of variations, as in `Domain.responses`.

    Returns:
        The texts; a missing response gives an empty text, which the channel
        treats as "say nothing" rather than failing.
    """
    values = {}
    for attribute, name in RESPONSE_NAMES.items():
        variations = responses.get(name) or []
        first = variations[0] if variations else {}
        values[attribute] = str(first.get("text") or "").strip()
    return ChannelTexts(**values)


@dataclass(frozen=True)
class ComposedReply:
    """One turn's answer, ready for WeChat.

    Attributes:
        pages: the answer cut into texts of at most the byte limit; the first is
            sent now, the rest one by one when the user asks for more.
        choices: the payloads of the numbered buttons, in order (choice 1 first).
    """

    pages: tuple[str, ...]
    choices: tuple[str, ...]


def compose_reply(
    messages: Iterable[Mapping[str, Any]],
    texts: ChannelTexts,
    limit: Optional[int] = MAX_REPLY_BYTES,
) -> ComposedReply:
    """Joins Rasa's messages of one turn into pages of one readable text.

    Args:
        messages: the bot messages (`text`, `buttons`, `quick_replies`, `image`,
            `attachment`, `custom`) as a `CollectingOutputChannel` holds them.
        texts: the channel's own sentences.
        limit: the byte limit of one page; None for one page however long (a terminal).

    Returns:
        The pages (none when Rasa said nothing) and the button payloads.
    """
    parts: list[str] = []
    choices: list[str] = []
    for message in messages:
        text = str(message.get("text") or "").strip()
        if text:
            parts.append(text)
        buttons = message.get("buttons") or message.get("quick_replies") or []
        lines = []
        for button in buttons:
            title = str(button.get("title") or "").strip()
            payload = str(button.get("payload") or title).strip()
            if not title and not payload:
                continue
            choices.append(payload)
            lines.append(f"[{len(choices)}] {title or payload}")  # apart from the practices' own "1." numbering
        if lines:
            parts.append("\n".join(lines))
        for key in ("image", "attachment"):
            link = message.get(key)
            if isinstance(link, str) and link.strip():
                parts.append(link.strip())
    if choices and texts.choose_hint:
        parts.append(texts.choose_hint)
    body = "\n\n".join(parts).strip()
    if limit is None:
        return ComposedReply(pages=(body,) if body else (), choices=tuple(choices))
    return ComposedReply(pages=paginate(body, texts.more_prompt, limit), choices=tuple(choices))


def paginate(text: str, more_prompt: str, limit: int = MAX_REPLY_BYTES) -> tuple[str, ...]:
    """Cuts a text into pages of at most `limit` UTF-8 bytes at sentence boundaries.

    Every page but the last ends with `more_prompt` on its own line; the prompt
    counts towards the limit.

    Args:
        text: the whole answer.
        more_prompt: the line telling the user how to see the next page.
        limit: the byte limit of one page, prompt included.

    Returns:
        The pages, in order; empty for an empty text.
    """
    text = text.strip()
    suffix = f"\n\n{more_prompt}" if more_prompt else ""
    budget = max(limit - _size(suffix), 16)
    pages: list[str] = []
    while text:
        if _size(text) <= limit:
            pages.append(text)
            break
        head, text = _cut(text, budget)
        pages.append(head + suffix)
    return tuple(pages)


def choice_payload(text: str, choices: Sequence[str]) -> Optional[str]:
    """The payload of the numbered choice a user answered with, if the text is one.

    Args:
        text: what the user typed, e.g. "2", "２" or "2."
        choices: the payloads of the last numbered buttons the user saw.

    Returns:
        The chosen payload, or None when the text is not a digit in range.
    """
    match = _CHOICE.match(unicodedata.normalize("NFKC", text or ""))
    if not match:
        return None
    number = int(match.group(1))
    return choices[number - 1] if 1 <= number <= len(choices) else None


def asks_for_more(text: str) -> bool:
    """Whether the user asked for the next page of a long answer."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip().strip("'\"‘’“”。.!！").lower()
    return cleaned in MORE_KEYWORDS


def xml_safe(text: str) -> str:
    """The text made safe inside the CDATA section of a reply's XML.

    wechatpy writes `<![CDATA[text]]>` as is: characters XML forbids are removed
    and a "]]>" in the text is split across two CDATA sections.
    """
    return _XML_ILLEGAL.sub("", text).replace("]]>", "]]]]><![CDATA[>")


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(text: str, budget: int) -> tuple[str, str]:
    """Splits off the longest head of at most `budget` bytes ending a sentence."""
    head = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    boundary = max(head.rfind(mark) for mark in SENTENCE_ENDS)
    if boundary >= len(head) // 3:
        head = head[: boundary + 1]
    return head.rstrip(), text[len(head):].lstrip()
