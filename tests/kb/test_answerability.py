"""The decision between answering with practices and saying honestly that the list does not cover it."""
from __future__ import annotations

import pytest

from bot.kb.answerability import (
    ANSWER,
    REFUSE,
    Signals,
    Thresholds,
    decide,
    denies_problem,
    off_list_topic,
    stated_problem,
    wages_withheld,
)

THRESHOLDS = Thresholds(topic_confidence=0.35, search_evidence=2.5, off_list_override=0.8, relative_cutoff=0.45)


@pytest.mark.parametrize(
    "signals, decision",
    [
        (Signals(topic_confidence=0.9, best_score=0.0, coverage=0.0), ANSWER),  # a sure topic intent
        (Signals(topic_confidence=0.0, best_score=3.1, coverage=1.0), ANSWER),  # 云建宝: the search is sure
        (Signals(topic_confidence=0.2, best_score=7.4, coverage=0.3), REFUSE),  # one word of a long question
        (Signals(topic_confidence=0.0, best_score=0.0, coverage=0.0), REFUSE),  # nothing found
        (Signals(topic_confidence=0.0, best_score=0.0, coverage=0.0, named=True), ANSWER),  # 五（一）2
    ],
)
def test_intent_and_search_each_can_carry_the_answer(signals, decision):
    assert decide(signals, THRESHOLDS) == decision


@pytest.mark.parametrize(
    "in_scope, topic_confidence, decision",
    [
        (0.7, 0.0, ANSWER),  # 活接不上的时候怎么办: no sure intent, but the list covers it
        (0.3, 0.0, REFUSE),  # neither says so
        (0.05, 0.9, REFUSE),  # a sure topic intent, but nothing the list covers
        (None, 0.9, ANSWER),  # no scope classifier in the model (Rasa's default pipeline): as before
    ],
)
def test_the_scope_probability_answers_or_vetoes(in_scope, topic_confidence, decision):
    thresholds = Thresholds(topic_confidence=0.35, search_evidence=2.5, scope_answer=0.55, scope_veto=0.1)
    assert decide(Signals(topic_confidence, 0.0, 0.0, in_scope=in_scope), thresholds) == decision


def test_an_off_list_topic_is_refused_unless_the_intent_is_very_sure():
    exams = off_list_topic("二建报名时间")
    assert exams is not None and exams.response == "utter_off_list_exams"
    assert decide(Signals(0.6, 9.0, 1.0, off_list=exams), THRESHOLDS) == REFUSE
    assert decide(Signals(0.9, 9.0, 1.0, off_list=exams), THRESHOLDS) == ANSWER


def test_another_trade_is_refused_however_sure_the_topic_intent():
    """"煤矿安全培训经费" reads as a training question, but the list is the building trade's."""
    mines = off_list_topic("煤矿安全培训经费")
    assert mines is not None and mines.always
    assert decide(Signals(0.99, 9.0, 1.0, off_list=mines), THRESHOLDS) == REFUSE


@pytest.mark.parametrize(
    "text, topic",
    [
        ("二级建造师怎么报名", "exams"),
        ("安全员C证多少钱", "exams"),
        ("劳务资质怎么办理", "qualifications"),
        ("评中级职称要什么条件", "titles"),
        ("社保断交了怎么办", "social_insurance"),
        ("工伤怎么认定", "injury_recognition"),
        ("孩子随迁子女入学要什么材料", "education"),
        ("公司倒闭了工人怎么赔", "labour_law"),
        ("公积金能取出来吗", "housing_fund"),
        ("社保斷交了怎麼辦", "social_insurance"),  # Traditional characters read as Simplified
        ("工会经费怎么开发票", "tax"),
        ("工会会费交多少", "union_affairs"),
        ("应届毕业生就业补贴", "employment_subsidies"),
        ("煤矿安全培训经费", "other_industries"),
        ("施工许可证怎么办理", "building_permits"),
        ("工地噪音扰民投诉", "public_complaints"),
        ("劳务派遣合法吗", "labour_law"),
        ("高温补贴有多少", "labour_law"),
        ("低保怎么申请", "social_assistance"),
        ("遇到黑中介怎么办", "police_matters"),
        ("出国劳务靠谱吗", "overseas_work"),
        ("租房补贴怎么申请", "housing"),
        ("驾照怎么考", "driving"),
        ("超龄农民工不让进工地怎么办", "age_limits"),
        ("工地上的安全培训多久一次", "site_conditions"),
        ("包工头不给买保险", "social_insurance"),
        ("在工地干活要交税吗", "tax"),
        ("工地上能用童工吗", "labour_law"),
        # Covered by the list: no off-list topic.
        ("工伤鉴定有纠纷找谁调解", None),
        ("考焊工证有补贴吗", None),
        ("包工头欠钱不给咋办", None),
        ("开发商拖欠工程款，工人工资没发", None),
        ("我想加入工会", None),  # 一（四）2: the union federation of a labour park
        ("被骗了，干了两个月工资不给", None),
        ("建安劳保费能补贴培训吗", None),  # 四（二）3
        ("想学车工去哪学", None),  # a trade, not a driving licence
    ],
)
def test_off_list_topics_are_recognised_by_what_the_question_names(text, topic):
    found = off_list_topic(text)
    assert (found.name if found else None) == topic


@pytest.mark.parametrize(
    "text, withheld",
    [
        ("干了半年的活至今没拿到工资", True),
        ("干的木工活遭遇老板赖账，连回家的路费都凑不齐", True),
        ("他還欠我們兩個月的工錢呢", True),  # Traditional characters read as Simplified
        ("包工头一分钱没给", True),
        ("钱要不回来了", True),
        ("这样的老板不欠薪，人仗义", False),  # praise: wages not withheld
        ("也没有被拖欠工资，钱直接打进银行卡", False),
        ("工资按时发放，大家心里踏实多了", False),
        ("考焊工证有补贴吗", False),
    ],
)
def test_a_statement_that_wages_are_withheld_is_recognised_and_praise_is_not(text, withheld):
    assert wages_withheld(text) == withheld


def test_a_stated_problem_answers_however_the_classifiers_read_its_wording():
    """Read as a feeling (no topic intent, the search weak, the scope classifier unsure or even sure it is
    not about the list: "没签劳动合同工伤怎么赔偿" scored 0.29), a stated problem still answers; the same
    signals without one do not."""
    thresholds = Thresholds(topic_confidence=0.3, search_evidence=2.0, scope_answer=0.8, scope_veto=0.3)
    assert decide(Signals(0.03, 2.8, 0.04, in_scope=0.43, stated="ask_wage_arrears"), thresholds) == ANSWER
    assert decide(Signals(0.03, 2.8, 0.04, in_scope=0.1, stated="ask_wage_dispute"), thresholds) == ANSWER
    assert decide(Signals(0.03, 2.8, 0.04, in_scope=0.43), thresholds) == REFUSE
    assert decide(Signals(0.5, 2.8, 0.04, in_scope=0.1), thresholds) == REFUSE


@pytest.mark.parametrize(
    "text, problem",
    [
        ("工地受伤没合同怎么赔", "ask_wage_dispute"),
        ("在工地摔伤了老板不管", "ask_wage_dispute"),
        ("工伤认定怎么办", None),  # how 工伤 is recognised: off-list
        ("山西省工伤赔偿标准", None),  # compensation scales: off-list
        ("轻微骨裂算十级工伤赔多少钱", None),
        ("去年欠的工钱到现在我们还没拿到", "ask_wage_arrears"),
        ("把原来的账要回来就该回家了", "ask_wage_arrears"),
        ("包工头跑路了", "ask_wage_arrears"),
        ("干完活包工头就把我拉黑了", "ask_wage_arrears"),
        ("只要不拖欠工资,按时能给到工资,就是对我们最大的善待", None),  # praise
        ("考勤记录是拿工资的依据", None),
        ("人多活少，天天等活", "ask_job_matching"),
        ("活接不上的时候怎么办", "ask_job_matching"),
    ],
)
def test_the_problem_a_message_states_is_recognised_and_other_subjects_are_not(text, problem):
    assert stated_problem(text) == problem


def test_wages_withheld_outweigh_an_off_list_word_and_nothing_else_does_when_the_override_is_off():
    """"社保也没交，工资也不给": 社保 is off-list, but wages withheld are the list's first concern."""
    never = Thresholds(topic_confidence=0.3, search_evidence=3.0, off_list_override=1.01)
    social = off_list_topic("社保也没交，工资也不给")
    assert social is not None and wages_withheld("社保也没交，工资也不给")
    assert decide(Signals(0.95, 5.0, 0.5, off_list=social, stated="ask_wage_arrears"), never) == ANSWER
    assert decide(Signals(0.99, 5.0, 0.5, off_list=social), never) == REFUSE


@pytest.mark.parametrize(
    "text, topic",
    [
        ("最近相熟的老板没活给我干，只好早点来这儿", "ask_job_matching"),
        ("人多，活少。", "ask_job_matching"),
        ("今天一早还是从胜利桥乘坐公交车来找活", "ask_job_matching"),
        ("现在有了技术，找活干容易多了", None),  # praise: work is easy to find
        ("钱要不回来，也没活干", "ask_wage_arrears"),  # wages first
        ("谢谢你们", None),
    ],
)
def test_a_stated_problem_names_the_topic_it_is_asked_as(text, topic):
    assert stated_problem(text) == topic


def test_a_stated_problem_other_than_wages_does_not_outweigh_an_off_list_word():
    """"超龄了找不到活": finding work, but the age rule is what it is about: its guidance, no practices."""
    never = Thresholds(topic_confidence=0.3, search_evidence=3.0, off_list_override=1.01)
    ages = off_list_topic("超龄了找不到活")
    assert ages is not None and stated_problem("超龄了找不到活") == "ask_job_matching"
    assert decide(Signals(0.9, 5.0, 0.5, off_list=ages, stated="ask_job_matching"), never) == REFUSE


@pytest.mark.parametrize(
    "text, good_news",
    [
        ("这一年也没有被拖欠工资，钱直接打进银行卡，轻松多了", True),
        ("现在有了技术，找活干容易多了", True),
        ("这样的老板不欠薪，人仗义", True),
        ("怎么才能不被拖欠工资", False),  # a question
        ("去年没拖欠，今年老板赖账了", False),  # a problem stated as well
        ("工资按时发了吗", False),
    ],
)
def test_good_news_that_asks_nothing_is_told_apart_from_a_question(text, good_news):
    assert denies_problem(text) == good_news


def test_good_news_is_not_answered_with_practices_however_sure_the_topic():
    assert decide(Signals(0.95, 8.0, 0.5, in_scope=0.9, good_news=True), THRESHOLDS) == REFUSE

