"""The names Python shares with domain.yml are written once (bot/vocabulary.py) and all exist there."""
from __future__ import annotations

import yaml

import bot.vocabulary as vocabulary
from actions.topics import TOPIC_KEYWORDS, TOPIC_SECTIONS
from bot.config import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def names(prefix: str) -> dict[str, str]:
    return {k: v for k, v in vars(vocabulary).items() if k.startswith(prefix) and isinstance(v, str)}


def test_every_intent_of_the_vocabulary_is_a_domain_intent():
    single = {v for k, v in vars(vocabulary).items()
              if k.endswith("_INTENT") and not k.startswith("SLOT_") and isinstance(v, str)}
    named = single | set(vocabulary.TOPIC_INTENTS) | set(vocabulary.QUESTION_INTENTS)
    assert len(named) > 15
    assert named <= set(DOMAIN["intents"]), sorted(named - set(DOMAIN["intents"]))


def test_every_slot_of_the_vocabulary_is_a_domain_slot_and_every_domain_slot_is_named():
    assert set(names("SLOT_").values()) == set(DOMAIN["slots"])


def test_every_response_of_the_vocabulary_is_a_domain_response():
    named = {*names_ending("_RESPONSE"), *vocabulary.NOT_ANSWERED_RESPONSES, *vocabulary.HANDOFF_NOTICES}
    assert len(named) >= 8
    assert named <= set(DOMAIN["responses"]), sorted(named - set(DOMAIN["responses"]))


def names_ending(suffix: str) -> set[str]:
    return {v for k, v in vars(vocabulary).items() if k.endswith(suffix) and isinstance(v, str)}


def test_every_topic_intent_has_its_search_words_and_its_sections():
    """A topic intent the classifier can give must search with keywords and prefer its sections."""
    assert set(TOPIC_KEYWORDS) == set(TOPIC_SECTIONS) == set(vocabulary.TOPIC_INTENTS)


def test_no_module_retypes_an_intent_list_the_vocabulary_holds():
    """The editors' list, the corpus and the actions import these names; none defines its own copy."""
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "actions").rglob("*.py")]:
        if path.name == "vocabulary.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert '"nlu_fallback", "out_of_scope", "ask_uncovered"' not in text, path
        assert 'SLOT_PLACE = "place"' not in text, path
