"""Finding the next page of practices for a thread: a topic search, or what a place does.

Only ``bot.kb`` is asked; the result is a small frozen record the actions present.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from actions.common import PAGE_SIZE, Thread
from actions.topics import TOPIC_SECTIONS
from bot.kb.answerability import Thresholds, load_thresholds
from bot.kb.types import REGION_EXACT, Hit, Place
from bot.vocabulary import PLACE_INTENT

PLACE_SHARE = 0.2
"""A practice of the place asked about is shown down to this share of the usual cutoff (:func:`relevant`)."""

if TYPE_CHECKING:
    from bot.kb.service import KnowledgeBase


@dataclass(frozen=True)
class Page:
    """The practices to show next, and the place they were found for."""

    hits: tuple[Hit, ...]
    place: Optional[Place]  # the place asked about, as the gazetteer knows it
    in_place: int = 0  # how many practices of the thread are in the place itself

    @property
    def place_name(self) -> Optional[str]:
        return self.place.full_name if self.place else None

    @property
    def elsewhere_only(self) -> bool:
        """A place was asked about, but none of these practices is in it."""
        return self.place is not None and self.in_place == 0


def relevant(hits: tuple[Hit, ...], relative_cutoff: float) -> tuple[Hit, ...]:
    """The hits that score near the best one, and those of the place asked about unless they score
    far below it: an answer never pads with unrelated practices, and does not hide one of the
    place's own that is on the topic. (重庆工资是银行代发吗: 五（一）2, not also 重庆's 职工教育经费,
    which says 工资 once and scores a sixteenth of it.)"""
    best = max((hit.score for hit in hits), default=0.0)
    if best <= 0.0:
        return hits  # a place listing: no scores to compare
    cutoff = relative_cutoff * best
    return tuple(hit for hit in hits
                 if hit.score >= cutoff or (hit.region_match == REGION_EXACT and hit.score >= cutoff * PLACE_SHARE))


def find_page(knowledge_base: "KnowledgeBase", thread: Thread, limit: int = PAGE_SIZE,
              thresholds: Optional[Thresholds] = None) -> Page:
    """The next ``limit`` practices of the thread, never one already shown.

    A topic thread searches its query; a place thread (``ask_place_practices``) lists
    the place's practices, then its province's.
    """
    query = "" if thread.intent == PLACE_INTENT else thread.query
    if not query and not thread.place:
        return Page(hits=(), place=None)
    everything = len(knowledge_base.practices())
    prefer = (*TOPIC_SECTIONS.get(thread.intent or "", ()), *thread.sections)
    result = knowledge_base.search(query, region=thread.place, limit=everything, offset=0, prefer=prefer)
    shown = set(thread.shown_ids)
    cutoff = (thresholds or load_thresholds()).relative_cutoff
    hits = tuple(hit for hit in relevant(result.hits, cutoff) if hit.practice.id not in shown)[:limit]
    in_place = sum(1 for hit in result.hits if hit.region_match == REGION_EXACT)  # the search's own count
    return Page(hits=hits, place=result.place, in_place=in_place)
