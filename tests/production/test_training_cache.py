"""`make train` after a word is added to the jieba dictionary trains the tokenizer again: Rasa's cache,
keyed on configuration and training data, would otherwise keep the old segmentation."""
from __future__ import annotations

from pathlib import Path

from bot.running.train import forget_cache_if_dictionary_changed


def filled_cache(root: Path) -> Path:
    cache = root / ".rasa" / "cache"
    (cache / "tmp1234").mkdir(parents=True)
    (cache / "tmp1234" / "JiebaTokenizer").write_text("the old segmentation", encoding="utf-8")
    return cache


def test_a_new_dictionary_word_empties_the_cache_and_an_unchanged_one_keeps_it(tmp_path: Path) -> None:
    dictionary = tmp_path / "jieba"
    dictionary.mkdir()
    (dictionary / "userdict.txt").write_text("桂建通 1000 nz\n", encoding="utf-8")
    cache = filled_cache(tmp_path)
    assert forget_cache_if_dictionary_changed(dictionary, cache)  # never stamped: the cache may be stale
    assert not cache.exists()
    cache = filled_cache(tmp_path)
    assert not forget_cache_if_dictionary_changed(dictionary, cache)  # unchanged: kept, training stays quick
    assert (cache / "tmp1234" / "JiebaTokenizer").is_file()
    (dictionary / "userdict.txt").write_text("桂建通 1000 nz\n甜都建工 1000 nz\n", encoding="utf-8")
    assert forget_cache_if_dictionary_changed(dictionary, cache)
    assert not cache.exists()
    assert not forget_cache_if_dictionary_changed(dictionary, tmp_path / "no-cache-yet")  # a fresh clone
