"""Rasa's SQL tracker store, without three costs the profile showed on every turn.

`make bench-profile` (see `docs/benchmarks.md`) showed the Rasa server spending,
per user message:

- about 7 % of its time in SQLite's commit: a file database in SQLite's default
  rollback-journal mode syncs the journal and the database to disk on every
  commit, and Rasa commits once per turn. In write-ahead-log mode with
  ``synchronous=NORMAL`` a commit is an append to the log; a committed turn
  survives a crash or restart of the process (what `make run` restarts) and
  only a power cut of the machine may lose the last turns. The log also lets
  readers (the console, a second Rasa instance) read while a turn is written.
- about 6 % in finding an event's class by its name (``Event.resolve_by_type``
  walks every subclass of ``Event`` for every event of a conversation it
  reads back); `bot.running.rasa_patches` remembers each class once found.

- the new events of a turn inserted one statement each (the ORM learning each new id): a
  practice answer's fourteen events cost about 0.9 ms more than one statement of fourteen rows.
  :meth:`TunedSQLTrackerStore.save` writes Rasa's rows in one statement (SQLite and PostgreSQL).

The store is Rasa's ``SQLTrackerStore`` otherwise: same tables, same rows, same
settings (`bot.running.rasa_server.tracker_store_config`).
"""
from __future__ import annotations

import json
import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

logger = logging.getLogger(__name__)

SQLITE_POOL_SIZE = 4
"""SQLite connections kept open; Rasa uses one at a time, on its event loop."""

SQLITE_PRAGMAS = ("PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=10000")
"""Run on every new SQLite connection (these settings do not persist in the file)."""


class TunedSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store; an SQLite file is kept in write-ahead-log mode.

    Takes the arguments of Rasa's ``SQLTrackerStore`` (`type:
    bot.running.tracker_store.TunedSQLTrackerStore` in the endpoints file).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            self._keep_sqlite_connections()

    async def save(self, tracker: Any) -> None:
        """Stores the tracker's new events as Rasa's store does, the same rows, in one statement.

        Rasa adds each event through the ORM, which inserts the rows one by one (to learn each
        new id): a practice answer's fourteen events were fourteen statements. The rows are
        Rasa's own (sender, type, timestamp, intent, action, the event's JSON).
        """
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = [_row(tracker.sender_id, event) for event in self._additional_events(session, tracker)]
            if rows:
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            session.commit()
        logger.debug("Tracker with sender_id '%s' stored to database", tracker.sender_id)

    def _keep_sqlite_connections(self) -> None:
        """Pooled connections in write-ahead-log mode, instead of a new connection per query.

        SQLAlchemy 1.4 opens and closes an SQLite file for every session; in WAL mode
        the last connection closed also copies the log back into the database, so
        keeping the connections open is what makes the log cheap.
        """
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, poolclass=QueuePool, pool_size=SQLITE_POOL_SIZE, max_overflow=8,
                                       connect_args={"check_same_thread": False})
        event.listen(self.engine, "connect", _tune_sqlite_connection)
        self.sessionmaker = sessionmaker(bind=self.engine)
        with self.engine.connect() as connection:
            # Persistent in the database file: every later connection (and reader) uses the log.
            mode = connection.exec_driver_sql("PRAGMA journal_mode=WAL").scalar()
        logger.debug("tracker store %s in journal mode %s", url.database, mode)


def _tune_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _row(sender_id: str, event: Any) -> dict[str, Any]:
    """The row Rasa's ``SQLTrackerStore.save`` stores for an event."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}
