"""Processes that run no neural network stay lean: no TensorFlow, no library chatter.

spaCy's thinc imports TensorFlow when it is installed (Rasa needs it, so it is): about 2 s and
several hundred MiB in processes that only segment words and look up places. The command line,
the action server and the web app call :func:`without_tensorflow` first thing, so thinc sees no
TensorFlow; the Rasa server never calls it. jieba's start-up lines go to the log, not the terminal.
"""
from __future__ import annotations

import logging
import sys


def without_tensorflow() -> None:
    """Make ``import tensorflow`` fail in this process (thinc then runs without it). Call before spaCy loads."""
    if "tensorflow" not in sys.modules:
        sys.modules["tensorflow"] = None  # type: ignore[assignment]  # Python's own way to block an import


def quiet_libraries() -> None:
    """jieba's "Building prefix dict …" lines are not ours to print."""
    logging.getLogger("jieba").setLevel(logging.WARNING)
    try:
        import jieba

        jieba.setLogLevel(logging.WARNING)
    except ImportError:  # pragma: no cover - jieba is a requirement
        pass


def lean_process() -> None:
    """Both, for the command line, the action server and the web app."""
    without_tensorflow()
    quiet_libraries()
