"""Editors label the questions the bot missed (the practices that should have answered, "not covered",
"needs a new topic"); the labels live in their own database, never in the tracker store, and their
export is a raw corpus file that the corpus split turns into training and test questions."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml

from bot.config import ROOT
from bot.labels import Label, export
from bot.measure.corpus import TOPIC_INTENTS, _clean_for_nlu, example_key, read_questions, split
from bot.measure.labels_round import practice_ids
from tests.support.console import STAFF, get, post

WELDER = {"sender_id": "worker-gaps", "text": "焊工证补贴多少钱"}  # a seeded "not found"


def unanswered_item(base: str, text: str) -> dict:
    items = get(base, "/api/unanswered", headers=STAFF).json()["unanswered"]
    return next(i for i in items if i["text"] == text)


def test_an_editor_labels_a_miss_with_the_practices_that_answer_it(base, knowledge_base, tracker_url):
    events_before = _event_count(tracker_url)
    item = unanswered_item(base, WELDER["text"])
    assert item["label"] is None
    practice = knowledge_base.practices()[0]
    saved = post(base, "/api/labels", {**WELDER, "timestamp": item["timestamp"], "kind": "practices",
                                       "practices": [practice.citation], "topic": "training_subsidy", "editor": "李编辑"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["practices"] == [practice.id]  # the citation read as the practice's id
    labelled = unanswered_item(base, WELDER["text"])["label"]
    assert (labelled["kind"], labelled["practices"], labelled["part"]) == ("practices", [practice.id], "train")
    assert [lb["text"] for lb in get(base, "/api/labels", headers=STAFF).json()["labels"]] == [WELDER["text"]]
    assert _event_count(tracker_url) == events_before  # the tracker store is untouched


@pytest.mark.parametrize("change, code", [
    ({"kind": "maybe"}, "bad_label_kind"),
    ({"practices": ["9.9.9"]}, "bad_label_practices"),
    ({"practices": []}, "bad_label_practices"),
    ({"kind": "not_covered"}, "bad_label_practices"),  # "not covered" names no practice
    ({"timestamp": "yesterday"}, "bad_label_question"),
    ({"text": ""}, "bad_label_question"),
    ({"topic": "weather"}, "bad_label_topic"),
    ({"part": "dev"}, "bad_label_part"),  # the development part is for tuning, not for labels
])
def test_a_bad_label_is_refused_clearly(base, change, code):
    body = {**WELDER, "timestamp": 1.0, "kind": "practices", "practices": ["5.1.2"], **change}
    refused = post(base, "/api/labels", body)
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, code)
    assert refused.json()["error"]["message"]


def test_labels_need_the_staff_token(base):
    assert post(base, "/api/labels", {**WELDER, "kind": "new_topic"}, headers={}).status_code == 401
    assert get(base, "/api/labels").status_code == 401


def test_the_editor_page_labels_with_a_form(base):
    item = unanswered_item(base, "今天天气怎么样")
    form = {"sender_id": item["sender_id"], "timestamp": str(item["timestamp"]), "text": item["text"],
            "intent": item["intent"] or "", "kind": "not_covered", "practices": "", "part": "test"}
    import requests

    done = requests.post(f"{base}/console/editor/label", data=form, headers=STAFF, allow_redirects=False, timeout=60)
    assert done.status_code == 303 and done.headers["Location"].startswith("/console/editor")
    assert unanswered_item(base, "今天天气怎么样")["label"]["kind"] == "not_covered"
    assert "改标注" in get(base, "/console/editor", headers=STAFF).text


def test_the_export_feeds_the_corpus_split_training_and_test(tmp_path: Path):
    labels = [
        Label("w1", 1.0, "电焊证补贴在哪领", "practices", ("3.1.1",), "training_subsidy", "train"),
        Label("w2", 2.0, "农民工欠薪找哪个部门最快", "practices", ("5.1.2",), "wage_arrears", "test"),
        Label("w3", 3.0, "建筑工人退休金怎么算", "not_covered", part="train"),
        Label("w4", 4.0, "工地上能不能带小孩", "new_topic"),
    ]
    raw = tmp_path / "raw"
    raw.mkdir()
    counts = export(labels, raw / "console_labels.yml")
    assert counts == {"practices": 2, "not_covered": 1, "new_topic": 1}
    assert [q.text for q in read_questions([raw / "console_labels.yml"])] == [lb.text for lb in labels[:3]]

    (tmp_path / "nlu").mkdir()  # (no hand-written examples here)
    split(raw_dir=raw, out_dir=tmp_path, nlu_file=tmp_path / "nlu" / "real_questions.yml")
    part = {name: [q["text"] for q in yaml.safe_load((tmp_path / f"{name}.yml").read_text()) or []]
            for name in ("train", "dev", "test")}
    assert part == {"train": ["电焊证补贴在哪领", "建筑工人退休金怎么算"], "dev": [], "test": ["农民工欠薪找哪个部门最快"]}
    nlu = yaml.safe_load((tmp_path / "nlu" / "real_questions.yml").read_text())["nlu"]
    examples = {block["intent"]: block["examples"] for block in nlu}
    assert "电焊证补贴在哪领" in examples["ask_training_subsidy"] and "建筑工人退休金怎么算" in examples["ask_uncovered"]
    assert all("农民工欠薪找哪个部门最快" not in text for text in examples.values())  # a test question is never trained on


def _event_count(tracker_url: str) -> int:
    with sqlite3.connect(tracker_url.removeprefix("sqlite:///")) as db:
        return db.execute("SELECT count(*) FROM events").fetchone()[0]


ROUND_FILES = sorted((ROOT / "data" / "questions" / "rounds").glob("*.yml"))


@pytest.mark.parametrize("round_file", ROUND_FILES, ids=lambda p: p.name)
def test_a_rounds_labels_become_training_questions_only(tmp_path: Path, round_file: Path):
    """A round of the editors' loop (`make labels-round`): its questions, labelled as the round labels
    them (a measure posted as its practices), are exported and split into training only; the round
    file itself, outside raw/, is never read by the split."""
    questions = read_questions([round_file])
    all_ids = [f"{m}.{s}.{n}" for m in range(1, 6) for s in range(1, 5) for n in range(1, 6)]
    labels = [Label(f"labels-round-{i}", float(i), q.text, "practices", tuple(practice_ids(q.sections, all_ids)),
                    q.topic, "train") for i, q in enumerate(questions)]
    assert all(label.practices for label in labels)
    raw, rounds = tmp_path / "raw", tmp_path / "rounds"
    raw.mkdir()
    rounds.mkdir()
    (rounds / round_file.name).write_text(round_file.read_text(encoding="utf-8"), encoding="utf-8")
    export(labels, raw / "console_labels.yml")
    (tmp_path / "nlu").mkdir()
    split(raw_dir=raw, out_dir=tmp_path, nlu_file=tmp_path / "nlu" / "real_questions.yml")
    part = {name: [q["text"] for q in yaml.safe_load((tmp_path / f"{name}.yml").read_text()) or []]
            for name in ("train", "dev", "test")}
    assert (sorted(part["train"]), part["dev"], part["test"]) == (sorted(q.text for q in questions), [], [])
    trained = (tmp_path / "nlu" / "real_questions.yml").read_text(encoding="utf-8")
    assert all(_clean_for_nlu(q.text) in trained for q in questions)


@pytest.mark.parametrize("round_file", ROUND_FILES, ids=lambda p: p.name)
def test_a_round_holds_new_sourced_questions_from_training_sites(round_file: Path):
    """Every question of a round has its source, was not collected before (in data/questions/ other than as
    a console label, compared as the NLU compares examples), and comes from a site the split puts in training (no dev or test site's phrasing
    is trained on through the labels)."""
    questions = read_questions([round_file])
    corpus = read_questions([*(ROOT / "data" / "questions").glob("*.yml"),
                             *(ROOT / "data" / "questions" / "raw").glob("*.yml")])
    known = {example_key(q.text) for q in corpus if q.kind != "console"}  # (the round's own labels are console)
    assert 30 <= len(questions) <= 50
    assert [q.text for q in questions if example_key(q.text) in known] == []
    assert [q.url for q in questions if not q.url.startswith(("http://", "https://")) or q.part != "train"] == []
    assert {q.scope for q in questions} == {"in"} and all(q.topic in TOPIC_INTENTS for q in questions)


def test_a_measure_is_labelled_as_its_practices():
    ids = ["5.1.1", "5.1.2", "5.2.1", "2.1.3", "2.3.5"]
    assert practice_ids(["5.1"], ids) == ["5.1.1", "5.1.2"]
    assert practice_ids(["2.1.3", "5.2"], ids) == ["5.2.1", "2.1.3"]
