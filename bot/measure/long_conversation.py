"""One conversation that goes on all day: per-turn latency over hundreds of turns.

Each turn of one sender cycles ordinary questions (practice answers and a greeting), so the
conversation's history grows as a hotline's or a WeChat user's does. Rasa's session roll
(``SESSION_MAX_EVENTS``) is what keeps the late turns as quick as the early ones; set
``SESSION_MAX_EVENTS=0`` to measure without it.

``python -m bot.measure.long_conversation [--turns 200]`` starts the real servers, runs the
conversation and prints p50 per block of 20 turns and the last block's ratio to the first;
``make bench`` runs the same and puts it in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Optional

from bot.measure.metrics import percentile

BLOCK_TURNS = 20
TEXTS = ["包工头欠钱不给咋办", "还有吗", "工地要刷脸吗", "你好", "考个焊工证有补贴没", "培训有补贴吗"]


def conversation_latencies(rasa_url: str, turns: int, sender: str = "long-conversation") -> list[float]:
    """Milliseconds of each of ``turns`` sequential REST turns of one conversation."""
    url = f"{rasa_url}/webhooks/rest/webhook"
    latencies = []
    for n in range(turns):
        body = json.dumps({"sender": sender, "message": TEXTS[n % len(TEXTS)]}).encode()
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def blocks(latencies: list[float], size: int = BLOCK_TURNS) -> list[dict[str, Any]]:
    """p50 and max of each block of ``size`` turns (turns 1–20, 21–40, …)."""
    return [
        {"turns": f"{start + 1}–{start + len(chunk)}", "p50": percentile(chunk, 0.5), "max": max(chunk)}
        for start in range(0, len(latencies), size)
        if (chunk := latencies[start:start + size])
    ]


def summary(latencies: list[float]) -> dict[str, Any]:
    """The blocks and the last block's p50 over the first's (goal: at most 1.3)."""
    found = blocks(latencies)
    first, last = found[0]["p50"], found[-1]["p50"]
    return {"turns": len(latencies), "blocks": found, "ratio": last / first if first else 0.0}


def main(argv: Optional[list[str]] = None) -> None:
    from bot.config import ROOT
    from bot.running.launcher import running_servers

    parser = argparse.ArgumentParser(prog="python -m bot.measure.long_conversation", description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="long-") as var_dir, \
            running_servers(Path(var_dir), ROOT / "models" / "assistant.tar.gz", ready_timeout=180) as servers:
        conversation_latencies(servers.rasa_url, 10, sender="warm-up")
        result = summary(conversation_latencies(servers.rasa_url, args.turns))
    for block in result["blocks"]:
        print(f"turns {block['turns']:>9}: p50 {block['p50']:6.1f} ms, max {block['max']:6.1f} ms")
    print(f"last block / first block at p50: {result['ratio']:.2f}× (goal ≤ 1.3×)")


if __name__ == "__main__":
    main()
