"""Answer, or say honestly that the list does not cover the question.

The intent classifier is one signal among several, never a gate: a question the classifier
misreads still reaches the practices when the search finds a practice that speaks to most of
it, and a confident search never hides that a question is about something the list leaves out
(exams, qualifications, titles, social insurance, 工伤认定, housing fund). The signals:

* how likely the list covers the message at all (``in_scope``, from ``bot.nlu.scope_classifier``);
* the intent and its confidence (a topic of the list, an off-list or off-topic intent);
* the best search score times how much of the question its practice covers (idf-weighted);
* the off-list topic the question names (``data/kb/off_list.yml``);
* whether the message thanks and asks nothing ("谢谢法院帮我们讨回了工资"): met with thanks, not practices;
* whether it tells good news and asks nothing ("也没有被拖欠工资"): met with a glad word, not practices;
* whether it states a problem the list acts on ("干了半年的活至今没拿到工资", "最近老板没活给我干"):
  answered as that topic, however the classifier read it.

The thresholds live in ``data/kb/answerability.yml`` and are chosen on the development part
of the real-question corpus (``python -m bot.measure.tune``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from bot.kb.text import normalize

DATA = Path(__file__).resolve().parents[2] / "data" / "kb"
THRESHOLDS_PATH = DATA / "answerability.yml"
OFF_LIST_PATH = DATA / "off_list.yml"

ANSWER = "answer"  # show the matching practices
REFUSE = "refuse"  # the list does not cover it: cite nothing
SUGGEST = "suggest"  # not sure enough to answer, but it may be about the list: offer its topics, cite nothing


@dataclass(frozen=True)
class Thresholds:
    """Where the decision changes (see ``data/kb/answerability.yml``)."""

    topic_confidence: float = 0.35
    search_evidence: float = 2.5
    off_list_override: float = 0.8
    relative_cutoff: float = 0.45
    scope_answer: float = 1.01  # in_scope this high answers (above 1: never)
    scope_veto: float = 0.0  # in_scope this low refuses, however sure the topic intent
    scope_suggest: float = 1.01  # in_scope this high, when not answered, suggests the topics (above 1: never)


@dataclass(frozen=True)
class OffListTopic:
    """A near-domain topic the list does not cover, and the response saying who handles it."""

    name: str
    response: str
    words: tuple[str, ...]
    always: bool = False  # refused however sure the topic intent (a trade the list is not about)


@dataclass(frozen=True)
class Signals:
    """What the bot knows about one question when it decides."""

    topic_confidence: float  # confidence of the intent if it is a topic of the list, else 0
    best_score: float  # the best search score of the question's own words (0: nothing found)
    coverage: float  # share of the question the best practice speaks to
    off_list: Optional[OffListTopic] = None  # an off-list topic the question names
    named: bool = False  # the question names a practice by its numbering
    in_scope: Optional[float] = None  # probability that the list covers it (None: no scope classifier)
    thanks: bool = False  # the message thanks and asks nothing
    stated: Optional[str] = None  # the topic intent of a problem the message states (``stated_problem``)
    good_news: bool = False  # it says such a problem is not there and asks nothing (``denies_problem``)

    @property
    def evidence(self) -> float:
        """How strongly the search alone says the list answers it: its best score, times the share of
        the question that practice covers (a high score on one word of a long question is weak)."""
        return self.best_score * self.coverage


@lru_cache(maxsize=1)
def load_thresholds(path: Path = THRESHOLDS_PATH) -> Thresholds:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Thresholds(**{k: float(v) for k, v in data.items()})


@lru_cache(maxsize=1)
def load_off_list_topics(path: Path = OFF_LIST_PATH) -> tuple[OffListTopic, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(
        OffListTopic(name, str(topic["response"]), tuple(normalize(str(w), None).lower() for w in topic["words"]),
                     bool(topic.get("always", False)))
        for name, topic in (data.get("topics") or {}).items()
    )


def off_list_topic(text: str, topics: Optional[tuple[OffListTopic, ...]] = None) -> Optional[OffListTopic]:
    """The first off-list topic whose words the text names, if any."""
    folded = normalize(text).lower()
    for topic in load_off_list_topics() if topics is None else topics:
        if any(word in folded for word in topic.words):
            return topic
    return None


# Words of thanks and praise, and the marks of a question: a message with the first and none of the
# second is thanks, however much it says about wages ("多亏了劳动监察大队，让我们拿到了血汗钱！").
THANKS_WORDS = ("谢谢", "感谢", "多谢", "多亏", "感激", "锦旗", "点赞")
# After thanks, only these ask: 多少 and 几年 marvel, 这么 exclaims ("讨要工资几年，经过多少波折，没想到这么快").
_ASKS_AFTER_THANKS = re.compile(r"[?？吗]|怎|咋|如何|哪|什么|啥|谁|能否|能不能|是否|有没有|多少钱|请问|帮帮|求助")
_QUESTION = re.compile(r"[?？吗么]|怎|咋|如何|哪|什么|啥|谁|能否|能不能|是否|多少|几[个天月年]|问|请|帮帮|求助")


WAGE_ARREARS = "ask_wage_arrears"
JOB_MATCHING = "ask_job_matching"
INJURY_DISPUTE = "ask_wage_dispute"  # 五（二）: disputes mediated, 工伤 ones among them


@dataclass(frozen=True)
class Problem:
    """A problem the list acts on, as a worker states it, even without asking: the topic intent it is
    asked as, how it is said, the praise that denies it ("这样的老板不欠薪"), and what makes the message
    about something else ("工伤怎么认定" is off-list however the injury is told)."""

    topic: str
    said: re.Pattern
    denied: Optional[re.Pattern] = None
    unless: Optional[re.Pattern] = None


# Wages withheld come first: they are the list's first concern and the most urgent.
PROBLEMS = (
    Problem(WAGE_ARREARS, re.compile(
        r"(没|未|不|没有)能?(拿到|拿回|领到|发|给|结|付)过?(我们|我)?的?(工资|工钱|钱|血汗钱|工资款|工程款|账)"
        r"|(工资|工钱|钱|账)(都|也|还|一直)?(没|不|没有)(给|发|结)"
        r"|(拿|要|讨)不(到|回)(工资|工钱|钱|血汗钱)?|欠(薪|工资|工钱|钱|我|了我)|拖欠|赖账|讨薪|讨要"
        # the wages first, what did not happen after: "去年欠的工钱到现在我们还没拿到"
        r"|(工资|工钱|血汗钱|工资款|工程款)[^，。,！!？?]{0,10}(没|未)(有|能)?(拿到|拿回|领到|到手|到账|发|结)"
        r"|一分钱?(也|都)没(拿到|给|见到)|(?<!只)(要|讨)回?(工资|工钱|血汗钱|工资款|欠款)|拿回(工资|工钱|血汗钱)"
        r"|要账|讨账|账要回|发不(起|出)(工人)?的?(工资|工钱)|(工资|工钱|工程款)[^，。,！!？?]{0,6}拖了"
        r"|(工资|工钱|血汗钱|工程款)(还|到底)?能(不能)?(拿|要|讨)(到|回)"
        r"|(老板|包工头|工头|老总|负责人)[^，。,！!？?]{0,6}(跑了|跑路|失联|失踪|不露面|联系不上|找不到人|不见了)"
        r"|(老板|包工头|工头|老总|负责人)[^。！!？?]{0,12}(不接电话|电话(也|都)?(打不通|不接)|拉黑|关机)"),
        re.compile(r"(不|不能|不会|没有?被?|从不|不再|从没)(拖欠|欠薪)")),
    # An injury and who pays for it, which 五（二）'s mediation committees take up; how 工伤 is recognised or
    # graded is off-list (data/kb/off_list.yml), and so are the compensation scales ("赔偿标准").
    Problem(INJURY_DISPUTE, re.compile(
        r"(受伤|工伤|伤了|摔伤|砸伤|骨折)[^。！!？?]{0,16}(赔(?!偿?标准)|协商|没人管|不管|不给赔)"),
        unless=re.compile(r"认定|鉴定|算不算|算工伤|[几一二三四五六七八九十\d]级|多少钱")),
    Problem(JOB_MATCHING, re.compile(
        r"没有?活(干|儿干|给我干|可干)|找不[到着]活|(来|去|出来|到处)找活|等活|接不[到上]活|活儿?接不上|活儿?太?少"
        r"|活儿?(不好|难|太难)找|没人来?喊活"),
        re.compile(r"找活干?(容易|方便)|不愁没?活")),
)


def stated_problem(text: str) -> Optional[str]:
    """The topic intent of the problem the message states ("干了半年的活至今没拿到工资" → wage arrears,
    "最近老板没活给我干" → finding work), if any."""
    folded = normalize(text, None)
    for problem in PROBLEMS:
        if problem.unless is not None and problem.unless.search(folded):
            continue
        if problem.said.search(problem.denied.sub("", folded) if problem.denied else folded):
            return problem.topic
    return None


def denies_problem(text: str) -> bool:
    """Whether the message says a problem the list acts on is not there, and asks nothing
    ("也没有被拖欠工资，钱直接打进银行卡", "现在有了技术，找活干容易多了"): good news, not a question."""
    folded = normalize(text, None)
    return (any(problem.denied and problem.denied.search(folded) for problem in PROBLEMS)
            and stated_problem(text) is None
            and not asks(text))


def wages_withheld(text: str) -> bool:
    """Whether the message says that wages are withheld."""
    return stated_problem(text) == WAGE_ARREARS


def asks(text: str) -> bool:
    """Whether the message has the marks of a question ("宿舍能不能做饭", "咋办", "?")."""
    return bool(_QUESTION.search(normalize(text, None)))


def only_thanks(text: str) -> bool:
    """Whether the message thanks and asks nothing."""
    folded = normalize(text, None)
    return any(word in folded for word in THANKS_WORDS) and not _ASKS_AFTER_THANKS.search(folded)


def decide(signals: Signals, thresholds: Optional[Thresholds] = None) -> str:
    """``ANSWER``, ``SUGGEST`` or ``REFUSE`` for one question."""
    t = thresholds or load_thresholds()
    if signals.named:
        return ANSWER
    if signals.off_list is not None:
        # Wages withheld outweigh an off-list word: "社保也没交，工资也不给" is the list's first concern.
        overridden = not signals.off_list.always and (signals.topic_confidence >= t.off_list_override
                                                      or signals.stated == WAGE_ARREARS)
        return ANSWER if overridden else REFUSE
    if signals.thanks or signals.good_news:
        return REFUSE
    if signals.stated is not None:
        return ANSWER  # a stated problem is the list's concern, however the classifiers read its wording
    vetoed = signals.in_scope is not None and signals.in_scope < t.scope_veto
    sure = ((signals.in_scope or 0.0) >= t.scope_answer or signals.topic_confidence >= t.topic_confidence
            or signals.evidence >= t.search_evidence)
    if sure and not vetoed:
        return ANSWER
    if signals.in_scope is not None and signals.in_scope >= t.scope_suggest:
        return SUGGEST
    return REFUSE
