"""The patches this project makes to Rasa 3.6, installed explicitly when our Rasa server starts.

Four make Rasa do the same work with less CPU or fewer bytes, found by profiling (`make
bench-profile`, `docs/benchmarks.md`): event classes looked up once, action responses validated
with prepared validators, action calls sending the current turn, connections to the action server
kept open. One makes Rasa's web server obey its keep-alive setting, so that several workers take
turns. The other two bound a turn's cost by the recent part of a conversation (a session rolled
over every so many events, each slot carried into the new session once). None changes what Rasa
accepts, refuses or answers. :func:`install` is called by ``python -m bot.running.rasa_server``
before Rasa starts, and nowhere else: building a channel or a tracker store changes nothing global.
"""
from __future__ import annotations

from typing import Any, Optional

from rasa.shared.core.events import Event, SessionStarted


def install(session_max_events: int = 0) -> dict[str, bool]:
    """Install every patch (the session roll when ``session_max_events`` > 0); returns which ones
    this Rasa version took."""
    return {
        "event_classes": cache_event_classes(),
        "action_response_validation": cache_action_response_validation(),
        "action_calls_send_the_turn": send_the_turn_to_actions(),
        "action_connections_kept": keep_action_connections(),
        "keep_alive_setting_obeyed": obey_the_keep_alive_setting(),
        "session_roll": roll_long_sessions(session_max_events),
        "slots_carried_once": carry_each_slot_once(),
    }


def carry_each_slot_once() -> bool:
    """Makes a new session carry each slot over once, with its latest value.

    Rasa's ``action_session_start`` copies every ``SlotSet`` event of the session that ended,
    so a session starts with as many slot events as the last one had, copies included: they
    pile up session after session (a conversation rolled 100 times carried thousands), and
    each turn replays them. One event per slot, with the value and metadata it ended with,
    sets the same slots to the same values.

    Returns:
        Whether the carry-over is now the deduplicated one.
    """
    from rasa.core.actions.action import ActionSessionStart
    from rasa.shared.core.events import SlotSet

    original = ActionSessionStart.__dict__.get("_slot_set_events_from_tracker")
    if original is None:
        return False
    if getattr(original, "once", False) or getattr(getattr(original, "__func__", None), "once", False):
        return True

    def slot_set_events_from_tracker(tracker: Any) -> list[SlotSet]:
        latest: dict[str, SlotSet] = {}
        for event in tracker.applied_events():
            if isinstance(event, SlotSet):
                latest[event.key] = event
        return [SlotSet(key=e.key, value=e.value, metadata=e.metadata) for e in latest.values()]

    slot_set_events_from_tracker.once = True  # type: ignore[attr-defined]
    ActionSessionStart._slot_set_events_from_tracker = staticmethod(slot_set_events_from_tracker)
    return True


def events_in_session(tracker: Any) -> int:
    """How many events the tracker's latest session holds (all of them if none started)."""
    count = 0
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        count += 1
    return count


def roll_long_sessions(max_events: int) -> bool:
    """Makes a session that has reached ``max_events`` events end before the next message.

    Rasa replays, featurizes and sends to the action server every event of the current session
    on every turn, so a conversation that goes on all day gets slower turn by turn. Rasa loads
    only the latest session from its tracker store; rolling the session over keeps each turn's
    work to the recent part. The new session starts as Rasa's own ``action_session_start``
    starts one after a pause: with every slot carried over (``carry_over_slots_to_new_session``
    in domain.yml), so the thread (topic, place, the practices shown and their numbers) goes
    on. Nothing is deleted: the tracker store keeps every session for the console and the
    transcript.

    Returns:
        Whether the check is installed (False for ``max_events`` <= 0 or a Rasa without it).
    """
    from rasa.core.processor import MessageProcessor

    original = MessageProcessor.__dict__.get("_has_session_expired")
    if max_events <= 0 or original is None:
        return False
    expired = getattr(original, "by_time", original)

    def has_session_expired(self: MessageProcessor, tracker: Any) -> bool:
        return expired(self, tracker) or events_in_session(tracker) >= max_events

    has_session_expired.by_time = expired  # type: ignore[attr-defined]
    MessageProcessor._has_session_expired = has_session_expired  # type: ignore[method-assign]
    return True


def cache_event_classes() -> bool:
    """Makes Rasa find an event's class by name in a dictionary instead of walking all subclasses.

    A name found once gives the same class as Rasa's own lookup; a name not yet found
    (a new event type, an unknown name, a default asked for) goes to Rasa's lookup, so
    its answers and errors are unchanged.

    Returns:
        Whether the lookup is now the cached one.
    """
    original = Event.__dict__.get("resolve_by_type")
    if original is None:
        return False
    lookup = original.__func__ if isinstance(original, staticmethod) else original
    if getattr(lookup, "cached", False):
        return True
    found: dict[str, type] = {}

    def resolve_by_type(type_name: str, default: Optional[type] = None) -> Optional[type]:
        cls = found.get(type_name)
        if cls is None:
            cls = lookup(type_name, default)
            if cls is not None and getattr(cls, "type_name", None) == type_name:
                found[type_name] = cls
        return cls

    resolve_by_type.cached = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]
    return True


def cache_action_response_validation() -> bool:
    """Makes Rasa validate action server responses with prepared validators, one per event type.

    Rasa 3.6 checks every action server response with ``jsonschema.validate``, which
    re-checks the schema itself and builds a new validator on each call (about 18 ms of the
    Rasa server's CPU per action call, `make bench --profile`); and even a prepared validator
    tries each event against all 23 branches of the events schema's ``oneOf`` (about 3 ms per
    call, as much as a fifth of a rule-answered turn). Each branch requires its own constant
    ``event`` name and the schema requires ``event``, so an event matches exactly one
    branch exactly when it is valid against the schema without the ``oneOf`` and against
    the branch its name picks: that is what is checked here, with validators prepared once.
    The check accepts and refuses exactly the same responses; a refused one is handed to
    Rasa's own check, so its error is unchanged. A Rasa whose schema is not built that way
    keeps one prepared validator of the whole schema.

    Returns:
        Whether Rasa's check is now the prepared one (False if this Rasa has no such check).
    """
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    original = getattr(RemoteAction, "_validate_action_result", None)
    if original is None or not hasattr(RemoteAction, "action_response_format_spec"):
        return False
    if getattr(original, "prepared", False):
        return True
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    is_valid = validator_class(schema).is_valid
    by_event_type = events_checked_by_type(schema, validator_class)
    if by_event_type is not None:
        is_valid = by_event_type

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        return True if is_valid(result) else original(self, result)

    validate_action_result.prepared = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    return True


def events_checked_by_type(schema: dict[str, Any], validator_class: Any) -> Optional[Any]:
    """The check of ``schema`` (Rasa's action response schema) that validates each event against
    the one ``oneOf`` branch its ``event`` name picks; None when the schema is not built that way
    (an event schema whose branches are not told apart by distinct constant names)."""
    import copy

    try:
        event_schema = schema["properties"]["events"]["items"]
        branches = event_schema["oneOf"]
        names = [branch["properties"]["event"]["const"] for branch in branches]
    except (KeyError, TypeError):
        return None
    if ("event" not in event_schema.get("required", ()) or len(set(names)) != len(names)
            or not all(isinstance(name, str) for name in names)
            or event_schema.get("properties", {}).get("event") != {"type": "string"}):
        return None
    outer = copy.deepcopy(schema)
    outer["properties"]["events"]["items"] = {}
    common = {key: value for key, value in event_schema.items() if key != "oneOf"}
    for checked in (outer, common, *branches):
        validator_class.check_schema(checked)
    outer_valid = validator_class(outer).is_valid
    common_valid = validator_class(common).is_valid
    branch_valid = {name: validator_class(branch).is_valid for name, branch in zip(names, branches)}

    def is_valid(result: Any) -> bool:
        if not outer_valid(result):
            return False
        events = result.get("events", ()) if isinstance(result, dict) else ()
        for event in events if isinstance(events, list) else ():
            if not common_valid(event):
                return False
            check = branch_valid.get(event["event"])
            if check is None or not check(event):
                return False
        return True

    return is_valid


def turn_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events of the current turn: from the latest user message on (all of them if there is none)."""
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "user":
            return events[index:]
    return events


def send_the_turn_to_actions() -> bool:
    """Makes Rasa send the action server the current turn's events, not the whole session's.

    Rasa sends every event of the session with each action call (about 40 kB of JSON after
    four answers, more as the session grows), and the action server parses them all. Our
    actions read the slots, the latest message and nothing else of the tracker
    (``tests/test_consistency.py`` checks that no action reads ``tracker.events``); the
    slots, the latest message and the other fields of the tracker's state are sent as
    before, and so are the events from the latest user message on (what rasa_sdk's
    ``slots_to_validate`` and ``get_intent_of_latest_message`` read).

    Returns:
        Whether action calls now carry the current turn only.
    """
    from rasa.core.actions.action import RemoteAction

    original = RemoteAction.__dict__.get("_action_call_format")
    if original is None:
        return False
    if getattr(original, "turn_only", False):
        return True

    def action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> dict[str, Any]:
        result = original(self, tracker, domain)
        state = result.get("tracker")
        if isinstance(state, dict) and isinstance(state.get("events"), list):
            state["events"] = turn_events(state["events"])
        return result

    action_call_format.turn_only = True  # type: ignore[attr-defined]
    RemoteAction._action_call_format = action_call_format  # type: ignore[method-assign]
    return True


KEEP_ALIVE = "keep_alive"
"""The endpoints-file key of an endpoint whose connections are kept open (the action endpoint)."""
KEEP_ALIVE_SECONDS = 1.0
"""How long an idle kept connection stays open: well under the 5 s after which rasa_sdk's server
(Sanic's default keep-alive timeout) closes it, so a request never goes out on one it is closing."""


class _KeptSession:
    """What ``EndpointConfig.session()`` returns for a kept-alive endpoint: entered, it gives the
    event loop's one client session of that endpoint (opened on first use); left, it keeps it open."""

    _sessions: dict[tuple[Any, ...], Any] = {}

    def __init__(self, endpoint: Any) -> None:
        self._endpoint = endpoint

    async def __aenter__(self) -> Any:
        import asyncio
        import functools
        import json

        import aiohttp

        loop = asyncio.get_running_loop()
        endpoint = self._endpoint
        key = (id(loop), tuple(sorted(endpoint.headers.items())), tuple(sorted(endpoint.basic_auth.items())))
        session = self._sessions.get(key)
        if session is None or session.closed or getattr(session, "_loop", loop) is not loop:
            auth = endpoint.basic_auth
            session = aiohttp.ClientSession(
                headers=endpoint.headers,
                auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
                timeout=aiohttp.ClientTimeout(total=_default_request_timeout()),
                connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=KEEP_ALIVE_SECONDS),
                # The body as UTF-8, not \\u escapes: a Chinese conversation's JSON is half the size.
                json_serialize=functools.partial(json.dumps, ensure_ascii=False),
            )
            self._sessions[key] = session
        return session

    async def __aexit__(self, *exc_info: Any) -> None:
        return None


def _default_request_timeout() -> float:
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    return DEFAULT_REQUEST_TIMEOUT


def keep_action_connections() -> bool:
    """Makes Rasa keep its connections to an endpoint marked ``keep_alive: true`` open between calls.

    Rasa 3.6 opens a new HTTP client session, and so a new TCP connection, for every action
    call, and closes it after the answer. For an endpoint whose settings say ``keep_alive:
    true`` (our action endpoint, `bot.running.rasa_server.write_endpoints`) each Rasa worker
    keeps one client session per event loop, with the endpoint's headers, authentication and
    timeout, and its connections open for :data:`KEEP_ALIVE_SECONDS`; requests, answers and
    errors are Rasa's own. Other endpoints are untouched.

    Returns:
        Whether marked endpoints now keep their connections.
    """
    from rasa.utils.endpoints import EndpointConfig

    original = EndpointConfig.__dict__.get("session")
    if original is None or not hasattr(EndpointConfig, "request"):
        return False
    if getattr(original, "kept", False):
        return True

    def session(self: EndpointConfig) -> Any:
        if self.kwargs.get(KEEP_ALIVE) is True:
            return _KeptSession(self)
        return original(self)

    session.kept = True  # type: ignore[attr-defined]
    EndpointConfig.session = session  # type: ignore[method-assign]
    on_rasa_app(_close_kept_sessions_on)
    return True


async def close_kept_sessions(*_: Any) -> None:
    """Closes the kept client sessions of the running event loop (when Rasa's server stops)."""
    import asyncio

    loop = id(asyncio.get_running_loop())
    for key in [key for key in _KeptSession._sessions if key[0] == loop]:
        await _KeptSession._sessions.pop(key).close()


def _close_kept_sessions_on(app: Any) -> None:
    app.register_listener(close_kept_sessions, "after_server_stop")


def close_unless_kept_alive(request: Any, response: Any) -> None:
    """Sanic response middleware: the connection closes after this answer when the app's KEEP_ALIVE
    setting (SANIC_KEEP_ALIVE) is off, or when it has given KEEP_ALIVE_REQUESTS answers
    (SANIC_KEEP_ALIVE_REQUESTS, as nginx's ``keepalive_requests``; none by default)."""
    stream = getattr(request, "stream", None)
    if not hasattr(stream, "keep_alive"):
        return
    config = request.app.config
    if not config.get("KEEP_ALIVE", True):
        stream.keep_alive = False  # Sanic then answers "Connection: close" and closes
        return
    limit = config.get("KEEP_ALIVE_REQUESTS")
    context = getattr(getattr(request, "conn_info", None), "ctx", None)
    if isinstance(limit, int) and limit > 0 and context is not None:
        context.answers = getattr(context, "answers", 0) + 1
        if context.answers >= limit:
            stream.keep_alive = False


def obey_the_keep_alive_setting() -> bool:
    """Makes Rasa's web server close connections as its keep-alive settings say.

    Several Rasa workers share one port, and a kept-alive connection stays with the worker that
    accepted it: a few clients that keep their connections (a load balancer, WeChat's servers, a
    load generator) would load one worker while the other idles. The Sanic of Rasa 3.6 (21.12)
    reads no KEEP_ALIVE setting: it keeps every HTTP/1.1 connection open for as long as the
    client likes. A response middleware on Rasa's app closes a connection after its answer when
    SANIC_KEEP_ALIVE is off, or after SANIC_KEEP_ALIVE_REQUESTS answers: `make run` sets the
    latter with more than one worker (`bot.running.rasa_server.rasa_environment`), so that a
    client's next connection goes to a worker that is free while most answers still save the
    connection's cost (a new connection per answer took about 8 % more of Rasa's CPU per message).
    With neither (one worker, Sanic's defaults) nothing changes.

    Returns:
        Whether Rasa's app now gets the middleware.
    """
    return on_rasa_app(_close_unless_kept_alive_on)


def _close_unless_kept_alive_on(app: Any) -> None:
    app.register_middleware(close_unless_kept_alive, "response")


def on_rasa_app(hook: Any) -> bool:
    """Calls ``hook(app)`` on the Sanic app Rasa builds (``rasa.core.run.configure_app``) before it
    serves; each hook once. Returns whether Rasa builds its app there."""
    from rasa.core import run

    configure = run.__dict__.get("configure_app")
    if configure is None:
        return False
    hooks = getattr(configure, "hooks", None)
    if hooks is None:
        original, hooks = configure, []

        def configure_app(*args: Any, **kwargs: Any) -> Any:
            app = original(*args, **kwargs)
            for each in hooks:
                each(app)
            return app

        configure_app.hooks = hooks  # type: ignore[attr-defined]
        run.configure_app = configure_app
    if hook not in hooks:
        hooks.append(hook)
    return True
