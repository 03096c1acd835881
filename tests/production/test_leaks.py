"""Nothing leaked: personal numbers sent over REST and socket.io are nowhere in clear in what the system wrote."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml

from bot.config import ROOT
from tests.support.clients import rest_turn, socketio_turns

ID_CARD = "110105199001011234"
ID_CARD_X = "11010519900101123X"
MOBILE = "13812345678"
MOBILE_SPACED = "139 8765 4321"
BANK_CARD = "6222021234567890123"

MESSAGES = [
    f"我身份证号{ID_CARD}，考焊工证有补贴吗",
    f"电话{MOBILE}，包工头欠钱不给咋办",
    f"我的工资卡{BANK_CARD}没到账",
    f"身份证{ID_CARD_X}，手机 {MOBILE_SPACED}，转人工",
]
RAW = [ID_CARD, ID_CARD_X, MOBILE, MOBILE_SPACED, MOBILE_SPACED.replace(" ", ""), BANK_CARD]
MASKED = ["110105********1234", "110105********123X", "138****5678", "139 **** 4321", "6222***********0123"]


@pytest.fixture(scope="module")
def conversations(stack) -> dict[str, list]:
    """The same messages sent over REST and over socket.io, answered by the running system."""
    rest = [rest_turn(stack.rasa_url, "leak-rest", text) for text in MESSAGES]
    socket = socketio_turns(stack.rasa_url, "leak-socket", MESSAGES)
    return {"rest": rest, "socketio": socket}


def written_files(var_dir: Path) -> list[Path]:
    return [path for path in var_dir.rglob("*") if path.is_file()]


def test_the_masked_channels_are_the_ones_registered() -> None:
    """credentials.yml opens our masking REST and socket.io channels, not Rasa's own."""
    channels = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert "bot.channels.rest.MaskedRestInput" in channels
    assert "bot.channels.socketio.MaskedSocketIOInput" in channels
    assert "rest" not in channels and "socketio" not in channels


def test_every_message_was_answered(conversations) -> None:
    """Each message with a personal number still gets an answer on both channels."""
    for status, messages in conversations["rest"]:
        assert status == 200 and messages
    assert all(turn for turn in conversations["socketio"])


def test_no_raw_number_in_any_file_the_system_wrote(conversations, stack) -> None:
    """Tracker store, logs and endpoints under var/ hold none of the numbers as typed."""
    files = written_files(stack.var_dir)
    assert any(path.name == "tracker.db" for path in files)
    assert any(path.suffix == ".log" for path in files)
    for path in files:
        content = path.read_bytes()
        for raw in RAW:
            assert raw.encode() not in content, f"{raw} in {path}"


def test_the_tracker_store_keeps_the_masked_text(conversations, stack) -> None:
    """The conversation is stored, with the numbers masked (digits at both ends kept for the agent)."""
    with sqlite3.connect(stack.var_dir / "tracker.db") as db:
        stored = "\n".join(row[0] for row in db.execute(
            "SELECT data FROM events WHERE sender_id IN ('leak-rest', 'leak-socket') AND type_name = 'user'"))
    for masked in MASKED:
        assert stored.count(masked) >= 2, masked  # once per channel


@pytest.mark.parametrize("path", ["/conversations/leak-rest/tracker", "/model/parse", "/status"])
def test_the_http_api_is_closed_without_a_token(conversations, stack, path) -> None:
    """Without RASA_TOKEN the stored conversations cannot be read over Rasa's HTTP API."""
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{stack.rasa_url}{path}", timeout=10)
    assert refused.value.code in (401, 403, 404, 405)
