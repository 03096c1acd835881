"""`python -m bot …`: build the database, list, show and search practices, chat with the running assistant."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Optional, Sequence

from bot.config import get_settings

MAX_LIMIT = 100


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _limit(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--limit must be a whole number, not {value!r}") from None
    if not 1 <= number <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"--limit must be between 1 and {MAX_LIMIT}")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="培育新时代建筑产业工人经验做法 knowledge base")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build-db", help="build the practice database from data/sources/")
    build.add_argument("--url", help="SQLAlchemy URL (default: DATABASE_URL or data/practices.db)")
    build.add_argument("--sources", help="folder of list documents (default: data/sources)")
    listing = commands.add_parser("practices", help="list every practice")
    listing.add_argument("--json", action="store_true")
    show = commands.add_parser("practice", help="show one practice by id or citation, e.g. 5.1.2 or 五（一）2")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    search = commands.add_parser("search", help="ranked search, e.g. 包工头欠钱不给咋办")
    search.add_argument("query")
    search.add_argument("--region", help="place to prefer, e.g. 东莞")
    search.add_argument("--limit", type=_limit, default=5)
    search.add_argument("--json", action="store_true")
    chat = commands.add_parser("chat", help="talk to the running assistant (make run) in this terminal")
    chat.add_argument("--url", help="Rasa's URL (default: RASA_URL, else http://127.0.0.1:RASA_PORT)")
    labels = commands.add_parser("labels-export", help="write the editors' labels as a raw corpus file, for review")
    labels.add_argument("--out", help="the file to write (default data/questions/raw/console_labels.yml)")
    return parser


def _export_labels(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.labels import LabelStore, export
    from bot.measure.corpus import RAW_DIR

    out = Path(args.out) if args.out else RAW_DIR / "console_labels.yml"
    counts = export(LabelStore(get_settings().labels_url).all(), out)
    print(f"wrote {counts['practices'] + counts['not_covered']} labelled questions to {out} "
          f"({counts['practices']} answered by practices, {counts['not_covered']} not covered); "
          f"{counts['new_topic']} need a new topic and are not exported. Review the file, then `make corpus`.")
    return 0


def _build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.kb.build import BuildError, build_database
    from bot.kb.ingest import ParseError

    settings = get_settings()
    url = args.url or settings.database_url
    try:
        report = build_database(url, Path(args.sources) if args.sources else settings.sources_dir)
    except (BuildError, ParseError) as exc:
        print(f"error: {exc}\nthe existing database was left unchanged", file=sys.stderr)
        return 1
    print(f"built {report.practices} practices from {report.documents} document(s), {report.regions} places")
    return 0


def _show(practice, as_json: bool) -> None:
    if as_json:
        _print_json(practice.to_dict())
        return
    print(f"{practice.citation}  [{practice.id}]  {practice.region}")
    print(f"{practice.title}\n\n{practice.text}\n\n—— {practice.document} {practice.citation}")


def run(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "build-db":
        return _build(args)
    if args.command == "chat":
        from bot.terminal_chat import main as chat

        settings = get_settings()
        return chat(args.url or settings.rasa_base_url, settings.root / "domain.yml")
    if args.command == "labels-export":
        return _export_labels(args)
    from bot.kb.service import KnowledgeBaseUnavailable, get_knowledge_base

    try:
        kb = get_knowledge_base()
    except KnowledgeBaseUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.command == "practices":
        if args.json:
            _print_json([p.to_dict() for p in kb.practices()])
        else:
            for p in kb.practices():
                print(f"{p.id:<8} {p.citation:<8} {p.region:<14} {p.title}")
        return 0
    if args.command == "practice":
        practice = kb.practice(args.id)
        if practice is None:
            print(f"error: no practice {args.id!r} (give an id like 5.1.2 or a citation like 五（一）2)", file=sys.stderr)
            return 1
        _show(practice, args.json)
        return 0
    result = kb.search(args.query, region=args.region, limit=args.limit)
    if args.json:
        _print_json([hit.to_dict() for hit in result.hits])
        return 0
    if not result.hits:
        print("no matching practice")
    for hit in result.hits:
        p = hit.practice
        print(f"{hit.score:6.2f} {hit.region_match:<8} {p.id:<7} {p.citation:<8} {p.region:<14} {p.title}")
    return 0


def main() -> None:
    sys.exit(run())
