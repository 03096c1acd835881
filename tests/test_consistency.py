"""The Python and the YAML agree: actions, responses, intents, entities, slots and stories."""
from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action

import actions
import bot.vocabulary as vocabulary
from bot.config import ROOT

ACTIONS_DIR = ROOT / "actions"
CHANNELS_DIR = ROOT / "bot" / "channels"  # channels send a few texts of their own (WeChat prompts, apologies)
NLU_DIR = ROOT / "data" / "nlu"
DIALOGUE_DIRS = (ROOT / "data" / "rules", ROOT / "data" / "stories", ROOT / "tests" / "stories")
# The bar for topic intents; the conversation intents need fewer.
MIN_TOPIC_EXAMPLES = 40
MIN_OTHER_EXAMPLES = 10
# The FallbackClassifier's intent is predicted, never trained on: it must have no examples.
TOPIC_INTENTS = frozenset({*vocabulary.TOPIC_INTENTS, vocabulary.PLACE_INTENT})
FALLBACK_INTENT = vocabulary.FALLBACK_INTENT


@lru_cache(maxsize=1)
def domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def domain_intents() -> list[str]:
    return [i if isinstance(i, str) else next(iter(i)) for i in domain()["intents"]]


def action_classes() -> list[type[Action]]:
    """Every concrete Action in the actions package, found as the action server finds them."""
    for module in pkgutil.walk_packages(actions.__path__, "actions."):
        importlib.import_module(module.name)
    found = []
    stack = list(Action.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("actions.") and not inspect.isabstract(cls):
            found.append(cls)
    return found


VOCABULARY = ROOT / "bot" / "vocabulary.py"  # response names the actions import from there


def action_sources() -> dict[Path, str]:
    paths = [*sorted(ACTIONS_DIR.glob("*.py")), VOCABULARY]
    return {path: path.read_text(encoding="utf-8") for path in paths}


def string_literals(source: str) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


@lru_cache(maxsize=1)
def nlu_data():
    """The NLU training data, read by Rasa itself."""
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(NLU_DIR))


def dialogue_steps() -> list[dict[str, Any]]:
    steps = []
    for folder in DIALOGUE_DIRS:
        for path in sorted(folder.glob("*.yml")):
            content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for block in (content.get("rules") or []) + (content.get("stories") or []):
                steps.extend(block.get("steps") or [])
    return steps


# ---- actions --------------------------------------------------------------------------


def test_every_action_class_is_in_the_domain_and_back():
    """Each action's name() is listed in domain.yml, each listed action exists, names match classes."""
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")  # as `rasa run actions` does
    classes = action_classes()
    names = {cls().name() for cls in classes}
    assert names == set(domain()["actions"]) == set(executor.actions)
    for cls in classes:
        expected = "action_" + re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__.removeprefix("Action")).lower()
        assert cls().name() == expected, cls.__name__


def test_every_response_named_in_the_actions_exists():
    """Every "utter_…" the actions send is a response in domain.yml; none is built at run time."""
    responses = set(domain()["responses"])
    used = set()
    for path, source in action_sources().items():
        assert not re.search(r"f[\"']utter_", source), f"{path.name} builds a response name"
        used |= {s for s in string_literals(source) if s.startswith("utter_")}
    assert used, "the actions send responses"
    assert used <= responses, sorted(used - responses)


def data_responses() -> set[str]:
    """Responses the actions send by name from data (the off-list topics of data/kb/off_list.yml)."""
    from bot.kb.answerability import load_off_list_topics

    return {topic.response for topic in load_off_list_topics()}


def test_every_response_named_in_data_exists():
    """Every off-list topic answers with a response of domain.yml."""
    assert data_responses() and data_responses() <= set(domain()["responses"]), sorted(data_responses())


def test_every_response_is_used_somewhere():
    """No dead text: every response is sent by an action, a channel, or a rule or story."""
    sources = [*action_sources().values(), *(p.read_text(encoding="utf-8") for p in CHANNELS_DIR.glob("*.py"))]
    in_code = set().union(*(string_literals(s) for s in sources)) | data_responses()
    in_dialogue = {step["action"] for step in dialogue_steps() if "action" in step}
    unused = set(domain()["responses"]) - in_code - in_dialogue
    assert not unused, sorted(unused)


def test_no_chinese_sentence_in_the_actions():
    """User text lives in domain.yml: action code holds no Chinese string a user would read.

    Allowed: docstrings, regular expressions, and the search vocabulary of topics.py.
    """
    han = re.compile(r"[\u4e00-\u9fff]")
    for path, source in action_sources().items():
        if path.name == "topics.py":
            continue
        tree = ast.parse(source)
        allowed = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
                allowed.add(id(body[0].value))  # a docstring
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "compile":
                allowed.update(id(arg) for arg in node.args)  # a regular expression
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in allowed:
                assert not han.search(node.value), f"{path.name}:{node.lineno} has Chinese text: {node.value!r}"


# ---- dialogue ---------------------------------------------------------------------------


def test_rules_and_stories_use_only_domain_intents_and_actions():
    intents = set(domain_intents())
    actions_and_responses = set(domain()["actions"]) | set(domain()["responses"])
    for step in dialogue_steps():
        if "intent" in step:
            assert step["intent"] in intents, step
        if "action" in step:
            assert step["action"] in actions_and_responses, step


def test_every_intent_has_a_rule_or_story():
    used = {step["intent"] for step in dialogue_steps() if "intent" in step}
    assert set(domain_intents()) <= used, sorted(set(domain_intents()) - used)


def test_button_payloads_name_domain_intents():
    intents = set(domain_intents())
    for name, variations in domain()["responses"].items():
        for variation in variations:
            for button in variation.get("buttons") or []:
                intent = re.match(r"/(\w+)", button["payload"]).group(1)
                assert intent in intents, (name, button)


def test_slot_mappings_name_domain_entities():
    entities = set(domain()["entities"])
    for name, slot in domain()["slots"].items():
        assert slot.get("mappings"), f"slot {name} has no mappings"
        for mapping in slot["mappings"]:
            if mapping["type"] == "from_entity":
                assert mapping["entity"] in entities, name


def test_test_stories_are_held_out_multi_turn_and_in_chinese():
    """At least 15 multi-turn test stories whose user messages are Chinese text."""
    stories = yaml.safe_load((ROOT / "tests" / "stories" / "test_stories.yml").read_text(encoding="utf-8"))["stories"]
    assert len(stories) >= 15
    for story in stories:
        users = [step for step in story["steps"] if "user" in step]
        assert len(users) >= 2, story["story"]
        assert all(re.search(r"[\u4e00-\u9fff0-9]", step["user"]) for step in users), story["story"]


# ---- NLU data ---------------------------------------------------------------------------


def test_every_intent_has_enough_examples():
    """Each intent of the domain (but the fallback, which has none by design) has NLU examples."""
    counts: dict[str, int] = {}
    for example in nlu_data().intent_examples:
        counts[example.get("intent")] = counts.get(example.get("intent"), 0) + 1
    assert FALLBACK_INTENT not in counts
    for intent in domain_intents():
        if intent == FALLBACK_INTENT:
            continue
        minimum = MIN_TOPIC_EXAMPLES if intent in TOPIC_INTENTS else MIN_OTHER_EXAMPLES
        assert counts.get(intent, 0) >= minimum, f"{intent}: {counts.get(intent, 0)} examples"
    assert set(counts) <= set(domain_intents()), sorted(set(counts) - set(domain_intents()))


def test_every_entity_is_trained_and_read():
    """Each entity is annotated (or has a lookup table or regex) in data/nlu, and an action reads it."""
    data = nlu_data()
    annotated = {e["entity"] for example in data.entity_examples for e in example.get("entities") or []}
    tables = {t["name"] for t in data.lookup_tables} | {r["name"] for r in data.regex_features}
    literals = set().union(*(string_literals(s) for s in action_sources().values()))
    for name in domain()["entities"]:
        assert name in annotated | tables, f"entity {name} never appears in data/nlu"
        assert name in literals, f"no action reads entity {name}"


def test_rasa_data_validate_finds_nothing_wrong():
    """`rasa data validate` passes; its only warnings are responses sent by actions and channels, which it cannot see."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "rasa", "data", "validate"], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout + result.stderr
    warned = set(re.findall(r"The utterance '(\w+)' is not used in any story or rule", output))
    sources = [*action_sources().values(), *(p.read_text(encoding="utf-8") for p in CHANNELS_DIR.glob("*.py"))]
    sent_by_code = set().union(*(string_literals(s) for s in sources)) | data_responses()
    assert warned <= sent_by_code, sorted(warned - sent_by_code)
    other = [line for line in output.splitlines() if "UserWarning" in line and "is not used in any story" not in line]
    assert not other, other


# What of the tracker Rasa no longer sends the action server (bot.running.rasa_patches.send_the_turn_to_actions):
# the session's events before the current turn.
TRACKER_HISTORY_READERS = {"events", "applied_events", "events_after_latest_restart", "get_last_event_for",
                           "idx_after_latest_restart", "current_state"}


def test_no_action_reads_the_conversation_s_earlier_events():
    """The actions read the slots and the latest message: Rasa sends them the current turn's events only."""
    readers = {(path.name, node.attr) for path, source in action_sources().items() if path.parent == ACTIONS_DIR
               for node in ast.walk(ast.parse(source))
               if isinstance(node, ast.Attribute) and node.attr in TRACKER_HISTORY_READERS}
    assert not readers, f"an action reads the tracker's history, which action calls no longer carry: {readers}"
