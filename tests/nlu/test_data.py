"""The NLU training data and the held-out sets: complete, loadable and kept apart.

A worker's question is understood only if its intent has enough varied
examples; the evaluation means something only if no held-out message was
trained on.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.config import ROOT
from bot.kb.regions import get_gazetteer
from bot.kb.text import normalize
from bot.measure.corpus import NLU_FILE, load_part
from bot.vocabulary import CITATION_INTENT, FEELING_INTENT, PLACE_INTENT, TOPIC_INTENTS

NLU_DIR = ROOT / "data" / "nlu"
TEST_NLU = ROOT / "tests" / "nlu" / "test_nlu.yml"
CONVERSATION_INTENTS = frozenset(
    {
        "greet", "goodbye", "thank", "affirm", "deny", "ask_bot_identity", "ask_help", "request_human",
        "out_of_scope", "ask_uncovered", "inform_place", "ask_more", "ask_detail", "ask_source",
        "ask_places_list", "ask_about_list", "ask_hotline", "feedback_useful", "feedback_useless", CITATION_INTENT, FEELING_INTENT,
    }
)
SEARCH_INTENTS = frozenset({*TOPIC_INTENTS, PLACE_INTENT})
ALL_INTENTS = SEARCH_INTENTS | CONVERSATION_INTENTS
MIN_TOPIC_EXAMPLES = 40
MIN_OTHER_EXAMPLES = 12
MIN_HELD_OUT_PER_INTENT = 8


@pytest.fixture(scope="module")
def training() -> TrainingData:
    return load_data(str(NLU_DIR))


@pytest.fixture(scope="module")
def held_out() -> TrainingData:
    return load_data(str(TEST_NLU))


def _key(text: str, simplified: bool = True) -> str:
    """A message as compared: letters and digits only, Traditional read as Simplified if asked."""
    text = normalize(text) if simplified else unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN") or text.strip()


def _counts(data: TrainingData) -> Counter:
    return Counter(m.get("intent") for m in data.intent_examples)


def test_training_data_covers_exactly_the_domain_intents(training):
    """Every intent the dialogue uses can be recognized, and there are no stray ones."""
    assert set(_counts(training)) == ALL_INTENTS


@pytest.mark.parametrize("intent", sorted(ALL_INTENTS))
def test_each_intent_has_enough_training_examples(training, intent):
    """A topic has at least 40 examples, small talk and follow-ups at least 12."""
    minimum = MIN_TOPIC_EXAMPLES if intent in SEARCH_INTENTS else MIN_OTHER_EXAMPLES
    assert _counts(training)[intent] >= minimum


@pytest.mark.parametrize("intent", sorted(ALL_INTENTS))
def test_each_intent_has_enough_held_out_examples(held_out, intent):
    """The held-out test set checks every intent on at least 8 unseen messages."""
    assert _counts(held_out)[intent] >= MIN_HELD_OUT_PER_INTENT


def test_topic_training_files_hold_one_topic_each():
    """data/nlu/ is split by topic: a topic intent's written examples live in one file (the real
    questions of the corpus's training part are generated into one file of their own)."""
    files_by_intent: dict[str, set[str]] = {}
    for path in sorted(p for p in NLU_DIR.glob("*.yml") if p != NLU_FILE):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                files_by_intent.setdefault(block["intent"], set()).add(path.name)
    assert {i: f for i, f in files_by_intent.items() if len(f) > 1} == {}


def test_no_duplicate_training_examples(training):
    """No message is trained twice, or under two intents (a Traditional twin is a new message)."""
    keys = Counter(_key(m.get("text"), simplified=False) for m in training.intent_examples)
    assert [k for k, n in keys.items() if n > 1] == []


def test_no_held_out_message_appears_in_training(training, held_out):
    """Neither the NLU test set nor the development and test parts of the real corpus were trained on."""
    trained = {_key(m.get("text")) for m in training.intent_examples}
    held = [m.get("text") for m in held_out.intent_examples] + [q.text for q in load_part("dev") + load_part("test")]
    assert [t for t in held if _key(t) in trained] == []


def _annotated_places(data: TrainingData) -> list[str]:
    return [
        m.get("text")[e["start"] : e["end"]]
        for m in data.intent_examples
        for e in m.get("entities") or ()
        if e["entity"] == "place"
    ]


@pytest.mark.parametrize("source", ["training", "held_out"])
def test_every_annotated_place_is_a_place_the_gazetteer_knows(source, request):
    """Places are annotated in examples, and each one names a real province, city or county."""
    places = _annotated_places(request.getfixturevalue(source))
    assert len(places) >= 20
    gazetteer = get_gazetteer()
    assert [p for p in places if gazetteer.resolve(p) is None] == []


def test_lookup_and_synonyms_load_for_topic_words(training):
    """The topic lookup table and its synonyms (工钱 → 工资, 刷脸 → 人脸识别) are read by Rasa."""
    lookups = {t["name"]: t["elements"] for t in training.lookup_tables}
    assert len(lookups["topic"]) >= 50
    assert training.entity_synonyms["工钱"] == "工资"
    assert training.entity_synonyms["刷脸"] == "人脸识别"


def test_ordinal_regex_features_compile(training):
    """The ordinal regex features are valid regular expressions."""
    patterns = [r["pattern"] for r in training.regex_features if r["name"] == "ordinal"]
    assert patterns and all(re.compile(p) for p in patterns)


def test_every_intent_has_a_rule_so_no_neural_policy_is_needed():
    """The dialogue runs on rules and memorized stories alone: each intent of domain.yml starts a rule."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    ruled = set()
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules") or []:
            for step in rule.get("steps") or []:
                ruled.update([step["intent"]] if "intent" in step else [o.get("intent") for o in step.get("or") or []])
    assert intents - ruled == set()


def test_config_is_repeatable_and_keeps_the_assistant_id():
    """Training is repeatable (random seeds) and the assistant keeps its id."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    assert config["assistant_id"]
    assert config["language"] == "zh"
    components = {c["name"]: c for c in config["pipeline"] + config["policies"]}
    assert components["LogisticRegressionClassifier"]["random_state"] is not None
    assert [c["name"] for c in config["policies"]] == ["MemoizationPolicy", "RulePolicy"]  # no neural policy
    names = [c["name"] for c in config["pipeline"]]
    assert names[:2] == ["bot.nlu.normalizer.TextNormalizer", "JiebaTokenizer"]
    assert "bot.nlu.place_extractor.PlaceExtractor" in names
    assert Path(ROOT / components["JiebaTokenizer"]["dictionary_path"]).is_dir()
