"""The tracker store Rasa runs with (`bot.running.tracker_store`): conversations kept as with Rasa's own SQL store."""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
import rasa.shared.utils.common
from rasa.core.tracker_store import create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.engine import make_url

from bot.config import ROOT
from bot.running.rasa_patches import cache_event_classes
from bot.running.rasa_server import tracker_store_config
from bot.running.tracker_store import TunedSQLTrackerStore
from bot.web.conversations import ConversationStore


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def open_store(path: Path, domain: Domain):
    """The tracker store exactly as `make run` configures Rasa's (endpoints file settings)."""
    return create_tracker_store(EndpointConfig(**tracker_store_config(f"sqlite:///{path}")), domain)


def conversation(domain: Domain, sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, domain.slots)
    for event in (UserUttered("工地要刷脸吗", {"name": "ask_practice", "confidence": 0.9}),
                  ActionExecuted("action_search_practices"), SlotSet("topic_query", "实名制"),
                  BotUttered("安徽省芜湖市……"), ActionExecuted("action_listen")):
        tracker.update(event)
    return tracker


def test_a_conversation_is_still_there_after_a_restart(tmp_path: Path, domain: Domain) -> None:
    """What a worker said and what the bot answered read back the same after Rasa restarts."""
    path = tmp_path / "tracker.db"
    store = open_store(path, domain)
    assert isinstance(store, TunedSQLTrackerStore)
    asyncio.run(store.save(conversation(domain, "worker-1")))
    store.engine.dispose()
    again = asyncio.run(open_store(path, domain).retrieve("worker-1"))
    assert [e.as_dict()["event"] for e in again.events] == ["user", "action", "slot", "bot", "action"]
    assert again.get_slot("topic_query") == "实名制"
    assert again.latest_message.text == "工地要刷脸吗"


def test_the_console_reads_conversations_while_rasa_writes(tmp_path: Path, domain: Domain) -> None:
    """The file is in write-ahead-log mode, and the console's read-only view sees each saved turn."""
    path = tmp_path / "tracker.db"
    store = open_store(path, domain)
    asyncio.run(store.save(conversation(domain, "worker-2")))
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    import sqlalchemy as sa

    with ConversationStore(f"sqlite:///{path}").engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = 'worker-2'")).scalar()
    assert count == 5


@pytest.mark.parametrize("event_class", rasa.shared.utils.common.all_subclasses(Event), ids=lambda c: c.__name__)
def test_each_event_type_reads_back_as_its_own_class(event_class: type) -> None:
    """Every stored event name still gives the class Rasa's own lookup gives."""
    assert cache_event_classes()
    expected = next(c for c in rasa.shared.utils.common.all_subclasses(Event) if c.type_name == event_class.type_name)
    assert Event.resolve_by_type(event_class.type_name) is expected
    assert Event.resolve_by_type(event_class.type_name) is expected  # from the cache


def test_an_unknown_event_name_is_refused_as_rasa_refuses_it() -> None:
    """An unknown name still raises Rasa's error, or gives the default asked for."""
    assert cache_event_classes()
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", UserUttered) is UserUttered


def test_a_turn_is_stored_in_the_rows_rasa_s_own_store_writes(tmp_path: Path, domain: Domain) -> None:
    """Our store writes a turn's events in one statement: the same rows, in the same order, as Rasa's
    SQLTrackerStore, and a second turn adds only its own events."""
    from rasa.core.tracker_store import SQLTrackerStore

    def rows(path: Path) -> list[tuple]:
        with sqlite3.connect(path) as db:
            return db.execute("SELECT id, sender_id, type_name, timestamp, intent_name, action_name, data "
                              "FROM events ORDER BY id").fetchall()

    stored = {}
    first = list(conversation(domain, "worker-3").events)
    second = [UserUttered("还有吗", {"name": "ask_more", "confidence": 1.0}), ActionExecuted("action_show_more")]
    for name, store_class in (("rasa", SQLTrackerStore), ("ours", TunedSQLTrackerStore)):
        store = store_class(domain=domain, dialect="sqlite", db=str(tmp_path / f"{name}.db"))
        tracker = DialogueStateTracker.from_events("worker-3", first, domain.slots)
        asyncio.run(store.save(tracker))
        for event in second:
            tracker.update(event)
        asyncio.run(store.save(tracker))
        store.engine.dispose()
        stored[name] = rows(tmp_path / f"{name}.db")
    assert stored["ours"] == stored["rasa"]
    assert [(row[2], row[4], row[5]) for row in stored["ours"]] == [
        ("user", "ask_practice", None), ("action", None, "action_search_practices"), ("slot", None, "topic_query"),
        ("bot", None, None), ("action", None, "action_listen"), ("user", "ask_more", None),
        ("action", None, "action_show_more")]


def test_rasa_s_tables_exist_before_its_workers_start(tmp_path: Path) -> None:
    """`make run` with two workers on a new tracker database: the tables are made once, before the
    workers start, so neither worker logs Rasa's "Could not create tables" error on the terminal."""
    from bot.config import Settings
    from bot.running.rasa_server import create_tracker_tables, write_endpoints

    settings = Settings(var_dir=tmp_path)
    endpoints = write_endpoints(settings)
    database = Path(make_url(settings.tracker_url).database)
    assert not database.exists()
    create_tracker_tables(["run", "--endpoints", str(endpoints), "--port", "5005"])
    with sqlite3.connect(database) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "events" in tables
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    create_tracker_tables(["run", "--endpoints", str(endpoints)])  # a restart finds them: no error
    # Rasa's in-memory default (no tracker_store in the endpoints file) has no tables to make.
    without_store = tmp_path / "elsewhere" / "no-store.yml"
    without_store.parent.mkdir()
    without_store.write_text("action_endpoint:\n  url: http://localhost:5055/webhook\n", encoding="utf-8")
    create_tracker_tables(["run", "--endpoints", str(without_store)])
    assert [p.name for p in without_store.parent.iterdir()] == ["no-store.yml"]
    # A damaged endpoints file is left to Rasa, which reads it next and says what is wrong.
    without_store.write_text("tracker_store: [unclosed\n", encoding="utf-8")
    create_tracker_tables(["run", "--endpoints", str(without_store)])
    assert [p.name for p in without_store.parent.iterdir()] == ["no-store.yml"]
