"""A practice looked up by the list's numbering, in every form a hotline agent or worker types."""
from __future__ import annotations

import pytest

from bot.kb.citations import referenced_ids


@pytest.mark.parametrize(
    "text, ids",
    [
        ("五（一）2", ["5.1.2"]),
        ("五(一)2", ["5.1.2"]),
        ("5.1.2", ["5.1.2"]),
        ("5．1．2", ["5.1.2"]),
        ("清单五（一）2讲的是什么", ["5.1.2"]),
        ("二（三）3是哪个地方的做法", ["2.3.3"]),
        ("四(二)4原文", ["4.2.4"]),
        ("五（一）第2条", ["5.1.2"]),
        ("第五项第二条第一个做法", ["5.2.1"]),
        ("第五项第一条第二个", ["5.1.2"]),
        ("一、（一）1和二（一）3", ["1.1.1", "2.1.3"]),
        ("第二批五（一）2", ["b2-5.1.2"]),
        ("b2-5.1.2", ["b2-5.1.2"]),
        # Not references: an ordinal alone, a date, a price, a longer number.
        ("第二条", []),
        ("2024.1.5发的工资", []),
        ("3.5元一个", []),
        ("版本5.1.2.3", []),
        ("", []),
        ("五" * 5000, []),
    ],
)
def test_every_form_of_numbering_names_its_practice(text, ids):
    assert referenced_ids(text) == ids


@pytest.mark.parametrize("reference", ["五（一）2", "五(一)2", "5.1.2", "第五项第一条第二个"])
def test_the_knowledge_base_finds_the_practice_by_any_form(knowledge_base, reference):
    """`python -m bot practice 五（一）2` and the console find 重庆's 工资专户 practice."""
    practice = knowledge_base.practice(reference)
    assert practice is not None and practice.id == "5.1.2" and practice.region == "重庆市"


@pytest.mark.parametrize("query", ["五（一）2", "清单五（一）2讲的是什么", "5.1.2 工资专户", "第五项第一条第二个做法"])
def test_search_puts_the_named_practice_first(knowledge_base, query):
    """The console search and /api/search show the practice a reference names first."""
    result = knowledge_base.search(query, limit=3)
    assert result.hits[0].practice.id == "5.1.2"
    assert result.named == 1


def test_a_number_the_list_does_not_have_names_nothing(knowledge_base):
    assert knowledge_base.practice("九（一）1") is None
    assert knowledge_base.referenced("九（一）1 和 五（九）9") == ()
