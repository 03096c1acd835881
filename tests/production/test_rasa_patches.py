"""Our Rasa patches are installed by our Rasa start-up, explicitly, and by nothing else, and do what they say."""
from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import ROOT, Settings
from bot.running.rasa_server import rasa_command


def test_rasa_is_started_through_the_module_that_installs_the_patches(tmp_path):
    command = rasa_command(Settings(var_dir=tmp_path), ROOT / "models" / "assistant.tar.gz")
    assert command[1:4] == ["-m", "bot.running.rasa_server", "run"]


def printed_by(script: str) -> list[str]:
    """The lines a fresh Python process prints running ``script`` (the patches are process-wide)."""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()


def test_building_a_channel_or_a_tracker_store_installs_nothing(tmp_path):
    """A fresh process that creates our REST channel and tracker store leaves Rasa unpatched;
    `install()` then patches both, and says so."""
    script = (
        "from rasa.core.actions.action import RemoteAction\n"
        "from rasa.shared.core.events import Event\n"
        "from bot.channels.rest import MaskedRestInput\n"
        "from bot.running.tracker_store import TunedSQLTrackerStore\n"
        "from rasa.shared.core.domain import Domain\n"
        "MaskedRestInput.from_credentials({})\n"
        f"TunedSQLTrackerStore(domain=Domain.empty(), dialect='sqlite', db={str(tmp_path / 't.db')!r})\n"
        "before = (getattr(RemoteAction._validate_action_result, 'prepared', False), "
        "getattr(Event.resolve_by_type, 'cached', False))\n"
        "from bot.running import rasa_patches\n"
        "print(before, rasa_patches.install())\n"
    )
    last = printed_by(script)[-1]
    assert last == ("(False, False) {'event_classes': True, 'action_response_validation': True, "
                    "'action_calls_send_the_turn': True, 'action_connections_kept': True, "
                    "'keep_alive_setting_obeyed': True, 'session_roll': False, "
                    "'slots_carried_once': True}")


def test_the_session_roll_is_installed_only_with_a_limit_and_counts_the_latest_session(tmp_path):
    """`install(session_max_events=N)` makes a session of N events count as over (a time-expired one
    still is); without a limit Rasa's own rule is untouched."""
    script = (
        "from rasa.core.processor import MessageProcessor\n"
        "from bot.running import rasa_patches\n"
        "from rasa.shared.core.trackers import DialogueStateTracker\n"
        "from rasa.shared.core.events import SessionStarted, SlotSet\n"
        "original = MessageProcessor._has_session_expired\n"
        "print(rasa_patches.roll_long_sessions(0), MessageProcessor._has_session_expired is original)\n"
        "print(rasa_patches.install(session_max_events=3)['session_roll'])\n"
        "tracker = DialogueStateTracker.from_events('w', [SlotSet('a', 1), SessionStarted(), SlotSet('a', 2)])\n"
        "print(rasa_patches.events_in_session(tracker))\n"
    )
    assert printed_by(script)[-3:] == ["False True", "True", "1"]


RESPONSES = [
    {"events": [], "responses": []},
    {},
    {"events": [{"event": "slot", "name": "place", "value": "广东省"}], "responses": [{"response": "utter_greet"}]},
    {"events": [{"event": "slot", "name": "shown_ids", "value": ["5.1.2"], "timestamp": None, "metadata": {}},
                {"event": "bot", "text": "你好"}, {"event": "action", "name": "utter_greet", "confidence": 1}]},
    {"events": [{"event": "user", "text": "你好", "parse_data": {"intent": {"name": "greet", "confidence": 0.9},
                                                              "entities": [{"entity": "place", "value": "东莞"}]}}]},
    {"events": [{"event": "followup", "name": "action_listen"}, {"event": "reset_slots"}]},
    # refused: each against a different part of the schema
    {"events": [{"event": "slot", "name": "place"}]},  # a slot event without its value
    {"events": [{"event": "slot", "name": 3, "value": 1}]},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"no_event_key": 1}]},
    {"events": [{"event": 7}]},
    {"events": [{"event": "bot", "timestamp": "noon"}]},
    {"events": [{"event": "action", "name": "a", "confidence": "high"}]},
    {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "place"}]}}]},
    {"events": [{"event": "entities"}]},
    {"events": ["slot"]},
    {"events": {"event": "bot"}},
    {"events": None},
    {"events": [], "responses": "not a list"},
    {"events": [], "responses": ["not an object"]},
    [],
    "events",
]


@pytest.mark.parametrize("response", RESPONSES)
def test_action_responses_are_accepted_and_refused_as_rasa_s_schema_does(response):
    """The check by event type accepts exactly what Rasa's schema accepts."""
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    from bot.running.rasa_patches import events_checked_by_type

    schema = RemoteAction.action_response_format_spec()
    check = events_checked_by_type(schema, jsonschema.validators.validator_for(schema))
    assert check is not None, "Rasa's events schema is no longer told apart by event name: the fast check is off"
    assert check(response) == jsonschema.validators.validator_for(schema)(schema).is_valid(response)


def test_an_events_schema_not_told_apart_by_name_is_not_checked_by_type():
    import jsonschema

    from bot.running.rasa_patches import events_checked_by_type

    schema = {"type": "object", "properties": {"events": {"type": "array", "items": {
        "type": "object", "properties": {"event": {"type": "string"}}, "required": ["event"],
        "oneOf": [{"properties": {"event": {"const": "bot"}}}, {"properties": {"text": {"type": "string"}}}]}}}}
    assert events_checked_by_type(schema, jsonschema.Draft7Validator) is None


def test_an_action_call_carries_the_current_turn_with_the_slots_and_the_latest_message():
    """After the patch the action server gets the events from the latest user message on; the slots,
    the latest message and the rest of the tracker's state are Rasa's own."""
    script = (
        "import json\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "from rasa.shared.core.domain import Domain\n"
        "from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered\n"
        "from rasa.shared.core.slots import TextSlot\n"
        "from rasa.shared.core.trackers import DialogueStateTracker\n"
        "from rasa.utils.endpoints import EndpointConfig\n"
        "from bot.running import rasa_patches\n"
        "events = [ActionExecuted('action_listen'), UserUttered('工地要刷脸吗', {'name': 'ask_real_name'}),\n"
        "          ActionExecuted('action_search_practices'), BotUttered('1. …'), SlotSet('place', '广东省'),\n"
        "          ActionExecuted('action_listen'), UserUttered('还有吗', {'name': 'ask_more'}),\n"
        "          ActionExecuted('action_show_more')]\n"
        "slots = [TextSlot('place', mappings=[{'type': 'custom'}])]\n"
        "tracker = DialogueStateTracker.from_events('w', events, slots)\n"
        "action = RemoteAction('action_show_more', EndpointConfig('http://x', enable_selective_domain=True))\n"
        "before = action._action_call_format(tracker, Domain.empty())\n"
        "print(rasa_patches.send_the_turn_to_actions())\n"
        "after = action._action_call_format(tracker, Domain.empty())\n"
        "print(len(before['tracker']['events']), [e['event'] for e in after['tracker']['events']])\n"
        "same = {k: v for k, v in before['tracker'].items() if k != 'events'}\n"
        "print(same == {k: v for k, v in after['tracker'].items() if k != 'events'}, after['tracker']['slots']['place'],"
        " after['tracker']['latest_message']['text'])\n"
    )
    assert printed_by(script)[-3:] == ["True", "8 ['user', 'action']", "True 广东省 还有吗"]


def test_turn_events_start_at_the_latest_user_message():
    from bot.running.rasa_patches import turn_events

    events = [{"event": "user", "text": "a"}, {"event": "bot"}, {"event": "user", "text": "b"}, {"event": "slot"}]
    assert turn_events(events) == events[2:]
    assert turn_events([{"event": "session_started"}]) == [{"event": "session_started"}]
    assert turn_events([]) == []


def test_an_endpoint_marked_keep_alive_keeps_its_connection_and_sends_utf_8():
    """Two calls of a kept-alive endpoint come over one connection, the body as UTF-8; an endpoint
    without the mark opens a connection per call, as Rasa does."""
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    from bot.running.rasa_patches import close_kept_sessions, keep_action_connections
    from tests.support.servers import loopback_app

    assert keep_action_connections()
    seen: list[tuple[int, bytes]] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append((request.transport.get_extra_info("peername")[1], await request.read()))
        return web.json_response({"events": [], "responses": []})

    async def calls() -> list:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        async with loopback_app(app) as base:
            url = f"{base}/webhook"
            try:
                answers = []
                for endpoint in (EndpointConfig(url, keep_alive=True), EndpointConfig(url)):
                    for _ in range(2):
                        answers.append(await endpoint.request(json={"text": "工地要刷脸吗"}, method="post"))
                return answers
            finally:
                await close_kept_sessions()

    assert asyncio.run(calls()) == [{"events": [], "responses": []}] * 4
    ports = [port for port, _ in seen]
    assert ports[0] == ports[1] and len({*ports[1:]}) == 3
    assert seen[0][1] == '{"text": "工地要刷脸吗"}'.encode()
    assert seen[2][1] == b'{"text": "\\u5de5\\u5730\\u8981\\u5237\\u8138\\u5417"}'  # Rasa's own body, unmarked


def test_rasa_s_app_closes_connections_as_its_keep_alive_settings_say():
    """Sanic 21.12 ignores its keep-alive settings: after the patch Rasa's app closes the connection
    after each answer when KEEP_ALIVE is off, after KEEP_ALIVE_REQUESTS answers when that is set, and
    keeps it otherwise; the kept action-server sessions close when the server stops."""
    script = (
        "from types import SimpleNamespace\n"
        "from rasa.core import run\n"
        "from bot.running import rasa_patches\n"
        "print(rasa_patches.obey_the_keep_alive_setting(), rasa_patches.keep_action_connections())\n"
        "app = run.configure_app(enable_api=False, input_channels=[], port=5999)\n"
        "print(rasa_patches.close_unless_kept_alive in app.response_middleware,"
        " any(getattr(f.handler, 'keywords', {}).get('listener') is rasa_patches.close_kept_sessions"
        " and f.event == 'server.shutdown.after' for f in app._future_signals))\n"
        "for setting, limit in ((False, None), (True, None), (True, 3)):\n"
        "    app.config.KEEP_ALIVE, app.config.KEEP_ALIVE_REQUESTS = setting, limit\n"
        "    connection, kept = SimpleNamespace(ctx=SimpleNamespace()), []\n"
        "    for _ in range(4):\n"
        "        stream = SimpleNamespace(keep_alive=True)\n"
        "        rasa_patches.close_unless_kept_alive(SimpleNamespace(app=app, stream=stream, conn_info=connection), None)\n"
        "        kept.append(stream.keep_alive)\n"
        "        if not stream.keep_alive:\n"
        "            connection = SimpleNamespace(ctx=SimpleNamespace())  # the client connects again\n"
        "    print(setting, limit, kept)\n"
    )
    assert printed_by(script)[-5:] == ["True True", "True True", "False None [False, False, False, False]",
                                       "True None [True, True, True, True]", "True 3 [True, True, False, True]"]
