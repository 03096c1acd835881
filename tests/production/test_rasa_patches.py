"""Our two Rasa patches are installed by our Rasa start-up, explicitly, and by nothing else."""
from __future__ import annotations

import subprocess
import sys

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
    assert last == "(False, False) {'event_classes': True, 'action_response_validation': True, 'session_roll': False, 'slots_carried_once': True}"


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
