"""`make train`: `rasa train` with its output in var/log/train.log and a few progress lines at the terminal.

`python -m bot.running.train ARGS…` runs `rasa train ARGS…`. The terminal gets: the data check, the
NLU pipeline, the dialogue policies, the saved model, and the warnings that call
for action (see `bot.running.output`).

Rasa's data check warns about every response that no rule or story names: here those are sent by
the actions and channels (search results, refusals, the WeChat texts), which Rasa cannot see.
They are counted in one line, not repeated one by one; tests/test_consistency.py checks that each
one really is sent (and that no response is dead).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from bot.config import get_settings
from bot.running.output import matters, plain, relay, say, shown, warning_message
from bot.running.rasa_server import RASA_ENVIRONMENT

_UNUSED_RESPONSE = re.compile(r"The utterance '(\w+)' is not used in any story or rule")
_COMPONENT = re.compile(r"Starting to train component '(\w+)'")
_RESTORED = re.compile(r"Restored component '(\w+)' from cache")
_SAVED = re.compile(r"Your Rasa (?:NLU )?model is trained and saved at '([^']+)'")
KNOWN_NOTES = {
    "consisting of entity examples, but your NLU configuration does not include an entity extractor":
        "Rasa sees entity examples but no entity extractor trained on them: expected, places, ordinals and "
        "citations come from our own extractors (config.yml)",
    "consisting of lookup tables, but your NLU configuration does not include any components that uses":
        "Rasa sees lookup tables but no DIET or CRF to use them: expected, they feed RegexEntityExtractor (config.yml)",
    "lbfgs failed to converge":
        "the intent classifier (logistic regression) stops at max_iter 300 before it converges (config.yml); "
        "docs/evaluation.md measures it so",
}
"""Rasa's and scikit-learn's warnings about choices this project made on purpose: each is said in one
line with its reason instead of the library's paragraph. Any other warning is shown as it is."""


@dataclass
class TrainingProgress:
    """Turns `rasa train`'s output, line by line, into our progress lines."""

    started: float = field(default_factory=time.monotonic)
    stage: str = ""
    stages_seen: set[str] = field(default_factory=set)
    unused_responses: set[str] = field(default_factory=set)
    saved: str = ""
    last_line: str = ""

    def on_line(self, line: str) -> None:
        text = plain(line)
        if text:
            self.last_line = text
        if "Started validating domain and training data" in text:
            self._enter("check", "checking the training data (rasa data validate) …")
        unused = _UNUSED_RESPONSE.search(text)
        if unused:
            self.unused_responses.add(unused.group(1))
            return
        component = _COMPONENT.search(text)
        if component:
            name = component.group(1)
            if name.endswith("Policy"):
                self._enter("policies", "training the dialogue policies (rules, memoization) …")
            else:
                self._enter("nlu", "training the NLU pipeline (jieba, features, intent classifier) …")
        if _RESTORED.search(text):
            self._enter("cache", "reusing what earlier trainings learned from unchanged data (Rasa's cache, .rasa/) …")
        saved = _SAVED.search(text)
        if saved:
            self.saved = saved.group(1)
        if matters(line):
            note = next((reason for pattern, reason in KNOWN_NOTES.items() if pattern in text), None)
            say("train", f"note: {note}" if note else f"warning: {warning_message(line)}")

    def _enter(self, stage: str, message: str) -> None:
        """Says a stage the first time it starts (cached and trained components may alternate)."""
        if stage in self.stages_seen:
            return
        if self.stage == "check":
            self._report_unused()
        self.stage = stage
        self.stages_seen.add(stage)
        say("train", f"{message} ({self._elapsed()})")

    def _report_unused(self) -> None:
        if self.unused_responses:
            say("train", f"data check: {len(self.unused_responses)} responses are sent by the actions and channels, "
                         f"not named in rules or stories (expected; tests/test_consistency.py checks each is sent)")

    def _elapsed(self) -> str:
        return f"{time.monotonic() - self.started:.0f} s"

    def finished(self, status: int, log: str) -> None:
        if self.stage == "check":
            self._report_unused()
        if status == 0:
            where = shown(Path(self.saved)) if self.saved else "models/"
            say("train", f"model saved: {where} ({self._elapsed()})")
        else:
            say("train", f"training failed (exit {status}): {self.last_line or 'no output'}; full output: {log}")


def dictionary_fingerprint(folder: Path) -> str:
    """A digest of every file of the jieba dictionary folder (names and contents)."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def forget_cache_if_dictionary_changed(dictionary: Path, cache: Path) -> bool:
    """Empties Rasa's training cache when the jieba dictionary changed since it was filled.

    Rasa keys a cached component on its configuration and its training data, not on the files its
    configuration names: a word added to data/jieba/ would leave the cached tokenizer, and every
    component trained on its tokens, as they were. Returns whether the cache was emptied.
    """
    import shutil

    stamp = cache.parent / "jieba-dictionary.sha256"
    now = dictionary_fingerprint(dictionary)
    before = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else None
    emptied = before != now and cache.exists()
    if emptied:
        shutil.rmtree(cache)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    temporary = stamp.with_suffix(".tmp")
    temporary.write_text(now + "\n", encoding="utf-8")
    temporary.replace(stamp)
    return emptied


def main(argv: Optional[Sequence[str]] = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    settings = get_settings()
    cache = Path(os.environ.get("RASA_CACHE_DIRECTORY") or settings.root / ".rasa" / "cache")
    if forget_cache_if_dictionary_changed(settings.root / "data" / "jieba", cache):
        say("train", "the jieba dictionary (data/jieba/) changed: training every component again")
    log = settings.var_dir / "log" / "train.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    say("train", f"training the model (a minute or two); full output: {shown(log)}")
    progress = TrainingProgress()
    process = subprocess.Popen([sys.executable, "-m", "rasa", "train", *arguments], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env={**os.environ, **RASA_ENVIRONMENT})
    assert process.stdout is not None
    copying = relay(process.stdout, log, progress.on_line)
    try:
        status = process.wait()
    except KeyboardInterrupt:
        process.terminate()
        status = process.wait()
    copying.join()
    progress.finished(status, shown(log))
    return status


if __name__ == "__main__":
    sys.exit(main())
