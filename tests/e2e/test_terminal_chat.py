"""`python -m bot chat` in a real terminal (tmux) against the running assistant: what a user sees."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from bot.config import ROOT
from tests.support.servers import free_port
from tests.support.terminal import EXITED, Terminal, after_last

TURN_SECONDS = 60
QUESTION = "包工头欠前不给咋办"  # 欠钱 mistyped as 欠前, as on a phone's pinyin keyboard
CHOOSE_HINT = "回复前面的数字即可选择。"  # utter_wechat_choose_hint: the line under numbered choices


@pytest.fixture
def terminal(tmp_path):
    term = Terminal(tmp_path / "tmux.sock")
    try:
        yield term
    finally:
        term.close()


def chat_command(rasa_url: str) -> list[str]:
    return [sys.executable, "-m", "bot", "chat", "--url", rasa_url]


def chat_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8", "TERM": "xterm-256color"}


def answer_to(terminal: Terminal, typed: str, until: str) -> str:
    """Types a line and returns what the terminal shows after it, once ``until`` is there."""
    terminal.type(typed)
    screen = terminal.wait_for(lambda s: until in (after_last(s, typed) or ""), TURN_SECONDS,
                               f"{until!r} after typing {typed!r}")
    return after_last(screen, typed) or ""


def number_of(choice: str, shown: str) -> str:
    """The number a choice was shown with, e.g. "2" for "[2] 看第2条全文"."""
    found = re.search(rf"\[(\d+)\] {re.escape(choice)}", shown)
    assert found, f"no numbered choice {choice!r} in:\n{shown}"
    return found.group(1)


ITEM = re.compile(r"^(\d+)\. 【(.+?)】(.+)$", re.MULTILINE)
"""A practice as the chat shows it: its number, 【place】 and headline (then a 要点 line)."""
SOURCE = re.compile(r"^出处：《.+》(.+)$", re.MULTILINE)
"""The one source line of an answer: the document and the citations."""


def test_a_worker_asks_picks_choices_by_number_and_leaves(stack, terminal):
    """A typo'd question gets practices as short lines with numbered choices; a digit picks a choice
    (更多 shows other practices, 有用 is thanked for); no JSON anywhere; an empty line ends the chat."""
    terminal.start(chat_command(stack.rasa_url), chat_env())
    terminal.wait_for(lambda s: "talking to the assistant" in s, 60, "the chat's first line")

    answer = answer_to(terminal, QUESTION, CHOOSE_HINT)
    first_items = ITEM.findall(answer)
    assert len(first_items) >= 2 and answer.count("要点：") == len(first_items), answer
    assert all(answer.count(title) == 1 for _, _, title in first_items), "each practice once"
    citations = SOURCE.findall(answer)
    assert len(citations) == 1 and all(c.startswith("五（") for c in citations[0].split("、")), answer  # 五: wages

    more = answer_to(terminal, number_of("更多", answer), CHOOSE_HINT)
    more_items = ITEM.findall(more)
    assert more_items and not {t for *_, t in more_items} & {t for *_, t in first_items}, more  # other practices
    assert [int(n) for n, *_ in more_items] == list(range(len(first_items) + 1, len(first_items) + len(more_items) + 1))

    thanks = answer_to(terminal, number_of("有用", more), "谢谢您的反馈")  # a bare digit would not say thanks
    assert not ITEM.search(thanks), thanks

    terminal.type("")
    screen = terminal.wait_for(lambda s: EXITED in s, 30, "the chat to end")
    assert f"{EXITED}0]" in screen
    for unwanted in ("Custom json", "{", "}", "Traceback", "/ask_", "/feedback_"):
        assert unwanted not in screen, f"{unwanted!r} on the screen:\n{screen}"


@pytest.mark.parametrize("key", ["C-d", "C-c"])
def test_ctrl_d_and_ctrl_c_end_the_chat_cleanly(stack, terminal, key):
    terminal.start(chat_command(stack.rasa_url), chat_env())
    terminal.wait_for(lambda s: "talking to the assistant" in s, 60, "the chat's first line")
    terminal.press(key)
    screen = terminal.wait_for(lambda s: EXITED in s, 30, f"the chat to end on {key}")
    assert f"{EXITED}0]" in screen
    assert "Traceback" not in screen and "KeyboardInterrupt" not in screen, screen


def test_the_chat_says_when_the_assistant_is_not_running():
    """No assistant at the URL: one line saying so and how to start it, exit status 1, no traceback."""
    url = f"http://127.0.0.1:{free_port()}"
    result = subprocess.run(chat_command(url), cwd=ROOT, env=chat_env(), input="", capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == (f"the assistant is not running at {url}: start it with `make run` "
                                     f"(or point RASA_URL / --url at a running one)")
    assert "Traceback" not in result.stdout + result.stderr
