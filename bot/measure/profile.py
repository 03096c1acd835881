"""py-spy profiles of the running servers, summarised as the functions that take the most time."""
from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.config import ROOT

OUR_PACKAGES = ("bot/", "actions/")


@dataclass
class Recording:
    """A py-spy recording in progress; `wait_and_read()` returns its collapsed stacks."""

    process: subprocess.Popen
    output: Path

    def wait_and_read(self) -> str:
        self.process.wait(timeout=600)
        return self.output.read_text(encoding="utf-8") if self.output.exists() else ""


def record(pid: int, seconds: int, output: Path) -> Recording:
    """Starts sampling `pid` for `seconds` (collapsed stacks, idle threads left out)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    command = [py_spy, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "100",
               "--format", "raw", "--output", str(output)]
    return Recording(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), output)


def top_functions(collapsed: str, limit: int = 12) -> list[tuple[str, float]]:
    """The functions most often on the stack (inclusive), as shares of all samples.

    Lists our own code (bot/, actions/) and the leaf functions (where time is spent), mixed and
    ranked, so a heavy call of ours and the library work below it both show.
    """
    inclusive: Counter = Counter()
    leaves: Counter = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = stack.split(";")
        leaves[_short(frames[-1])] += samples
        for frame in set(frames):
            if _is_ours(frame):
                inclusive[_short(frame)] += samples
    if not total:
        return []
    ranked = Counter({f"self: {name}": n for name, n in leaves.items()})
    ranked.update({f"incl: {name}": n for name, n in inclusive.items()})
    return [(name, 100.0 * n / total) for name, n in ranked.most_common(limit)]


def _is_ours(frame: str) -> bool:
    """Whether a frame is in the project's code (py-spy shows paths relative to sys.path)."""
    path = frame.partition(" (")[2].removeprefix(f"{ROOT}/")
    return path.startswith(OUR_PACKAGES)


def _short(frame: str) -> str:
    """`function (path/to/module.py:12)` → `function (module.py)`."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", f"{ROOT}/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})"
