"""Work the knowledge base does once, not on every message: the same answers either way."""
from __future__ import annotations

import pytest

from bot.kb import service
from bot.kb.service import KnowledgeBase

SEARCHES = [
    ("工地要刷脸吗", None, 3, 0, ()),
    ("包工头欠钱不给咋办", "广东省", 50, 0, ("5.1",)),
    ("考个焊工证有补贴没", None, 1, 0, ()),
    ("东莞有啥做法", None, 3, 3, ()),
]


@pytest.mark.parametrize("query, region, limit, offset, prefer", SEARCHES)
def test_a_search_asked_again_gives_the_result_the_index_gives(knowledge_base, query, region, limit, offset, prefer):
    first = knowledge_base.search(query, region=region, limit=limit, offset=offset, prefer=prefer)
    again = knowledge_base.search(query, region=region, limit=limit, offset=offset, prefer=list(prefer))
    assert again is first  # remembered, not searched again
    assert first == knowledge_base.index.search(query, region=region, limit=limit, offset=offset, prefer=prefer)


def test_searches_that_differ_in_any_argument_are_not_confused(knowledge_base):
    query = "包工头欠钱不给咋办"
    results = {args: knowledge_base.search(query, **dict(zip(("region", "limit", "offset"), args)))
               for args in ((None, 3, 0), ("广东省", 3, 0), (None, 1, 0), (None, 3, 1))}
    for (region, limit, offset), result in results.items():
        assert result == knowledge_base.index.search(query, region=region, limit=limit, offset=offset)
    assert len({tuple(h.practice.id for h in r.hits) for r in results.values()}) > 1


def test_remembered_searches_are_bounded(practices, monkeypatch):
    monkeypatch.setattr(service, "SEARCH_CACHE_SIZE", 2)
    knowledge_base = KnowledgeBase.from_practices(practices)
    first = knowledge_base.search("刷脸")
    knowledge_base.search("欠薪")
    knowledge_base.search("培训补贴")
    assert len(knowledge_base._searches) == 2
    assert knowledge_base.search("刷脸") is not first  # the oldest was forgotten, searched again
    assert knowledge_base.search("刷脸") == first


def test_an_unhashable_argument_is_searched_not_remembered(knowledge_base):
    region = {"name": "广东省"}  # an app's metadata may hold anything: not a place name, so not used
    result = knowledge_base.search("欠薪", region=region)  # type: ignore[arg-type]
    assert result == knowledge_base.index.search("欠薪", region=region, limit=3)  # type: ignore[arg-type]
    assert result.hits
