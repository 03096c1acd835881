"""Words typed with the wrong characters of the right sound, read as the domain words they sound like.

Workers type on a phone with a pinyin keyboard and pick the first characters of the right sound:
公资 for 工资, 包公头 for 包工头, 东管 for 东莞, 讨心 for 讨薪. Such a slip is a string of two to four
Chinese characters that is not a common word (jieba's dictionary), reads exactly as one domain word
without tones (pypinyin) and shares a character with it, and whose edge characters make no common
word with the characters beside them ("工地上还" is 地上 and 还, not 上海). The domain words are the
jieba domain dictionary, the names of provinces and cities, and a few everyday words of the topics.
A slip is replaced by its word in place, character for character, so entity offsets still point at
what the worker typed.
"""
from __future__ import annotations

import re
from functools import lru_cache

# A string jieba's own dictionary counts at least this often is a word of its own (功底, 公司), not a slip;
# rarer ones (老版 3, 公地 3) are read as the domain word they sound like.
COMMON_WORD_FREQUENCY = 10
RARE_WORD_FREQUENCY = 100  # below this, a word inside a three- or four-character slip may change too
LONGEST, SHORTEST = 4, 2
_HAN = re.compile(r"[\u4e00-\u9fff]")


# Everyday words of the list's topics that the domain dictionary leaves to jieba's own.
EVERYDAY_WORDS = ("工资", "工钱", "老板", "培训", "补贴", "技能", "证书", "工伤", "受伤", "赔偿", "合同", "社保",
                  "电焊", "焊工", "电工", "木工", "瓦工", "钢筋", "技工", "工地", "拖欠", "讨要")


def _domain_words() -> set[str]:
    from bot.kb.places import recognizable_aliases
    from bot.kb.regions import COUNTY, get_gazetteer
    from bot.kb.text import JIEBA_DICT_DIR

    words = set(EVERYDAY_WORDS)
    for path in sorted(JIEBA_DICT_DIR.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                words.add(line.split()[0])
    # Provinces and cities only: three thousand county names would sound like too many ordinary phrases.
    words.update(alias for alias, place in recognizable_aliases(get_gazetteer()).items() if place.level != COUNTY)
    return {w for w in words if SHORTEST <= len(w) <= LONGEST and all(_HAN.match(ch) for ch in w)}


@lru_cache(maxsize=16384)
def _sound(chars: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(chars))


@lru_cache(maxsize=1)
def _domain() -> frozenset[str]:
    return frozenset(_domain_words())


@lru_cache(maxsize=1)
def _by_sound() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Each toneless reading, with the domain words that read so."""
    index: dict[tuple[str, ...], list[str]] = {}
    for word in sorted(_domain()):
        index.setdefault(_sound(word), []).append(word)
    return {sound: tuple(words) for sound, words in index.items()}


def _is_common(chars: str, frequency: int = COMMON_WORD_FREQUENCY) -> bool:
    from bot.kb.text import default_dictionary

    return default_dictionary()[0].get(chars, 0) >= frequency


# Characters a slip never puts in place of a domain word's: "我不贴了" is not 补贴, "既能" is not 技能.
FUNCTION_CHARACTERS = frozenset("不没了的是在我你他她它有和就都也还又既很太")


def _joins_neighbour(text: str, start: int, end: int) -> bool:
    """Whether the window's first or last character makes a common word with the one beside it."""
    before = text[start - 1:start + 1] if start else ""
    after = text[end - 1:end + 1]
    return any(len(pair) == 2 and _is_common(pair) for pair in (before, after))


def corrected(text: str) -> str:
    """`text` with each sound-alike slip replaced by its domain word (same length, same offsets).
    Only the first ``MAX_QUERY_CHARS`` characters, all that search reads, are looked at."""
    from bot.kb.text import MAX_QUERY_CHARS

    if isinstance(text, str) and len(text) > MAX_QUERY_CHARS:
        return corrected(text[:MAX_QUERY_CHARS]) + text[MAX_QUERY_CHARS:]
    if not isinstance(text, str) or not _HAN.search(text):
        return text
    from bot.kb.text import dictionary_words

    index, domain = _by_sound(), _domain()
    # A slip breaks its word into pieces the dictionary does not join (公资 → 公 资), so a window must
    # begin and end where the segmentation does, and a word it holds must stay as it is: "找工作" keeps
    # 找 apart from 工作, while 实名志 becomes 实名制. Only a longer slip may change a rarer word in it
    # (包公头 → 包工头: 包公 is a word, but a rare one).
    starts, ends, words_at = set(), set(), {}
    for piece, start, end in dictionary_words(text):
        starts.add(start)
        ends.add(end)
        if end - start > 1 and (piece in domain or _is_common(piece)):
            words_at[start] = (piece, piece not in domain and not _is_common(piece, RARE_WORD_FREQUENCY))
    chars = list(text)
    sounds = [_sound(ch)[0] if _HAN.match(ch) else "" for ch in chars]
    i = 0
    while i < len(chars):
        for n in range(LONGEST, SHORTEST - 1, -1):
            window = "".join(chars[i:i + n])
            if (len(window) < n or window in domain or i not in starts or i + n not in ends
                    or not all(sounds[i:i + n]) or _is_common(window) or _joins_neighbour(text, i, i + n)):
                continue
            kept = {start - i: piece for start, (piece, rare) in words_at.items()
                    if i <= start < i + n and not (rare and n > SHORTEST)}
            words = [w for w in index.get(tuple(sounds[i:i + n]), ())
                     if set(w) & set(window) and not FUNCTION_CHARACTERS & (set(window) - set(w))
                     and all(w[at:at + len(piece)] == piece for at, piece in kept.items())]
            if len(words) == 1:
                chars[i:i + n] = words[0]
                i += n - 1
                break
        i += 1
    return "".join(chars)
