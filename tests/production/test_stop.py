"""Stopping the servers: nothing they started outlives the stop, so a restart finds its ports free."""
from __future__ import annotations

import subprocess
import sys
import time

from bot.running.launcher import _alive, stop

# A parent that starts a child (as Rasa starts its worker processes) and dies at once when told to;
# the child, which is not told, goes on for a moment.
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1.5)"])
print(child.pid, flush=True)
time.sleep(60)
"""


def test_a_stopped_server_leaves_no_child_running():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    started = time.monotonic()
    stop(parent, timeout=10)
    assert parent.poll() is not None and not _alive(child)
    assert time.monotonic() - started < 10  # waited for the child to end, not for the deadline


def test_a_child_that_will_not_end_is_killed_at_the_deadline():
    parent = subprocess.Popen([sys.executable, "-c", PARENT.replace("time.sleep(1.5)", "time.sleep(60)")],
                              stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    stop(parent, timeout=1)
    time.sleep(0.2)  # the kill is delivered
    assert not _alive(child)
