"""Time ``action_search_practices`` as the action server runs it, on the held-out questions.

Usage: ``python -m tests.actions.bench`` (``make bench-actions``). Prints the first (cold)
run, warm p50/p95 per question, and the action-level hit@3 (a practice the question
expects is among the three cited).
"""
from __future__ import annotations

import statistics
import time

import yaml

from actions.practices import ActionSearchPractices
from bot.config import ROOT
from tests.actions.chat import make_tracker, run

QUESTIONS = ROOT / "tests" / "eval" / "questions.yml"
ROUNDS = 20


def main() -> None:
    questions = [q for q in yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"] if q.get("expected")]
    trackers = [
        make_tracker(q["text"], q["intent"], [{"entity": "place", "value": q["place"]}] if q.get("place") else [])
        for q in questions
    ]
    action = ActionSearchPractices()
    started = time.perf_counter()
    run(action, trackers[0])
    cold = time.perf_counter() - started
    timings = []
    for _ in range(ROUNDS):
        for tracker in trackers:
            started = time.perf_counter()
            run(action, tracker)
            timings.append((time.perf_counter() - started) * 1000)
    hits = sum(
        bool(set(run(action, tracker).cited_ids) & set(q["expected"])) for q, tracker in zip(questions, trackers)
    )
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"questions: {len(questions)}  cold first run: {cold:.2f} s")
    print(f"warm per question: p50 {statistics.median(timings):.2f} ms  p95 {p95:.2f} ms  ({len(timings)} runs)")
    print(f"action hit@3: {hits}/{len(questions)} = {hits / len(questions):.3f}")


if __name__ == "__main__":
    main()
