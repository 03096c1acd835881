"""What search reads from a message: normalized text and the words in it."""
from __future__ import annotations

import pytest

from bot.kb.text import GENERIC_WORDS, MAX_QUERY_CHARS, STOP_WORDS, normalize, tokenize

DOMAIN_WORDS = [
    "实名制", "工资专户", "农民工", "特种作业", "包工头", "欠薪", "讨薪", "血汗钱", "持证上岗",
    "专业作业企业", "劳务公司", "一码通", "电子合同", "临时居住证", "技能大赛", "产业园",
    "培训基地", "自有工人", "刷脸", "考勤", "人脸识别", "工资保证金", "职工教育经费",
]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("包工頭欠錢不給咋辦", "包工头欠钱不给咋办"),  # Traditional
        ("實名制　打卡", "实名制 打卡"),  # Traditional, ideographic space
        ("ＢＩＭ培训１２３", "BIM培训123"),  # full-width letters and digits
        ("欠\x00薪\x1b[31m\u200b了", "欠薪[31m了"),  # control and zero-width characters
        ("  工资\n\n\t专户  ", "工资 专户"),  # whitespace collapsed and trimmed
        ("🙂欠薪🙂", "🙂欠薪🙂"),  # emoji kept (tokenize drops them)
        ("", ""),
    ],
)
def test_normalize_reads_what_the_worker_typed_as_the_document_writes_it(typed, read):
    assert normalize(typed) == read


@pytest.mark.parametrize("junk", [None, 42, b"\xe6\xac\xa0", ["欠薪"]])
def test_normalize_gives_empty_text_for_non_text(junk):
    assert normalize(junk) == ""


def test_normalize_caps_a_pasted_essay():
    assert len(normalize("欠薪" * 5000)) == MAX_QUERY_CHARS
    assert len(normalize("欠薪" * 5000, max_chars=None)) == 10_000


@pytest.mark.parametrize("word", [word for word in DOMAIN_WORDS if word not in GENERIC_WORDS])
def test_domain_word_is_one_word(word):
    assert tokenize(word, for_search=False) == [word]


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("包工头欠薪不给咋办", ["包工头", "欠薪"]),
        ("重庆工资专户开了没有", ["工资专户"]),
        ("特种作业要持证上岗吗", ["特种作业", "持证上岗"]),
        ("去劳务公司签电子合同", ["劳务公司", "电子合同"]),
    ],
)
def test_domain_words_stay_whole_in_a_sentence(message, words):
    tokens = tokenize(message, for_search=False)
    assert all(word in tokens for word in words), tokens


def test_search_tokens_include_the_words_inside_long_words():
    assert {"工资", "专户", "工资专户"} <= set(tokenize("农民工工资专户"))


def test_words_every_worker_and_practice_share_carry_no_topic():
    """农民工 is who asks, not what about: "农民工夜校" must not pull the 农民工工资 practices."""
    assert tokenize("农民工夜校") == ["夜校"]


@pytest.mark.parametrize("message", ["你好吗？", "我想问一下，有没有这个？", "！！！…… ", "🙂🙂", "-- ; * = ' \"", ""])
def test_padding_punctuation_and_symbols_give_no_words(message):
    assert tokenize(normalize(message)) == []


def test_tokens_are_lower_case_and_never_stop_words():
    tokens = tokenize(normalize("我想学BIM的技术，咋办"))
    assert "bim" in tokens
    assert not STOP_WORDS.intersection(tokens)
