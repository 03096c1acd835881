"""Which lines of the servers' and the training's output reach the terminal (the rest is in var/log/)."""
from __future__ import annotations

import pytest

from bot.config import ROOT
from bot.running.output import matters, warning_message

VENV = "/work/.venv/lib/python3.10/site-packages"


@pytest.mark.parametrize("line, shown", [
    pytest.param("2026-12-01 09:32:59 INFO     rasa_sdk.endpoint  - Starting action endpoint server...", False,
                 id="info"),
    pytest.param("2026-12-01 09:32:59 ERROR    rasa.core.processor  - Encountered an exception", True, id="error"),
    pytest.param("2026-12-01 09:33:19,170 CRITICAL aiohttp.server: Error handling request", True, id="web critical"),
    pytest.param("2026-12-01 09:32:59 WARNING  rasa.core.agent  - something only Rasa cares about", False,
                 id="library warning log"),
    pytest.param("2026-12-01 09:32:59 WARNING  bot.channels.base  - channel texts not found", True,
                 id="our warning log"),
    pytest.param(f"{VENV}/sanic_cors/extension.py:39: DeprecationWarning: distutils Version classes are deprecated.",
                 False, id="library deprecation"),
    pytest.param(f"{VENV}/matplotlib/fontconfig_pattern.py:66: PyparsingDeprecationWarning: 'setParseAction'", False,
                 id="pyparsing"),
    pytest.param(f"{VENV}/rasa/core/tracker_store.py:1044: MovedIn20Warning: Deprecated API features detected!",
                 False, id="sqlalchemy 2.0 notice"),
    pytest.param(f"\x1b[93m{VENV}/rasa/shared/utils/io.py:100: UserWarning: Found conflicting synonym definitions "
                 "for '广东'.", True, id="warning about our data"),
    pytest.param(f"{VENV}/sklearn/linear_model/_logistic.py:444: ConvergenceWarning: lbfgs failed to converge", True,
                 id="model warning"),
    pytest.param(f"{ROOT}/bot/kb/search.py:10: DeprecationWarning: our own use of a deprecated API", True,
                 id="our deprecation"),
    pytest.param("Building prefix dict from the default dictionary ...", False, id="jieba"),
    pytest.param("  SANIC_VERSION = LooseVersion(sanic_version)", False, id="source line of a warning"),
])
def test_a_line_reaches_the_terminal_only_when_it_calls_for_action(line, shown):
    assert matters(line) is shown


def test_a_warning_is_shown_without_the_library_path_and_colours():
    line = f"\x1b[93m{VENV}/rasa/shared/utils/io.py:100: UserWarning: Found conflicting synonym definitions.\x1b[0m"
    assert warning_message(line) == "UserWarning: Found conflicting synonym definitions."
