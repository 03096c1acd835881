"""The shared shape of this project's trained NLU components: options merged with their defaults,
and what training learned pickled into Rasa's model storage and loaded back with the model."""
from __future__ import annotations

import logging
import pickle
from typing import Any, Dict, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

STATE_FILE = "state.pkl"

logger = logging.getLogger(__name__)


class TrainedComponent(GraphComponent):
    """A graph component whose learned state (``self._state``, None before training) travels with the model."""

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 state: Any = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._state = state

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TrainedComponent":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "TrainedComponent":
        state: Optional[Any]
        try:
            with model_storage.read_from(resource) as directory:
                state = pickle.loads((directory / STATE_FILE).read_bytes())
        except (ValueError, FileNotFoundError):
            # Training always saves a state (None when there was nothing to learn from): a model
            # without one was trained by other code. The component says nothing until retrained.
            logger.warning("%s has no trained state in this model: run `make train`", cls.__name__)
            state = None
        return cls(config, model_storage, resource, state)

    def _save(self, state: Any) -> Resource:
        """Keeps what training learned, in memory and in the model."""
        self._state = state
        with self._storage.write_to(self._resource) as directory:
            (directory / STATE_FILE).write_bytes(pickle.dumps(state))
        return self._resource
