"""The database holds the document as its authors wrote it: every numbered practice once, in its place."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.kb.ingest import ParseError, chinese_numeral, chinese_numeral_value, parse_text

DOCUMENT_TITLE = "培育新时代建筑产业工人可复制经验做法清单（第一批）"


def numbered_paragraphs(source: str) -> list[str]:
    """Every paragraph of the source that starts a numbered practice, tags stripped (an independent reading)."""
    paragraphs = re.split(r"</?p>|\t|\n", source)
    return [p.strip() for p in paragraphs if re.match(r"^\s*\d+\.\s", p)]


def test_the_document_has_five_tasks_with_their_measures_and_47_practices(practices):
    measures_per_task = Counter()
    for task in sorted({p.id.split(".")[0] for p in practices}):
        measures_per_task[task] = len({p.id.rsplit(".", 1)[0] for p in practices if p.id.startswith(task + ".")})
    assert dict(measures_per_task) == {"1": 4, "2": 3, "3": 4, "4": 3, "5": 2}
    assert len(practices) == 47
    assert len({p.id for p in practices}) == 47


def test_every_numbered_paragraph_of_the_source_is_in_exactly_one_practice(practices, source_text):
    paragraphs = numbered_paragraphs(source_text)
    assert len(paragraphs) == len(practices)
    for paragraph in paragraphs:
        body = re.sub(r"^\d+\.\s*", "", paragraph)
        owners = [p.id for p in practices if p.text.startswith(body)]
        assert len(owners) == 1, (body[:20], owners)


def test_items_within_each_measure_are_numbered_1_to_n_without_gaps(practices):
    by_measure: dict[str, list[int]] = {}
    for p in practices:
        measure, item = p.id.rsplit(".", 1)
        by_measure.setdefault(measure, []).append(int(item))
    for measure, items in by_measure.items():
        assert items == list(range(1, len(items) + 1)), measure


def test_the_item_printed_under_a_later_heading_returns_to_the_measure_its_number_belongs_to(practices):
    visitor = next(p for p in practices if "访客制度" in p.title)
    assert (visitor.id, visitor.citation, visitor.measure) == ("2.2.3", "二（二）3", "推动项目、企业、人员全覆盖")
    assert visitor.region == "广东省广州市"
    taizhou = next(p for p in practices if p.region == "江苏省泰州市")
    assert taizhou.id == "2.3.3"


def test_a_practice_broken_across_pages_is_whole_again(practices):
    suzhou = next(p for p in practices if p.region == "江苏省苏州市")
    assert suzhou.id == "3.4.3"
    assert "江苏建筑服务(苏州)产业园以建筑服务产业链为抓手" in suzhou.text
    assert suzhou.text.endswith("更好保障工人合法权益。")


@pytest.mark.parametrize("artifact", ["<p>", "</p>", "序号", "经验做法", "\t", "\n"])
def test_no_print_layout_artifact_survives(practices, artifact):
    for p in practices:
        for field in (p.title, p.text, p.task, p.measure, p.region):
            assert artifact not in field, (p.id, artifact)


@pytest.mark.parametrize(
    "practice_id, citation, region, province, title",
    [
        ("1.1.1", "一（一）1", "重庆市", "重庆市", "鼓励建筑企业培育“自有工人”"),
        ("1.2.1", "一（二）1", "河南省固始县", "河南省", "大力发展专业作业企业"),
        ("2.1.3", "二（一）3", "广西壮族自治区", "广西壮族自治区", "不断完善实名制管理平台功能"),
        ("2.3.1", "二（三）1", "江西省", "江西省", "“线上预警+线下核查+重点督办”多向发力、闭环销号"),
        ("3.1.3", "三（一）3", "安徽省和县", "安徽省", "大力推动新工种建筑产业工人培养基地建设"),
        ("4.3.1", "四（三）1", "内蒙古自治区", "内蒙古自治区", "大力支持高技能人才培训基地建设"),
        ("5.1.3", "五（一）3", "安徽省芜湖市", "安徽省", "全面实行红黄蓝牌“三色”预警机制"),
        ("5.2.2", "五（二）2", "广东省佛山市", "广东省", "开展房屋建筑工程领域农民工工资纠纷诉源治理"),
    ],
)
def test_practices_are_cited_with_their_place_and_headline(practices, practice_id, citation, region, province, title):
    p = next(p for p in practices if p.id == practice_id)
    assert (p.citation, p.region, p.province, p.title) == (citation, region, province, title)
    assert p.document == DOCUMENT_TITLE
    assert p.text.startswith(region + title + "。")


@pytest.mark.parametrize("figure", ["开户率达97%、代发率达92%", "3515名", "6.75万人", "9.8万元", "52 个优秀项目", "500 万元", "60%以上"])
def test_figures_are_kept_as_printed(practices, figure):
    assert sum(figure in p.text for p in practices) == 1


def test_task_and_measure_titles_come_from_their_cells(practices):
    p = next(p for p in practices if p.id == "3.3.1")
    assert p.task == "提升建筑工人技能水平"
    assert p.measure == "以赛代练推动提升产业工人技能水平"


HEADER = "序号\t工作任务\t主要举措\t经验做法"
GOOD = f"清单（第一批）\n\n{HEADER}\n一\t任务甲\t（一）举措\t<p>1. 重庆市做法甲。正文。</p> <p>2. 江西省做法乙。正文。</p>\n"


def test_a_small_well_formed_document_parses():
    doc = parse_text(GOOD, "good.txt")
    assert [p.id for p in doc.practices] == ["1.1.1", "1.1.2"]
    assert doc.title == "清单（第一批）" and doc.batch == 1


def test_a_later_batch_gets_its_own_ids():
    doc = parse_text(GOOD.replace("第一批", "第二批"), "b2.txt")
    assert [p.id for p in doc.practices] == ["b2-1.1.1", "b2-1.1.2"]
    assert doc.practices[0].citation == "一（一）1"


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("", 0, "no title"),
        (GOOD.replace("<p>2. ", "<p>3. "), 4, "does not follow"),
        (GOOD.replace("<p>1. ", "<p>"), 4, "belongs to no numbered practice"),
        (GOOD.replace("</p> <p>2.", "<b>x</b> <p>2."), 4, "unexpected markup"),
        (GOOD.replace("一\t任务甲", "六\t任务甲"), 4, "task 六 follows task 0"),
        (GOOD.replace("（一）举措", "举措"), 4, "measure heading"),
        (GOOD + "一些文字\n", 5, "a line outside the table"),
        (GOOD + "二\t任务乙\n", 5, "expected 4 tab-separated columns"),
        (GOOD.replace("重庆市做法甲", "做法甲"), 4, "does not start with a place"),
        (GOOD + "\t\t（二）空\t\n", 5, "has no practices"),
    ],
)
def test_a_document_that_makes_no_sense_is_refused_with_file_and_line(text, line, message):
    with pytest.raises(ParseError) as error:
        parse_text(text, "bad.txt")
    assert error.value.path.endswith("bad.txt")
    assert error.value.line == line
    assert message in error.value.message


@pytest.mark.parametrize("value", [1, 2, 9, 10, 11, 20, 35, 99])
def test_chinese_numerals_round_trip(value):
    assert chinese_numeral_value(chinese_numeral(value)) == value
