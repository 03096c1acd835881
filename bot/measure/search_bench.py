"""Search latency and hit@3 in a warm process: `python -m bot.measure.search_bench` (`make bench-kb`).

Parses the list documents in `data/sources/`, builds the search index, warms it
(jieba, the place recognizer, the Traditional→Simplified tables), then times every
question of the query table, round after round, and prints p50/p95/p99 latency
(wall clock, and CPU time, which a busy shared machine does not inflate) and
hit@3 (the share of questions whose expected practices are all in the top 3).
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional, Sequence

import yaml

from bot.config import ROOT
from bot.measure.metrics import percentile

QUERY_TABLE = ROOT / "data" / "measure" / "search_queries.yml"
TARGET_P95_MS = 5.0


@dataclass(frozen=True)
class BenchReport:
    """What one benchmark run measured."""

    practices: int
    queries: int
    searches: int
    build_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    cpu_p50_ms: float
    cpu_p95_ms: float
    hit_at_3: float


def load_queries(path: Path = QUERY_TABLE) -> list[dict]:
    """The query table: dicts with `query`, optional `region`, and `expect` (practice ids)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]




def run(queries: Sequence[dict], searches: int = 2000, sources: Optional[Path] = None) -> BenchReport:
    """Build the index from the sources and time `searches` searches over the queries."""
    from bot.kb.ingest import parse_file
    from bot.kb.search import PracticeIndex

    sources = sources or ROOT / "data" / "sources"
    start = time.perf_counter()
    practices = [p for path in sorted(sources.glob("*.txt")) for p in parse_file(path).practices]
    index = PracticeIndex(practices)
    hits = 0
    for row in queries:  # warm-up round, also scoring hit@3
        top = [hit.practice.id for hit in index.search(row["query"], region=row.get("region"), limit=3).hits]
        hits += all(str(expected) in top for expected in row.get("expect", ()))
    build_s = time.perf_counter() - start
    timings, cpu = [], []
    for n in range(searches):
        row = queries[n % len(queries)]
        began, began_cpu = time.perf_counter_ns(), time.thread_time_ns()
        index.search(row["query"], region=row.get("region"), limit=5)
        cpu.append((time.thread_time_ns() - began_cpu) / 1e6)
        timings.append((time.perf_counter_ns() - began) / 1e6)
    timings.sort()
    cpu.sort()
    return BenchReport(
        practices=len(practices),
        queries=len(queries),
        searches=searches,
        build_s=round(build_s, 3),
        p50_ms=round(percentile(timings, 0.50), 3),
        p95_ms=round(percentile(timings, 0.95), 3),
        p99_ms=round(percentile(timings, 0.99), 3),
        max_ms=round(timings[-1], 3) if timings else 0.0,
        cpu_p50_ms=round(percentile(cpu, 0.50), 3),
        cpu_p95_ms=round(percentile(cpu, 0.95), 3),
        hit_at_3=round(hits / len(queries), 3) if queries else 0.0,
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=Path, default=QUERY_TABLE, help="query table (YAML)")
    parser.add_argument("--searches", type=int, default=2000, help="timed searches (default 2000)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    report = run(load_queries(args.queries), searches=max(1, args.searches))
    if args.json:
        print(json.dumps(asdict(report)))
    else:
        print(
            f"search: {report.searches} searches over {report.queries} queries, {report.practices} practices "
            f"(startup + warm-up {report.build_s:.2f} s)\n"
            f"  p50 {report.p50_ms:.3f} ms  p95 {report.p95_ms:.3f} ms  p99 {report.p99_ms:.3f} ms  "
            f"max {report.max_ms:.3f} ms  (target p95 < {TARGET_P95_MS} ms: "
            f"{'met' if report.p95_ms < TARGET_P95_MS else 'NOT met'})\n"
            f"  CPU time (without waits for a busy machine's cores): "
            f"p50 {report.cpu_p50_ms:.3f} ms  p95 {report.cpu_p95_ms:.3f} ms\n"
            f"  hit@3 {report.hit_at_3:.1%}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
