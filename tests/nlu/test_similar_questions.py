"""The similar-question index: a message like a labelled real question gets the sections that
answered it; the index is retrained when the questions file changes, and says nothing without one."""
from __future__ import annotations

import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.similar_questions import SimilarQuestions
from bot.vocabulary import SIMILAR_KEY

CONTEXT = ExecutionContext(GraphSchema({}), "test")


def _question(text: str, sections: list[str], scope: str = "in") -> dict:
    return {"text": text, "url": "https://example.org/q", "kind": "qa", "who": "worker", "scope": scope,
            "sections": sections, "topic": "wage_arrears" if sections else "exam_cert"}


def _write(path, questions) -> None:
    path.write_text(yaml.safe_dump(questions, allow_unicode=True), encoding="utf-8")


def _index(tmp_path, questions_file) -> SimilarQuestions:
    (tmp_path / "model").mkdir(exist_ok=True)
    storage, resource = LocalModelStorage(tmp_path / "model"), Resource("similar")
    config = {"questions": str(questions_file)}
    SimilarQuestions.create(config, storage, resource, CONTEXT).train(TrainingData())
    return SimilarQuestions.load(config, storage, resource, CONTEXT)  # as the server loads it


def _sections(index: SimilarQuestions, text: str):
    message = Message.build(text=text)
    index.process([message])
    return message.get(SIMILAR_KEY)


def test_a_message_like_a_labelled_question_gets_the_sections_that_answered_it(tmp_path):
    questions = tmp_path / "train.yml"
    _write(questions, [_question("活儿太难找了，天天在劳务市场等活", ["2.1.3"]),
                       _question("老板拖欠工资三个月不给", ["5.1", "5.2"]),
                       _question("二建报名条件", [], scope="off")])  # unlabelled: votes for nothing
    index = _index(tmp_path, questions)
    assert _sections(index, "劳务市场等了一天也没活")[0] == "2.1.3"
    assert _sections(index, "工资拖欠了不给咋办")[0] in ("5.1", "5.2")
    assert _sections(index, "😀😀") == []  # like nothing: no vote


def test_a_changed_questions_file_retrains_the_index_and_no_file_says_nothing(tmp_path):
    questions = tmp_path / "train.yml"
    _write(questions, [_question("老板拖欠工资", ["5.1"])])
    before = SimilarQuestions.fingerprint_addon({"questions": str(questions)})
    _write(questions, [_question("老板拖欠工资", ["5.2"])])
    assert SimilarQuestions.fingerprint_addon({"questions": str(questions)}) != before
    assert _sections(_index(tmp_path, tmp_path / "missing.yml"), "老板拖欠工资") is None
