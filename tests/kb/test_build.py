"""`make db` and the command line: what a maintainer and an integrator see."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from bot.config import ROOT
from bot.kb.build import BuildError, build_database
from bot.kb.ingest import ParseError
from bot.kb.service import KnowledgeBase, KnowledgeBaseUnavailable

PRACTICE_FIELDS = {"id", "citation", "task", "measure", "region", "province", "title", "text", "document"}


def dump(url: str) -> dict[str, list]:
    engine = create_engine(url, future=True)
    with engine.connect() as conn:
        tables = ["documents", "tasks", "measures", "practices", "regions"]
        result = {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))] for t in tables}
    engine.dispose()
    return result


def test_the_built_database_holds_exactly_what_the_parser_read(db_url, practices):
    assert KnowledgeBase.from_url(db_url).practices() == practices


def test_every_practice_is_linked_to_its_place_in_the_hierarchy(db_url):
    engine = create_engine(db_url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT p.id, r.full_name, r.level, prov.name FROM practices p "
            "JOIN regions r ON r.code = p.region_code JOIN regions prov ON prov.code = r.province_code"
        )).all()
    engine.dispose()
    places = {row[0]: row[1:] for row in rows}
    assert len(places) == 47
    assert places["3.1.3"] == ("安徽省马鞍山市和县", "county", "安徽省")
    assert places["1.3.3"][1:] == ("county", "四川省")
    assert places["1.1.1"][1:] == ("province", "重庆市")


def test_rebuilding_gives_the_same_database(tmp_path, db_url):
    again = f"sqlite:///{tmp_path / 'again.db'}"
    build_database(again, ROOT / "data" / "sources")
    assert dump(again) == dump(db_url)


def test_a_bad_document_stops_the_build_and_leaves_the_database_untouched(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(ROOT / "data" / "sources" / "practices-list-batch-1.txt", sources)
    target = tmp_path / "practices.db"
    build_database(f"sqlite:///{target}", sources)
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    (sources / "practices-list-batch-2.txt").write_text(
        "清单（第二批）\n序号\t工作任务\t主要举措\t经验做法\n一\t任务\t（一）举措\t<p>2. 重庆市做法。</p>\n", encoding="utf-8"
    )
    with pytest.raises(ParseError, match=r"practices-list-batch-2.txt:3: practice 2\."):
        build_database(f"sqlite:///{target}", sources)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["practices.db", "sources"]


def test_an_empty_sources_folder_is_an_error(tmp_path):
    with pytest.raises(BuildError, match="no list documents"):
        build_database(f"sqlite:///{tmp_path / 'x.db'}", tmp_path)


def test_a_missing_database_says_to_run_make_db(tmp_path):
    with pytest.raises(KnowledgeBaseUnavailable, match="make db"):
        KnowledgeBase.from_url(f"sqlite:///{tmp_path / 'missing.db'}")


def test_the_bot_opens_the_database_read_only(db_url):
    from sqlalchemy.exc import OperationalError

    from bot.kb.service import read_only_url

    engine = create_engine(read_only_url(db_url), future=True)
    with pytest.raises(OperationalError, match="readonly"):
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM practices"))
    engine.dispose()


def test_postgresql_holds_the_same_practices(postgres_url, practices):
    build_database(postgres_url, ROOT / "data" / "sources")
    build_database(postgres_url, ROOT / "data" / "sources")  # rebuilding in place works too
    assert KnowledgeBase.from_url(postgres_url).practices() == practices


def cli(*args: str, db_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, timeout=120)


def test_cli_lists_every_practice_as_json_with_the_design_fields(db_url):
    result = cli("practices", "--json", db_url=db_url)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data) == 47
    assert PRACTICE_FIELDS <= set(data[0])
    assert data[-1]["id"] == "5.2.2"


def test_cli_search_returns_ranked_hits_with_region_match(db_url):
    result = cli("search", "工资专户", "--region", "重庆", "--limit", "3", "--json", db_url=db_url)
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert hits and hits[0]["id"] == "5.1.2" and hits[0]["region_match"] == "exact"
    assert PRACTICE_FIELDS | {"score", "region_match"} <= set(hits[0])
    assert len(hits) <= 3


@pytest.mark.parametrize("reference", ["五（一）2", "五(一)2", "5.1.2", "第五项第一条第二个"])
def test_cli_shows_a_practice_named_by_its_citation(db_url, reference):
    """`python -m bot practice 五（一）2` prints 重庆's 工资专户 practice, as 5.1.2 does."""
    result = cli("practice", reference, "--json", db_url=db_url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"] == "5.1.2"


def test_cli_shows_one_practice_with_its_source(db_url):
    result = cli("practice", "5.1.3", db_url=db_url)
    assert result.returncode == 0
    assert "安徽省芜湖市" in result.stdout and "五（一）3" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("practice", "9.9.9"), "no practice"),
        (("search", "欠薪", "--limit", "abc"), "--limit must be a whole number"),
        (("search", "欠薪", "--limit", "0"), "--limit must be between"),
    ],
)
def test_cli_bad_input_gets_a_clear_message(db_url, args, message):
    result = cli(*args, db_url=db_url)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_without_a_database_says_what_to_do(tmp_path):
    result = cli("practices", db_url=f"sqlite:///{tmp_path / 'none.db'}")
    assert result.returncode == 1
    assert "make db" in result.stderr and "Traceback" not in result.stderr
