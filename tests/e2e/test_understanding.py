"""Real conversations over REST (real Rasa and action servers): practices looked up by their
numbering, off-list questions refused honestly, and places said the way the search found them."""
from __future__ import annotations

import pytest

from bot.kb.service import get_knowledge_base
from tests.e2e.test_rest_conversation import new_sender, practices_shown, texts


@pytest.mark.parametrize(
    "message, practice_id",
    [
        ("五（一）2", "5.1.2"),
        ("五(一)2", "5.1.2"),
        ("5.1.2", "5.1.2"),
        ("清单五（一）2讲的是什么", "5.1.2"),
        ("二（三）3是哪个地方的做法", "2.3.3"),
        ("四(二)4原文", "4.2.4"),
        ("第五项第二条第一个做法", "5.2.1"),
    ],
)
def test_a_practice_named_by_its_numbering_is_shown_in_full_with_its_source(stack, message, practice_id):
    """A hotline agent types the list's numbering: the bot shows that practice's text and citation."""
    replies = stack.rest(new_sender(), message)
    practice = get_knowledge_base().practice(practice_id)
    assert [c["id"] for c in practices_shown(replies)] == [practice_id]
    said = texts(replies)
    assert practice.region in said and practice.title in said and practice.citation in said
    assert practice.text.split("。", 1)[1][:40] in said  # the body, not only the headline


def test_numbering_right_after_a_list_names_the_practice_not_the_item_of_the_list(stack):
    """After a list of three, "五（一）2" is 重庆's 工资专户 practice, not "item 2 of that list"."""
    sender = new_sender()
    shown = [c["id"] for c in practices_shown(stack.rest(sender, "考焊工证有补贴没"))]
    assert shown and "5.1.2" not in shown
    replies = stack.rest(sender, "五（一）2")
    assert [c["id"] for c in practices_shown(replies)] == ["5.1.2"]
    assert "重庆市" in texts(replies)


def test_a_number_the_list_does_not_have_is_said_so(stack):
    replies = stack.rest(new_sender(), "九（一）1")
    assert not practices_shown(replies)
    assert "清单里没有这个编号" in texts(replies)


@pytest.mark.parametrize(
    "message, guidance",
    [
        ("二建报名时间是什么时候", "人事考试"),
        ("安全员C证怎么考", "住房和城乡建设"),
        ("建筑企业资质怎么升级", "住建部门"),
        ("评中级职称要什么条件", "职称评审"),
        ("社保一个月交多少钱", "社会保险经办机构"),
        ("公积金怎么提取", "12329"),
        # A bare word the classifier knows nothing of is not read as "好的" (its likeliest intent, affirm).
        ("医保", "社会保险经办机构"),
        ("落户", "户籍窗口"),
        ("工地上的奖惩制度谁定", "奖惩制度"),
        ("有没有劳务合同范本", "住房和城乡建设"),
        ("买房", "住房保障部门"),
        ("农民工返乡创业补贴", "就业服务机构"),  # not wage practices because it says 农民工
        ("工地上意外险怎么理赔", "12378"),
        ("工会经费怎么开发票", "12366"),
        ("应届毕业生就业补贴", "就业服务机构"),
        ("煤矿安全培训经费", "清单只讲建筑业"),  # a training question, but of another trade
        ("施工许可证怎么办理", "自然资源"),
        ("工地噪音扰民投诉", "12345"),
        ("黑中介", "110"),  # a bare word, not read as "好的"
        ("低保怎么申请", "民政部门"),
        ("出国劳务靠谱吗", "对外劳务合作"),
        ("高温补贴有多少", "劳动人事争议仲裁"),
        ("超龄农民工不让进工地怎么办", "年龄规定"),
        ("工地上的安全培训多久一次", "施工企业负责"),
        ("驾照怎么考", "车辆管理所"),
        ("租房补贴", "住房保障部门"),
    ],
)
def test_an_off_list_question_cites_nothing_and_says_who_handles_it(stack, message, guidance):
    """The list does not cover it: the bot says so, cites nothing, and points to who handles it,
    labelled as general guidance."""
    replies = stack.rest(new_sender(), message)
    assert not practices_shown(replies)
    said = texts(replies)
    assert "清单里没有讲到" in said and "通用提示，不是清单内容" in said and guidance in said


@pytest.mark.parametrize("message", ["干工地太累了", "想家了", "谢谢你", "你好", "今年工资都按时发了，也没有被拖欠"])
def test_chit_chat_and_feelings_are_never_answered_with_a_citation(stack, message):
    replies = stack.rest(new_sender(), message)
    assert replies and not practices_shown(replies)


@pytest.mark.parametrize("message", ["累死了", "烦死了", "想回家"])
def test_a_short_sigh_gets_a_kind_word_not_a_request_to_rephrase(stack, message):
    replies = stack.rest(new_sender(), message)
    said = texts(replies)
    assert not practices_shown(replies)
    assert "辛苦了" in said and "没太听懂" not in said


@pytest.mark.parametrize("message", ["宿舍能不能做饭", "工地上能不能养狗"])
def test_a_plain_question_the_list_does_not_cover_is_not_met_with_not_understood(stack, message):
    replies = stack.rest(new_sender(), message)
    said = texts(replies)
    assert not practices_shown(replies)
    assert "没太听懂" not in said


@pytest.mark.parametrize(
    "message, section",
    [
        ("云建宝怎么用", "2.1.1"),  # a platform the list names
        ("甜都建工是什么", "4.1.3"),  # a labour brand the list names (one word in data/jieba/)
        ("小候鸟", "1.4.2"),  # 宁波's "惠民工·小候鸟行动" for workers' children
        ("工地受伤没合同怎么赔", "5.2"),  # the mediation committee takes 工伤鉴定 disputes
        ("活儿太难找了", "2.1.3"),  # a statement about finding work: 桂建通's 招工找活
        ("江西调解委员会", "5.2.1"),  # a place and a subject: that subject in that place, not the place's list
        ("桂建通是哪里的", "2.1.3"),  # read as "where is it from" before anything was shown
        ("工人夜校在哪", "3.1.3"),  # 和县's 夜校, not worker care
        ("老板玩失踪了", "5"),  # wages owed, though it names no wages
        # read as a feeling, but it says wages are withheld: the practices against wage arrears
        ("我想回家过年，可是我不能回家，干了半年的活至今没拿到工资，我怎么回去？", "5"),
        ("这个月老板都没活给我干，天天在家待着", "2.1.3"),  # a statement that there is no work: 招工找活
        ("公资拖了半年", "5"),  # 公资: 工资 typed with the wrong characters of the right sound
        ("在深圳打工老版跑了", "5"),  # a slip (老版) and a boss gone: wages owed, though it names none
        ("没签劳动合同工伤怎么赔偿", "5.2"),  # an injury and who pays: the mediation committees
        ("去年欠的工钱到现在我们还没拿到", "5"),  # the wages first, what did not happen after
        ("包工头是干什么的", "1"),  # 包工头 as a subject: labour companies and direct hiring replace them
    ],
)
def test_questions_the_classifier_used_to_throw_away_reach_their_practice(stack, message, section):
    cited = [c["id"] for c in practices_shown(stack.rest(new_sender(), message))]
    assert any(i == section or i.startswith(section + ".") for i in cited[:3]), cited


def test_a_mistyped_place_is_read_as_the_place_it_sounds_like(stack):
    """东管 (typed for 东莞, which the list has no practice of): the answer names 东莞 and says so."""
    said = texts(stack.rest(new_sender(), "我在东管 工资没发"))
    assert "东莞市" in said and "东管" not in said


def test_a_place_follow_up_agrees_with_the_search_and_a_remembered_place_is_said(stack):
    """After 电工证补贴, "那广东呢" shows 深圳's practice (as `bot search --region 广东` does); a later
    question without a place says which place it was answered for."""
    sender = new_sender()
    assert practices_shown(stack.rest(sender, "电工证有没有补贴"))
    guangdong = stack.rest(sender, "那广东呢")
    cards = practices_shown(guangdong)
    assert cards[0]["province"] == "广东省" and "清单里暂时没有" not in texts(guangdong)
    later = stack.rest(sender, "包工头欠钱不给咋办")
    assert "按广东省查的" in texts(later)
    assert practices_shown(later)[0]["province"] == "广东省"


def test_the_places_of_the_whole_list_are_listed_when_asked(stack):
    """"清单里都有哪些地方" after a topic lists every province of the list, not only the topic's."""
    sender = new_sender()
    stack.rest(sender, "包工头欠钱不给咋办")
    said = texts(stack.rest(sender, "清单里都有哪些地方"))
    provinces = {p.province for p in get_knowledge_base().practices()}
    assert all(province in said for province in provinces)


@pytest.mark.parametrize("message", ["清单一共多少条", "这个清单都讲了啥"])
def test_the_list_as_a_whole_is_described_with_its_counts_and_work_tasks(stack, message):
    """A hotline agent asks how big the list is: the count of practices and every work task, nothing cited."""
    replies = stack.rest(new_sender(), message)
    practices = get_knowledge_base().practices()
    said = texts(replies)
    assert f"共有{len(practices)}条经验做法" in said and not practices_shown(replies)
    assert all(p.task in said for p in practices)


@pytest.mark.parametrize("message", ["你们有电话吗", "热线是多少", "12333"])  # a bare hotline number is no "第N条"
def test_a_phone_number_asked_for_gets_the_general_hotlines_labelled_as_such(stack, message):
    """The list has no phone numbers: the bot says so and gives the common hotlines as general guidance."""
    replies = stack.rest(new_sender(), message)
    said = texts(replies)
    assert not practices_shown(replies)
    assert "清单里没有电话号码" in said and "12345" in said and "通用提示，不是清单内容" in said


def test_an_honest_refusal_reaches_the_editors_list_of_unanswered_questions(stack):
    """What the bot could not answer (read from the real tracker store) is listed for the editors, with
    the response it got: the names come from bot.vocabulary, shared with the actions."""
    from bot.config import Settings
    from bot.web.conversations import ConversationStore

    sender = new_sender()
    stack.rest(sender, "公积金怎么提取")
    stack.rest(sender, "这个月的彩票号码是多少")
    items = ConversationStore(Settings(var_dir=stack.var_dir).tracker_url).unanswered()
    reasons = {i.text: i.reason for i in items if i.sender_id == sender}
    assert reasons.get("公积金怎么提取") in ("utter_uncovered", "ask_uncovered")
    assert "这个月的彩票号码是多少" in reasons


def test_a_real_conversation_uses_only_names_of_the_vocabulary_and_the_domain(stack):
    """The events Rasa stored for a real conversation: every slot set is a vocabulary slot, every
    response sent is a domain response, and a refusal is one of NOT_ANSWERED_RESPONSES."""
    import json
    import sqlite3

    import yaml

    import bot.vocabulary as vocabulary
    from bot.config import ROOT

    sender = new_sender()
    for message in ("包工头欠钱不给咋办", "那广东呢", "五（一）2", "公积金怎么提取", "干工地太累了"):
        stack.rest(sender, message)
    with sqlite3.connect(stack.var_dir / "tracker.db") as db:
        rows = db.execute("SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    events = [(kind, json.loads(data)) for kind, data in rows]
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    slots = {e["name"] for kind, e in events if kind == "slot"}
    responses = [(e.get("metadata") or {}).get("utter_action") for kind, e in events if kind == "bot"]
    slot_names = {v for k, v in vars(vocabulary).items() if k.startswith("SLOT_")}
    assert slots and slots <= slot_names, sorted(slots - slot_names)
    assert all(r in domain["responses"] for r in responses if r), responses
    assert set(responses) & set(vocabulary.NOT_ANSWERED_RESPONSES) == {"utter_uncovered"}


def test_the_scope_probability_is_stored_with_each_message_and_tells_covered_from_uncovered(stack):
    """The trained model's scope classifier writes ``in_scope`` into every parse the action server
    and the tracker store see: a wage question scores above an exam question."""
    import json
    import sqlite3

    from bot.vocabulary import SCOPE_KEY

    sender = new_sender()
    for message in ("包工头欠钱不给咋办", "二级建造师怎么报名"):
        stack.rest(sender, message)
    with sqlite3.connect(stack.var_dir / "tracker.db") as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                          (sender,)).fetchall()
    scores = {event["text"]: event["parse_data"][SCOPE_KEY] for event in (json.loads(r[0]) for r in rows)}
    assert 0.5 < scores["包工头欠钱不给咋办"] <= 1 and 0 <= scores["二级建造师怎么报名"] < 0.5
