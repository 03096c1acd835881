"""Questions the list does not answer, asking for a person, and the 有用 / 没用 choice."""
from __future__ import annotations

import pytest

from actions.feedback import ActionRecordFeedback
from actions.handoff import ActionRequestHuman
from actions.practices import ActionSearchPractices
from tests.support.chat import make_tracker, run


@pytest.mark.parametrize(
    "text, intent, responses",
    [  # intents as the classifier gives them, at confidence 0.6
        # Off-list topics: the honest answer and who handles it (general guidance), nothing cited.
        ("在工地摔断了腿工伤怎么认定", "ask_uncovered", ["utter_uncovered", "utter_off_list_injury_recognition"]),
        ("二建报名时间是什么时候", "ask_skill_certificate", ["utter_uncovered", "utter_off_list_exams"]),
        ("安全员C证怎么考", "ask_uncovered", ["utter_uncovered", "utter_off_list_exams"]),
        ("建筑企业资质怎么升级", "ask_labour_company", ["utter_uncovered", "utter_off_list_qualifications"]),
        ("评职称要什么条件", "nlu_fallback", ["utter_uncovered", "utter_off_list_titles"]),
        ("退休以后养老金怎么领", "ask_uncovered", ["utter_uncovered", "utter_off_list_social_insurance"]),
        ("公积金怎么提取", "out_of_scope", ["utter_uncovered", "utter_off_list_housing_fund"]),
        ("买房贷款利率多少", "ask_uncovered", ["utter_uncovered", "utter_off_list_housing"]),
        ("户口怎么迁到打工的城市", "nlu_fallback", ["utter_uncovered", "utter_off_list_residence"]),
        # Not about the list at all, or not readable: said so, nothing cited.
        ("今天天气怎么样", "out_of_scope", ["utter_out_of_scope"]),
        ("啊吧啊吧", "nlu_fallback", ["utter_rephrase"]),
        ("", "nlu_fallback", ["utter_rephrase"]),
        ("😀" * 3000, "nlu_fallback", ["utter_rephrase"]),
    ],
)
def test_question_the_list_does_not_cover_is_answered_honestly(knowledge_base, text, intent, responses):
    """The list does not cover it: the bot says so (and for common topics who handles it); cites nothing."""
    tracker = make_tracker(text, intent)
    tracker.latest_message["intent"]["confidence"] = 0.6
    reply = run(ActionSearchPractices(knowledge_base), tracker)
    assert reply.responses == responses
    assert not any(m.get("custom") for m in reply.messages)


def test_a_refusal_ends_the_thread(knowledge_base):
    """After a refusal, "还有吗" must not bring back the practices of an older topic."""
    slots = {"topic_query": "欠薪咋办 拖欠 农民工工资 欠薪", "shown_ids": ["5.1.2"], "last_shown": ["5.1.2"]}
    reply = run(ActionSearchPractices(knowledge_base), make_tracker("公积金怎么提取", "ask_uncovered", slots=slots))
    assert reply.slot("topic_query") is None and reply.slot("shown_ids") == []


@pytest.mark.parametrize(
    "text, intent, confidence, expected",
    [
        # The classifier unsure or wrong, the search sure: the practice is found anyway.
        ("云建宝怎么用", "nlu_fallback", 0.0, "2.1.1"),
        ("桂建通能找活吗", "ask_uncovered", 0.6, "2.1.3"),
        ("工资专户是干啥的", "out_of_scope", 0.5, "5.1.2"),
    ],
)
def test_a_good_search_result_is_not_thrown_away_by_a_wrong_intent(knowledge_base, text, intent, confidence,
                                                                     expected):
    """The intent is one signal, not a gate: a question the search answers well gets its practice."""
    tracker = make_tracker(text, intent)
    tracker.latest_message["intent"]["confidence"] = confidence
    reply = run(ActionSearchPractices(knowledge_base), tracker)
    assert reply.cited_ids[0] == expected


def test_request_human_says_how_and_marks_the_conversation():
    """"转人工": how to reach a person, and the mark the console looks for."""
    reply = run(ActionRequestHuman(), make_tracker("我要找真人", "request_human"))
    assert reply.responses == ["utter_handoff"]
    assert reply.slot("handoff_requested") is True


@pytest.mark.parametrize(
    "intent, verdict, response",
    [
        ("feedback_useful", "useful", "utter_feedback_useful"),
        ("feedback_useless", "useless", "utter_feedback_useless"),
    ],
)
def test_feedback_is_recorded_and_acknowledged(intent, verdict, response):
    """A tap on 有用 / 没用: the bot thanks (or apologizes) and records the verdict for the console."""
    slots = {"topic_query": "欠薪咋办 拖欠 农民工工资 欠薪", "last_shown": ["5.1.2"]}
    reply = run(ActionRecordFeedback(), make_tracker(f"/{intent}", intent, slots=slots))
    assert reply.responses == [response]
    assert reply.slot("feedback") == verdict


def test_feedback_action_on_another_intent_records_nothing():
    """Run after something that is not feedback, the action says and records nothing."""
    reply = run(ActionRecordFeedback(), make_tracker("你好", "greet"))
    assert reply.messages == [] and reply.events == []


def test_an_answer_never_pads_with_practices_far_below_the_best(practices):
    """Scores 10, 8 and 2: the answer shows two practices, not a third unrelated one to make three;
    a practice in the place asked about stays down to a fifth of the cutoff (0.9 here), not below."""
    from actions.finding import relevant
    from bot.kb.types import REGION_EXACT, REGION_NONE, Hit

    hits = (Hit(practices[0], 10.0, REGION_NONE), Hit(practices[1], 8.0, REGION_NONE),
            Hit(practices[2], 2.0, REGION_NONE))
    assert [h.score for h in relevant(hits, 0.45)] == [10.0, 8.0]
    local = (*hits[:2], Hit(practices[3], 1.5, REGION_EXACT), Hit(practices[4], 0.6, REGION_EXACT))
    assert [h.score for h in relevant(local, 0.45)] == [10.0, 8.0, 1.5]


def _unsure(text: str, intent: str, in_scope: float, ranking: list[tuple[str, float]]):
    tracker = make_tracker(text, intent)
    tracker.latest_message["intent"]["confidence"] = ranking[0][1] if ranking and ranking[0][0] == intent else 0.5
    tracker.latest_message["intent_ranking"] = [{"name": n, "confidence": c} for n, c in ranking]
    tracker.latest_message["in_scope"] = in_scope
    return tracker


def test_an_unsure_message_gets_the_topics_it_may_be_about_as_buttons_and_no_citation(knowledge_base):
    """"揽活的时候怎么办" read as a wage dispute, and only 28 % likely about the list: the worker is
    offered the likely topics (the classifier's first, the similar real questions', the search's, the
    classifier's next), each a button that asks for its practices; nothing is cited and the old thread
    is forgotten. ("活接不上" would state a problem, which is answered: see test_answerability.py.)"""
    text = "揽活的时候怎么办"
    tracker = _unsure(text, "nlu_fallback", 0.28, [("nlu_fallback", 0.2), ("ask_wage_dispute", 0.3),
                                                  ("ask_job_matching", 0.2), ("greet", 0.1)])
    tracker.latest_message["similar_sections"] = ["2.1.3", "1.4"]
    tracker.slots["topic_query"] = "欠薪"
    reply = run(ActionSearchPractices(knowledge_base), tracker)
    assert reply.responses == ["utter_suggest_topics"]
    payloads = [b["payload"] for b in reply.messages[0]["buttons"]]
    # the classifier's first; 2.1.3 (finding work), which the search also ranks first; 1.4 (worker care)
    assert payloads == ["/ask_wage_dispute", "/ask_job_matching", "/ask_worker_care"]
    assert all(b["title"] for b in reply.messages[0]["buttons"])
    assert not any(m.get("custom") for m in reply.messages) and reply.slot("topic_query") is None


def test_a_statement_of_hardship_gets_sympathy_with_the_topics_it_may_be_about(knowledge_base):
    # ("天天没活干" would state a problem, which is answered: see test_answerability.py)
    tracker = _unsure("这日子愁死了，过年都不知道咋回家", "express_feeling", 0.28,
                      [("express_feeling", 0.8), ("ask_job_matching", 0.1)])
    reply = run(ActionSearchPractices(knowledge_base), tracker)
    assert reply.responses == ["utter_empathy_suggest"]
    assert reply.messages[0]["buttons"][0]["payload"] == "/ask_job_matching"
    assert not any(m.get("custom") for m in reply.messages)


@pytest.mark.parametrize("in_scope, responses", [(0.1, ["utter_uncovered"]), (0.9, ["utter_practice_list"])])
def test_the_scope_probability_refuses_or_answers_whatever_the_intent(knowledge_base, in_scope, responses):
    """A sure wage intent on a message only 10 % likely about the list is refused; 90 % is answered."""
    tracker = _unsure("过年的钱还没着落", "ask_wage_arrears", in_scope, [("ask_wage_arrears", 0.95)])
    reply = run(ActionSearchPractices(knowledge_base), tracker)
    assert reply.responses[:1] == responses
    assert any(m.get("custom") for m in reply.messages) == (in_scope > 0.5)


@pytest.mark.parametrize(
    "text, thanked",
    [
        ("多亏了劳动保障监察大队，让我们在年前拿到自己的血汗钱！", True),
        ("谢谢，谢谢法院的执行法官们，帮我们讨回了工资", True),
        ("谢谢，那考电工证有补贴吗", False),  # thanks, then a question: answered
        ("感谢项目部，请问哪里能免费体检", False),
        ("感谢法官们，讨要工资几年，经过多少波折，终于拿到了", True),  # 多少 marvels here, it does not ask
        ("谢谢，培训补贴有多少钱", False),
    ],
)
def test_thanks_that_ask_nothing_are_met_with_thanks_not_practices(knowledge_base, text, thanked):
    """However sure the wage intent and the scope, a worker who only says thank you is thanked back."""
    tracker = _unsure(text, "ask_wage_arrears", 0.9, [("ask_wage_arrears", 0.95)])
    reply = run(ActionSearchPractices(knowledge_base), tracker)
    assert (reply.responses == ["utter_you_are_welcome"]) == thanked
    assert any(m.get("custom") for m in reply.messages) != thanked


def test_the_sections_of_similar_real_questions_lead_the_answer_and_stay_with_the_thread(knowledge_base):
    """"平台能干啥": alone the search puts 桂建通 (二（一）3) first; the real questions most like it were
    answered by 三（四） (the workers' service parks, with their online platforms), so its practice comes
    first, and the thread remembers the sections for "还有吗"."""
    plain = _unsure("平台能干啥", "nlu_fallback", 0.9, [("nlu_fallback", 0.2)])
    assert not run(ActionSearchPractices(knowledge_base), plain).cards[0]["id"].startswith("3.4.")
    tracker = _unsure("平台能干啥", "nlu_fallback", 0.9, [("nlu_fallback", 0.2)])
    tracker.latest_message["similar_sections"] = ["3.4"]
    reply = run(ActionSearchPractices(knowledge_base), tracker)
    assert reply.cards[0]["id"].startswith("3.4.")
    assert reply.slot("topic_sections") == ["3.4"]


def test_a_message_nothing_was_made_of_is_asked_to_be_rephrased_not_given_suggestions(knowledge_base):
    """"阿巴阿巴呜啦啦": the classifier unsure, the search empty: however its scope reads, ask again."""
    tracker = _unsure("阿巴阿巴呜啦啦", "nlu_fallback", 0.3, [("nlu_fallback", 0.2), ("ask_policy_support", 0.15)])
    assert run(ActionSearchPractices(knowledge_base), tracker).responses == ["utter_rephrase"]


def test_a_clear_question_the_list_does_not_cover_is_not_asked_to_be_rephrased(knowledge_base):
    """"宿舍能不能做饭": the classifier unsure and the search empty, but it is plainly a question: the worker
    is told the list does not cover it, not that he was not understood."""
    tracker = _unsure("宿舍能不能做饭", "nlu_fallback", 0.2, [("nlu_fallback", 0.3), ("express_feeling", 0.15)])
    responses = run(ActionSearchPractices(knowledge_base), tracker).responses
    assert responses[0] == "utter_uncovered" and "utter_rephrase" not in responses


def test_a_statement_of_wages_withheld_answered_by_scope_ends_with_where_to_turn(knowledge_base):
    """"老板赖账，连回家的路费都凑不齐", read as a feeling but about the list: the practices, then the
    general guidance (12333), as for any question about wages owed."""
    tracker = _unsure("老板赖账，连回家的路费都凑不齐", "express_feeling", 0.9, [("express_feeling", 0.8),
                                                                             ("ask_wage_arrears", 0.1)])
    reply = run(ActionSearchPractices(knowledge_base), tracker)
    assert "utter_practice_list" in reply.responses and "utter_general_guidance" in reply.responses


def test_a_statement_of_wages_withheld_read_as_a_feeling_gets_the_wage_practices(knowledge_base):
    """"干了半年的活至今没拿到工资，我怎么回去": the classifier all but sure it is a feeling, the scope
    classifier unsure (0.43): it still says wages are withheld, so the worker gets the practices against
    wage arrears (五（一）, 五（二）) and where to turn, not sympathy alone."""
    tracker = _unsure("我想回家过年，可是我不能回家，干了半年的活至今没拿到工资，我怎么回去", "express_feeling", 0.43,
                      [("express_feeling", 0.97), ("ask_wage_arrears", 0.03)])
    reply = run(ActionSearchPractices(knowledge_base), tracker)
    assert reply.cards and all(card["id"].startswith("5.") for card in reply.cards)
    assert "utter_general_guidance" in reply.responses
    assert reply.slot("topic_intent") == "ask_wage_arrears"



def test_a_stated_problem_outweighs_a_guessed_topic_but_not_a_sure_one(knowledge_base):
    """"这个月老板都没活给我干" guessed as wages (0.68): it says there is no work, so 招工找活 (二（一）3)
    comes first; "实名制能防止拖欠工资吗" read as real-name at 0.89 stays a real-name question."""
    guessed = _unsure("这个月老板都没活给我干", "ask_wage_arrears", 0.62,
                      [("ask_wage_arrears", 0.68), ("ask_job_matching", 0.2)])
    reply = run(ActionSearchPractices(knowledge_base), guessed)
    assert reply.cards[0]["id"] == "2.1.3" and reply.slot("topic_intent") == "ask_job_matching"
    sure = _unsure("实名制能防止拖欠工资吗", "ask_real_name", 0.95, [("ask_real_name", 0.89), ("ask_wage_arrears", 0.07)])
    assert run(ActionSearchPractices(knowledge_base), sure).slot("topic_intent") == "ask_real_name"


def test_good_news_gets_a_glad_word_and_no_citation(knowledge_base):
    """"也没有被拖欠工资，钱直接打进银行卡": read as a wage question (0.89), but it is good news."""
    tracker = _unsure("这一年也没有被拖欠工资，钱直接打进银行卡，轻松多了", "ask_wage_arrears", 0.66,
                      [("ask_wage_arrears", 0.89)])
    reply = run(ActionSearchPractices(knowledge_base), tracker)
    assert reply.responses == ["utter_glad"] and not any(m.get("custom") for m in reply.messages)

