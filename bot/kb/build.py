"""`make db`: build the practice database from every list document in data/sources/.

A document the parser cannot make sense of stops the build with an error naming the file
and line, and the existing database is left untouched: SQLite is built into a temporary
file that then replaces the old one; other databases are rebuilt in one transaction.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import Connection, make_url

from bot.kb.ingest import ParsedDocument, id_numbers, parse_file
from bot.kb.models import Base, DocumentRow, MeasureRow, PracticeRow, RegionRow, TaskRow
from bot.kb.types import Place

LEVEL_ORDER = {"province": 0, "city": 1, "county": 2}


class BuildError(RuntimeError):
    """The database could not be built; the message says why and what to do."""


@dataclass(frozen=True)
class BuildReport:
    documents: int
    practices: int
    regions: int


def source_files(sources_dir: Path) -> list[Path]:
    """The list documents to ingest, in a stable order."""
    files = sorted(p for p in Path(sources_dir).glob("*.txt") if p.is_file())
    if not files:
        raise BuildError(f"no list documents (*.txt) in {sources_dir}")
    return files


def parse_sources(files: Sequence[Path]) -> list[ParsedDocument]:
    """Parse every document, refusing two documents with the same title or practice id."""
    documents = [parse_file(f) for f in files]
    seen_titles: dict[str, str] = {}
    seen_ids: dict[str, str] = {}
    for doc in documents:
        if doc.title in seen_titles:
            raise BuildError(f"{doc.source}: same title as {seen_titles[doc.title]}: {doc.title}")
        seen_titles[doc.title] = doc.source
        for practice in doc.practices:
            if practice.id in seen_ids:
                raise BuildError(f"{doc.source}: practice id {practice.id} also in {seen_ids[practice.id]}")
            seen_ids[practice.id] = doc.source
    return documents


def _places_of(documents: Iterable[ParsedDocument]) -> list[Place]:
    """Every gazetteer place, parents before children (so foreign keys hold on insert)."""
    from bot.kb.regions import get_gazetteer

    gazetteer = get_gazetteer()
    places = {place.code: place for place in gazetteer.places()}
    for doc in documents:
        for practice in doc.practices:
            if practice.region_code not in places:
                raise BuildError(f"{doc.source}: practice {practice.id} names a place outside the gazetteer")
    return sorted(places.values(), key=lambda p: (LEVEL_ORDER.get(p.level, 9), p.code))


def _write(conn: Connection, documents: Sequence[ParsedDocument], files: Sequence[Path]) -> BuildReport:
    places = _places_of(documents)
    conn.execute(insert(RegionRow), [
        {"code": p.code, "name": p.name, "level": p.level, "parent_code": p.parent_code,
         "province_code": p.province_code, "full_name": p.full_name}
        for p in places
    ])
    position = 0
    for doc_id, (doc, path) in enumerate(zip(documents, files), start=1):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        conn.execute(insert(DocumentRow), [
            {"id": doc_id, "title": doc.title, "batch": doc.batch, "source_file": doc.source, "sha256": digest}
        ])
        task_ids: dict[str, int] = {}
        measure_ids: dict[tuple[str, str], int] = {}
        for practice in doc.practices:
            task_no, measure_no, item_no = id_numbers(practice.id)
            if practice.task not in task_ids:
                task_ids[practice.task] = conn.execute(
                    insert(TaskRow).values(document_id=doc_id, number=task_no, title=practice.task)
                ).inserted_primary_key[0]
            key = (practice.task, practice.measure)
            if key not in measure_ids:
                measure_ids[key] = conn.execute(
                    insert(MeasureRow).values(task_id=task_ids[practice.task], number=measure_no, title=practice.measure)
                ).inserted_primary_key[0]
            position += 1
            conn.execute(insert(PracticeRow).values(
                id=practice.id, position=position, measure_id=measure_ids[key], number=item_no,
                citation=practice.citation, region=practice.region, province=practice.province,
                region_code=practice.region_code, title=practice.title, text=practice.text,
            ))
    return BuildReport(documents=len(documents), practices=position, regions=len(places))


def _write_fresh(url: str, documents: Sequence[ParsedDocument], files: Sequence[Path]) -> BuildReport:
    engine = create_engine(url, future=True)
    try:
        with engine.begin() as conn:
            Base.metadata.drop_all(conn)
            Base.metadata.create_all(conn)
            return _write(conn, documents, files)
    finally:
        engine.dispose()


def build_database(url: str, sources_dir: Path) -> BuildReport:
    """Build (or rebuild) the practice database at `url` from `sources_dir`.

    Raises:
        BuildError or ParseError: nothing was changed.
    """
    files = source_files(sources_dir)
    documents = parse_sources(files)
    parsed_url = make_url(url)
    if parsed_url.get_backend_name() != "sqlite" or not parsed_url.database or parsed_url.database == ":memory:":
        return _write_fresh(url, documents, files)
    target = Path(parsed_url.database)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        report = _write_fresh(f"sqlite:///{temporary}", documents, files)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return report
