"""The knowledge base the bot, the console and the command line ask: practices in memory, ranked search.

The database is opened read-only once per process and its practices are held in memory
(the list is small); every search runs on the in-memory index.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Sequence

from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.kb.models import DocumentRow, MeasureRow, PracticeRow, TaskRow
from bot.kb.types import Practice


class KnowledgeBaseUnavailable(RuntimeError):
    """The practice database is missing or unreadable; the message says what to do."""


def read_only_url(url: str) -> str:
    """Open SQLite files read-only, so the bot can never change the practices."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return url
    path = Path(parsed.database).resolve()
    if not path.is_file():
        raise KnowledgeBaseUnavailable(f"practice database not found: {path} (run `make db`)")
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def load_practices(url: str) -> tuple[Practice, ...]:
    """Every practice in the database, in document order."""
    query = (
        select(
            PracticeRow.id, PracticeRow.citation, PracticeRow.region, PracticeRow.province, PracticeRow.title,
            PracticeRow.text, PracticeRow.region_code, MeasureRow.title.label("measure"),
            TaskRow.title.label("task"), DocumentRow.title.label("document"),
        )
        .join(MeasureRow, PracticeRow.measure_id == MeasureRow.id)
        .join(TaskRow, MeasureRow.task_id == TaskRow.id)
        .join(DocumentRow, TaskRow.document_id == DocumentRow.id)
        .order_by(PracticeRow.position)
    )
    engine = create_engine(read_only_url(url), future=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(query).all()
    except SQLAlchemyError as exc:
        raise KnowledgeBaseUnavailable(f"practice database unreadable ({exc.__class__.__name__}); run `make db`") from exc
    finally:
        engine.dispose()
    if not rows:
        raise KnowledgeBaseUnavailable("practice database is empty; run `make db`")
    return tuple(Practice(**row._asdict()) for row in rows)


SEARCH_CACHE_SIZE = 1024
"""How many searches a knowledge base remembers (see :meth:`KnowledgeBase.search`)."""


class KnowledgeBase:
    """Practices and their search index."""

    def __init__(self, practices: Sequence[Practice]) -> None:
        self._practices = tuple(practices)
        self._by_id = {p.id: p for p in self._practices}
        self._index = None
        self._searches: dict[tuple, Any] = {}  # the latest searches, oldest first

    @classmethod
    def from_url(cls, url: str) -> "KnowledgeBase":
        return cls(load_practices(url))

    @classmethod
    def from_practices(cls, practices: Sequence[Practice]) -> "KnowledgeBase":
        return cls(practices)

    @property
    def index(self):
        """The ranked search index, built on first use."""
        if self._index is None:
            from bot.kb.regions import get_gazetteer
            from bot.kb.search import PracticeIndex

            self._index = PracticeIndex(self._practices, get_gazetteer())
        return self._index

    def practices(self) -> tuple[Practice, ...]:
        return self._practices

    def practice(self, practice_id: str) -> Optional[Practice]:
        """The practice with this id ("5.1.2") or named by this reference ("五（一）2", "第五项第一条第二个")."""
        from bot.kb.citations import find_references

        key = (practice_id or "").strip() if isinstance(practice_id, str) else ""
        found = self._by_id.get(key)
        if found is None:
            # The whole key must be one reference: "五（一）2" is a citation, "5.1.2'--" is not.
            references = find_references(key)
            if len(references) == 1 and (references[0].start, references[0].end) == (0, len(key)):
                found = self._by_id.get(references[0].practice_id)
        return found

    def referenced(self, text: str) -> tuple[Practice, ...]:
        """The practices a text names by their numbering, in the order named (unknown numbers left out)."""
        from bot.kb.citations import referenced_ids

        return tuple(self._by_id[i] for i in referenced_ids(text) if i in self._by_id)

    def documents(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.document for p in self._practices))

    def search(self, query: str, region: Optional[str] = None, limit: int = 3, offset: int = 0,
               prefer: Sequence[str] = ()):
        """Ranked hits (see :class:`bot.kb.search.PracticeIndex`).

        The practices never change in a process, and a result is a frozen record, so the latest
        :data:`SEARCH_CACHE_SIZE` searches are remembered: a question asked again, and a thread's
        next page ("还有吗" searches the thread's query again), get the same result without
        searching again.
        """
        key = (query, region, limit, offset, tuple(prefer))
        try:
            found = self._searches.get(key)
        except TypeError:  # an unhashable argument: searched as given, not remembered
            return self.index.search(query, region=region, limit=limit, offset=offset, prefer=prefer)
        if found is None:
            found = self.index.search(query, region=region, limit=limit, offset=offset, prefer=prefer)
            if len(self._searches) >= SEARCH_CACHE_SIZE:
                self._searches.pop(next(iter(self._searches)))  # the oldest
            self._searches[key] = found
        return found

    def region_counts(self, query: Optional[str] = None) -> list[tuple[str, int]]:
        """Provinces with their number of practices (on a topic, if a query is given), most first."""
        if query:
            result = self.index.search(query, limit=len(self._practices))
            practices = [hit.practice for hit in result.hits]
        else:
            practices = list(self._practices)
        order = {p.province: i for i, p in reversed(list(enumerate(self._practices)))}
        counts = Counter(p.province for p in practices)
        return sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]]))


@lru_cache(maxsize=1)
def get_knowledge_base() -> KnowledgeBase:
    """The process-wide knowledge base, loaded on first use from the configured database."""
    from bot.config import get_settings

    return KnowledgeBase.from_url(get_settings().database_url)
