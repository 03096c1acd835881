"""`make eval`: the real assistant, over REST, on the test part of the real-question corpus.

One run starts the real action server and Rasa server (as `make run` does) for each system and
sends every question of the part, each in a new conversation, through Rasa's REST channel:

- the assistant (models/assistant.tar.gz, config.yml);
- Rasa's default pipeline (data/measure/baseline_config.yml: no Chinese segmentation), trained in
  this run on the same data, served with the same actions;
- keyword search alone: the question straight to ``bot.kb`` search, the first three hits cited.

What a reply cites is read from its ``custom.practices`` payload (the design's contract), in the
order shown. Metrics (one definition each, ``bot.measure.metrics``): hit@3 for questions the
list covers; correct refusals (nothing cited) for off-list questions, whose complement is the
unrelated-citation rate; chit-chat answered without a citation; latency p50/p95.

``--part dev`` evaluates the development part, the one thresholds are tuned on; the default
``test`` part is never tuned on.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

from actions.topics import TOPIC_SECTIONS
from bot.config import ROOT
from bot.measure.corpus import PARTS, Question, load_part
from bot.measure.metrics import HIT_AT, hit_at, percentile, share
from bot.rest_client import rest_turn

MODEL = ROOT / "models" / "assistant.tar.gz"
BASELINE_CONFIG = ROOT / "data" / "measure" / "baseline_config.yml"
BASELINE_MODEL = ROOT / "models" / "eval" / "baseline.tar.gz"
REPORT = ROOT / "docs" / "evaluation.md"
VAR_DIR = ROOT / "var" / "eval"
START_TIMEOUT = 300


@dataclass(frozen=True)
class Reply:
    """What the assistant answered one question: the practices cited (in order) and the texts."""

    cited: tuple[str, ...]
    texts: tuple[str, ...]
    ms: float
    suggested: tuple[str, ...] = ()  # topic intents offered as buttons when the bot was unsure


@dataclass
class Outcome:
    """One system's replies to the part, question by question."""

    system: str
    replies: list[tuple[Question, Reply]] = field(default_factory=list)

    def of_scope(self, scope: str) -> list[tuple[Question, Reply]]:
        return [(q, r) for q, r in self.replies if q.scope == scope]

    @property
    def hit_rate(self) -> float:
        covered = self.of_scope("in")
        return share(sum(hit_at(r.cited, q.sections) for q, r in covered), len(covered))

    @property
    def refusal_rate(self) -> float:
        off = self.of_scope("off")
        return share(sum(not r.cited for _, r in off), len(off))

    @property
    def chitchat_clean_rate(self) -> float:
        chat = self.of_scope("chitchat")
        return share(sum(not r.cited for _, r in chat), len(chat))

    def latency(self, fraction: float) -> float:
        return percentile([r.ms for _, r in self.replies], fraction)

    def suggestions(self) -> tuple[int, int, int]:
        """In-scope questions with nothing cited but a right topic suggested, of those with nothing
        cited; and other questions given a suggestion."""
        uncited = [(q, r) for q, r in self.of_scope("in") if not r.cited]
        right = sum(any(hit_at(TOPIC_SECTIONS.get(t, ()), q.sections) or hit_at(q.sections, TOPIC_SECTIONS.get(t, ()))
                        for t in r.suggested) for q, r in uncited)
        others = sum(bool(r.suggested) for q, r in self.replies if q.scope != "in")
        return right, len(uncited), others

    def misses(self) -> list[tuple[Question, Reply]]:
        return [(q, r) for q, r in self.replies if not is_right(q, r)]


def is_right(question: Question, reply: Reply) -> bool:
    """A covered question is right with hit@3; any other is right when nothing is cited."""
    return hit_at(reply.cited, question.sections) if question.scope == "in" else not reply.cited


# ---- talking to the running assistant -------------------------------------------------------

def suggestion_texts() -> tuple[str, ...]:
    """The texts of the responses that suggest topics (a REST reply carries no response name)."""
    from bot.responses import first_variation
    from bot.vocabulary import EMPATHY_SUGGEST_RESPONSE, SUGGEST_RESPONSE

    return tuple(first_variation(name).get("text", "") for name in (SUGGEST_RESPONSE, EMPATHY_SUGGEST_RESPONSE))


def read_reply(messages: Iterable[dict], ms: float) -> Reply:
    cited: list[str] = []
    texts: list[str] = []
    suggested: list[str] = []
    for message in messages:
        if message.get("text"):
            texts.append(message["text"])
        if message.get("text") in suggestion_texts():
            suggested += [str(b.get("payload", "")).lstrip("/") for b in message.get("buttons") or ()]
        for card in (message.get("custom") or {}).get("practices") or ():
            if card.get("id") not in cited:
                cited.append(card["id"])
    return Reply(tuple(cited), tuple(texts), ms, tuple(suggested))


def ask(rasa_url: str, text: str, sender: str = "") -> Reply:
    """One question in a new conversation (``sender``: its id, by default a new random one)."""
    started = time.perf_counter()
    messages = rest_turn(rasa_url, sender or f"eval-{uuid.uuid4().hex[:12]}", text)
    return read_reply(messages, (time.perf_counter() - started) * 1000)


def wait_until_answering(rasa_url: str, timeout: float = START_TIMEOUT) -> None:
    """Until Rasa answers a question with practices (so the action server is up too)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ask(rasa_url, "包工头欠钱不给咋办").cited:
                return
        except OSError:
            pass
        time.sleep(1)
    raise TimeoutError(f"the assistant at {rasa_url} did not answer within {timeout:.0f} s")


def served_outcome(system: str, model: Path, questions: Sequence[Question],
                   log: Callable[[str], None]) -> Outcome:
    """Start the real servers with ``model`` and send every question over REST."""
    from bot.running.launcher import running_servers

    with running_servers(VAR_DIR / model.stem.split(".")[0], model, ready_timeout=START_TIMEOUT) as servers:
        wait_until_answering(servers.rasa_url)
        return asked_outcome(system, servers.rasa_url, questions, log)


def asked_outcome(system: str, rasa_url: str, questions: Sequence[Question],
                  log: Callable[[str], None]) -> Outcome:
    """Every question sent over REST to the assistant running at ``rasa_url``, each in a new conversation."""
    outcome = Outcome(system)
    for number, question in enumerate(questions, start=1):
        outcome.replies.append((question, ask(rasa_url, question.text)))
        if number % 25 == 0:
            log(f"  {system}: {number}/{len(questions)}")
    return outcome


def keyword_outcome(questions: Sequence[Question]) -> Outcome:
    """The question straight to the search, its first three hits cited: no NLU, no decision."""
    from bot.kb.service import get_knowledge_base

    knowledge_base = get_knowledge_base()
    outcome = Outcome("keyword search alone")
    for question in questions:
        started = time.perf_counter()
        hits = knowledge_base.search(question.text, limit=HIT_AT).hits
        outcome.replies.append((question, Reply(tuple(h.practice.id for h in hits), (),
                                                (time.perf_counter() - started) * 1000)))
    return outcome


def train_baseline(log: Callable[[str], None]) -> Path:
    """Rasa's default pipeline, trained on the same data (kept while its inputs are unchanged)."""
    inputs = [BASELINE_CONFIG, ROOT / "domain.yml", *sorted((ROOT / "data").glob("[nrs]*/**/*.yml"))]
    if BASELINE_MODEL.is_file() and BASELINE_MODEL.stat().st_mtime > max(p.stat().st_mtime for p in inputs):
        return BASELINE_MODEL
    log("training the baseline (Rasa's default pipeline) …")
    BASELINE_MODEL.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "rasa", "train", "--config", str(BASELINE_CONFIG), "--domain", "domain.yml",
               "--data", "data/nlu", "data/rules", "data/stories", "--out", str(BASELINE_MODEL.parent),
               "--fixed-model-name", "baseline", "--num-threads", "2"]
    with open(VAR_DIR / "baseline-train.log", "wb") as out:
        subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=True)
    return BASELINE_MODEL


# ---- the report ---------------------------------------------------------------------------------

def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def _breakdown(outcome: Outcome, key: Callable[[Question], str]) -> list[str]:
    groups: dict[str, list[tuple[Question, Reply]]] = defaultdict(list)
    for question, reply in outcome.replies:
        groups[key(question)].append((question, reply))
    rows = []
    for name in sorted(groups):
        pairs = groups[name]
        right = sum(is_right(q, r) for q, r in pairs)
        rows.append(f"| {name} | {len(pairs)} | {right} | {_pct(share(right, len(pairs)))} |")
    return rows


def render(part: str, questions: Sequence[Question], outcomes: Sequence[Outcome]) -> str:
    counts = {scope: sum(q.scope == scope for q in questions) for scope in ("in", "off", "chitchat")}
    lines = [
        "# Evaluation: the running assistant on real questions",
        "",
        "Generated by `make eval` (`python -m bot.measure.evaluate`); do not edit by hand.",
        "",
        f"- Part: `data/questions/{part}.yml` — {len(questions)} real questions from "
        f"{len({q.host for q in questions})} sites: {counts['in']} the list covers, {counts['off']} near-domain "
        f"questions it does not cover, {counts['chitchat']} chit-chat. Split by site from the training and "
        "development parts (`data/questions/README.md`).",
        "- Each question is sent in a new conversation to the real Rasa and action servers over REST; what a reply "
        "cites is read from its `custom.practices` payload.",
        f"- hit@{HIT_AT}: at least one of the first {HIT_AT} practices cited lies in a section labelled as answering "
        "the question. Off-list and chit-chat are right when nothing is cited.",
        "",
        "| system | in-scope hit@3 | off-list answered honestly (nothing cited) | unrelated citations on off-list "
        "| chit-chat without citation | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        lines.append(
            f"| {outcome.system} | {_pct(outcome.hit_rate)} | {_pct(outcome.refusal_rate)} | "
            f"{_pct(1 - outcome.refusal_rate)} | {_pct(outcome.chitchat_clean_rate)} | "
            f"{outcome.latency(0.5):.0f} | {outcome.latency(0.95):.0f} |"
        )
    assistant = outcomes[0]
    right, uncited, others = assistant.suggestions()
    lines += ["", f"When unsure, the {assistant.system} cites nothing and suggests the topics the message may be about "
              f"(buttons): for {right} of the {uncited} in-scope questions it cited nothing for, a suggested topic "
              f"covers a right section; {others} off-list or chit-chat messages got a suggestion (nothing cited)."]
    lines += ["", f"## {assistant.system}: by topic", "", "| topic | questions | right | share |", "|---|---|---|---|"]
    lines += _breakdown(assistant, lambda q: q.topic or "—")
    lines += ["", f"## {assistant.system}: by kind of source", "", "| kind | questions | right | share |",
              "|---|---|---|---|"]
    lines += _breakdown(assistant, lambda q: q.kind)
    for outcome in outcomes:
        lines += ["", f"## Misses: {outcome.system}", ""]
        misses = outcome.misses()
        if not misses:
            lines.append("- none")
        for question, reply in misses:
            text = question.text if len(question.text) <= 60 else question.text[:60] + "…"
            want = ", ".join(question.sections) if question.scope == "in" else "nothing"
            lines.append(f"- [{question.scope}] {text} — wanted {want}; cited {', '.join(reply.cited) or 'nothing'}")
    return "\n".join(lines) + "\n"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate the running assistant on real questions.")
    parser.add_argument("--part", choices=PARTS, default="test", help="corpus part (default: test)")
    parser.add_argument("--report", type=Path, default=None, help="where to write the report")
    parser.add_argument("--no-baseline", action="store_true", help="skip Rasa's default pipeline (faster)")
    parser.add_argument("--model", type=Path, default=MODEL, help="the assistant's model (default: the trained one)")
    args = parser.parse_args(argv)
    if not args.model.is_file():
        print("error: no trained model: run `make train`", file=sys.stderr)
        return 1
    VAR_DIR.mkdir(parents=True, exist_ok=True)

    def log(line: str) -> None:
        print(line, flush=True)

    questions = load_part(args.part)
    log(f"evaluating {len(questions)} questions of the {args.part} part …")
    outcomes = [served_outcome("assistant", args.model, questions, log)]
    if not args.no_baseline:
        outcomes.append(served_outcome("Rasa default pipeline", train_baseline(log), questions, log))
    outcomes.append(keyword_outcome(questions))
    report = render(args.part, questions, outcomes)
    target = args.report or (REPORT if args.part == "test" else VAR_DIR / f"evaluation-{args.part}.md")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    temporary.write_text(report, encoding="utf-8")
    temporary.replace(target)
    for outcome in outcomes:
        log(f"{outcome.system}: hit@3 {_pct(outcome.hit_rate)}, off-list honest {_pct(outcome.refusal_rate)}, "
            f"chit-chat clean {_pct(outcome.chitchat_clean_rate)}, p95 {outcome.latency(0.95):.0f} ms")
    log(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
