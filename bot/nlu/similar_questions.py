"""A Rasa graph component that finds the real training questions most like a message, and the parts
of the list that answered them.

The real-question corpus labels each question with the sections of the list that answer it
(``data/questions/train.yml``: its training part only, never development or test). A new message
that reads like earlier ones is likely answered by the same sections, even when it shares few words
with the practice texts ("活儿太难找了" and 招工找活 platforms). The nearest questions, by cosine of
character n-gram TF-IDF, vote for their sections with their similarity; the best sections are
written to the parse as ``similar_sections`` and the search prefers their practices. Measured over
the training and development parts, each question against the others of other sites: the right
section in the top 3 for 69.1 % with the vote, 64.6 % without it (``python -m bot.measure.tune``
then measures it through the real action).

Editors' labels from the console (``python -m bot labels-export``, ``make corpus``) become training
questions, so each labelled miss also teaches this index.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.trained import TrainedComponent
from bot.vocabulary import SIMILAR_KEY


def _questions_path(config: Dict[Text, Any]) -> Path:
    from bot.config import ROOT

    return ROOT / str(config["questions"])


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SimilarQuestions(TrainedComponent):
    """Nearest labelled real questions → the sections that answered them."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Where the labelled questions are, how many neighbours vote, how many sections are kept."""
        return {"questions": "data/questions/train.yml", "neighbours": 10, "sections": 2, "min_similarity": 0.1}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The questions file is read outside Rasa's training data: its content must retrain this."""
        path = _questions_path({**cls.get_default_config(), **config})
        return hashlib.sha1(path.read_bytes()).hexdigest() if path.is_file() else None

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.feature_extraction.text import TfidfVectorizer

        from bot.measure.corpus import read_questions

        path = _questions_path(self._config)
        labelled = [q for q in read_questions([path]) if q.sections] if path.is_file() else []
        if not labelled:
            return self._save(None)  # nothing to learn: says nothing
        # "char", not "char_wb": the padding space of "char_wb" is a gram every text shares.
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        matrix = vectorizer.fit_transform([_folded(q.text) for q in labelled])
        return self._save((vectorizer, matrix, [q.sections for q in labelled]))

    def process(self, messages: List[Message]) -> List[Message]:
        """Writes ``similar_sections`` (best first, possibly empty) to each message with text."""
        if self._state is None:
            return messages
        for message in messages:
            if message.get(TEXT):
                message.set(SIMILAR_KEY, self.sections(message.get(TEXT)), add_to_output=True)
        return messages

    def sections(self, text: str) -> list[str]:
        vectorizer, matrix, sections = self._state
        similarities = (matrix @ vectorizer.transform([_folded(text)]).T).toarray().ravel()
        votes: dict[str, float] = defaultdict(float)
        for i in similarities.argsort()[::-1][: self._config["neighbours"]]:
            if similarities[i] >= self._config["min_similarity"]:
                for section in sections[i]:
                    votes[section] += float(similarities[i])
        ranked = sorted(votes.items(), key=lambda item: (-item[1], item[0]))
        return [section for section, _ in ranked[: self._config["sections"]]]


def _folded(text: Any) -> str:
    from bot.kb.text import normalize

    return normalize(str(text or ""), None).lower()
