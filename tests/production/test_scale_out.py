"""Past one machine: two Rasa instances sharing PostgreSQL (tracker store) and Redis (lock store).

Both started by the test run, as `make run` would with TRACKER_DB_URL and REDIS_URL set.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.channels.guard import apology_messages
from tests.support.clients import cited, rest_turn, texts
from tests.support.stack import running_stack

SCRIPTS = [
    # four turns each; the later turns only make sense with the earlier ones remembered
    ["工地要刷脸吗", "那广东呢", "还有吗", "谢谢"],
    ["包工头欠钱不给咋办", "第一条详细说说", "这是哪个文件里的", "再见"],
    ["考个焊工证有补贴没", "还有吗", "第二条详细说说", "有用"],
    ["东莞有啥做法", "第一条详细说说", "转人工", "谢谢"],
    ["你好", "培训有补贴吗", "那安徽呢", "再见"],
]
SENDERS = 20


@pytest.fixture(scope="module")
def instances(tmp_path_factory, postgres_url, redis_url):
    """Two Rasa servers on different ports, one action server, one PostgreSQL, one Redis."""
    var_dir = tmp_path_factory.mktemp("scale-out")
    with running_stack(var_dir, instances=2, TRACKER_DB_URL=postgres_url, REDIS_URL=redis_url) as stack:
        yield list(stack.rasa_urls)


def transcript(answers) -> list[tuple]:
    """What the user saw, turn by turn: the texts and the ids of the cited practices."""
    return [(tuple(texts(messages)), tuple(p["id"] for p in cited(messages))) for messages in answers]


def converse(instances: list[str], sender: str, script: list[str], first: int = 0) -> list:
    """One conversation whose turns alternate between the instances."""
    answers = []
    for turn, text in enumerate(script):
        status, messages = rest_turn(instances[(first + turn) % 2], sender, text, timeout=60)
        assert status == 200
        answers.append(messages)
    return transcript(answers)


def test_a_conversation_alternating_between_instances_keeps_its_context(instances) -> None:
    """Asked on instance A, "那广东呢" on instance B still means the topic asked on A."""
    status, first = rest_turn(instances[0], "alternating-1", "工地要刷脸吗")
    assert status == 200 and cited(first)
    status, second = rest_turn(instances[1], "alternating-1", "那广东呢")
    practices = cited(second)
    assert practices and practices[0]["province"] == "广东省"
    assert practices[0]["id"].startswith("2.")  # task 二: real-name management, the earlier topic
    status, third = rest_turn(instances[0], "alternating-1", "第一条详细说说")
    assert practices[0]["title"] in "\n".join(texts(third))


def test_concurrent_conversations_are_neither_lost_nor_mixed_up(instances) -> None:
    """20 conversations of 4 turns at once, across both instances: each user gets exactly the answers a
    lone user gets for the same questions, in the same order."""
    expected = [converse(instances, f"reference-{i}", script) for i, script in enumerate(SCRIPTS)]
    apology = tuple(m["text"] for m in apology_messages())
    for reference in expected:
        assert all(turn_texts and turn_texts != apology for turn_texts, _ in reference)
        assert any(ids for _, ids in reference)
    with ThreadPoolExecutor(max_workers=SENDERS) as pool:
        futures = [pool.submit(converse, instances, f"crowd-{n}", SCRIPTS[n % len(SCRIPTS)], n % 2)
                   for n in range(SENDERS)]
        results = [future.result() for future in futures]
    for n, result in enumerate(results):
        assert result == expected[n % len(SCRIPTS)], f"sender crowd-{n}"
