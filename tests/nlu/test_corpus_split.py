"""The split of the real questions by site: a question quoted on several sites (news reprints) never
reaches training when one of its sites belongs to the development or test part."""
from __future__ import annotations

from pathlib import Path

import yaml

from bot.measure.corpus import load_part, near_duplicates, read_questions, split

# Hosts whose stable hash puts them in each part (bot.measure.corpus.PART_OF_BUCKET).
TRAIN_HOST, DEV_HOST, TEST_HOST = "c.example", "a.example", "b.example"
QUOTE = "要是能回家，谁愿意受这个罪？我们从九月份就开始找开发商讨要工钱，开发商总是拖着不给。"


def _entry(text: str, host: str, scope: str = "in") -> dict:
    return {"text": text, "url": f"https://{host}/page", "kind": "news", "who": "worker", "scope": scope,
            "sections": ["5.1"] if scope == "in" else [], "topic": "wage_arrears" if scope == "in" else "other_off"}


def _split(tmp_path: Path, files: dict[str, list[dict]]) -> dict[str, list[str]]:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name, entries in files.items():
        (raw / name).write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    (tmp_path / "nlu").mkdir()
    split(raw_dir=raw, out_dir=tmp_path, nlu_file=tmp_path / "nlu" / "real_questions.yml")
    return {part: [q.text for q in load_part(part, tmp_path)] for part in ("train", "dev", "test")}


def test_a_quote_on_a_training_site_and_a_test_site_stays_in_test(tmp_path):
    """Whichever file is read first, the reprint on the training site does not pull it into training."""
    parts = _split(tmp_path, {"a_news.yml": [_entry(QUOTE, TRAIN_HOST)], "z_news.yml": [_entry(QUOTE, TEST_HOST)]})
    assert parts == {"train": [], "dev": [], "test": [QUOTE]}
    assert QUOTE not in (tmp_path / "nlu" / "real_questions.yml").read_text(encoding="utf-8")


def test_a_reprint_in_traditional_characters_with_a_word_changed_is_left_out_of_training(tmp_path):
    reprint = "要是能回家，誰願意受這個罪？我們從九月份就開始找開發商討要工錢，開發商老是拖著不給。"
    unrelated = "开发商拖着不给工钱，我们去哪里反映？"  # shares words, asks something else
    parts = _split(tmp_path, {"news.yml": [_entry(QUOTE, DEV_HOST), _entry(reprint, TRAIN_HOST),
                                           _entry(unrelated, TRAIN_HOST)]})
    assert parts == {"train": [unrelated], "dev": [QUOTE], "test": []}


def test_the_committed_corpus_trains_on_no_reprint_of_an_evaluation_question():
    """The real corpus as committed: no training question nearly repeats a development or test one."""
    root = Path(__file__).resolve().parents[2] / "data" / "questions"
    questions = read_questions([root / "train.yml", root / "dev.yml", root / "test.yml"])
    assert [q.text for q in near_duplicates(questions)] == []
