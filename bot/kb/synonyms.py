"""The words that mean the same to a worker (data/kb/synonyms.yml) and misspelt domain words.

Workers say 欠钱, 刷脸, 考个证; the document says 拖欠农民工工资, 人脸识别, 职业技能等级证书.
The synonym groups bridge the two for search (bot/kb/search.py); a misspelt domain word of three
to six characters (实明制, 工资专护) is read as the word it differs from by one character.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

from bot.kb.text import JIEBA_DICT_DIR, dictionary_words, normalize

SYNONYMS_PATH = Path(__file__).resolve().parents[2] / "data" / "kb" / "synonyms.yml"
# A query term reached through a synonym counts this much of a word the user typed.
DEFAULT_SYNONYM_WEIGHT = 0.5
# Misspellings are looked for in domain words of at least, at most this many characters.
TYPO_MIN_CHARS = 3
TYPO_MAX_CHARS = 6


@dataclass(frozen=True)
class SynonymGroup:
    """Words that mean the same to a worker, and the weight of an expansion through them."""

    name: str
    terms: tuple[str, ...]
    weight: float = DEFAULT_SYNONYM_WEIGHT


def load_synonyms(path: Path = SYNONYMS_PATH) -> tuple[SynonymGroup, ...]:
    """Read the synonym groups (normalized, so Traditional or full-width entries still match)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups = []
    for name, group in (data.get("groups") or {}).items():
        terms = tuple(dict.fromkeys(t for t in (normalize(str(x), None).lower() for x in group["terms"]) if t))
        groups.append(SynonymGroup(name, terms, float(group.get("weight", DEFAULT_SYNONYM_WEIGHT))))
    return tuple(groups)


def load_domain_words(folder: Path = JIEBA_DICT_DIR) -> tuple[str, ...]:
    """The words of the jieba user dictionaries (first column)."""
    words = []
    for path in sorted(folder.glob("*.txt")) if folder.is_dir() else ():
        for line in path.read_text(encoding="utf-8").splitlines():
            word = line.split(" ", 1)[0].strip()
            if word and not word.startswith("#"):
                words.append(normalize(word, None).lower())
    return tuple(words)


class TypoReader:
    """Reads a misspelt domain word (one character wrong) as the word itself."""

    def __init__(self, words: Iterable[str]) -> None:
        self._words = set(words)
        self._patterns: dict[str, set[str]] = defaultdict(set)
        for word in self._words:
            if TYPO_MIN_CHARS <= len(word) <= TYPO_MAX_CHARS:
                for i in range(len(word)):
                    self._patterns[word[:i] + "\0" + word[i + 1 :]].add(word)
        self._lengths = sorted({len(p) for p in self._patterns})

    def corrections(self, text: str) -> set[str]:
        """Domain words that a stretch of `text` misspells by one character.

        A stretch counts only where the dictionary cannot read the text: the wrong
        character and at least one other stand alone in the segmentation (实/明/制,
        工资/专/护), so real words (建筑工人, 工资拿不到) are never "corrected".
        """
        alone = {start for word, start, _ in dictionary_words(text) if len(word) == 1}
        found: set[str] = set()
        for length in self._lengths:
            for start in range(len(text) - length + 1):
                chunk = text[start : start + length]
                if chunk in self._words or sum(p in alone for p in range(start, start + length)) < 2:
                    continue
                for i in range(length):
                    if start + i not in alone:
                        continue
                    for word in self._patterns.get(chunk[:i] + "\0" + chunk[i + 1 :], ()):
                        if word not in text:
                            found.add(word)
        return found
