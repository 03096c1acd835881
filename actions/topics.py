"""What each topic intent searches for, and which questions are urgent.

Search vocabulary only: nothing here is shown to a user (a suggestion's button titles are the
domain's, ``utter_topic_buttons``).
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

from bot.kb.answerability import wages_withheld
from bot.responses import first_variation
from bot.vocabulary import TOPIC_BUTTONS_RESPONSE

# Words added to the worker's own text, so that a short or colloquial question
# ("包工头跑了咋办") still reaches the practices of its topic.
TOPIC_KEYWORDS: dict[str, str] = {
    "ask_wage_arrears": "拖欠 农民工工资 欠薪",
    "ask_wage_dispute": "纠纷 调解 工伤鉴定 人民调解委员会 诉源治理",
    "ask_training_subsidy": "培训 补贴 经费",
    "ask_skill_certificate": "持证上岗 职业技能 证书",
    "ask_real_name": "实名制 管理",
    "ask_skill_competition": "技能 竞赛 大赛",
    "ask_training_base": "培育基地 培训基地",
    "ask_labour_company": "劳务企业 专业作业企业 自有工人",
    "ask_worker_care": "关爱 工会 服务",
    "ask_policy_support": "协同 机制 激励 政策支持",
    "ask_job_matching": "招工找活 招工用工 就业 用工 招工",
}

# The parts of the list each topic is about (a measure "5.1", or a practice "2.1.3"): their
# practices count more in the topic's search, so a long message's ordinary words do not pull
# unrelated practices above them. Read off the list document, batch 1.
TOPIC_SECTIONS: dict[str, tuple[str, ...]] = {
    "ask_wage_arrears": ("5.1", "5.2"),
    "ask_wage_dispute": ("5.2",),
    "ask_training_subsidy": ("4.2", "4.3"),
    "ask_skill_certificate": ("2.3.4", "3.2", "4.2.2"),
    "ask_real_name": ("2.1", "2.2", "2.3"),
    "ask_skill_competition": ("3.3",),
    "ask_training_base": ("3.1", "4.3.1", "1.3"),
    "ask_labour_company": ("1.1", "1.2"),
    "ask_worker_care": ("1.4", "3.4"),
    "ask_policy_support": ("4.1", "4.3"),
    "ask_job_matching": ("2.1.3", "2.3.5", "3.4"),
}


# Topic intents whose questions are about money owed or harm done now: the answer
# ends with the general guidance on where to turn.
URGENT_INTENTS = frozenset({"ask_wage_arrears", "ask_wage_dispute"})

# Words that make an uncovered question urgent (an injury, wages); wages withheld are read by
# bot.kb.answerability.wages_withheld, as the decision reads them.
URGENT_WORDS = ("工伤", "受伤", "伤了", "摔", "砸", "事故", "出事", "住院", "医药费", "工钱", "血汗钱")




def is_urgent(intent: Optional[str], text: str = "") -> bool:
    """Whether the answer should end with the general guidance on where to turn."""
    return intent in URGENT_INTENTS or any(word in (text or "") for word in URGENT_WORDS) or wages_withheld(text)


# "清单里都有哪些地方", "全部地方": the whole list, not the current topic's places.
WHOLE_LIST_WORDS = ("清单", "都有", "全部", "所有", "一共", "总共")


def asks_whole_list(text: str) -> bool:
    """Whether a places question asks about the whole list rather than the current topic."""
    return any(word in (text or "") for word in WHOLE_LIST_WORDS)


def topic_of_practice(practice_id: str) -> Optional[str]:
    """The topic intent whose sections hold the practice most narrowly ("5.1.2" → ask_wage_arrears;
    "2.1.3", in 实名制's 2.1 and named by 招工找活 itself, → ask_job_matching)."""
    holding = [(len(s), intent) for intent, sections in TOPIC_SECTIONS.items() for s in sections
               if practice_id == s or practice_id.startswith(s + ".")]
    return max(holding, key=lambda pair: pair[0])[1] if holding else None


def topic_buttons(topics: Sequence[str]) -> list[dict[str, Any]]:
    """The domain's buttons for these topic intents, in their order (a topic without one is left out)."""
    by_payload = {b.get("payload"): b for b in first_variation(TOPIC_BUTTONS_RESPONSE).get("buttons") or ()}
    return [dict(by_payload[f"/{topic}"]) for topic in topics if f"/{topic}" in by_payload]
