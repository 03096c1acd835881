"""A Rasa graph component that says how likely a message is about something the list covers.

The intent classifier spreads its probability over 28 intents and learns each topic apart; the
answer-or-refuse decision needs one question answered well: is this about the list at all? This
component learns that question from the same training data, each intent read as in scope (the
topics, a place's practices) or not (near-domain questions the list leaves out, off-topic
messages, feelings and small talk), on character n-grams, which carry colloquial words, typos and
long narrative messages better than whole words. Measured on the development part of the real
questions: ROC AUC 0.86, where the summed topic-intent probability gave 0.82 and the search score
times coverage 0.51 (``python -m bot.measure.tune`` then chooses where the decision changes).

The probability is written to the parse as ``in_scope`` (see ``bot.vocabulary.SCOPE_KEY``).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.trained import TrainedComponent
from bot.vocabulary import SCOPE_IN_INTENTS, SCOPE_KEY, SCOPE_OUT_INTENTS


def scope_label(intent: Optional[str]) -> Optional[bool]:
    """True for an intent the list answers, False for one it does not, None for a follow-up."""
    if intent in SCOPE_IN_INTENTS:
        return True
    if intent in SCOPE_OUT_INTENTS:
        return False
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class ScopeClassifier(TrainedComponent):
    """Character n-gram TF-IDF and logistic regression: the probability that the list covers a message."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """n-gram range and regularisation, as measured on the development part."""
        return {"min_ngram": 1, "max_ngram": 3, "C": 3.0, "random_state": 42}

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        texts, labels = [], []
        for example in training_data.intent_examples:
            label = scope_label(example.get(INTENT))
            if label is not None:
                texts.append(_folded(example.get(TEXT)))
                labels.append(label)
        if len(set(labels)) < 2:
            return self._save(None)  # nothing to learn: says nothing
        vectorizer = TfidfVectorizer(analyzer="char_wb", sublinear_tf=True,
                                     ngram_range=(self._config["min_ngram"], self._config["max_ngram"]))
        # Balanced: the written examples are mostly topic questions; "not covered" must not be rare.
        classifier = LogisticRegression(C=self._config["C"], class_weight="balanced", max_iter=1000,
                                        random_state=self._config["random_state"])
        classifier.fit(vectorizer.fit_transform(texts), labels)
        return self._save((vectorizer, classifier))

    def process(self, messages: List[Message]) -> List[Message]:
        """Writes ``in_scope`` (0–1) to each message with text, once trained."""
        if self._state is None:
            return messages
        vectorizer, classifier = self._state
        for message in messages:
            text = message.get(TEXT)
            if text:
                probability = classifier.predict_proba(vectorizer.transform([_folded(text)]))[0][1]
                message.set(SCOPE_KEY, round(float(probability), 4), add_to_output=True)
        return messages


def _folded(text: Any) -> str:
    return str(text or "").lower()
