"""What of the servers' and the training's output a person at the terminal needs to see.

Everything goes to a log file under `var/log/`; the terminal gets our own progress lines and the
lines that call for action: errors, warnings logged by our code, and warnings about our data or
configuration (Rasa's and scikit-learn's `UserWarning`s). Libraries' deprecation notices about
their own dependencies (pkg_resources, pyparsing, click, distutils), INFO chatter and jieba's
dictionary lines stay in the log.
"""
from __future__ import annotations

import io
import re
import sys
import threading
from pathlib import Path
from typing import IO, Callable

from bot.config import ROOT

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# "2026-12-01 09:32:59 ERROR    rasa.core…" (Rasa, rasa_sdk) or "2026-12-01 09:33:19,170 ERROR aiohttp…" (web app)
_LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:,\d+)?\s+(?P<level>[A-Z]+)\s+(?P<logger>\S+)")
# "[2026-12-01 09:33:19 +0000] [4406] [ERROR] Exception occurred …" (Sanic's own format)
_SANIC_RECORD = re.compile(r"^\[[^\]]+\] \[\d+\] \[(?P<level>[A-Z]+)\]")
# "/path/module.py:100: UserWarning: message" (Python's warnings module)
_PY_WARNING = re.compile(r"^(?P<path>\S+?\.py):\d+: (?P<category>\w+): (?P<message>.*)")
# Libraries' notices that an API they use is going away (SQLAlchemy's MovedIn20Warning is one).
_DEPRECATION = re.compile(r"Deprecat|MovedIn20|FutureWarning")
OUR_PACKAGES = ("bot", "actions")
_OUR_PATHS = tuple(str(ROOT / package) + "/" for package in OUR_PACKAGES)


def plain(line: str) -> str:
    """The line without colour codes and surrounding whitespace."""
    return _ANSI.sub("", line).strip()


def ours(logger: str) -> bool:
    return logger.split(".")[0] in OUR_PACKAGES


def matters(line: str) -> bool:
    """Whether a line of a server's or the training's output is shown at the terminal."""
    line = plain(line)
    record = _LOG_RECORD.match(line)
    if record:
        level = record.group("level")
        return level in ("ERROR", "CRITICAL") or (level == "WARNING" and ours(record.group("logger")))
    sanic = _SANIC_RECORD.match(line)
    if sanic:
        return sanic.group("level") in ("ERROR", "CRITICAL")
    warning = _PY_WARNING.match(line)
    if warning:
        from_our_code = warning.group("path").startswith(_OUR_PATHS)
        return from_our_code or not _DEPRECATION.search(warning.group("category"))
    return False  # a crash is told by the supervisor, with the log's last line


def warning_message(line: str) -> str:
    """A Python warning line reduced to "Category: message" (the library's file path is noise)."""
    line = plain(line)
    warning = _PY_WARNING.match(line)
    return f"{warning.group('category')}: {warning.group('message')}" if warning else line


def relay(stream: IO[bytes], log: Path, on_line: Callable[[str], None]) -> threading.Thread:
    """Copies a child's output to ``log`` and hands each line (decoded, line end removed) to ``on_line``.

    Args:
        stream: the child's stdout (stderr merged into it).
        log: the log file, appended to.
        on_line: decides what of the line to show (see :func:`matters`).
    """
    def copy() -> None:
        # Universal newlines: a progress bar's "\r" updates arrive as lines while it runs, not all at its end.
        lines = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=None)
        with open(log, "a", encoding="utf-8") as out:
            for line in lines:
                out.write(line)
                out.flush()
                on_line(line.rstrip())
        lines.close()

    thread = threading.Thread(target=copy, name=f"relay {log.name}", daemon=True)
    thread.start()
    return thread


def shown(path: Path) -> str:
    """A path as short as it can be said: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def say(prefix: str, text: str) -> None:
    """One of our own progress lines, on stderr (as the servers' own output was)."""
    print(f"[{prefix}] {text}", file=sys.stderr, flush=True)
