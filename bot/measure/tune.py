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
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional, Sequence

from bot.config import ROOT
from bot.measure.corpus import Question, load_part
from bot.measure.metrics import hit_at, share

MODEL = ROOT / "models" / "assistant.tar.gz"
GRID = {
    "topic_confidence": (0.25, 0.3, 0.35, 0.4, 0.5),
    "search_evidence": (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0),
    "relative_cutoff": (0.35, 0.45, 0.55),
}


def parse_all(questions: Sequence[Question], model: Path) -> list[dict[str, Any]]:
    """The NLU parse of each question by the trained model."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse() -> list[dict[str, Any]]:
        return [await agent.parse_message(q.text) for q in questions]

    return asyncio.run(parse())


def cited(parse: dict[str, Any], thresholds: Any) -> list[str]:
    """What action_search_practices cites for this parse, with these thresholds."""
    from bot.vocabulary import QUESTION_INTENTS

    if (parse.get("intent") or {}).get("name") not in QUESTION_INTENTS:
        return []  # a rule answers it without a search (greet, thank, 五（一）2 …)
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.practices import ActionSearchPractices

    tracker = Tracker("tune", {}, {**parse, "metadata": {}}, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionSearchPractices(thresholds=thresholds).run(dispatcher, tracker, {}))
    ids: list[str] = []
    for message in dispatcher.messages:
        for card in (message.get("custom") or {}).get("practices") or ():
            ids.append(card["id"])
    return ids


def score(questions: Sequence[Question], parses: Sequence[dict[str, Any]], thresholds: Any) -> tuple[float, float]:
    results = [cited(p, thresholds) for p in parses]
    covered = [(q, r) for q, r in zip(questions, results) if q.scope == "in"]
    other = [(q, r) for q, r in zip(questions, results) if q.scope != "in"]
    return (share(sum(hit_at(r, q.sections) for q, r in covered), len(covered)),
            share(sum(not r for _, r in other), len(other)))


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="dev", choices=("train", "dev"), help="never the test part")
    args = parser.parse_args(argv)
    if not MODEL.is_file():
        print("error: no trained model: run `make train`", file=sys.stderr)
        return 1
    from bot.kb.answerability import load_thresholds

    questions = [q for q in load_part(args.part) if q.scope in ("in", "off", "chitchat")]
    parses = parse_all(questions, MODEL)
    base = load_thresholds()
    rows = []
    for values in itertools.product(*GRID.values()):
        thresholds = replace(base, **dict(zip(GRID, values)))
        hit, honest = score(questions, parses, thresholds)
        rows.append(((hit + honest) / 2, hit, honest, dict(zip(GRID, values))))
    rows.sort(key=lambda row: -row[0])
    current = score(questions, parses, base)
    print(f"current {base}: hit@3 {current[0]:.3f}, honest {current[1]:.3f}")
    for balance, hit, honest, values in rows[:10]:
        print(f"balance {balance:.3f}  hit@3 {hit:.3f}  honest {honest:.3f}  {values}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
