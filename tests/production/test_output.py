"""Which lines of the servers' and the training's output reach the terminal (the rest is in var/log/)."""
from __future__ import annotations

import re

import pytest

from bot.config import ROOT
from bot.running.output import matters, warning_message

VENV = ".venv/lib/python3.10/site-packages"


@pytest.mark.parametrize("line, shown", [
    pytest.param("2026-12-01 09:32:59 INFO     rasa_sdk.endpoint  - Starting action endpoint server...", False,
                 id="info"),
    pytest.param("2026-12-01 09:32:59 ERROR    rasa.core.processor  - Encountered an exception", True, id="error"),
    pytest.param("2026-12-01 09:33:19,170 CRITICAL aiohttp.server: Error handling request", True, id="web critical"),
    pytest.param("[2026-12-01 09:33:19 +0000] [4406] [ERROR] Exception occurred while handling uri", True,
                 id="sanic error"),
    pytest.param("[2026-12-01 09:33:19 +0000] [4406] [INFO] Goin' Fast @ http://0.0.0.0:5005", False,
                 id="sanic info"),
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


RASA_TRAIN_LINES = [  # as `rasa train` prints them (colours and the library paths included)
    "2026-12-01 09:26:19 INFO     rasa.cli.train  - Started validating domain and training data...",
    f"{VENV}/pkg_resources/__init__.py:3117: DeprecationWarning: Deprecated call to `pkg_resources.declare_namespace`",
    *(f"\x1b[0m\x1b[93m{VENV}/rasa/shared/utils/io.py:100: UserWarning: The utterance '{name}' is not used in any "
      "story or rule." for name in ("utter_handoff", "utter_practice_item", "utter_handoff")),
    f"\x1b[0m\x1b[93m{VENV}/rasa/shared/utils/io.py:100: UserWarning: You have defined training data consisting of "
    "lookup tables, but your NLU configuration does not include any components that uses the features created "
    "from the lookup table.",
    "2026-12-01 09:26:25 INFO     rasa.engine.training.hooks  - Starting to train component 'JiebaTokenizer'.",
    "Building prefix dict from the default dictionary ...",
    f"\x1b[93m{VENV}/rasa/shared/utils/io.py:100: UserWarning: Found conflicting synonym definitions for '广东'.",
    "2026-12-01 09:26:51 INFO     rasa.engine.training.hooks  - Starting to train component 'RulePolicy'.",
    "\x1b[92mYour Rasa model is trained and saved at 'models/assistant.tar.gz'.\x1b[0m",
]


def test_training_tells_its_stages_counts_the_responses_only_actions_send_and_shows_other_warnings(capsys):
    from bot.running.train import TrainingProgress

    progress = TrainingProgress()
    for line in RASA_TRAIN_LINES:
        progress.on_line(line)
    progress.finished(0, "var/log/train.log")
    said = [re.sub(r" \(\d+ s\)$", "", line) for line in capsys.readouterr().err.splitlines()]  # times vary
    assert said == [
        "[train] checking the training data (rasa data validate) …",
        "[train] note: Rasa sees lookup tables but no DIET or CRF to use them: expected, they feed "
        "RegexEntityExtractor (config.yml)",
        "[train] data check: 2 responses are sent by the actions and channels, not named in rules or stories "
        "(expected; tests/test_consistency.py checks each is sent)",
        "[train] training the NLU pipeline (jieba, features, intent classifier) …",
        "[train] warning: UserWarning: Found conflicting synonym definitions for '广东'.",
        "[train] training the dialogue policies (rules, memoization) …",
        "[train] model saved: models/assistant.tar.gz",
    ]


def test_a_failed_training_says_its_last_line_and_where_the_log_is(capsys):
    from bot.running.train import TrainingProgress

    progress = TrainingProgress()
    progress.on_line("rasa.shared.exceptions.YamlSyntaxException: Failed to read 'domain.yml'.")
    progress.finished(1, "var/log/train.log")
    assert capsys.readouterr().err.strip() == (
        "[train] training failed (exit 1): rasa.shared.exceptions.YamlSyntaxException: Failed to read 'domain.yml'.; "
        "full output: var/log/train.log")


def test_a_training_from_the_cache_says_so_once(capsys):
    from bot.running.train import TrainingProgress

    progress = TrainingProgress()
    for component in ("JiebaTokenizer", "RegexFeaturizer"):
        progress.on_line(f"2026-12-01 09:56:04 INFO     rasa.engine.training.hooks  - Restored component '{component}' "
                         "from cache.")
        progress.on_line("2026-12-01 09:56:04 INFO     rasa.engine.training.hooks  - Starting to train component "
                         "'LogisticRegressionClassifier'.")
    said = [re.sub(r" \(\d+ s\)$", "", line) for line in capsys.readouterr().err.splitlines()]
    assert said == ["[train] reusing what earlier trainings learned from unchanged data (Rasa's cache, .rasa/) …",
                    "[train] training the NLU pipeline (jieba, features, intent classifier) …"]
