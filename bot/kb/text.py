"""Text normalization and tokenization shared by search, ingestion and NLU helpers.

`normalize` makes what a worker types comparable with what the document prints:
full-width forms folded (NFKC), Traditional characters read as Simplified,
control and invisible characters dropped, whitespace collapsed, length capped.
`tokenize` segments Chinese with jieba and the project's domain dictionary
(`data/jieba/`, the same files Rasa's JiebaTokenizer loads), dropping stop words
and punctuation. The jieba dictionary is loaded once, on first use.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Optional

import jieba
import zhconv

# A worker's message is a sentence or two; 500 characters leaves room for a
# pasted paragraph while keeping segmentation and search fast on junk input
# (a 10,000-character paste is cut, not rejected).
MAX_QUERY_CHARS = 500

# Every file in this folder is a jieba user dictionary ("word [freq] [pos]").
JIEBA_DICT_DIR = Path(__file__).resolve().parents[2] / "data" / "jieba"

# Unicode categories removed outright: controls, format characters (zero-width
# joiners, bidi marks), surrogates, private use and unassigned code points.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_WHITESPACE = re.compile(r"\s+")

# Function words and the question padding of chat messages ("…咋办", "有没有…的做法"),
# which carry no topic. Not user-facing text: a search vocabulary.
STOP_WORDS = frozenset(
    """
    的 了 呢 吗 嘛 吧 啊 呀 哦 哈 么 啥 嘞 咧 哟 噢 喔 诶 哎 唉 嗯 么样
    你好 您好 好 好的 谢谢 我 你 您 他 她 它 我们 你们 他们 咱 咱们 俺 自己 大家 人家
    是 在 有 没 没有 有没有 有没 要 不要 会 能 能不能 可以 可不可以 想 想要 请问 问 问问 问一下 一下 下
    这 那 这个 那个 这些 那些 这里 那里 这边 那边 哪 哪里 哪儿 哪个 哪些 哪些地方
    什么 怎么 怎么样 怎样 怎么办 咋 咋办 咋整 咋弄 咋样 如何 为什么 为啥 多少 几 谁 找谁
    和 与 及 或 或者 还是 跟 同 把 被 让 给 对 向 从 到 就 都 也 还 又 再 才 只 很 太 最 更
    一 一个 个 些 一些 点 一点 等 等等 之 其 该 其他 以及 并 并且 而 而且 但 但是 如果 因为 所以
    做法 经验 经验做法 办法 政策 规定 情况 方面 事 事情 东西 知道 告诉 说 讲 看 看看 了解 介绍 具体
    地方 当地 本地 这儿 里 上 中 内 外 前 后 时候 现在 今年 去年 已经 正在 关于 一般 是不是 是否
    """.split()
)
# Words nearly every question and every practice share ("工地上…", "建筑工人…"): they
# say nothing about the topic, and alone they would make small talk look relevant.
GENERIC_WORDS = frozenset("工地 工作 建筑 建筑业 建筑工人 工人 施工 项目 工程 企业 行业 单位 干活 活 农民工 农民 民工".split())


def normalize(text: object, max_chars: Optional[int] = MAX_QUERY_CHARS) -> str:
    """Return `text` in the canonical form search compares.

    Args:
        text: Anything; non-strings give "".
        max_chars: Length cap (characters, after cleaning); None for no cap
            (used for the document's own text).

    Returns:
        NFKC-folded, Simplified, single-spaced text without control characters.
    """
    if not isinstance(text, str) or not text:
        return ""
    if max_chars is not None:
        text = text[: max_chars * 4]  # bound the work before cleaning
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )
    text = _WHITESPACE.sub(" ", text).strip()
    if max_chars is not None:
        text = text[:max_chars]
    return zhconv.convert(text, "zh-cn") if text else ""


_tokenizer_lock = threading.Lock()
_tokenizer_instance: Optional[jieba.Tokenizer] = None


@lru_cache(maxsize=1)
def default_dictionary() -> tuple[dict[str, int], int]:
    """jieba's default dictionary (word → frequency, total) as it loaded, before any word was added.

    Loading it takes about half a second; the process-wide tokenizer (spaCy's, Rasa's, the place
    words') and ours share this one load. Call it before adding words to the process-wide one.
    """
    jieba.dt.initialize()
    return dict(jieba.dt.FREQ), jieba.dt.total


def _tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer of its own, with every domain dictionary loaded (once)."""
    global _tokenizer_instance
    if _tokenizer_instance is None:
        with _tokenizer_lock:
            if _tokenizer_instance is None:
                tokenizer = jieba.Tokenizer()
                freq, total = default_dictionary()
                tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(freq), total, True
                if JIEBA_DICT_DIR.is_dir():
                    for path in sorted(JIEBA_DICT_DIR.glob("*.txt")):
                        tokenizer.load_userdict(str(path))
                _tokenizer_instance = tokenizer
    return _tokenizer_instance


def _is_word(token: str) -> bool:
    """True for a token that can carry a topic: it has a letter, and is not one Latin letter.

    Numbers (1, 2023, 97%) and symbols say nothing about a topic on their own, and
    stray ASCII ("' OR 1=1 --", "a NEAR b*") must not match the figures in the text.
    """
    if len(token) == 1 and token.isascii():
        return False
    return any(unicodedata.category(ch)[0] == "L" for ch in token)


def tokenize(text: str, for_search: bool = True) -> list[str]:
    """Segment normalized text into content words.

    Args:
        text: Text already passed through `normalize`.
        for_search: Also emit the shorter words inside long ones
            (农民工 → 农民, 民工, 农民工), so a query for 专户 finds 工资专户.

    Returns:
        Lower-cased tokens, in order, without stop words, generic words or punctuation.
    """
    if not text:
        return []
    tokenizer = _tokenizer()
    pieces = tokenizer.cut_for_search(text) if for_search else tokenizer.cut(text)
    tokens = []
    for piece in pieces:
        token = piece.strip().lower()
        if token and token not in STOP_WORDS and token not in GENERIC_WORDS and _is_word(token):
            tokens.append(token)
    return tokens


def dictionary_words(text: str) -> list[tuple[str, int, int]]:
    """Segment text with the dictionaries only (no guessed words), with offsets.

    Args:
        text: Text already passed through `normalize`.

    Returns:
        (word, start, end) for every piece, punctuation included, covering the text.
    """
    if not text:
        return []
    return list(_tokenizer().tokenize(text, HMM=False))


def simplified_in_place(text: str) -> str:
    """Traditional characters read as Simplified, only when every character keeps its offset.

    NLU entities and place mentions point into the text as the worker typed it, so a
    conversion that would change the length is not applied.
    """
    if not isinstance(text, str) or not text:
        return text
    converted = zhconv.convert(text, "zh-hans")
    return converted if len(converted) == len(text) else text
