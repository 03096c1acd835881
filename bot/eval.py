"""Held-out evaluation of understanding and retrieval: `make eval` → docs/evaluation.md.

One run trains two NLU models on the same training data (data/nlu/) and scores
three systems on the same held-out data (tests/nlu/test_nlu.yml and
tests/eval/questions.yml, never trained on):

- the assistant's pipeline (config.yml: jieba segmentation, gazetteer places);
- Rasa's default pipeline without Chinese segmentation (tests/eval/baseline_config.yml);
- keyword search alone, without NLU (the question goes straight to search).

Metrics: intent macro-F1 and accuracy, place entity F1 (exact spans), place
accuracy on the questions, retrieval hit@3 (at least one expected practice among
the first three cited) and out-of-scope accuracy (nothing cited for a question
the list does not cover).
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

import yaml

from bot.config import ROOT

TRAINING_DATA = ROOT / "data" / "nlu"
CONFIG = ROOT / "config.yml"
BASELINE_CONFIG = ROOT / "tests" / "eval" / "baseline_config.yml"
TEST_NLU = ROOT / "tests" / "nlu" / "test_nlu.yml"
QUESTIONS = ROOT / "tests" / "eval" / "questions.yml"
MODELS_DIR = ROOT / "models" / "eval"
REPORT = ROOT / "docs" / "evaluation.md"

TOPIC_INTENTS = frozenset(
    {
        "ask_wage_arrears",
        "ask_training_subsidy",
        "ask_skill_certificate",
        "ask_real_name",
        "ask_skill_competition",
        "ask_training_base",
        "ask_labour_company",
        "ask_worker_care",
        "ask_policy_support",
        "ask_job_matching",
    }
)
# Intents whose answer is a search of the list.
SEARCH_INTENTS = TOPIC_INTENTS | {"ask_place_practices"}
# Intents that mean "the list does not cover this": nothing is cited.
NOT_COVERED_INTENTS = frozenset({"out_of_scope", "ask_uncovered", "nlu_fallback"})
HIT_AT = 3


@dataclass(frozen=True)
class Question:
    """A held-out worker question and what a right answer cites."""

    text: str
    intent: str
    place: Optional[str]
    expected: tuple[str, ...]  # practice ids; empty: the list does not cover it

    @property
    def covered(self) -> bool:
        return bool(self.expected)


@dataclass(frozen=True)
class Example:
    """A held-out NLU example with its gold intent and place spans."""

    text: str
    intent: str
    places: frozenset[tuple[int, int]]


@dataclass(frozen=True)
class Parse:
    """What a system understood from a message."""

    intent: Optional[str]
    places: tuple[tuple[int, int, str], ...] = ()  # (start, end, value)

    @property
    def place_value(self) -> Optional[str]:
        return self.places[0][2] if self.places else None


@dataclass
class Scores:
    """One system's row in the report."""

    name: str
    intent_f1: Optional[float] = None
    intent_accuracy: Optional[float] = None
    place_f1: Optional[float] = None
    place_accuracy: Optional[float] = None
    hit_at_3: float = 0.0
    oos_accuracy: float = 0.0
    train_seconds: Optional[float] = None
    misses: list[str] = field(default_factory=list)
    intent_errors: list[str] = field(default_factory=list)
    per_intent_f1: dict[str, float] = field(default_factory=dict)


def load_questions(path: Path = QUESTIONS) -> tuple[Question, ...]:
    """The held-out questions of `tests/eval/questions.yml`."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        Question(
            text=str(q["text"]),
            intent=str(q["intent"]),
            place=q.get("place") or None,
            expected=tuple(str(i) for i in q.get("expected") or ()),
        )
        for q in raw["questions"]
    )


def load_examples(path: Path = TEST_NLU) -> tuple[Example, ...]:
    """The held-out NLU examples, read with Rasa's own reader."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return tuple(
        Example(
            text=m.get("text"),
            intent=m.get("intent"),
            places=frozenset((e["start"], e["end"]) for e in m.get("entities") or () if e["entity"] == "place"),
        )
        for m in data.intent_examples
    )


def macro_f1(gold: Sequence[str], predicted: Sequence[Optional[str]]) -> tuple[float, dict[str, float]]:
    """Macro-averaged F1 over the gold labels, and each label's F1."""
    per_label: dict[str, float] = {}
    for label in sorted(set(gold)):
        tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        per_label[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return (sum(per_label.values()) / len(per_label) if per_label else 0.0), per_label


def span_f1(gold: Sequence[Iterable[tuple[int, int]]], predicted: Sequence[Iterable[tuple[int, int]]]) -> float:
    """Micro F1 of exact entity spans over a set of messages."""
    tp = fp = fn = 0
    for g, p in zip(gold, predicted):
        g_set, p_set = set(g), set(p)
        tp += len(g_set & p_set)
        fp += len(p_set - g_set)
        fn += len(g_set - p_set)
    return 2 * tp / (2 * tp + fp + fn) if tp else (1.0 if not (fp or fn) else 0.0)


def cited_ids(question: Question, parse: Optional[Parse], search: Callable[..., Any]) -> tuple[str, ...]:
    """The practice ids a system cites first for a question.

    With NLU (`parse` given) the assistant searches only for a topic or a place's
    practices, in the place NLU found; keyword search alone (`parse` None) always
    searches the raw question.
    """
    if parse is not None:
        if parse.intent not in SEARCH_INTENTS:
            return ()
        result = search(question.text, region=parse.place_value, limit=HIT_AT)
    else:
        result = search(question.text, limit=HIT_AT)
    return tuple(hit.practice.id for hit in result.hits)


def score_retrieval(
    scores: Scores,
    questions: Sequence[Question],
    parses: Optional[Sequence[Parse]],
    search: Callable[..., Any],
    extra_not_covered: Sequence[Optional[Parse]] = (),
    extra_not_covered_texts: Sequence[str] = (),
) -> None:
    """Fills hit@3 and out-of-scope accuracy (and misses) into `scores`."""
    hits = covered = right_refusals = not_covered = 0
    for i, question in enumerate(questions):
        parse = parses[i] if parses is not None else None
        ids = cited_ids(question, parse, search)
        if question.covered:
            covered += 1
            ok = bool(set(ids) & set(question.expected))
            hits += ok
        else:
            not_covered += 1
            ok = not ids
            right_refusals += ok
        if not ok:
            said = f"intent {parse.intent}, place {parse.place_value}; " if parse else ""
            scores.misses.append(f"{question.text} — {said}cited {', '.join(ids) or 'nothing'}")
    for j, text in enumerate(extra_not_covered_texts):
        parse = extra_not_covered[j] if parses is not None else None
        ids = cited_ids(Question(text, "out_of_scope", None, ()), parse, search)
        not_covered += 1
        right_refusals += not ids
    scores.hit_at_3 = hits / covered if covered else 0.0
    scores.oos_accuracy = right_refusals / not_covered if not_covered else 0.0


class RasaNlu:
    """A trained Rasa NLU model, used in-process through `Agent.parse_message`."""

    def __init__(self, model_path: str, train_seconds: float) -> None:
        from rasa.core.agent import Agent

        self.train_seconds = train_seconds
        self._agent = Agent.load(model_path)
        self._loop = asyncio.new_event_loop()

    @classmethod
    def train(cls, config: Path, name: str, nlu_data: Path = TRAINING_DATA) -> "RasaNlu":
        """Trains an NLU model on `nlu_data` with `config` into models/eval/."""
        from rasa.model_training import train_nlu

        started = time.perf_counter()
        path = train_nlu(str(config), str(nlu_data), str(MODELS_DIR), fixed_model_name=name)
        if path is None:
            raise RuntimeError(f"training {name} with {config} produced no model")
        return cls(path, time.perf_counter() - started)

    def parse(self, text: str) -> Parse:
        """The intent and place entities the model finds in `text`."""
        result = self._loop.run_until_complete(self._agent.parse_message(text))
        places = tuple(
            (e["start"], e["end"], str(e.get("value")))
            for e in result.get("entities") or ()
            if e.get("entity") == "place"
        )
        return Parse((result.get("intent") or {}).get("name"), places)


def evaluate_nlu(
    name: str, nlu: RasaNlu, examples: Sequence[Example], questions: Sequence[Question], search: Callable[..., Any]
) -> Scores:
    """Scores a trained NLU model: intents and places, then retrieval through it."""
    scores = Scores(name, train_seconds=nlu.train_seconds)
    parses = [nlu.parse(e.text) for e in examples]
    gold = [e.intent for e in examples]
    predicted = [p.intent for p in parses]
    scores.intent_f1, scores.per_intent_f1 = macro_f1(gold, predicted)
    scores.intent_accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold)
    scores.intent_errors = [f"{e.text} — {e.intent} → {p}" for e, p in zip(examples, predicted) if e.intent != p]
    scores.place_f1 = span_f1([e.places for e in examples], [{(s, t) for s, t, _ in p.places} for p in parses])
    q_parses = [nlu.parse(q.text) for q in questions]
    scores.place_accuracy = sum(p.place_value == q.place for p, q in zip(q_parses, questions)) / len(questions)
    extra = [(e, p) for e, p in zip(examples, parses) if e.intent in NOT_COVERED_INTENTS]
    score_retrieval(scores, questions, q_parses, search, [p for _, p in extra], [e.text for e, _ in extra])
    return scores


def evaluate_keyword_search(
    examples: Sequence[Example], questions: Sequence[Question], search: Callable[..., Any]
) -> Scores:
    """Scores keyword search alone: every question goes to search as typed."""
    scores = Scores("keyword search alone (no NLU)")
    extra = [e.text for e in examples if e.intent in NOT_COVERED_INTENTS]
    score_retrieval(scores, questions, None, search, [None] * len(extra), extra)
    return scores


def _cell(value: Optional[float], digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def render_report(rows: Sequence[Scores], examples: Sequence[Example], questions: Sequence[Question]) -> str:
    """The Markdown report: the comparison table, then details for the assistant."""
    covered = sum(q.covered for q in questions)
    oos = len(questions) - covered + sum(e.intent in NOT_COVERED_INTENTS for e in examples)
    lines = [
        "# Evaluation: understanding and retrieval on held-out data",
        "",
        "Generated by `make eval` (`python -m bot.eval`); do not edit by hand.",
        "",
        f"- NLU test set: `tests/nlu/test_nlu.yml`, {len(examples)} examples, "
        f"{len({e.intent for e in examples})} intents, {sum(len(e.places) for e in examples)} place entities.",
        f"- Questions: `tests/eval/questions.yml`, {covered} covered by the list, "
        f"{len(questions) - covered} not covered.",
        f"- Out-of-scope accuracy counts {oos} messages the list does not cover "
        "(those questions plus the test set's `out_of_scope` and `ask_uncovered` examples): "
        "right when nothing is cited.",
        "- Both NLU models are trained in the same run on `data/nlu/` (Rasa's training cache off, "
        "so training time is a cold train); neither was trained on the held-out data.",
        "",
        "| system | intent macro-F1 | intent accuracy | place entity F1 | place accuracy (questions) "
        f"| hit@{HIT_AT} | out-of-scope accuracy | training time (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.name} | {_cell(r.intent_f1)} | {_cell(r.intent_accuracy)} | {_cell(r.place_f1)} "
            f"| {_cell(r.place_accuracy)} | {_cell(r.hit_at_3)} | {_cell(r.oos_accuracy)} "
            f"| {_cell(r.train_seconds, 0)} |"
        )
    for r in rows:
        lines += ["", f"## Misses: {r.name}", ""]
        lines += [f"- {m}" for m in r.misses] or ["- none"]
    main = rows[0]
    lines += ["", f"## Intent errors: {main.name}", ""]
    lines += [f"- {e}" for e in main.intent_errors] or ["- none"]
    if main.per_intent_f1:
        lines += ["", f"## Intent F1: {main.name}", "", "| intent | F1 |", "|---|---|"]
        lines += [f"| {k} | {v:.3f} |" for k, v in sorted(main.per_intent_f1.items(), key=lambda kv: kv[1])]
    return "\n".join(lines) + "\n"


def run(report: Path = REPORT) -> list[Scores]:
    """Trains both NLU models, scores the three systems, prints and writes the report."""
    from bot.kb.service import get_knowledge_base

    examples = load_examples()
    questions = load_questions()
    search = get_knowledge_base().search
    systems = (
        ("assistant (config.yml: jieba + gazetteer)", CONFIG, "nlu-assistant"),
        ("Rasa default pipeline (whitespace tokens)", BASELINE_CONFIG, "nlu-baseline"),
    )
    rows = [
        evaluate_nlu(name, RasaNlu.train(config, model), examples, questions, search)
        for name, config, model in systems
    ]
    rows.append(evaluate_keyword_search(examples, questions, search))
    text = render_report(rows, examples, questions)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(text, encoding="utf-8")
    print(text)
    return rows


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Command line: `python -m bot.eval [--report PATH]`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=REPORT, help="where to write the Markdown report")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("RASA_MAX_CACHE_SIZE", "0")  # time cold training, not Rasa's cache
    logging.basicConfig(level=logging.WARNING)
    import jieba

    jieba.setLogLevel(logging.WARNING)
    run(args.report)


if __name__ == "__main__":
    main()
