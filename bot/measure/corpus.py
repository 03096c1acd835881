"""The corpus of real questions: what people wrote or said publicly, each with its source.

``data/questions/raw/*.yml`` holds the questions as collected (see data/questions/README.md).
``python -m bot.measure.corpus`` checks them, removes repeats, and splits them **by source
host** into ``train.yml``, ``dev.yml`` and ``test.yml``: every question of one site lands in the
same part, so a site's phrasing seen in training never flatters the test. It also writes the
training part as NLU examples (``data/nlu/real_questions.yml``); the dev and test parts never
reach training data.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence
from urllib.parse import urlparse

import yaml

from bot.config import ROOT
from bot.vocabulary import UNCOVERED_INTENT

QUESTIONS_DIR = ROOT / "data" / "questions"
RAW_DIR = QUESTIONS_DIR / "raw"
PARTS = ("train", "dev", "test")
NLU_FILE = ROOT / "data" / "nlu" / "real_questions.yml"
SCOPES = ("in", "off", "chitchat")
KINDS = ("qa", "forum", "gov_board", "news", "search_title", "written", "console")
# Kinds with no public page: written by the team, or a miss an editor labelled in the console
# (`bot.labels`), which names its own part instead of a site.
UNSOURCED_KINDS = ("written", "console")
# Which part a host's questions go to: ten buckets by a stable hash of the host.
PART_OF_BUCKET = ("train",) * 6 + ("dev",) * 2 + ("test",) * 2
# A question's topic, as the intent the NLU learns it under.
TOPIC_INTENTS = {
    "wage_arrears": "ask_wage_arrears",
    "wage_dispute": "ask_wage_dispute",
    "real_name": "ask_real_name",
    "job_matching": "ask_job_matching",
    "training_subsidy": "ask_training_subsidy",
    "skill_certificate": "ask_skill_certificate",
    "skill_competition": "ask_skill_competition",
    "training_base": "ask_training_base",
    "industrial_park": "ask_training_base",
    "labour_company": "ask_labour_company",
    "worker_care": "ask_worker_care",
    "skill_staffing": "ask_skill_certificate",
    "policy_support": "ask_policy_support",
}
# Longest accepted text: a long letter is cut to its asking part when collected.
MAX_TEXT_CHARS = 400
# A question sharing this share of its character trigrams with one of a more protected part is a reprint.
NEAR_DUPLICATE_SHARE = 0.8


class CorpusError(ValueError):
    """A collected question that cannot be used; the message names the file and entry."""


@dataclass(frozen=True)
class Question:
    """One real question and what a right answer cites."""

    text: str
    url: str
    kind: str
    who: str
    scope: str  # in / off / chitchat
    sections: tuple[str, ...]  # "5.1" (a measure) or "2.1.3" (a practice); empty unless in scope
    topic: str
    fixed_part: str = ""  # a console label's part, chosen by the editor (no site to split by)

    @property
    def host(self) -> str:
        host = urlparse(self.url).hostname or self.url
        return host[4:] if host.startswith("www.") else host

    @property
    def part(self) -> str:
        if self.fixed_part:
            return self.fixed_part
        return PART_OF_BUCKET[int(hashlib.sha1(self.host.encode()).hexdigest(), 16) % len(PART_OF_BUCKET)]

    def to_dict(self) -> dict:
        fixed = {"part": self.fixed_part} if self.fixed_part else {}
        return {"text": self.text, "url": self.url, "kind": self.kind, "who": self.who, "scope": self.scope,
                "sections": list(self.sections), "topic": self.topic, **fixed}


def _question(entry: object, where: str) -> Question:
    if not isinstance(entry, dict):
        raise CorpusError(f"{where}: not a mapping")
    text = " ".join(str(entry.get("text") or "").split())
    url = str(entry.get("url") or "").strip()
    # YAML 1.1 reads a bare `off` as false: the collector meant the scope "off".
    scope = "off" if entry.get("scope") is False else str(entry.get("scope") or "")
    sections = tuple(str(s) for s in entry.get("sections") or ())
    if not text or len(text) > MAX_TEXT_CHARS:
        raise CorpusError(f"{where}: text empty or longer than {MAX_TEXT_CHARS} characters")
    if not url.startswith(("http://", "https://")) and entry.get("kind") not in UNSOURCED_KINDS:
        raise CorpusError(f"{where}: no source URL")
    fixed_part = str(entry.get("part") or "") if entry.get("kind") == "console" else ""
    if fixed_part and fixed_part not in PARTS:
        raise CorpusError(f"{where}: part {fixed_part!r} is not one of {PARTS}")
    if scope not in SCOPES:
        raise CorpusError(f"{where}: scope {scope!r} is not one of {SCOPES}")
    if (scope == "in") != bool(sections):
        raise CorpusError(f"{where}: sections are needed for scope in, and only then")
    return Question(text, url, str(entry.get("kind") or "qa"), str(entry.get("who") or "unknown"), scope,
                    sections, str(entry.get("topic") or ""), fixed_part)


def read_questions(paths: Iterable[Path]) -> list[Question]:
    """The questions of the files, in order, each text once. A text found on sites of two parts (a
    news quote reprinted elsewhere) is kept in the more protected part, test before dev before train,
    so a reprint on a training site never moves an evaluation question into training."""
    kept: dict[str, Question] = {}
    for path in sorted(paths):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for number, entry in enumerate(entries, start=1):
            question = _question(entry, f"{path.name} entry {number}")
            key = example_key(question.text)
            if key not in kept or _protection(question) > _protection(kept[key]):
                kept[key] = question
    return list(kept.values())


def _protection(question: Question) -> int:
    return PARTS.index(question.part)


def near_duplicates(questions: Sequence[Question]) -> list[Question]:
    """The questions that nearly repeat one of a more protected part (a reprint with a word changed):
    most of their character trigrams are in the other's. They are left out of the split."""
    grams = [_trigrams(q.text) for q in questions]
    dropped = []
    for question, own in zip(questions, grams):
        for other, theirs in zip(questions, grams):
            if _protection(other) > _protection(question) and \
                    len(own & theirs) >= NEAR_DUPLICATE_SHARE * min(len(own), len(theirs)):
                dropped.append(question)
                break
    return dropped


def _trigrams(text: str) -> set[str]:
    key = example_key(text)
    return {key[i:i + 3] for i in range(max(1, len(key) - 2))}


def load_part(part: str, folder: Path = QUESTIONS_DIR) -> list[Question]:
    """One part of the split corpus: ``train``, ``dev`` or ``test``."""
    if part not in PARTS:
        raise ValueError(f"no part {part!r}: one of {PARTS}")
    return read_questions([folder / f"{part}.yml"])


def nlu_intent(question: Question) -> Optional[str]:
    """The intent a training question teaches (None: it teaches nothing, e.g. an unknown topic)."""
    if question.scope == "off":
        return UNCOVERED_INTENT
    if question.scope == "chitchat":
        if any(word in question.text for word in ("谢谢", "感谢", "多谢")):
            return "thank"
        if len(question.text) <= 8 and any(word in question.text for word in ("你好", "您好", "在吗")):
            return "greet"
        return "express_feeling"
    return TOPIC_INTENTS.get(question.topic)


def nlu_yaml(questions: Iterable[Question]) -> str:
    """The training part as Rasa NLU data, one block per intent."""
    by_intent: dict[str, list[str]] = {}
    for question in questions:
        intent = nlu_intent(question)
        if intent:
            by_intent.setdefault(intent, []).append(question.text.replace("\n", " "))
    lines = ['version: "3.1"',
             "# Generated by `python -m bot.measure.corpus` from data/questions/train.yml: do not edit by hand.",
             "# Real questions (training part only; dev and test never appear here).", "nlu:"]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in by_intent[intent]]
    return "\n".join(lines) + "\n"


def _clean_for_nlu(text: str) -> str:
    """Brackets and parentheses as full-width forms: Rasa would read [x](y) as an entity annotation."""
    return text.replace("[", "【").replace("]", "】").replace("(", "（").replace(")", "）")


def split(raw_dir: Path = RAW_DIR, out_dir: Path = QUESTIONS_DIR, nlu_file: Path = NLU_FILE) -> dict[str, int]:
    """Read every raw file, split by host, write the three parts and the NLU file; counts per part
    and of the reprints left out."""
    questions = read_questions(raw_dir.glob("*.yml"))
    reprints = set(map(id, near_duplicates(questions)))
    questions = [q for q in questions if id(q) not in reprints]
    counts = {}
    for part in PARTS:
        chosen = [q for q in questions if q.part == part]
        counts[part] = len(chosen)
        _write(out_dir / f"{part}.yml", yaml.safe_dump([q.to_dict() for q in chosen], allow_unicode=True,
                                                       sort_keys=False, width=10_000))
    written = _written_examples(nlu_file.parent, nlu_file)
    train = [Question(_clean_for_nlu(q.text), q.url, q.kind, q.who, q.scope, q.sections, q.topic, q.fixed_part)
             for q in questions if q.part == "train" and example_key(q.text) not in written]
    _write(nlu_file, nlu_yaml(train))
    return {**counts, "reprints left out": len(reprints)}


def example_key(text: str) -> str:
    """A message as the NLU data compares it: letters and digits only, Traditional read as Simplified."""
    import unicodedata

    from bot.kb.text import normalize

    return "".join(ch for ch in normalize(text) if unicodedata.category(ch)[0] in "LN")


def _written_examples(folder: Path, generated: Path) -> set[str]:
    """The hand-written NLU examples (a real question already among them is not trained twice)."""
    keys = set()
    for path in folder.glob("*.yml"):
        if path == generated:
            continue
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or ():
            for line in str(block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    keys.add(example_key(line.strip()[2:]))
    return keys


def _write(path: Path, text: str) -> None:
    """Write through a temporary file, so a failure never leaves half a file."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    try:
        counts = split()
    except (CorpusError, yaml.YAMLError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(", ".join(f"{part} {n}" for part, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
