"""Render one benchmark run as `docs/benchmarks.md` with a latency-against-load plot."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

P95_BUDGET_MS = 500.0
GOALS = {
    "ratio": 1.3,  # practice answer p50 / floor p50
    "cold_start": 20.0,  # s, launch → first answer, model trained
    "cli": 2.5,  # s, `python -m bot search`
    "helper_rss": 300.0,  # MiB, the action server at rest
    "single_p95": 150.0,  # ms, one user
    "throughput": 60.0,  # msg/s at p95 < 500 ms
    "growth": 10.0,  # % RSS growth allowed between 1,000 and the last messages
    "workers_speed_up": 1.6,  # throughput of make run's default workers over RASA_WORKERS=1, at p95 < 500 ms
}


def best_throughput(levels: list[dict[str, float]]) -> dict[str, float]:
    """The load level with the highest throughput whose p95 stays under the budget."""
    within = [level for level in levels if level["p95"] < P95_BUDGET_MS and not level["errors"]]
    return max(within, key=lambda level: level["throughput"]) if within else {}


def memory_growth(samples: list[dict[str, float]], server: str) -> float:
    """RSS growth in % from the first sample after warm-up to the last one."""
    if len(samples) < 3:
        return 0.0
    start, end = samples[1][server], samples[-1][server]
    return 100.0 * (end - start) / start if start else 0.0


def plot(results: dict[str, Any], path: Path) -> None:
    """Latency (p50, p95) and throughput against concurrent conversations; memory over messages."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4.2))
    for axis in (left, middle):
        axis.set_xscale("log", base=2)
        axis.set_xlabel("concurrent conversations")
    for name, levels, colours in _topologies(results):
        x = [level["concurrency"] for level in levels]
        left.plot(x, [level["p50"] for level in levels], "o-", color=colours[0], label=f"p50, {name}")
        left.plot(x, [level["p95"] for level in levels], "s-", color=colours[1], label=f"p95, {name}")
        middle.plot(x, [level["throughput"] for level in levels], "^-", color=colours[2], label=name)
        for axis in (left, middle):
            axis.set_xticks(x)
            axis.set_xticklabels([str(v) for v in x])
    left.axhline(P95_BUDGET_MS, color="grey", linestyle=":", label="p95 budget 500 ms")
    left.set_ylabel("latency per message (ms)")
    left.legend(fontsize=8, loc="upper left")
    left.set_title("REST latency against load")
    middle.axhline(GOALS["throughput"], color="grey", linestyle=":", label="goal 60 msg/s")
    middle.set_ylabel("messages / s")
    middle.set_ylim(bottom=0)
    middle.legend(fontsize=8, loc="lower right")
    middle.set_title("throughput against load")
    memory = results["memory"]
    for server in ("rasa", "actions"):
        right.plot([s["messages"] for s in memory], [s[server] for s in memory], "o-", label=server)
    right.set_xlabel("messages sent")
    right.set_ylabel("RSS (MiB)")
    right.set_ylim(bottom=0)
    right.legend(fontsize=8)
    right.set_title("memory of each server")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _topologies(results: dict[str, Any]) -> list[tuple[str, list[dict[str, float]], tuple[str, str, str]]]:
    """(label, load levels, plot colours) of each measured topology: one Rasa worker, make run's default
    workers, then the scale-out."""
    found = [("1 Rasa", results["levels"], ("tab:blue", "tab:orange", "tab:blue"))]
    if results.get("workers"):
        found.append((_workers_label(results["workers"]), results["workers"]["levels"],
                      ("tab:green", "tab:olive", "tab:green")))
    if results.get("scale_out"):
        found.append((f"{results['scale_out']['instances']} Rasa + Redis", results["scale_out"]["levels"],
                      ("tab:purple", "tab:red", "tab:purple")))
    return found


def _load_table(levels: list[dict[str, float]]) -> list[str]:
    lines = ["| conversations at once | messages | errors | throughput | p50 | p95 | Rasa CPU per message |",
             "|---|---|---|---|---|---|---|"]
    for level in levels:
        cpu = f"{level['cpu_ms_rasa']:.1f} ms" if "cpu_ms_rasa" in level else "–"
        lines.append(f"| {level['concurrency']} | {level['messages']} | {level['errors']} | "
                     f"{level['throughput']:.1f} msg/s | {level['p50']:.0f} ms | {level['p95']:.0f} ms | {cpu} |")
    return lines


def _best_text(best: dict[str, float]) -> str:
    if not best:
        return "none (p95 over 500 ms at every level)"
    return f"{best['throughput']:.1f} msg/s at {best['concurrency']:.0f} conversations (p95 {best['p95']:.0f} ms)"


def _workers_label(workers: dict[str, Any]) -> str:
    return f"{workers['workers']} Rasa workers + Redis"


def _others_best(bests: list[tuple[dict[str, float], str]]) -> str:
    """The other topologies' best, shown next to the best one in the goals table."""
    return "".join(f"; {where}: {best.get('throughput', 0):.0f} msg/s" for best, where in bests[1:])


def _workers_rows(results: dict[str, Any]) -> list[str]:
    """The goal row of make run's default workers against one worker, if measured."""
    workers = results.get("workers")
    if not workers:
        return []
    one, default = best_throughput(results["levels"]), best_throughput(workers["levels"])
    speed_up = default.get("throughput", 0) / one["throughput"] if one else 0.0
    lost = sum(level["errors"] for level in workers["levels"])
    return [f"| `make run`'s default ({workers['workers']} Rasa workers) at least "
            f"{GOALS['workers_speed_up']}× the throughput of RASA_WORKERS=1, p95 under 500 ms, 0 lost | "
            f"{speed_up:.2f}× ({default.get('throughput', 0):.0f} / {one.get('throughput', 0):.0f} msg/s), "
            f"{lost} lost | {_verdict(speed_up >= GOALS['workers_speed_up'] and not lost)} |"]


def _workers_section(results: dict[str, Any]) -> list[str]:
    """RASA_WORKERS=1 and make run's default side by side, level by level."""
    workers = results.get("workers")
    if not workers:
        return []
    n = workers["workers"]
    lines = ["", f"## Every core: RASA_WORKERS=1 and the default ({n}) side by side", "",
             f"`make run`'s default on this machine: one Rasa server of {n} worker processes on one port (Sanic "
             f"workers, SANIC_WORKERS), Rasa's Redis lock store (Debian's redis-server, started by the bench, as "
             f"`make run` starts it) and one SQL tracker store ({workers['tracker_store']}), one action server. "
             f"Cold start until every worker answers: {workers['cold_start_s']:.1f} s."
             + (" Both ran at once, idle but for the level measured; each level ran on one worker, the default, "
                "the default again and one worker again, half the level's time each (A B B A), each column pooling "
                "its two halves: what else the machine did weighed on both alike." if workers.get("side_by_side")
                else ""), "",
             f"| conversations at once | 1 worker: throughput | p95 | lost | {n} workers: throughput | p95 | lost "
             "| rest of the machine: cores busy (1 worker / default) |",
             "|---|---|---|---|---|---|---|---|"]
    single = {level["concurrency"]: level for level in results["levels"]}
    for level in workers["levels"]:
        one = single.get(level["concurrency"])
        left = (f"{one['throughput']:.1f} msg/s | {one['p95']:.0f} ms | {one['errors']}" if one else "– | – | –")
        rest = (f"{one['rest_of_machine_cores']:.2f} / {level['rest_of_machine_cores']:.2f}"
                if one and "rest_of_machine_cores" in level else "–")
        lines.append(f"| {level['concurrency']} | {left} | {level['throughput']:.1f} msg/s | {level['p95']:.0f} ms | "
                     f"{level['errors']} | {rest} |")
    if any("rest_of_machine_cores" in level for level in workers["levels"]):
        lines += ["", "Rest of the machine: the cores busy during the level with anything but the Rasa servers, the "
                  "action server and the load generator (Redis, the system, other users of the machine), on average; "
                  f"{n} workers can use at most {results['machine']['cpus']} cores minus that."]
    lines += ["", f"Highest throughput with p95 under 500 ms: {n} workers {_best_text(best_throughput(workers['levels']))}; "
              f"1 worker {_best_text(best_throughput(results['levels']))}."]
    return lines


def _ceiling_note(results: dict[str, Any]) -> list[str]:
    """What the measured CPU per message allows on this machine's cores at most."""
    levels = ((results.get("workers") or results.get("scale_out") or {}).get("levels")) or results["levels"]
    at8 = next((level for level in levels if level["concurrency"] == 8 and "cpu_ms_rasa" in level), None)
    if not at8:
        return []
    generator = at8.get("cpu_ms_generator", 0.0)
    per_message = at8["cpu_ms_rasa"] + at8["cpu_ms_actions"] + generator
    cores = results["machine"]["cpus"]
    return [f"- CPU per message at 8 conversations: Rasa {at8['cpu_ms_rasa']:.1f} ms + action server "
            f"{at8['cpu_ms_actions']:.1f} ms + load generator {generator:.1f} ms = {per_message:.1f} ms, so "
            f"{cores} cores answer at most {1000 * cores / per_message:.0f} msg/s with every core busy and nothing "
            f"else running; the rest of the machine takes its share of the same cores."]


def _long_conversation_row(long: Optional[dict[str, Any]]) -> list[str]:
    """The goal row of the one long conversation (`bot.measure.long_conversation`), if measured."""
    if not long:
        return []
    first, last = long["blocks"][0], long["blocks"][-1]
    return [f"| one {long['turns']}-turn conversation: turns {last['turns']} within 1.3× turns {first['turns']} "
            f"at p50 | {long['ratio']:.2f}× ({last['p50']:.0f} ms / {first['p50']:.0f} ms) | "
            f"{_verdict(long['ratio'] <= 1.3)} |"]


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def write_report(results: dict[str, Any], out: Path) -> None:
    """Writes the markdown report and its plot next to it."""
    image = out.with_name("benchmarks-load.png")
    plot(results, image)
    floor, practice = results["floor_ms"], results["practice_ms"]
    ratio = practice["p50"] / floor["p50"] if floor["p50"] else 0.0
    best = best_throughput(results["levels"])
    scaled = results.get("scale_out") or {}
    best_scaled = best_throughput(scaled.get("levels", []))
    bests = sorted(((best_throughput(levels), name) for name, levels, _ in _topologies(results)),
                   key=lambda pair: -pair[0].get("throughput", 0))
    best_any, best_where = bests[0]
    growth = {server: memory_growth(results["memory"], server) for server in ("rasa", "actions")}
    by_level = {level["concurrency"]: level for level in results["levels"]}
    machine = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bot.measure.bench`); every figure below is from the run of "
        f"{results['started']} on {machine['cpus']} CPU cores ({machine['platform']}, Python {machine['python']}). "
        "The Rasa server and the action server run as `make run` starts them (SQL tracker store on SQLite "
        "under a fresh var dir), with one Rasa worker and no Redis (RASA_WORKERS=1) unless a section says "
        "otherwise; the load generator runs on the same cores. The machine is shared: "
        f"its 1-minute load average was {results.get('load_before', 0):.1f} before the run and "
        f"{results.get('load_after', 0):.1f} after it (2.0 = both cores busy).",
        "",
        f"![latency and throughput against load, memory over messages]({image.name})",
        "",
        "## Goals",
        "",
        "| goal | measured | |",
        "|---|---|---|",
        f"| practice answer within 1.3× the floor at p50 | {ratio:.2f}× ({practice['p50']:.0f} ms / "
        f"{floor['p50']:.0f} ms) | {_verdict(ratio <= GOALS['ratio'])} |",
        f"| cold start to the first answer under 20 s | {results['cold_start_s']:.1f} s | "
        f"{_verdict(results['cold_start_s'] < GOALS['cold_start'])} |",
        *([f"| `python -m bot search` under 2.5 s | {results['cli_s']:.2f} s | "
           f"{_verdict(results['cli_s'] < GOALS['cli'])} |"] if "cli_s" in results else []),
        f"| action server under 300 MiB at rest | {results['rss_rest']['actions']:.0f} MiB | "
        f"{_verdict(results['rss_rest']['actions'] < GOALS['helper_rss'])} |",
        f"| p95 under 150 ms for one user (practice answer) | {practice['p95']:.0f} ms | "
        f"{_verdict(practice['p95'] < GOALS['single_p95'])} |",
        f"| at least 60 messages/s at p95 under 500 ms | {best_any.get('throughput', 0):.0f} msg/s "
        f"({best_where}, {best_any.get('concurrency', 0):.0f} conversations, p95 {best_any.get('p95', 0):.0f} ms)"
        f"{_others_best(bests)} | "
        f"{_verdict(best_any.get('throughput', 0) >= GOALS['throughput'])} |",
        f"| no memory growth over {results['memory'][-1]['messages']:,} messages | Rasa {growth['rasa']:+.1f} %, "
        f"actions {growth['actions']:+.1f} % | {_verdict(max(growth.values()) < GOALS['growth'])} |",
        *_workers_rows(results),
        *_long_conversation_row(results.get("long_conversation")),
        "",
        "## Start-up, NLU, search, training",
        "",
        "| measure | value |",
        "|---|---|",
        "| cold start to the first answer (both servers launched → first REST answer) | "
        f"{results['cold_start_s']:.1f} s |",
        f"| NLU parse (`/model/parse` over HTTP), p50 / p95 | {results['nlu_ms']['p50']:.1f} / "
        f"{results['nlu_ms']['p95']:.1f} ms |",
        f"| search (`bot.measure.search_bench`, in process, {results['search']['queries']} queries), p50 / p95 | "
        f"{results['search']['p50']:.2f} / {results['search']['p95']:.2f} ms |",
    ]
    if "training_s" in results:
        lines.append(f"| training (`rasa train`, from scratch, 2 threads) | {results['training_s']:.0f} s |")
    else:
        lines.append("| training | not measured in this run (`--skip-training`) |")
    lines += [
        "",
        "## One user (sequential REST turns, a new conversation every 4 turns)",
        "",
        "The two measures take turns, one message each, so the machine's other work weighs on both alike.",
        "",
        "| turn | n | p50 | p95 | mean |",
        "|---|---|---|---|---|",
        f"| floor: \"你好\" answered by a rule, no action | {floor['n']} | {floor['p50']:.0f} ms | "
        f"{floor['p95']:.0f} ms | {floor['mean']:.0f} ms |",
        f"| practice answer: a topic question, search action | {practice['n']} | {practice['p50']:.0f} ms | "
        f"{practice['p95']:.0f} ms | {practice['mean']:.0f} ms |",
        "",
        "## Against load (closed loop: each conversation sends its next turn when answered)",
        "",
        "Conversations follow 4-turn scripts (topic question, follow-up with a place, detail, thanks).",
        "",
        "One Rasa server of one worker (RASA_WORKERS=1). Rasa CPU per message: CPU time of the Rasa "
        "process(es) and their workers during the level divided by the messages answered.",
        "",
        *_load_table(results["levels"]),
    ]
    for wanted in (8, 32):
        if wanted in by_level:
            level = by_level[wanted]
            lines.append("")
            lines.append(f"At {wanted} concurrent conversations: p50 {level['p50']:.0f} ms, p95 {level['p95']:.0f} ms.")
    lines += _workers_section(results)
    if scaled:
        lines += [
            "",
            f"## Scale-out on this machine: {scaled['instances']} Rasa instances, Redis lock store, shared tracker store",
            "",
            f"The topology of `deploy/` on the same 2 cores: Redis (Debian's redis-server, started by the bench) "
            f"as Rasa's lock store, {scaled['instances']} Rasa servers on their own ports sharing one SQL tracker "
            f"store ({scaled['tracker_store']}) and one action server. The load generator sends each conversation "
            f"to one instance (round-robin over conversations, sticky within one). Cold start of all instances: "
            f"{scaled['cold_start_s']:.1f} s.",
            "",
            *_load_table(scaled["levels"]),
            "",
            f"Highest throughput with p95 under 500 ms: {_best_text(best_scaled)}; one Rasa: {_best_text(best)}.",
        ]
    lines += [
        "",
        "## Memory (RSS)",
        "",
        f"At rest (after start-up and 20 warm-up turns): Rasa {results['rss_rest']['rasa']:.0f} MiB, "
        f"action server {results['rss_rest']['actions']:.0f} MiB.",
        "",
        "| messages sent | Rasa | action server |",
        "|---|---|---|",
    ]
    for sample in results["memory"]:
        lines.append(f"| {sample['messages']:,} | {sample['rasa']:.0f} MiB | {sample['actions']:.0f} MiB |")
    if results.get("profile"):
        lines += ["", "## Profile under load (py-spy, 8 conversations at once)", "",
                  "Share of samples; `self` = time spent in that function itself, "
                  "`incl` = time in our code (bot/, actions/) including what it calls.", ""]
        for server, functions in results["profile"].items():
            lines += [f"**{server}**", "", "| function | share |", "|---|---|"]
            lines += [f"| `{name}` | {share:.1f} % |" for name, share in functions]
            lines.append("")
    lines += [
        "## Notes",
        "",
        "- A Rasa worker is one process with one event loop; its NLU and policies are CPU work, so one "
        "worker's throughput stays flat once it is busy, whatever the number of conversations, and latency "
        "grows with the queue. More throughput needs more Rasa processes, each with a core of its own: "
        "`make run` starts one worker per core (RASA_WORKERS) sharing the tracker store and a Redis lock "
        "store; past one machine, replicas do the same (`deploy/`).",
        *_ceiling_note(results),
        "- The Rasa server's tracker store is Rasa's SQL store with SQLite kept in write-ahead-log mode and "
        "its connections pooled, and Rasa's event classes looked up once (`bot/running/tracker_store.py`): the "
        "profile showed a disk sync on every turn's commit and a walk over all event classes for every "
        "stored event read back.",
        "- What a practice answer adds to a rule turn, as the profile showed it, and what `bot.running.rasa_patches` "
        "does about it: Rasa checked each action response against all 23 branches of its events schema "
        "(now one prepared validator per event type, the same verdicts), sent the session's every event "
        "with each action call (now the current turn: the actions read only the slots and the latest message) "
        "and opened a new connection to the action server for each call (now kept open). The actions send only "
        "the slot events that change a slot (an answer repeated up to five values the slots held: each a stored "
        "event read back on every later turn) and work out each practice's key fact once. The action server "
        "remembers its latest searches (`bot.kb.service`), and its place recognizer finds names as runs of "
        "jieba's words instead of through spaCy's entity ruler, which made a Doc of each of ~6,700 names at "
        "every start (half a second) and recounted them on each message; a message with no name in it "
        "(most) is not segmented at all (`bot.kb.places`).",
        "- Several workers share each conversation's lock in Redis: Rasa's lock store sent seven commands per "
        "message, each a blocking round trip on the worker's event loop; `bot/running/lock_store.py` sends "
        "four (the same locks). Neither server builds a Sanic access-log record per request any more.",
        "- Sanic 21.12 (Rasa 3.6's) ignores its KEEP_ALIVE setting: several workers got turns only from "
        "clients that open a connection per request. A response middleware now closes each connection when "
        "keep-alive is off, as `make run` sets it with more than one worker.",
        "- Raw figures of this run: `benchmarks.json`.",
        "",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
