"""The two patches this project makes to Rasa 3.6, installed explicitly when our Rasa server starts.

Both make Rasa do the same work with less CPU, found by profiling (`make bench-profile`); neither
changes what Rasa accepts, refuses or answers. :func:`install` is called by
``python -m bot.running.rasa_server`` before Rasa starts, and nowhere else: building a channel or a
tracker store changes nothing global.
"""
from __future__ import annotations

from typing import Any, Optional

from rasa.shared.core.events import Event


def install() -> dict[str, bool]:
    """Install every patch; returns which ones this Rasa version took."""
    return {"event_classes": cache_event_classes(), "action_response_validation": cache_action_response_validation()}


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
