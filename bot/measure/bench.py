"""`make bench`: measure the running assistant in one run and write `docs/benchmarks.md`.

Starts the action server and the Rasa server the way `make run` does (SQL
tracker store under a fresh var dir), then measures: cold start to the first
answer; NLU parse time; search time (`bot.measure.search_bench`); per-message latency over
REST for the framework's floor (a rule answers "你好", no action) and for a
practice answer (the search action), for one user, the two taking turns; latency and throughput
against load (closed loop, 1 to 64 conversations at once); memory of each
server at rest and over 10,000 messages; optionally training time and a
py-spy profile of both servers under load.

Then the same load against `make run`'s default: one Rasa server of RASA_WORKERS
worker processes (one per core) on one port, sharing a Redis (Debian's
redis-server, started here: the lock store and the WeChat channels' memory) and
the SQL tracker store; the report puts its throughput next to one worker's
(RASA_WORKERS=1), both measured level by level in turn (A B B A), so that what
else runs on the machine weighs on both alike. Optionally (`--instances N`) the scale-out
topology of `deploy/`: several Rasa instances on their own ports, conversations
spread over them (each conversation sticks to one).

The figures depend on the machine: the load generator runs on the same cores
as the servers, as a single-machine deployment would share them.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from bot.config import ROOT
from bot.measure import long_conversation
from bot.measure.bench_report import write_report
from bot.measure.load import LoadResult, percentile, run_load
from bot.rest_client import answers
from bot.running.launcher import Servers, running_servers
from bot.running.loopback import redis_server

MODEL = ROOT / "models" / "assistant.tar.gz"
BENCH_TOKEN = "bench-token"  # opens Rasa's HTTP API for the NLU parse timing
FLOOR_TEXT = "你好"  # answered by the greet rule: no action, no search
PRACTICE_QUESTIONS = ["工地要刷脸吗", "包工头欠钱不给咋办", "考个焊工证有补贴没", "培训有补贴吗"]
SCRIPTS = [
    ["工地要刷脸吗", "那广东呢", "第一条详细说说", "谢谢"],
    ["包工头欠钱不给咋办", "还有吗", "这是哪个文件里的", "再见"],
    ["你好", "考个焊工证有补贴没", "那安徽呢", "有用"],
    ["东莞有啥做法", "第二条详细说说", "培训有补贴吗", "谢谢"],
]
NLU_TEXTS = [*PRACTICE_QUESTIONS, "你好", "那广东呢", "第二条详细说说", "今天天气怎么样", "转人工", "東莞有啥做法"]
CONCURRENCY_LEVELS = (1, 2, 4, 8, 16, 32, 48, 64)


def post(url: str, body: dict[str, Any], timeout: float = 60) -> Any:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def cold_start(servers: Servers, timeout: float = 600) -> float:
    """Seconds from launching the servers to the first answer over REST (of every Rasa instance)."""
    deadline = time.monotonic() + timeout
    waiting = list(zip(servers.rasa_urls, servers.rasa_instances))
    while waiting and time.monotonic() < deadline:
        url, process = waiting[0]
        if process.poll() is not None:
            raise RuntimeError("Rasa exited during start-up: see rasa-*.log in the bench var dir")
        if answers(f"{url}/", 1):
            try:
                if post(f"{url}/webhooks/rest/webhook", {"sender": "cold-start", "message": FLOOR_TEXT}):
                    waiting.pop(0)
                    continue
            except OSError:
                pass
        time.sleep(0.2)
    if waiting:
        raise TimeoutError("Rasa did not answer")
    return time.monotonic() - servers.launched


def timed_turns(servers: Servers, texts: list[str], turns: int, prefix: str,
                rasa_url: Optional[str] = None) -> list[float]:
    """Latencies (ms) of `turns` sequential REST turns, a new conversation every len(texts) turns."""
    url = f"{rasa_url or servers.rasa_url}/webhooks/rest/webhook"
    latencies = []
    for n in range(turns):
        started = time.perf_counter()
        post(url, {"sender": f"{prefix}-{n // len(texts)}", "message": texts[n % len(texts)]})
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def alternating_turns(servers: Servers, measures: list[tuple[list[str], str]], turns: int) -> list[list[float]]:
    """Latencies (ms) of `turns` sequential REST turns of each measure (its texts, its conversations'
    prefix; a new conversation every len(texts) turns), the measures taking turns one message each:
    whatever else the machine does weighs on all of them alike, so their ratio is fair."""
    url = f"{servers.rasa_url}/webhooks/rest/webhook"
    latencies: list[list[float]] = [[] for _ in measures]
    for n in range(turns):
        for (texts, prefix), measured in zip(measures, latencies):
            started = time.perf_counter()
            post(url, {"sender": f"{prefix}-{n // len(texts)}", "message": texts[n % len(texts)]})
            measured.append((time.perf_counter() - started) * 1000)
    return latencies


CLI_QUERY = "云建宝怎么用"


def cli_search_time(runs: int = 3) -> float:
    """Seconds of `python -m bot search` from start to exit (the best of ``runs``: a cold process each)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "search", CLI_QUERY, "--limit", "1"], cwd=ROOT,
                       capture_output=True, check=True, timeout=60)
        times.append(time.perf_counter() - started)
    return min(times)


def nlu_parse(servers: Servers, parses: int) -> list[float]:
    """Latencies (ms) of Rasa's /model/parse over HTTP (NLU only, no dialogue)."""
    url = f"{servers.rasa_url}/model/parse?token={servers.token}"
    latencies = []
    for n in range(parses):
        started = time.perf_counter()
        post(url, {"text": NLU_TEXTS[n % len(NLU_TEXTS)]})
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def search_time() -> dict[str, float]:
    from bot.measure.search_bench import load_queries, run

    report = run(load_queries(), searches=2000)
    return {"p50": report.p50_ms, "p95": report.p95_ms, "cpu_p50": report.cpu_p50_ms, "queries": report.queries}


def training_time(out_dir: Path) -> float:
    """Seconds `rasa train` takes from scratch (an empty training cache) for the project's data."""
    from bot.running.rasa_server import RASA_ENVIRONMENT

    env = {**os.environ, **RASA_ENVIRONMENT, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3",
           "RASA_CACHE_DIRECTORY": str(out_dir / "cache")}
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "rasa", "train", "--out", str(out_dir), "--fixed-model-name", "bench",
                    "--num-threads", "2"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def load_levels(servers: Servers, seconds: float, prefix: str,
                log: Callable[[str], None]) -> list[dict[str, float]]:
    """Throughput and latency at each concurrency level, with the servers' CPU time per message."""
    return side_by_side_levels([servers], seconds, prefix, log)[0]


def side_by_side_levels(topologies: list[Servers], seconds: float, prefix: str,
                        log: Callable[[str], None]) -> list[list[dict[str, float]]]:
    """Each concurrency level on every topology in turn: for each topology, its levels.

    With two topologies a level runs on the first, the second, the second again and the first
    again, ``seconds / 2`` each (A B B A), and each topology's figures pool its two halves: a
    change in what else runs on the machine during the level weighs on both alike, so their
    ratio is fair. One topology runs each level for ``seconds`` at once.
    """
    order = [0] if len(topologies) == 1 else [0, 1, 1, 0]
    share = seconds * len(topologies) / len(order)
    measured: list[list[dict[str, float]]] = [[] for _ in topologies]
    for level in CONCURRENCY_LEVELS:
        parts: list[list[tuple[LoadResult, dict[str, float]]]] = [[] for _ in topologies]
        for turn, which in enumerate(order):
            servers = topologies[which]
            log(f"load: {level} conversations at once ({len(servers.rasa_urls)} Rasa of {servers.workers} worker(s))")
            before, generator, machine = servers.cpu_seconds(), time.process_time(), machine_busy_seconds()
            load = run_load(servers.rasa_urls, SCRIPTS, level, duration=share, prefix=f"{prefix}{which}-{level}-{turn}-")
            after = servers.cpu_seconds()
            used = {name: after[name] - before[name] for name in after}
            used["generator"] = time.process_time() - generator
            used["rest"] = max(0.0, machine_busy_seconds() - machine - sum(used.values()))
            parts[which].append((load, used))
        for which, halves in enumerate(parts):
            load = pooled([part for part, _ in halves])
            cpu = {f"cpu_ms_{name}": 1000 * sum(used[name] for _, used in halves) / max(load.messages, 1)
                   for name in halves[0][1] if name != "rest"}
            rest = sum(used["rest"] for _, used in halves) / max(load.seconds, 1e-9)
            measured[which].append({**level_summary(load), **cpu, "rest_of_machine_cores": rest})
    return measured


def machine_busy_seconds() -> float:
    """CPU seconds all cores of the machine have been busy (or taken by the hypervisor) since boot."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def pooled(loads: list[LoadResult]) -> LoadResult:
    """Several runs of one level as one: their messages, time, latencies and errors together."""
    return LoadResult(concurrency=loads[0].concurrency, seconds=sum(load.seconds for load in loads),
                      latencies=[latency for load in loads for latency in load.latencies],
                      errors=sum(load.errors for load in loads))


@contextmanager
def every_core(work: Path, workers: int, instances: int = 1) -> Iterator[tuple[Servers, dict[str, Any]]]:
    """Rasa sharing a Redis (lock store, WeChat memory) and the SQL tracker store, started, warmed and
    timed: one server of several workers on one port (`make run`'s default), or several instances."""
    name = f"{instances}x{workers}"
    with redis_server(work / f"redis-{name}") as redis_url, \
            running_servers(work / f"var-{name}", MODEL, token=BENCH_TOKEN, env={"REDIS_URL": redis_url},
                            instances=instances, workers=workers) as servers:
        servers.wait_ready(600)  # every worker has its model: the first answers while the others load
        started = cold_start(servers)
        for n, url in enumerate(servers.rasa_urls):
            timed_turns(servers, [FLOOR_TEXT, *PRACTICE_QUESTIONS], 20 * workers, f"warm-{name}-{n}", url)
        yield servers, {"instances": instances, "workers": workers, "cold_start_s": started,
                        "tracker_store": "SQLite file (shared)", "lock_store": "Redis"}


def with_redis(seconds: float, work: Path, log: Callable[[str], None], instances: int = 1,
               workers: int = 1) -> dict[str, Any]:
    """The load levels against Rasa sharing a Redis and the SQL tracker store (see :func:`every_core`)."""
    log(f"{instances} Rasa instance(s) of {workers} worker(s), Redis, one SQLite tracker store")
    with every_core(work, workers, instances) as (servers, described):
        return {**described, "levels": load_levels(servers, seconds, f"{instances}x{workers}-", log)}


def soak(servers: Servers, total: int, step: int, concurrency: int) -> list[dict[str, float]]:
    """Sends `total` messages in steps, recording each server's memory after every step."""
    samples = [{"messages": 0, **servers.rss()}]
    for done in range(step, total + 1, step):
        run_load(servers.rasa_url, SCRIPTS, concurrency, messages=step, prefix=f"soak-{done}")
        samples.append({"messages": done, **servers.rss()})
    return samples


def profile(servers: Servers, seconds: int, out_dir: Path) -> dict[str, list[tuple[str, float]]]:
    """py-spy samples of both servers under load; the functions taking most time, by share of samples."""
    from bot.measure.profile import record, top_functions

    records = {name: record(process.pid, seconds, out_dir / f"{name}.txt")
               for name, process in (("rasa", servers.rasa), ("actions", servers.actions))}
    run_load(servers.rasa_url, SCRIPTS, 8, duration=seconds - 2, prefix="profile")
    return {name: top_functions(proc.wait_and_read()) for name, proc in records.items()}


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.measure.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--skip-training", action="store_true", help="do not measure training time")
    parser.add_argument("--profile", action="store_true", help="also profile both servers under load (py-spy)")
    parser.add_argument("--messages", type=int, default=10_000, help="messages of the memory soak")
    parser.add_argument("--turns", type=int, default=200, help="sequential turns per single-user measure")
    parser.add_argument("--level-seconds", type=float, default=10.0, help="seconds per concurrency level")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="Rasa workers of the every-core measure, as `make run`'s default (1: skip it)")
    parser.add_argument("--instances", type=int, default=0,
                        help="Rasa instances of the scale-out measure of deploy/ (0: skip it)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    if not MODEL.is_file():
        sys.exit(f"no trained model at {MODEL}: run `make train`")

    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_before": os.getloadavg()[0],
    }
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    log = lambda text: print(f"[bench] {text}", file=sys.stderr, flush=True)  # noqa: E731
    log(f"search time ({work})")
    results["search"] = search_time()
    log("command line search")
    results["cli_s"] = cli_search_time()
    with running_servers(work / "var", MODEL, token=BENCH_TOKEN) as servers:
        log("cold start")
        results["cold_start_s"] = cold_start(servers)
        timed_turns(servers, [FLOOR_TEXT, *PRACTICE_QUESTIONS], 20, "warm")
        results["rss_rest"] = servers.rss()
        log("NLU parse")
        results["nlu_ms"] = summary(nlu_parse(servers, args.turns))
        log("single user: floor and practice answer")
        floor, practice = alternating_turns(servers, [([FLOOR_TEXT], "floor"), (PRACTICE_QUESTIONS, "practice")],
                                            args.turns)
        results["floor_ms"], results["practice_ms"] = summary(floor), summary(practice)
        log(f"one conversation of {args.turns} turns")
        results["long_conversation"] = long_conversation.summary(
            long_conversation.conversation_latencies(servers.rasa_url, args.turns))
        if args.workers > 1:
            log(f"RASA_WORKERS=1 and {args.workers} Rasa workers with Redis, side by side")
            with every_core(work, args.workers) as (default, described):
                results["levels"], levels = side_by_side_levels([servers, default], args.level_seconds, "level", log)
                results["workers"] = {**described, "levels": levels, "side_by_side": True}
        else:
            results["levels"] = load_levels(servers, args.level_seconds, "level", log)
        log(f"memory over {args.messages} messages")
        results["memory"] = soak(servers, args.messages, max(args.messages // 10, 1), 8)
        if args.profile:
            log("profile under load")
            results["profile"] = profile(servers, 30, work / "profile")
    if args.instances > 1:
        results["scale_out"] = with_redis(args.level_seconds, work, log, instances=args.instances)
    if not args.skip_training:
        log("training time")
        results["training_s"] = training_time(work / "train")
    results["load_after"] = os.getloadavg()[0]
    write_report(results, args.out)
    (args.out.with_suffix(".json")).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    log(f"wrote {args.out}")


def summary(latencies: list[float]) -> dict[str, float]:
    return {"n": len(latencies), "p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95),
            "mean": sum(latencies) / len(latencies) if latencies else 0.0}


def level_summary(load: LoadResult) -> dict[str, float]:
    return {"concurrency": load.concurrency, "messages": load.messages, "errors": load.errors,
            "throughput": load.throughput, "p50": load.p50, "p95": load.p95}


if __name__ == "__main__":
    main()
