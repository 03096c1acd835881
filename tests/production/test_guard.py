"""The user never waits in silence: the guard answers with an apology when the bot cannot."""
from __future__ import annotations

import asyncio
import time

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.guard import ReplyGuard, apology_messages

APOLOGY = [{"text": "apology"}]


async def answers(message: UserMessage) -> None:
    await message.output_channel.send_response(message.sender_id, {"text": f"answer to {message.text}"})


async def says_nothing(message: UserMessage) -> None:
    await asyncio.sleep(0)


async def fails(message: UserMessage) -> None:
    raise RuntimeError("action server unreachable")


async def hangs(message: UserMessage) -> None:
    await asyncio.sleep(3600)


def run_turn(handler, text: str = "你好", deadline: float = 0.5) -> tuple[list[dict], float, UserMessage]:
    collector = CollectingOutputChannel()
    message = UserMessage(text, collector, "worker-1")

    async def turn() -> None:
        await ReplyGuard(deadline=deadline, apology=APOLOGY).wrap(handler)(message)

    started = time.monotonic()
    asyncio.run(turn())
    return collector.messages, time.monotonic() - started, message


def test_a_bot_answer_goes_through_unchanged() -> None:
    """When the bot answers in time, the user sees its answer and no apology."""
    messages, _, _ = run_turn(answers)
    assert [m["text"] for m in messages] == ["answer to 你好"]


@pytest.mark.parametrize("handler", [says_nothing, fails], ids=["no bot message", "turn failed"])
def test_no_answer_gives_the_apology(handler) -> None:
    """A turn that says nothing or fails (the action server is down) ends with the apology."""
    messages, elapsed, _ = run_turn(handler)
    assert [m["text"] for m in messages] == ["apology"]
    assert elapsed < 0.5


def test_a_hanging_turn_gives_the_apology_at_the_deadline() -> None:
    """A turn still running at the deadline (the action server hangs) gives the apology then."""
    messages, elapsed, _ = run_turn(hangs, deadline=0.3)
    assert [m["text"] for m in messages] == ["apology"]
    assert 0.3 <= elapsed < 1.5


def test_the_text_is_masked_before_the_bot_sees_it() -> None:
    """The bot (and so the tracker store) receives the masked identity card number."""
    messages, _, message = run_turn(answers, text="身份证110105199001011234")
    assert message.text == "身份证110105********1234"
    assert messages[0]["text"] == "answer to 身份证110105********1234"


def test_the_apology_is_the_domain_response_with_a_way_to_reach_a_person() -> None:
    """The apology comes from domain.yml and names a hotline the user can call."""
    apology = apology_messages()
    assert apology and apology[0]["text"]
    assert any(number in apology[0]["text"] for number in ("12345", "12333"))


@pytest.mark.parametrize("text", ["", "   ", None], ids=["empty", "blank", "no text"])
def test_an_empty_message_goes_to_the_fallback_intent(text) -> None:
    """An empty message reaches Rasa as the fallback intent, so the user is asked to rephrase."""
    seen = []

    async def records(message: UserMessage) -> None:
        seen.append(message.parse_data)
        await answers(message)

    run_turn(records, text=text)
    assert seen[0]["intent"]["name"] == "nlu_fallback"


def test_action_responses_are_checked_as_strictly_with_the_prepared_validator() -> None:
    """The faster check accepts what Rasa accepts and refuses with Rasa's own error message."""
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    from bot.running.rasa_patches import cache_action_response_validation

    assert cache_action_response_validation()
    action = RemoteAction("action_search_practices", None)
    good = {"events": [{"event": "slot", "name": "place", "value": "广东省"}],
            "responses": [{"response": "utter_greet"}]}
    assert action._validate_action_result(good)
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"no_event_key": 1}], "responses": "not a list"})
