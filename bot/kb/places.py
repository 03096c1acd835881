"""Find the places a message names, for the NLU and for search alike.

spaCy's ``zh`` tokenizer segments with jieba (taught every place name the
gazetteer knows, so names come out as single words), and a name is found where
a run of words is the words jieba cuts that name into, the longest run first,
as spaCy's entity ruler matches phrases. The recognizer is built on first use
and reused by the whole process.

Where jieba's segmentation and the names disagree, two fallbacks fill the gap:
a word jieba keeps whole that is itself a chain of names (吉林长春, 上海浦东), and a
plain scan for names of three or more characters that jieba cut across (shorter
names need a word boundary: 和县 must not be found in 我和县长说).

A name right after another and inside it (安徽和县, 四川 叙永) makes one mention
of the more specific place; an ambiguous name prefers the place inside the one
mentioned before it.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Optional

from bot.kb.regions import Gazetteer, get_gazetteer
from bot.kb.text import simplified_in_place
from bot.kb.types import Place

if TYPE_CHECKING:  # spaCy is imported on first use, not at import time
    from spacy.language import Language
    from spacy.tokens import Doc

# Names shorter than this are never matched (the gazetteer has none, but a
# one-character name such as 粤 or 川 is an ordinary character in most text).
MIN_ALIAS_CHARS = 2
# Names this long are safe to find inside a longer word when jieba misaligns.
FALLBACK_MIN_CHARS = 3
# Messages are short; a pasted document is cut here rather than rejected.
MAX_TEXT_CHARS = 10_000

# Short forms (and a few official names) that are everyday words far more often
# than places: matching them would put a place into 找公安 (police), 天台施工
# (a rooftop), 延长工期 (extend), 比如说 (for example), 建安费 (construction and
# installation), 新建项目 (new), 大厂 (a big factory), 工业园 (an industrial park).
# The full names (公安县, 天台县, 延长县, 比如县 …) are still found.
STOP_ALIASES = frozenset(
    """
    公安 天台 高台 平房 洞口 通道 石棉 港口 灯塔 建安 新建 大厂 工业园 资源 合作 比如 延长 安居
    中方 南部 东方 东区 西区 南区 北区 中区 中西 城区 郊区 矿区 市中 市北 市南 路北 路南
    城关 城中 城东 城西 城北 老城 新城 新市 河口 大堂 山上 将军 树林 桥头 大树 大内 万里 三重
    板桥 信义 中正 和平 新华 光明 东风 解放 解放区 向阳 红旗 工农 爱民 宏伟 复兴 民权 安定 平安
    富民 富裕 友好 友谊 前进 前锋 新兴 凤凰 芙蓉 莲花 麒麟 龙凤 海棠 淡水 盐水 清水 温泉 大方
    小店 互助 同心 共和 康乐 万年 万全 长寿 长安 永安 太平 江南 江岸 南岸 阿里 吉利 建华 会同 方正
    元宝 海盐
    """.split()
)


@dataclass(frozen=True)
class PlaceMention:
    """A place named in a text: characters [start, end) of the text as given."""

    start: int
    end: int
    text: str
    place: Place


def recognizable_aliases(gazetteer: Gazetteer) -> dict[str, Place]:
    """Each name the recognizer looks for, with the place it means by default."""
    aliases: dict[str, Place] = {}
    for alias, place in gazetteer.aliases():  # each name's preferred place first
        if len(alias) >= MIN_ALIAS_CHARS and alias not in STOP_ALIASES:
            aliases.setdefault(alias, place)
    return aliases


_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def add_place_words() -> int:
    """Teach the process-wide jieba dictionary every place name (once).

    spaCy's ``zh`` tokenizer and Rasa's JiebaTokenizer both cut with it. A name
    jieba does not know gets the smallest frequency that keeps it whole on its
    own (``suggest_freq``), so it does not swallow the words around it.

    Returns:
        How many names were added.
    """
    import jieba

    from bot.kb.text import default_dictionary

    added = 0
    with _jieba_lock:
        default_dictionary()  # loads the process-wide dictionary, kept as it was for bot.kb.text
        for alias in recognizable_aliases(get_gazetteer()):
            if not jieba.dt.FREQ.get(alias):
                jieba.suggest_freq(alias, tune=True)
                added += 1
    return added


class PlaceRecognizer:
    """spaCy's ``zh`` tokenizer (jieba) and every name as the words that tokenizer cuts it into.

    Why not spaCy's entity ruler: it tokenizes each of the ~6,700 names into a Doc and adds it
    to its matcher, half a second at each start of the command line and the servers, while a
    set of word tuples is built in a twentieth of that and finds the same runs of words.
    """

    def __init__(self, nlp: Language, names: Iterable[tuple[str, ...]]) -> None:
        self.nlp = nlp
        self._names = frozenset(names)
        self._longest = max(map(len, self._names), default=0)

    def name_spans(self, doc: Doc) -> list[tuple[int, int]]:
        """Token spans [start, end) of the names in a doc: the longest first, then the earliest,
        none overlapping one taken before it (as the entity ruler keeps its matches)."""
        words = [token.text for token in doc]
        found = [
            (start, end)
            for start in range(len(words))
            for end in range(start + 1, min(start + self._longest, len(words)) + 1)
            if tuple(words[start:end]) in self._names
        ]
        taken = bytearray(len(words))
        spans = []
        for start, end in sorted(found, key=lambda span: (span[0] - span[1], span[0])):
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * (end - start)
                spans.append((start, end))
        return sorted(spans)


_recognizer_lock = threading.Lock()
_recognizer: Optional[PlaceRecognizer] = None


def get_place_recognizer() -> PlaceRecognizer:
    """The process-wide recognizer: spaCy's blank ``zh`` with jieba, and the place names (built once)."""
    global _recognizer
    if _recognizer is None:
        with _recognizer_lock:
            if _recognizer is None:
                import jieba
                import spacy

                add_place_words()
                nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
                # The tokenizer cuts with the process-wide jieba and keeps each word as jieba gives it.
                names = (tuple(word for word in jieba.cut(name) if word) for name in recognizable_aliases(get_gazetteer()))
                _recognizer = PlaceRecognizer(nlp, names)
    return _recognizer


@lru_cache(maxsize=1)
def _fallback_names() -> tuple[frozenset[str], tuple[int, ...]]:
    """Names safe to find inside other words, and their lengths, longest first."""
    names = frozenset(a for a in recognizable_aliases(get_gazetteer()) if len(a) >= FALLBACK_MIN_CHARS)
    return names, tuple(sorted({len(name) for name in names}, reverse=True))


def _chain_words(doc: Doc, gazetteer: Gazetteer, names: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Words jieba's own dictionary keeps whole that are chains of names (吉林长春, 上海浦东),
    outside the names found (token spans)."""
    inside = {i for start, end in names for i in range(start, end)}
    found = []
    for token in doc:
        if len(token) >= 2 * MIN_ALIAS_CHARS and token.i not in inside:
            leading = gazetteer.leading_place(token.text)
            if leading is not None and len(leading[0]) == len(token):
                found.append((token.idx, token.idx + len(token)))
    return found


def _fallback_spans(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Long names the ruler missed because jieba cut across them."""
    names, lengths = _fallback_names()
    covered = bytearray(len(text) + 1)
    for start, end in taken:
        covered[start:end] = b"\x01" * (end - start)
    found = []
    pos = 0
    while pos < len(text):
        for length in lengths:
            end = pos + length
            if end <= len(text) and not any(covered[pos:end]) and text[pos:end] in names:
                found.append((pos, end))
                pos = end
                break
        else:
            pos += 1
    return found


def find_places(text: str) -> list[PlaceMention]:
    """The places a text names, in order.

    Args:
        text: A message as typed (Simplified or Traditional), any length; only the
            first MAX_TEXT_CHARS characters are read.

    Returns:
        One mention per place, e.g. "四川叙永咋样" → [PlaceMention(0, 4, "四川叙永",
        叙永县)]; [] for empty or non-text input or when no place is named.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    text = text[:MAX_TEXT_CHARS]
    matchable = simplified_in_place(text)
    gazetteer = get_gazetteer()
    # Each way below finds a name of two characters or more: most messages hold none, and need no spaCy.
    if not gazetteer.names_any(matchable):
        return []
    recognizer = get_place_recognizer()
    doc = recognizer.nlp(matchable)
    names = recognizer.name_spans(doc)
    spans = [(doc[start].idx, doc[end - 1].idx + len(doc[end - 1])) for start, end in names]
    spans += _chain_words(doc, gazetteer, names)
    spans = sorted(spans + _fallback_spans(matchable, spans))
    mentions: list[PlaceMention] = []
    for start, end in spans:
        previous: Optional[PlaceMention] = mentions[-1] if mentions else None
        place = gazetteer.resolve(matchable[start:end], within=previous.place if previous else None)
        if place is None:
            continue
        if (
            previous is not None
            and not matchable[previous.end : start].strip()
            and place.code != previous.place.code
            and gazetteer.contains(previous.place, place)
        ):
            mentions[-1] = PlaceMention(previous.start, end, text[previous.start : end], place)
        else:
            mentions.append(PlaceMention(start, end, text[start:end], place))
    return mentions
