"""`make labels-round`: the editors' loop (issue 10) run end to end with the real parts, and measured.

1. **Before.** The real action and Rasa servers (``bot.running.launcher``, as `make eval` starts them)
   with the trained model, and the real web app in front of them. Every question of a round file
   (``data/questions/rounds/*.yml``: collected real questions, kept out of the corpus split) is sent
   over REST in a new conversation and scored as ``bot.measure.evaluate`` scores it (hit@3). An answer
   that cited practices of the wrong sections gets the worker's 没用 (``/feedback_useless``, the
   payload of the chat's button), which is how such a miss reaches the editors.
2. **The editor.** The misses are read from the web app's ``GET /api/unanswered`` (staff token) and
   each is labelled through ``POST /api/labels`` with the round file's sections, the human-given
   labels (a measure such as ``5.1`` is posted as its practices), part ``train``. A question whose
   text already has a label is not labelled twice.
3. **The fix.** ``python -m bot labels-export``, ``make corpus``, ``make train`` in this checkout.
4. **After.** The servers restarted with the new model; the same questions sent again.

As a guard, the development part (``data/questions/dev.yml``; never the test part) is sent to the same
servers before and after, so one sees the fix did not break other questions. The report goes to
``docs/labels-round.md``. The labelled questions are in the training data after the round: their
"after" says the loop works, not how the model generalizes; the development part says that.
"""
from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from bot.config import ROOT, get_settings
from bot.labels import PRACTICES
from bot.measure.corpus import QUESTIONS_DIR, Question, load_part, read_questions
from bot.measure.evaluate import MODEL, START_TIMEOUT, Outcome, Reply, ask, asked_outcome, is_right, wait_until_answering
from bot.measure.metrics import cites_section, share
from bot.vocabulary import FEEDBACK_USELESS_INTENT

ROUNDS_DIR = QUESTIONS_DIR / "rounds"
REPORT = ROOT / "docs" / "labels-round.md"
VAR_DIR = ROOT / "var" / "labels-round"
SENDER_PREFIX = "labels-round-"
EDITOR = "labels-round"
Log = Callable[[str], None]


@dataclass
class Phase:
    """One model's answers: the round's questions (by sender) and the development part."""

    round: dict[str, tuple[Question, Reply]] = field(default_factory=dict)
    dev: Optional[Outcome] = None


@dataclass
class EditorPass:
    """What the simulated editor saw and did."""

    listed: list[dict] = field(default_factory=list)  # the round's misses in GET /api/unanswered
    labelled: dict[str, Question] = field(default_factory=dict)  # by sender
    already_labelled: list[Question] = field(default_factory=list)
    unlisted: list[tuple[Question, Reply]] = field(default_factory=list)  # misses the console never showed


def practice_ids(sections: Sequence[str], all_ids: Sequence[str]) -> list[str]:
    """The practices a label names for these sections (a measure ``5.1`` → its practices ``5.1.*``)."""
    return [pid for pid in all_ids if any(cites_section(pid, section) for section in sections)]


def ask_round(rasa_url: str, questions: Sequence[Question], log: Log) -> dict[str, tuple[Question, Reply]]:
    """Each question in its own conversation; a wrongly cited answer is marked 没用 as a worker would."""
    answered = {}
    for number, question in enumerate(questions, start=1):
        sender = f"{SENDER_PREFIX}{number:02d}-{uuid.uuid4().hex[:8]}"
        reply = ask(rasa_url, question.text, sender)
        if reply.cited and not is_right(question, reply):
            ask(rasa_url, f"/{FEEDBACK_USELESS_INTENT}", sender)
        answered[sender] = (question, reply)
    log(f"  {sum(is_right(q, r) for q, r in answered.values())}/{len(questions)} right")
    return answered


def _api(method: str, url: str, token: str, body: Optional[dict] = None) -> dict:
    import requests

    response = requests.request(method, url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    response.raise_for_status()
    return response.json()


def label_misses(web_url: str, token: str, answered: dict[str, tuple[Question, Reply]],
                 all_ids: Sequence[str]) -> EditorPass:
    """The editor's pass over the console's list: each listed miss of this round labelled with its sections."""
    done = EditorPass()
    known = {label["text"] for label in _api("GET", f"{web_url}/api/labels", token)["labels"]}
    listed = [item for item in _api("GET", f"{web_url}/api/unanswered?limit=1000", token)["unanswered"]
              if item["sender_id"] in answered]
    done.listed = listed
    for item in listed:
        question, _ = answered[item["sender_id"]]
        if question.text in known:
            done.already_labelled.append(question)
            continue
        _api("POST", f"{web_url}/api/labels", token, {
            "sender_id": item["sender_id"], "timestamp": item["timestamp"], "text": item["text"], "kind": PRACTICES,
            "practices": practice_ids(question.sections, all_ids), "topic": question.topic, "part": "train",
            "editor": EDITOR})
        known.add(question.text)
        done.labelled[item["sender_id"]] = question
    shown = {item["sender_id"] for item in listed}
    done.unlisted = [(q, r) for sender, (q, r) in answered.items() if not is_right(q, r) and sender not in shown]
    return done


def serve_and_ask(name: str, questions: Sequence[Question], dev: Sequence[Question], log: Log,
                  editor: Optional[Callable[[str, str, dict], EditorPass]] = None) -> tuple[Phase, Optional[EditorPass]]:
    """Start the servers and the web app with the current model, ask the round and the development part."""
    from bot.running.launcher import running_servers, running_web_app

    token = secrets.token_urlsafe(16)
    phase, done = Phase(), None
    labels_env = {"LABELS_DB_URL": get_settings().labels_url}
    with running_servers(VAR_DIR / name, MODEL, ready_timeout=START_TIMEOUT) as servers, \
            running_web_app(servers, token, env=labels_env) as web_url:
        wait_until_answering(servers.rasa_url)
        log(f"{name}: {len(questions)} round questions over REST …")
        phase.round = ask_round(servers.rasa_url, questions, log)
        if editor is not None:
            done = editor(web_url, token, phase.round)
        log(f"{name}: the development part ({len(dev)} questions) …")
        phase.dev = asked_outcome(f"assistant ({name})", servers.rasa_url, dev, log)
    return phase, done


def run_step(command: list[str], log: Log, env: Optional[dict[str, str]] = None) -> None:
    log("$ " + " ".join(command))
    subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, **(env or {})})


# ---- the report -----------------------------------------------------------------------------------

def _rate(pairs: Sequence[tuple[Question, Reply]]) -> str:
    right = sum(is_right(q, r) for q, r in pairs)
    return f"{right}/{len(pairs)} ({100 * share(right, len(pairs)):.1f} %)"


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def render(round_file: Path, before: Phase, after: Phase, done: EditorPass, command: str) -> str:
    by_text_after = {q.text: r for q, r in after.round.values()}
    pairs_before = list(before.round.values())
    labelled = [(q, r) for sender, (q, r) in before.round.items() if sender in done.labelled]
    labelled_after = [(q, by_text_after[q.text]) for q, _ in labelled]
    misses = [(q, r) for q, r in pairs_before if not is_right(q, r)]
    assert before.dev is not None and after.dev is not None
    lines = [
        "# The editors' loop, measured: one round of console labels",
        "",
        f"Generated by `{command}` (`bot/measure/labels_round.py`); do not edit by hand.",
        "",
        f"- Round: `{round_file.relative_to(ROOT)}` — {len(pairs_before)} real questions collected from "
        f"{len({q.host for q, _ in pairs_before})} sites, none in `data/questions/`; kept out of the corpus split.",
        "- Before and after, the real action server, Rasa server and web app run as `make eval` starts them; "
        "each question goes over REST in a new conversation; hit@3 as `bot.measure.evaluate` scores it. A wrongly "
        "cited answer gets the worker's 没用.",
        f"- The editor: {len(misses)} misses; {len(done.listed)} listed by `GET /api/unanswered`; "
        f"{len(done.labelled)} labelled through `POST /api/labels` with the round file's sections"
        + (f"; {len(done.already_labelled)} already labelled earlier" if done.already_labelled else "")
        + f"; {len(done.unlisted)} never listed (below). Then `python -m bot labels-export`, `make corpus`, "
        "`make train`, and the servers restarted with the new model.",
        "- The labelled questions are training data after the round: their \"after\" shows the loop works, not how "
        "the model generalizes. The development part (never the test part) is the guard.",
        "",
        "| questions | before | after |",
        "|---|---|---|",
        f"| labelled in this round | {_rate(labelled)} | {_rate(labelled_after)} |",
        f"| whole round | {_rate(pairs_before)} | {_rate(list(after.round.values()))} |",
        f"| development part: in-scope hit@3 | {_pct(before.dev.hit_rate)} | {_pct(after.dev.hit_rate)} |",
        f"| development part: off-list answered honestly | {_pct(before.dev.refusal_rate)} | "
        f"{_pct(after.dev.refusal_rate)} |",
        f"| development part: chit-chat without citation | {_pct(before.dev.chitchat_clean_rate)} | "
        f"{_pct(after.dev.chitchat_clean_rate)} |",
        f"| development part: all right | {_rate(before.dev.replies)} | {_rate(after.dev.replies)} |",
        "",
        "## The labelled questions",
        "",
        "| question | labelled | cited before | cited after |",
        "|---|---|---|---|",
    ]
    for (question, reply), (_, later) in zip(labelled, labelled_after):
        lines.append(f"| {_short(question.text)} | {', '.join(question.sections)} | {', '.join(reply.cited[:3]) or '—'} "
                     f"| {', '.join(later.cited[:3]) or '—'}{'' if is_right(question, later) else ' (miss)'} |")
    lines += ["", "## Misses the console never listed", ""]
    if not done.unlisted:
        lines.append("- none")
    for question, reply in done.unlisted:
        lines.append(f"- {_short(question.text)} — wanted {', '.join(question.sections)}; "
                     f"cited {', '.join(reply.cited[:3]) or 'nothing'}; replied "
                     f"{_short(' / '.join(reply.texts), 30) or '—'}")
    changed = [(q, r, a) for (q, r), (_, a) in zip(before.dev.replies, after.dev.replies) if is_right(q, r) != is_right(q, a)]
    lines += ["", "## Development questions whose verdict changed", ""]
    if not changed:
        lines.append("- none")
    for question, reply, later in changed:
        verdict = "now right" if is_right(question, later) else "now wrong"
        lines.append(f"- [{question.scope}] {_short(question.text)} — {verdict}; cited {', '.join(reply.cited[:3]) or 'nothing'}"
                     f" → {', '.join(later.cited[:3]) or 'nothing'}")
    return "\n".join(lines) + "\n"


def run(round_file: Path, report: Path, log: Log, command: str) -> str:
    from bot.kb.service import get_knowledge_base

    questions = read_questions([round_file])
    dev = load_part("dev")
    all_ids = [p.id for p in get_knowledge_base().practices()]
    before, done = serve_and_ask("before", questions, dev, log,
                                 editor=lambda url, token, answered: label_misses(url, token, answered, all_ids))
    assert done is not None
    log(f"editor: {len(done.listed)} listed, {len(done.labelled)} labelled, {len(done.unlisted)} misses never listed")
    python = sys.executable
    run_step([python, "-m", "bot", "labels-export"], log, {"LABELS_DB_URL": get_settings().labels_url})
    run_step(["make", "--no-print-directory", "corpus"], log)
    run_step(["make", "--no-print-directory", "train"], log)
    after, _ = serve_and_ask("after", questions, dev, log)
    text = render(round_file, before, after, done, command)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(text, encoding="utf-8")
    return text


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="One round of the editors' loop, measured before and after.")
    parser.add_argument("--round", type=Path, default=None,
                        help="the round's questions (default: the newest file of data/questions/rounds/)")
    parser.add_argument("--report", type=Path, default=REPORT, help="where to write the report")
    args = parser.parse_args(argv)
    rounds = sorted(ROUNDS_DIR.glob("*.yml"))
    round_file = (args.round or (rounds[-1] if rounds else None))
    if round_file is None or not round_file.is_file():
        print("error: no round file in data/questions/rounds/", file=sys.stderr)
        return 1
    if not MODEL.is_file():
        print("error: no trained model: run `make train`", file=sys.stderr)
        return 1
    VAR_DIR.mkdir(parents=True, exist_ok=True)

    def log(line: str) -> None:
        print(line, flush=True)

    command = "make labels-round" if os.environ.get("MAKELEVEL") else "python -m bot.measure.labels_round"
    text = run(round_file.resolve(), args.report, log, command)
    print(text.split("## The labelled questions")[0].rstrip())
    log(f"wrote {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
