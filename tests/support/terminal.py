"""A real terminal for tests: a command run inside tmux, typed into and read back from the screen."""
from __future__ import annotations

import shlex
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from bot.config import ROOT
from bot.terminal_chat import PROMPT

EXITED = "[exited "
"""Printed under the command when it ends (the pane stays, so its last screen can be read)."""


class Terminal:
    """One tmux session on a private server socket, so tests never touch the user's tmux."""

    def __init__(self, socket: Path, width: int = 200, height: int = 60) -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed: run `make system-deps`")
        self.socket = socket
        self.width = width
        self.height = height

    def _tmux(self, *args: str) -> str:
        # -u: the terminal is UTF-8 whatever the locale, so Chinese reads back as typed.
        result = subprocess.run(["tmux", "-u", "-S", str(self.socket), *args], capture_output=True, text=True,
                                timeout=30, check=True)
        return result.stdout

    def start(self, command: Sequence[str], env: dict[str, str]) -> None:
        """Runs ``command`` in a new session; when it ends, the screen says so and how."""
        shell = " ".join(shlex.quote(part) for part in command) + f'; echo "{EXITED}$?]"; sleep 600'
        subprocess.run(["tmux", "-u", "-S", str(self.socket), "new-session", "-d", "-s", "test", "-x", str(self.width),
                        "-y", str(self.height), "-c", str(ROOT), shell], env=env, check=True, timeout=30)

    def type(self, text: str) -> None:
        """Types ``text`` (literally, Chinese included) and presses Enter."""
        if text:
            self._tmux("send-keys", "-t", "test", "-l", text)
        self._tmux("send-keys", "-t", "test", "Enter")

    def press(self, key: str) -> None:
        """Presses a key by its tmux name, e.g. "C-c" for Ctrl-C."""
        self._tmux("send-keys", "-t", "test", key)

    def screen(self) -> str:
        """Everything shown so far, scrollback included, wrapped lines joined."""
        return self._tmux("capture-pane", "-t", "test", "-p", "-J", "-S", "-")

    def wait_for(self, seen: Callable[[str], bool], timeout: float, what: str) -> str:
        """The screen once ``seen(screen)`` holds; fails, showing the screen, after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if seen(screen):
                return screen
            time.sleep(0.3)
        raise AssertionError(f"waited {timeout:.0f} s for {what}; the terminal shows:\n{screen}")

    def close(self) -> None:
        subprocess.run(["tmux", "-S", str(self.socket), "kill-server"], capture_output=True, timeout=30)


def after_last(screen: str, typed: str) -> Optional[str]:
    """What the terminal shows after the last line where ``typed`` was entered at the prompt."""
    marker = f"{PROMPT}{typed}"
    index = screen.rfind(marker)
    return None if index < 0 else screen[index + len(marker):]
