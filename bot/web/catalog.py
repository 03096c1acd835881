"""What the console shows about the practices themselves: filters, counts, highlights, answer scripts."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from bot.kb.types import Hit, Practice

SCRIPT_TEMPLATE = "console/answer_script.txt"
SUMMARY_CHARS = 120
_SENTENCE_END = re.compile(r"(?<=[。；！？])")
_TASK_ID = re.compile(r"^[0-9]{1,2}$")
_MEASURE_ID = re.compile(r"^[0-9]{1,2}\.[0-9]{1,2}$")


@dataclass(frozen=True)
class Facet:
    """One value to filter or browse by, with its number of practices."""

    key: str  # "5" for a task, "5.1" for a measure, the name for a province
    title: str
    count: int
    parent: str = ""  # a measure's task key

    def to_dict(self) -> dict[str, object]:
        return {"key": self.key, "title": self.title, "count": self.count, "parent": self.parent}


@dataclass(frozen=True)
class Filters:
    """Hard filters of a search or listing; empty fields do not filter."""

    task: str = ""
    measure: str = ""
    province: str = ""

    @staticmethod
    def valid_key(task: str, measure: str) -> bool:
        """Task keys look like ``5`` and measure keys like ``5.1``."""
        return (not task or bool(_TASK_ID.match(task))) and (not measure or bool(_MEASURE_ID.match(measure)))

    def __bool__(self) -> bool:
        return bool(self.task or self.measure or self.province)

    def accepts(self, practice: Practice) -> bool:
        return (
            (not self.task or task_key(practice) == self.task)
            and (not self.measure or measure_key(practice) == self.measure)
            and (not self.province or practice.province == self.province)
        )


def task_key(practice: Practice) -> str:
    return practice.id.split(".")[0]


def measure_key(practice: Practice) -> str:
    return ".".join(practice.id.split(".")[:2])


def tasks(practices: Sequence[Practice]) -> list[Facet]:
    """Work tasks in document order, with counts."""
    counts = Counter(task_key(p) for p in practices)
    titles = {task_key(p): p.task for p in practices}
    return [Facet(k, titles[k], counts[k]) for k in counts]


def measures(practices: Sequence[Practice]) -> list[Facet]:
    """Measures in document order, with counts and their task."""
    counts = Counter(measure_key(p) for p in practices)
    titles = {measure_key(p): p.measure for p in practices}
    return [Facet(k, titles[k], counts[k], parent=k.split(".")[0]) for k in counts]


def provinces(practices: Sequence[Practice]) -> list[Facet]:
    """Provinces, most practices first (ties in document order)."""
    counts = Counter(p.province for p in practices)
    return [Facet(name, name, count) for name, count in counts.most_common()]


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """The knowledge base's synonym groups (a query about 欠钱 also marks 欠薪 and 拖欠)."""
    from bot.kb.synonyms import load_synonyms

    return tuple(group.terms for group in load_synonyms())


def highlight_terms(query: str, texts: Iterable[str], shortest: int = 2) -> list[str]:
    """What to mark in the hits: pieces of ``query`` found in ``texts``, and synonyms of its words.

    Chinese has no spaces, so instead of segmenting, every maximal substring of
    the query (at least ``shortest`` characters) that occurs in the hits is
    marked; the words of any synonym group the query touches are marked too.
    """
    from bot.kb.text import normalize

    corpus = "\n".join(texts)
    query = normalize(query)
    found: set[str] = set()
    for i in range(len(query)):
        for j in range(len(query), i + shortest - 1, -1):
            piece = query[i:j].strip()
            if len(piece) >= shortest and piece in corpus:
                found.add(piece)
                break
    for terms in synonym_groups():
        if any(len(t) >= shortest and t in query for t in terms):
            found.update(t for t in terms if len(t) >= shortest and t in corpus)
    unique = sorted(found, key=lambda t: (-len(t), t))  # longest first; the same order on every run
    return [t for n, t in enumerate(unique) if not any(t in longer for longer in unique[:n])]


def summary(practice: Practice, limit: int = SUMMARY_CHARS) -> str:
    """The first sentences of a practice's body after its headline, at most ``limit`` characters."""
    body = practice.text.strip()
    if practice.title and practice.title in body:
        body = body.split(practice.title, 1)[1]
    body = body.lstrip("。；，：:;,. \n")
    text = ""
    for sentence in _SENTENCE_END.split(body):
        if text and len(text) + len(sentence) > limit:
            break
        text += sentence
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.strip()


def filter_hits(hits: Sequence[Hit], filters: Filters) -> list[Hit]:
    return [h for h in hits if filters.accepts(h.practice)]

