"""The patches this project makes to Rasa 3.6, installed explicitly when our Rasa server starts.

Two make Rasa do the same work with less CPU, found by profiling (`make bench-profile`); the
other two bound a turn's cost by the recent part of a conversation (a session rolled over
every so many events, each slot carried into the new session once). None changes what Rasa accepts, refuses or
answers. :func:`install` is called by
``python -m bot.running.rasa_server`` before Rasa starts, and nowhere else: building a channel or a
tracker store changes nothing global.
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
    """Makes Rasa validate action server responses with one prepared validator.

    Rasa 3.6 checks every action server response with ``jsonschema.validate``, which
    re-checks the schema itself and builds a new validator on each call: about 18 ms
    of the Rasa server's CPU per action call, as much as a whole rule-answered turn
    (`make bench --profile`). The prepared validator accepts and refuses exactly the
    same responses; a refused one is handed to Rasa's own check, so its error is
    unchanged.

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
    validator = validator_class(schema)

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        return True if validator.is_valid(result) else original(self, result)

    validate_action_result.prepared = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    return True
