"""A worker's identity card, mobile and bank card numbers never reach storage or logs in clear."""
from __future__ import annotations

import pytest

from bot.channels.privacy import contains_sensitive, mask, mask_optional

MASKED = [
    # (what the worker typed, what is stored)
    ("我身份证号110105199001011234能领补贴吗", "我身份证号110105********1234能领补贴吗"),
    ("身份证11010519900101123X", "身份证110105********123X"),
    ("身份证11010519900101123x。", "身份证110105********123x。"),
    ("110105 19900101 123X", "110105 ******** 123X"),
    ("老身份证110105900101123", "老身份证110105******123"),
    ("电话13812345678", "电话138****5678"),
    ("我的手机 138 1234 5678 打给我", "我的手机 138 **** 5678 打给我"),
    ("138-1234-5678", "138-****-5678"),
    ("+86 138 1234 5678", "+86 138 **** 5678"),
    ("+8613812345678", "+86138****5678"),
    ("008613812345678", "0086138****5678"),
    ("８６１３８１２３４５６７８", "８６１３８****５６７８"),
    ("１３８１２３４５６７８", "１３８****５６７８"),
    ("工资卡6222021234567890123没到账", "工资卡6222***********0123没到账"),
    ("卡号 6222 0212 3456 7890", "卡号 6222 **** **** 7890"),
    ("6222-0212-3456-7890", "6222-****-****-7890"),
    ("6222021234567890", "6222********7890"),
    ("电话13812345678，身份证110105199001011234",
     "电话138****5678，身份证110105********1234"),
]

UNCHANGED = [
    "2023年发的工资",
    "36.8万份",
    "做法5.1.2说的是啥",
    "五（一）2",
    "打12333问问",
    "12345678901",  # 11 digits but not a mobile number (12…)
    "20230101",
    "1234567890123456789012",  # 22 digits: no such card or identity number
    "欠了3个月工资一共28000元",
    "第10条",
    "",
    "😀<script>alert(1)</script>'; DROP TABLE events;--",
]


@pytest.mark.parametrize("typed, stored", MASKED)
def test_personal_numbers_are_masked_keeping_a_few_digits(typed: str, stored: str) -> None:
    """What the tracker store and the logs see is the masked text, with the digits at both ends kept."""
    assert mask(typed) == stored
    assert len(mask(typed)) == len(typed)
    assert not contains_sensitive(mask(typed))


@pytest.mark.parametrize("typed", UNCHANGED)
def test_ordinary_numbers_stay_as_typed(typed: str) -> None:
    """Years, amounts, practice ids and hotlines are not personal numbers: the bot reads them as typed."""
    assert mask(typed) == typed
    assert not contains_sensitive(typed)


@pytest.mark.parametrize("typed, stored", MASKED)
def test_masking_twice_changes_nothing(typed: str, stored: str) -> None:
    """Channels and the guard may both mask: the second pass leaves the text alone."""
    assert mask(mask(typed)) == stored


def test_a_request_without_text_stays_without_text() -> None:
    """A REST request with no `message` is passed on as None, not turned into text."""
    assert mask_optional(None) is None


def test_a_long_message_is_masked_quickly() -> None:
    """A 10,000-character message full of digits is masked without a noticeable delay."""
    import time

    text = ("13812345678 2023年 " * 600)[:10_000]
    started = time.perf_counter()
    masked = mask(text)
    assert time.perf_counter() - started < 0.5
    assert "13812345678" not in masked
