"""The names that the actions, the web app, the evaluation and the tests share with domain.yml.

Each intent, slot and response name that Python code uses is written here once and imported
everywhere else; ``tests/test_vocabulary.py`` checks every name against ``domain.yml`` and
against the events of a real conversation. (A name retyped by hand once drifted and silently
emptied the editors' list of unanswered questions.)
"""
from __future__ import annotations

# ---- intents -------------------------------------------------------------------------------
# Topics of the list: each answers with a search of its practices.
TOPIC_INTENTS = (
    "ask_wage_arrears",
    "ask_wage_dispute",
    "ask_training_subsidy",
    "ask_skill_certificate",
    "ask_real_name",
    "ask_skill_competition",
    "ask_training_base",
    "ask_labour_company",
    "ask_worker_care",
    "ask_policy_support",
    "ask_job_matching",
)
PLACE_INTENT = "ask_place_practices"  # what a place does, without a topic
CITATION_INTENT = "ask_citation"  # a practice named by its numbering: 五（一）2, 5.1.2
INFORM_PLACE_INTENT = "inform_place"
OUT_OF_SCOPE_INTENT = "out_of_scope"  # nothing to do with the list (weather, cooking)
UNCOVERED_INTENT = "ask_uncovered"  # near the list's field, but not in it (exams, 社保)
FALLBACK_INTENT = "nlu_fallback"  # the classifier is unsure
FEELING_INTENT = "express_feeling"  # 干工地太累了: a statement, not a question
HANDOFF_INTENT = "request_human"  # 转人工
FEEDBACK_USEFUL_INTENT = "feedback_useful"
FEEDBACK_USELESS_INTENT = "feedback_useless"
# Every message whose answer is decided between practices and an honest "not covered".
QUESTION_INTENTS = (*TOPIC_INTENTS, PLACE_INTENT, OUT_OF_SCOPE_INTENT, UNCOVERED_INTENT, FALLBACK_INTENT,
                    FEELING_INTENT)
# What the scope classifier (bot/nlu/scope_classifier.py) learns as "the list covers it" and as "it
# does not"; follow-ups, numbering lookups, feedback and yes/no teach it nothing.
SCOPE_IN_INTENTS = (*TOPIC_INTENTS, PLACE_INTENT)
SCOPE_OUT_INTENTS = (UNCOVERED_INTENT, OUT_OF_SCOPE_INTENT, FEELING_INTENT, "greet", "goodbye", "thank",
                     "ask_bot_identity", "ask_help")
SCOPE_KEY = "in_scope"  # the parse's probability that the list covers the message
SIMILAR_KEY = "similar_sections"  # the parse's sections that answered the most similar real questions
# What a worker asks about (the headline of a handoff, the question a 没用 judged): not a follow-up
# (我在东莞, 更多), not small talk, not a request for a person, not a message the bot did not understand.
ASKING_INTENTS = (*TOPIC_INTENTS, PLACE_INTENT, CITATION_INTENT, UNCOVERED_INTENT, OUT_OF_SCOPE_INTENT)

# ---- slots ---------------------------------------------------------------------------------
SLOT_PLACE = "place"
SLOT_TOPIC_INTENT = "topic_intent"
SLOT_TOPIC_QUERY = "topic_query"
SLOT_TOPIC_SECTIONS = "topic_sections"
SLOT_SHOWN_IDS = "shown_ids"
SLOT_LAST_SHOWN = "last_shown"
SLOT_PAGE = "page"
SLOT_FEEDBACK = "feedback"
SLOT_HANDOFF = "handoff_requested"

# ---- responses the code sends --------------------------------------------------------------
NOT_FOUND_RESPONSE = "utter_no_practice_found"  # a topic question the search finds nothing for
UNCOVERED_RESPONSE = "utter_uncovered"  # the list does not cover it
OUT_OF_SCOPE_RESPONSE = "utter_out_of_scope"  # nothing to do with the list
REPHRASE_RESPONSE = "utter_rephrase"  # not understood
CITATION_UNKNOWN_RESPONSE = "utter_citation_unknown"  # a number the list does not have
EMPATHY_RESPONSE = "utter_empathy"  # a statement of how hard things are, met with sympathy only
SUGGEST_RESPONSE = "utter_suggest_topics"  # not sure: the topics it may be about, as buttons
EMPATHY_SUGGEST_RESPONSE = "utter_empathy_suggest"  # the same after a statement of how hard things are
THANKS_RESPONSE = "utter_you_are_welcome"  # the answer to thanks (a rule's, and the search action's)
GLAD_RESPONSE = "utter_glad"  # good news that asks nothing ("也没有被拖欠工资，轻松多了")
TOPIC_BUTTONS_RESPONSE = "utter_topic_buttons"  # one button per topic: suggestions pick theirs from it
# Answers that found nothing, refused or only suggested topics: the editors' list of unanswered
# questions shows them, and two in a row put the conversation in the hotline's queue.
NOT_ANSWERED_RESPONSES = (
    NOT_FOUND_RESPONSE,
    UNCOVERED_RESPONSE,
    OUT_OF_SCOPE_RESPONSE,
    REPHRASE_RESPONSE,
    CITATION_UNKNOWN_RESPONSE,
    SUGGEST_RESPONSE,
    EMPATHY_SUGGEST_RESPONSE,
)
# What the editors' list shows: those, and statements met with sympathy only (a worker telling of a
# meal of instant noodles may be asking for worker care). Not a miss for the queue's flags.
UNANSWERED_LIST_RESPONSES = (*NOT_ANSWERED_RESPONSES, EMPATHY_RESPONSE)

# ---- a person takes over (sent by the web app through Rasa's HTTP API) ------------------------
HANDOFF_JOINED_RESPONSE = "utter_handoff_joined"  # an agent claimed the conversation
HANDOFF_RELEASED_RESPONSE = "utter_handoff_released"  # the agent handed it back to the bot
HANDOFF_REQUEUED_RESPONSE = "utter_handoff_requeued"  # the agent went quiet: back in the queue
HANDOFF_WAITING_RESPONSE = "utter_handoff_still_waiting"  # nobody has claimed it yet: the worker is told
HANDOFF_NOTICES = (HANDOFF_JOINED_RESPONSE, HANDOFF_RELEASED_RESPONSE, HANDOFF_REQUEUED_RESPONSE,
                   HANDOFF_WAITING_RESPONSE)
AGENT_KEY = "agent"  # metadata of the pause event and of each agent message: which agent
