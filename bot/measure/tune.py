"""`python -m bot.measure.tune`: choose the answer-or-refuse thresholds on the development part.

For each development question the trained model's NLU parses the text (the real model, loaded
in this process) and the real ``action_search_practices`` runs on a tracker holding that parse,
once per candidate setting of ``data/kb/answerability.yml``. The setting with the best balance
of in-scope hit@3 and honest off-list answers is printed, with its figures, for a person to
write into the file. Tuning never reads the test part; ``make eval`` then measures the chosen
setting through the real servers.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Optional, Sequence

from bot.config import ROOT
from bot.measure.corpus import Question, load_part
from bot.measure.metrics import hit_at, share

MODEL = ROOT / "models" / "assistant.tar.gz"
# Where the decision changes (bot/kb/answerability.py); the thread's search depends only on the
# last two, so each question is searched once per pair and the rest of the grid is arithmetic.
GRID = {
    "scope_answer": (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 1.01),
    "scope_veto": (0.0, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45),
    "search_evidence": (2.0, 3.0, 5.0, 99.0),
    "off_list_override": (0.9, 1.01),
    "topic_confidence": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.01),
    "relative_cutoff": (0.35, 0.45, 0.55),
}
THREAD_KEYS = ("topic_confidence", "relative_cutoff")


def parse_all(questions: Sequence[Question], model: Path) -> list[dict[str, Any]]:
    """The NLU parse of each question by the trained model."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse() -> list[dict[str, Any]]:
        return [await agent.parse_message(q.text) for q in questions]

    return asyncio.run(parse())


def _tracker(parse: dict[str, Any]) -> Any:
    from rasa_sdk import Tracker

    return Tracker("tune", {}, {**parse, "metadata": {}}, [], False, None, {}, "action_listen")


def cited(parse: dict[str, Any], thresholds: Any) -> list[str]:
    """What action_search_practices cites for this parse, with these thresholds."""
    from bot.vocabulary import QUESTION_INTENTS

    if (parse.get("intent") or {}).get("name") not in QUESTION_INTENTS:
        return []  # a rule answers it without a search (greet, thank, 五（一）2 …)
    from rasa_sdk.executor import CollectingDispatcher

    from actions.practices import ActionSearchPractices

    dispatcher = CollectingDispatcher()
    asyncio.run(ActionSearchPractices(thresholds=thresholds).run(dispatcher, _tracker(parse), {}))
    ids: list[str] = []
    for message in dispatcher.messages:
        for card in (message.get("custom") or {}).get("practices") or ():
            ids.append(card["id"])
    return ids


@dataclass(frozen=True)
class Case:
    """One question: its labels, the decision's signals, and what an answer would cite per thread setting."""

    question: Question
    signals: Any  # None: a rule answers it, nothing is searched
    answers: dict[tuple[float, ...], list[str]]


def cases(questions: Sequence[Question], parses: Sequence[dict[str, Any]], base: Any) -> list[Case]:
    from actions.practices import ActionSearchPractices, question_signals
    from bot.vocabulary import PLACE_INTENT, QUESTION_INTENTS

    knowledge_base = ActionSearchPractices().knowledge_base
    # Thresholds under which the decision always answers: what the answer cites, whatever is decided.
    always = replace(base, scope_answer=-1.0, scope_veto=0.0, search_evidence=-1.0, off_list_override=0.0)
    built = []
    for question, parse in zip(questions, parses):
        intent = (parse.get("intent") or {}).get("name")
        if intent not in QUESTION_INTENTS:
            built.append(Case(question, None, {}))
            continue
        signals = None if intent == PLACE_INTENT else question_signals(knowledge_base, _tracker(parse))
        answers = {values: cited(parse, replace(always, **dict(zip(THREAD_KEYS, values))))
                   for values in itertools.product(*(GRID[k] for k in THREAD_KEYS))}
        built.append(Case(question, signals, answers))
    return built


def outcome(case: Case, thresholds: Any) -> list[str]:
    """What the assistant cites for the case under these thresholds."""
    from bot.kb.answerability import ANSWER, decide

    if not case.answers:
        return []
    if case.signals is not None and decide(case.signals, thresholds) != ANSWER:
        return []
    return case.answers[tuple(getattr(thresholds, k) for k in THREAD_KEYS)]


def score(built: Sequence[Case], thresholds: Any) -> tuple[float, float, float]:
    """in-scope hit@3, off-list questions citing nothing, chit-chat citing nothing."""
    results = [(case.question, outcome(case, thresholds)) for case in built]
    covered = [(q, r) for q, r in results if q.scope == "in"]
    off = [r for q, r in results if q.scope == "off"]
    chat = [r for q, r in results if q.scope == "chitchat"]
    return (share(sum(hit_at(r, q.sections) for q, r in covered), len(covered)),
            share(sum(not r for r in off), len(off)), share(sum(not r for r in chat), len(chat)))


def balance(hit: float, honest: float, clean: float) -> float:
    """What the tuning maximises: in-scope hit@3 weighs as much as off-list and chit-chat together."""
    return (hit + (honest + clean) / 2) / 2


def smoothed(scored: dict[tuple[float, ...], tuple[float, ...]], values: tuple[float, ...]) -> float:
    """The balance of a setting of the grid averaged with the settings one step from it on each axis."""
    axes = list(GRID.values())
    around = [values]
    for axis, value in enumerate(values):
        position = axes[axis].index(value)
        for step in (-1, 1):
            if 0 <= position + step < len(axes[axis]):
                around.append((*values[:axis], axes[axis][position + step], *values[axis + 1:]))
    return sum(scored[v][0] for v in around) / len(around)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="dev", choices=("train", "dev"), help="never the test part")
    args = parser.parse_args(argv)
    if not MODEL.is_file():
        print("error: no trained model: run `make train`", file=sys.stderr)
        return 1
    from bot.kb.answerability import load_thresholds

    questions = [q for q in load_part(args.part) if q.scope in ("in", "off", "chitchat")]
    base = load_thresholds()
    built = cases(questions, parse_all(questions, MODEL), base)
    scored = {}
    for values in itertools.product(*GRID.values()):
        hit, honest, clean = score(built, replace(base, **dict(zip(GRID, values))))
        scored[values] = (balance(hit, honest, clean), hit, honest, clean)
    # Ranked by the balance averaged over the setting and its neighbours on each axis: on a few hundred
    # questions one question moves a figure by half a point, and a lone peak is that, not a better setting.
    rows = sorted(((smoothed(scored, values), *scored[values], values) for values in scored), key=lambda row: -row[0])
    hit, honest, clean = score(built, base)
    print(f"current {base}: hit@3 {hit:.3f}, off-list honest {honest:.3f}, chit-chat clean {clean:.3f}")
    seen = set()  # many settings tie: the first of each distinct result (grid order) stands for them
    for around, own, hit, honest, clean, values in rows:
        if (hit, honest, clean) not in seen and len(seen) < 12:
            seen.add((hit, honest, clean))
            print(f"balance {own:.3f} (with neighbours {around:.3f})  hit@3 {hit:.3f}  honest {honest:.3f}  "
                  f"clean {clean:.3f}  {dict(zip(GRID, values))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
