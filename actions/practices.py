"""Actions that answer with practices: a question, its follow-ups, the sources, the places."""
from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    ORDINAL_LAST,
    KnowledgeBaseAction,
    Thread,
    asked_place,
    changed_slots,
    entity_value,
    latest_entities,
    latest_intent,
    latest_text,
    latest_topic,
    place_is_remembered,
    requested_ordinal,
    text_without_places,
)
from actions.finding import Page, find_page
from actions.presenting import present, present_cited, present_in_full, present_sources
from actions.topics import (
    TOPIC_KEYWORDS,
    asks_whole_list,
    is_urgent,
    topic_buttons,
    topic_of_practice,
)
from bot.kb.answerability import (
    ANSWER,
    SUGGEST,
    Signals,
    Thresholds,
    asks,
    decide,
    denies_problem,
    off_list_topic,
    only_thanks,
    stated_problem,
)
from bot.vocabulary import (
    CITATION_UNKNOWN_RESPONSE,
    EMPATHY_RESPONSE,
    EMPATHY_SUGGEST_RESPONSE,
    FALLBACK_INTENT,
    FEELING_INTENT,
    GLAD_RESPONSE,
    INFORM_PLACE_INTENT,
    NOT_FOUND_RESPONSE,
    OUT_OF_SCOPE_INTENT,
    OUT_OF_SCOPE_RESPONSE,
    PLACE_INTENT,
    REPHRASE_RESPONSE,
    SCOPE_KEY,
    SIMILAR_KEY,
    SLOT_FEEDBACK,
    SLOT_LAST_SHOWN,
    SLOT_PAGE,
    SLOT_PLACE,
    SLOT_SHOWN_IDS,
    SLOT_TOPIC_INTENT,
    SLOT_TOPIC_QUERY,
    SLOT_TOPIC_SECTIONS,
    SUGGEST_RESPONSE,
    THANKS_RESPONSE,
    UNCOVERED_RESPONSE,
)

DomainDict = dict[str, Any]


def build_query(tracker: Tracker, intent: str) -> str:
    """The search text: the worker's words without the place, the topic words, the intent's keywords."""
    text = text_without_places(tracker)
    topic = entity_value(tracker, "topic")
    parts = [text]
    if topic and topic not in text:
        parts.append(topic)
    parts.append(TOPIC_KEYWORDS.get(intent, ""))
    return " ".join(p for p in parts if p).strip()


def question_signals(knowledge_base, tracker: Tracker) -> Signals:
    """What the decision between answering and refusing weighs (see bot.kb.answerability)."""
    text = latest_text(tracker)
    _, topic_confidence = latest_topic(tracker, TOPIC_KEYWORDS)
    found = knowledge_base.search(text_without_places(tracker), limit=1)
    return Signals(
        topic_confidence=topic_confidence,
        best_score=found.hits[0].score if found.hits and not found.named else 0.0,
        coverage=found.coverage,
        off_list=off_list_topic(text),
        named=bool(found.named),
        in_scope=scope_probability(tracker),
        thanks=only_thanks(text),
        stated=stated_problem(text),
        good_news=denies_problem(text),
    )


def scope_probability(tracker: Tracker) -> Optional[float]:
    """The scope classifier's probability that the list covers the message (None without one)."""
    value = tracker.latest_message.get(SCOPE_KEY)
    return float(value) if isinstance(value, (int, float)) else None


# A problem the message states outweighs a topic the classifier only guesses ("老板赖账，连路费都凑不齐"
# read as a feeling; "这个月老板都没活给我干" read as wages at 0.68); one it is sure of stays
# ("实名制能防止拖欠工资吗": real-name at 0.89).
STATED_OUTWEIGHS_BELOW = 0.8


def new_thread(tracker: Tracker, signals: Optional[Signals] = None,
               thresholds: Optional[Thresholds] = None) -> Thread:
    """The thread a question starts, or a new place for the current thread ("那广东呢").

    A place's practices asked for without signals (``place_only``) list them; any other message without
    signals is a place follow-up: the thread goes on in the new place. A
    question whose topic intent is sure enough (first in the ranking or not) searches the worker's
    words with its topic's keywords; any other question the decision let through searches the
    worker's words alone.
    """
    intent = latest_intent(tracker)
    place = asked_place(tracker)
    if intent == PLACE_INTENT and signals is None:
        return Thread(intent=PLACE_INTENT, place=place)
    if signals is None:
        previous = Thread.from_tracker(tracker)
        if previous.query or previous.intent == PLACE_INTENT:
            return Thread(intent=previous.intent, query=previous.query, place=place, sections=previous.sections)
        return Thread(intent=PLACE_INTENT, place=place)
    topic, confidence = latest_topic(tracker, TOPIC_KEYWORDS)
    sections = similar_sections(tracker)
    if signals.stated and confidence < STATED_OUTWEIGHS_BELOW:
        topic, confidence = signals.stated, 1.0
    if topic and confidence >= (thresholds.topic_confidence if thresholds else 0.0):
        return Thread(intent=topic, query=build_query(tracker, topic), place=place, sections=sections)
    return Thread(intent=None, query=text_without_places(tracker), place=place, sections=sections)


def place_only(knowledge_base, tracker: Tracker) -> bool:
    """A place's practices asked for ("广东有哪些做法"), with nothing else the search can find: "江西的调解委员会"
    names the place of a question, which is answered as one, in that place."""
    return latest_intent(tracker) == PLACE_INTENT and not knowledge_base.search(
        text_without_places(tracker), limit=1).hits


def similar_sections(tracker: Tracker) -> tuple[str, ...]:
    """The sections that answered the real questions most like this message (none without the index)."""
    value = tracker.latest_message.get(SIMILAR_KEY)
    return tuple(str(s) for s in value if s) if isinstance(value, list) else ()


def refuse(dispatcher: CollectingDispatcher, tracker: Tracker, signals: Signals) -> list[EventType]:
    """The list does not cover the question: say so, cite nothing, point to who handles it."""
    intent = latest_intent(tracker)
    text = latest_text(tracker)
    if signals.thanks:
        dispatcher.utter_message(response=THANKS_RESPONSE)
    elif signals.good_news:
        dispatcher.utter_message(response=GLAD_RESPONSE)
    elif signals.off_list is not None:
        dispatcher.utter_message(response=UNCOVERED_RESPONSE)
        dispatcher.utter_message(response=signals.off_list.response)
    elif intent == OUT_OF_SCOPE_INTENT:
        dispatcher.utter_message(response=OUT_OF_SCOPE_RESPONSE)
    elif intent == FEELING_INTENT:
        dispatcher.utter_message(response=EMPATHY_RESPONSE)
    elif unreadable(tracker, signals):
        dispatcher.utter_message(response=REPHRASE_RESPONSE)
    else:
        dispatcher.utter_message(response=UNCOVERED_RESPONSE)
        if is_urgent(None, text):
            dispatcher.utter_message(response="utter_general_guidance")
    return forget_thread(tracker)


def unreadable(tracker: Tracker, signals: Signals) -> bool:
    """Neither the classifier nor the search made anything of the message ("阿巴阿巴"): ask to rephrase.
    A message with the marks of a question ("宿舍能不能做饭") was read; the list just does not cover it."""
    return (latest_intent(tracker) == FALLBACK_INTENT and signals.best_score == 0.0
            and not asks(latest_text(tracker)))


def forget_thread(tracker: Tracker) -> list[EventType]:
    """A refused question ends the thread: "还有吗" after it must not bring back an older topic."""
    return changed_slots(tracker, [SlotSet(SLOT_TOPIC_INTENT, None), SlotSet(SLOT_TOPIC_QUERY, None),
                                   SlotSet(SLOT_TOPIC_SECTIONS, []), SlotSet(SLOT_SHOWN_IDS, []),
                                   SlotSet(SLOT_LAST_SHOWN, [])])


# A suggestion offers at most this many topics; a topic of the intent classifier's ranking must be at
# least this likely (those of the similar questions and of the search's best practice need not).
MAX_SUGGESTED = 3
SUGGEST_MIN_CONFIDENCE = 0.05


def suggested_topics(tracker: Tracker, knowledge_base) -> list[str]:
    """The topic intents a message may be about: the classifier's likeliest, the topic of the similar
    real questions' best section and of the search's best practice, then the classifier's others."""
    ranking = sorted((r for r in tracker.latest_message.get("intent_ranking") or ()
                      if r.get("name") in TOPIC_KEYWORDS and (r.get("confidence") or 0) >= SUGGEST_MIN_CONFIDENCE),
                     key=lambda r: -(r.get("confidence") or 0))
    classifier = [r["name"] for r in ranking]
    similar = [topic_of_practice(section) for section in similar_sections(tracker)]
    found = knowledge_base.search(text_without_places(tracker), limit=1)
    searched = [topic_of_practice(found.hits[0].practice.id)] if found.hits and not found.named else []
    ordered = [*classifier[:1], *similar[:1], *searched, *classifier[1:], *similar[1:]]
    return list(dict.fromkeys(t for t in ordered if t))[:MAX_SUGGESTED]


def suggest(dispatcher: CollectingDispatcher, tracker: Tracker, knowledge_base) -> bool:
    """Not sure enough to answer: offer the topics the message may be about as buttons, cite nothing.
    False when there is no topic to offer (the caller refuses instead)."""
    topics = suggested_topics(tracker, knowledge_base)
    buttons = topic_buttons(topics)
    if not buttons:
        return False
    feeling = latest_intent(tracker) == FEELING_INTENT
    dispatcher.utter_message(response=EMPATHY_SUGGEST_RESPONSE if feeling else SUGGEST_RESPONSE, buttons=buttons)
    return True


def thread_events(tracker: Tracker, thread: Thread, page: Page, shown_ids: list[str],
                  last_shown: list[str]) -> list[EventType]:
    """The slots that remember the thread after an answer (those that change)."""
    return changed_slots(tracker, [
        SlotSet(SLOT_TOPIC_INTENT, thread.intent),
        SlotSet(SLOT_TOPIC_QUERY, thread.query),
        SlotSet(SLOT_TOPIC_SECTIONS, list(thread.sections)),
        SlotSet(SLOT_PLACE, page.place_name),  # as the gazetteer names it; None if unknown
        SlotSet(SLOT_SHOWN_IDS, shown_ids),
        SlotSet(SLOT_LAST_SHOWN, last_shown),
        SlotSet(SLOT_PAGE, float(thread.page + 1)),
        SlotSet(SLOT_FEEDBACK, None),
    ])


def utter_places(dispatcher: CollectingDispatcher, counts: list[tuple[str, int]], on_topic: bool) -> None:
    """Provinces with their number of practices, most first."""
    lines = "\n".join(f"{province} {count}" for province, count in counts)
    dispatcher.utter_message(response="utter_places_list_topic" if on_topic else "utter_places_list", places=lines)


class ActionSearchPractices(KnowledgeBaseAction):
    """A question on a topic or a place: the best-matching practices, their source, the cards."""

    def name(self) -> str:
        return "action_search_practices"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        signals = None
        if latest_intent(tracker) != INFORM_PLACE_INTENT and not place_only(self.knowledge_base, tracker):
            signals = question_signals(self.knowledge_base, tracker)
            decision = decide(signals, self.thresholds)
            if decision == SUGGEST and not unreadable(tracker, signals) and suggest(dispatcher, tracker,
                                                                                     self.knowledge_base):
                return forget_thread(tracker)
            if decision != ANSWER:
                return refuse(dispatcher, tracker, signals)
        thread = new_thread(tracker, signals, self.thresholds)
        if thread.intent == PLACE_INTENT and not thread.place:
            utter_places(dispatcher, self.knowledge_base.region_counts(), on_topic=False)
            return []
        page = find_page(self.knowledge_base, thread, thresholds=self.thresholds)
        if thread.intent == PLACE_INTENT and page.place is None:
            dispatcher.utter_message(response="utter_place_unknown")
            return changed_slots(tracker, [SlotSet(SLOT_PLACE, None)])
        urgent = is_urgent(thread.intent, latest_text(tracker))
        if not page.hits:
            if thread.intent == PLACE_INTENT:
                dispatcher.utter_message(response="utter_no_practice_in_place", place=page.place_name)
                utter_places(dispatcher, self.knowledge_base.region_counts(), on_topic=False)
            else:
                dispatcher.utter_message(response=NOT_FOUND_RESPONSE)
            if urgent:
                dispatcher.utter_message(response="utter_general_guidance")
            return thread_events(tracker, thread, page, [], [])
        if page.elsewhere_only:
            dispatcher.utter_message(response="utter_no_practice_in_place", place=page.place_name)
        elif page.place_name and place_is_remembered(tracker):
            dispatcher.utter_message(response="utter_place_remembered", place=page.place_name)
        elif thread.intent == PLACE_INTENT:
            dispatcher.utter_message(
                response="utter_place_practices_found", place=page.place_name, total=str(page.in_place)
            )
        ids = present(dispatcher, page.hits, first_number=1, place=page.place_name)
        if urgent:
            dispatcher.utter_message(response="utter_general_guidance")
        dispatcher.utter_message(response="utter_after_practices")
        return thread_events(tracker, thread, page, ids, ids)


class ActionShowMore(KnowledgeBaseAction):
    """"还有吗": the next practices of the thread, never one shown before."""

    def name(self) -> str:
        return "action_show_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        thread = Thread.from_tracker(tracker)
        if not thread.query and not (thread.intent == PLACE_INTENT and thread.place):
            dispatcher.utter_message(response="utter_ask_topic_first")
            return []
        page = find_page(self.knowledge_base, thread, thresholds=self.thresholds)
        if not page.hits:
            dispatcher.utter_message(response="utter_no_more_practices")
            return []
        ids = present(dispatcher, page.hits, first_number=len(thread.shown_ids) + 1, place=page.place_name)
        dispatcher.utter_message(response="utter_after_practices")
        return thread_events(tracker, thread, page, [*thread.shown_ids, *ids], ids)


def chosen_id(tracker: Tracker, thread: Thread) -> tuple[Optional[str], Optional[str]]:
    """The id of the practice the worker points at ("第二条", "2", "最后一个"), and the ordinal asked.

    Numbers count every practice shown in the thread, as they were numbered on screen.
    """
    ordinal = requested_ordinal(tracker)
    if ordinal is None:
        return None, None
    if ordinal == ORDINAL_LAST:
        return (thread.last_shown[-1] if thread.last_shown else None), ordinal
    try:
        number = int(ordinal)
    except ValueError:
        return None, ordinal
    if 1 <= number <= len(thread.shown_ids):
        return thread.shown_ids[number - 1], ordinal
    return None, ordinal


async def answer_as_question(action: KnowledgeBaseAction, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[EventType]:
    """A follow-up with nothing shown to follow: "桂建通是哪里的" names what the search surely finds, and
    is answered as the question it is; "详细说说" or "出自哪个文件" alone is asked to say what about."""
    if question_signals(action.knowledge_base, tracker).evidence < action.thresholds.search_evidence:
        dispatcher.utter_message(response="utter_nothing_shown_yet")
        return []
    return await ActionSearchPractices(action.knowledge_base, action.thresholds).run(dispatcher, tracker, domain)


class ActionShowDetail(KnowledgeBaseAction):
    """"第二条详细说说": the full text of one practice shown, with its source."""

    def name(self) -> str:
        return "action_show_detail"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        thread = Thread.from_tracker(tracker)
        if not thread.shown_ids:
            return await answer_as_question(self, dispatcher, tracker, domain)
        practice_id, ordinal = chosen_id(tracker, thread)
        if ordinal is None and len(thread.last_shown) == 1:
            practice_id = thread.last_shown[0]
        if practice_id is None:
            if ordinal is None or ordinal == ORDINAL_LAST:
                dispatcher.utter_message(response="utter_ask_which_practice")
            else:
                dispatcher.utter_message(
                    response="utter_no_such_practice", n=ordinal, count=str(len(thread.shown_ids))
                )
            return []
        practice = self.knowledge_base.practice(practice_id)
        if practice is None:
            dispatcher.utter_message(response="utter_nothing_shown_yet")
            return []
        present_in_full(dispatcher, practice, thread.shown_ids.index(practice_id) + 1)
        dispatcher.utter_message(response="utter_ask_feedback")
        return changed_slots(tracker, [SlotSet(SLOT_LAST_SHOWN, [practice.id]), SlotSet(SLOT_FEEDBACK, None)])


class ActionShowSource(KnowledgeBaseAction):
    """"这是哪个文件里的": the document and citations of what was shown last (or of one of them)."""

    def name(self) -> str:
        return "action_show_source"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        thread = Thread.from_tracker(tracker)
        practice_id, _ = chosen_id(tracker, thread)
        ids = [practice_id] if practice_id else list(thread.last_shown)
        practices = [p for p in (self.knowledge_base.practice(i) for i in ids) if p is not None]
        if not practices:
            return await answer_as_question(self, dispatcher, tracker, domain)
        present_sources(dispatcher, practices)
        return []


class ActionListPlaces(KnowledgeBaseAction):
    """"有哪些地方的做法": provinces with their number of practices (on the current topic, if any)."""

    def name(self) -> str:
        return "action_list_places"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        thread = Thread.from_tracker(tracker)
        intent = latest_intent(tracker)
        query = "" if asks_whole_list(latest_text(tracker)) else thread.query
        if intent in TOPIC_KEYWORDS:
            query = build_query(tracker, intent)
        counts = self.knowledge_base.region_counts(query) if query else []
        if counts:
            utter_places(dispatcher, counts, on_topic=True)
        else:
            utter_places(dispatcher, self.knowledge_base.region_counts(), on_topic=False)
        return []


class ActionAboutList(KnowledgeBaseAction):
    """"清单一共多少条": the list as a whole, counted from its practices: how many, from how many
    provinces, and its work tasks with their number of practices."""

    def name(self) -> str:
        return "action_about_list"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        practices = self.knowledge_base.practices()
        if not practices:
            dispatcher.utter_message(response="utter_no_practice_found")
            return []
        tasks: dict[tuple[str, str], int] = {}  # (numeral, title) → practices, in the list's order
        for practice in practices:
            task = (practice.citation.split("（", 1)[0], practice.task)
            tasks[task] = tasks.get(task, 0) + 1
        lines = "\n".join(f"{numeral}、{title}（{count}）" for (numeral, title), count in tasks.items())
        dispatcher.utter_message(
            response="utter_about_list", document=" / ".join(self.knowledge_base.documents()),
            practices=str(len(practices)), provinces=str(len({p.province for p in practices})),
            task_count=str(len(tasks)), tasks=lines,
        )
        return []


CITATION_ENTITY = "citation"
# How many practices one lookup shows in full (a message naming more is a list to read one by one).
MAX_NAMED = 3


class ActionShowCitation(KnowledgeBaseAction):
    """"五（一）2" / "5.1.2" / "第五项第一条第二个": the practice's full text and source, in any conversation."""

    def name(self) -> str:
        return "action_show_citation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        named = [e.get("value") for e in latest_entities(tracker, CITATION_ENTITY)]
        practices = [p for p in (self.knowledge_base.practice(str(i)) for i in named) if p is not None]
        if not named:  # a button or an app may send the text without the NLU's entity
            practices = list(self.knowledge_base.referenced(latest_text(tracker)))
        practices = practices[:MAX_NAMED]
        if not practices:
            dispatcher.utter_message(response=CITATION_UNKNOWN_RESPONSE)
            return []
        present_cited(dispatcher, practices)
        dispatcher.utter_message(response="utter_ask_feedback")
        return changed_slots(tracker, [SlotSet(SLOT_LAST_SHOWN, [p.id for p in practices]), SlotSet(SLOT_FEEDBACK, None)])
