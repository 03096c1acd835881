"""Our two Rasa patches are installed by our Rasa start-up, explicitly, and by nothing else."""
from __future__ import annotations

import subprocess
import sys

from bot.config import ROOT, Settings
from bot.running.rasa_server import rasa_command


def test_rasa_is_started_through_the_module_that_installs_the_patches(tmp_path):
    command = rasa_command(Settings(var_dir=tmp_path), ROOT / "models" / "assistant.tar.gz")
    assert command[1:4] == ["-m", "bot.running.rasa_server", "run"]


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
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    last = result.stdout.strip().splitlines()[-1]
    assert last == "(False, False) {'event_classes': True, 'action_response_validation': True}"
