"""The console's staff JSON API (conversations, unanswered questions, feedback, stats), served for real on
loopback behind the console token."""
from __future__ import annotations

import pytest

from tests.support.console import HTML_ATTACK, STAFF, STAFF_ENDPOINTS, TOKEN, console_server, get, seed_tracker_store

# ---------------------------------------------------------------- staff


@pytest.mark.parametrize("path", STAFF_ENDPOINTS)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": "Bearer"},
        {"Cookie": "console_session=9999999999.deadbeef"},
    ],
)
def test_what_users_wrote_needs_the_staff_token(base, path, headers):
    """Without the right bearer token: 401, and none of the users' words in the answer."""
    response = get(base, path, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"
    assert "工资" not in response.text


@pytest.mark.parametrize("path", STAFF_ENDPOINTS)
def test_staff_endpoints_answer_with_the_token(base, path):
    assert get(base, path, headers=STAFF).status_code == 200


def test_handoffs_are_newest_first_with_their_transcripts(base):
    """The agent sees who asked for a person, latest first, and every message so far."""
    handoffs = get(base, "/api/handoffs", headers=STAFF).json()["handoffs"]
    assert [h["sender_id"] for h in handoffs] == ["worker-handoff", "worker-old-handoff"]
    transcript = handoffs[0]["messages"]
    assert [m["sender"] for m in transcript] == ["user", "bot", "user", "user", "bot"]
    assert transcript[0]["text"] == "广州的包工头欠了三个月工资不给"
    assert transcript[1]["practices"] == ["5.1.2"]
    assert transcript[2]["text"] == HTML_ATTACK
    assert handoffs[0]["last_user_text"] == "我要找人工客服"


def test_unanswered_lists_fallbacks_out_of_scope_not_found_and_useless(base):
    items = get(base, "/api/unanswered", headers=STAFF).json()["unanswered"]
    reasons = {i["text"]: i["reason"] for i in items}
    assert reasons == {
        HTML_ATTACK: "nlu_fallback",
        "今天天气怎么样": "out_of_scope",
        "焊工证补贴多少钱": "utter_no_practice_found",
        "社保断缴了怎么补": "ask_uncovered",
        "实名制考勤怎么弄": "feedback_useless",  # the question the 没用 judged
    }


def test_feedback_names_the_question_and_the_practices_it_was_about(base):
    body = get(base, "/api/feedback", headers=STAFF).json()
    assert body["counts"] == {"useful": 1, "useless": 1}
    assert [(f["verdict"], f["question"], f["practices"]) for f in body["feedback"]] == [
        ("useful", "欠薪了去哪投诉", ["5.1.2"]),
        ("useless", "实名制考勤怎么弄", ["2.3.3"]),
    ]


def test_stats_count_topics_and_places(base):
    body = get(base, "/api/stats", headers=STAFF, params={"days": 7}).json()
    intents = {i["name"]: i["count"] for i in body["intents"]}
    assert intents["request_human"] == 2 and intents["ask_wage_arrears"] == 2
    assert body["places"][0] == {"name": "广州", "count": 2}
    assert body["conversations"] == 5
    assert sum(d["count"] for d in body["daily"]) == body["messages"] == 13
    assert len(body["daily"]) in (7, 8)  # every day of the period, quiet days as zero
    assert set(body["daily_intents"]["request_human"]) == {d["day"] for d in body["daily"]}


@pytest.mark.parametrize("days", ["0", "abc", "-3", "400"])
def test_stats_refuse_a_bad_period(base, days):
    response = get(base, "/api/stats", headers=STAFF, params={"days": days})
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_days"


def test_an_unknown_conversation_is_a_clear_404(base):
    response = get(base, "/api/conversations/nobody'--", headers=STAFF)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "conversation_not_found"


@pytest.mark.parametrize("path", STAFF_ENDPOINTS)
def test_without_a_configured_token_the_staff_area_is_closed(knowledge_base, tracker_url, path):
    """CONSOLE_TOKEN unset: even an empty bearer gets 401 with an explanation."""
    with console_server(knowledge_base, tracker_url, token="") as url:
        for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer None"}):
            response = get(url, path, headers=headers)
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "console_closed"


def test_a_missing_tracker_store_reads_as_no_conversations(knowledge_base, tmp_path):
    """No conversations yet (no database file): empty lists, and no file is created."""
    missing = tmp_path / "no" / "tracker.db"
    with console_server(knowledge_base, f"sqlite:///{missing}") as url:
        for path, key in [("/api/handoffs", "handoffs"), ("/api/unanswered", "unanswered"), ("/api/feedback", "feedback")]:
            assert get(url, path, headers=STAFF).json()[key] == []
        assert get(url, "/api/stats", headers=STAFF).json()["messages"] == 0
    assert not missing.exists()


def test_a_tracker_store_without_an_events_table_reads_as_empty(knowledge_base, tmp_path):
    import sqlite3

    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("create table something (x)").connection.close()
    with console_server(knowledge_base, f"sqlite:///{path}") as url:
        assert get(url, "/api/handoffs", headers=STAFF).json() == {"handoffs": []}


def test_a_postgresql_tracker_store_is_read_the_same_way(knowledge_base, postgres_url, tmp_path):
    """Production keeps conversations in PostgreSQL: the console reads handoffs and feedback from it."""
    url = seed_tracker_store(tmp_path / "console_tracker.db", server_url=postgres_url)
    with console_server(knowledge_base, url) as base_url:
        handoffs = get(base_url, "/api/handoffs", headers=STAFF).json()["handoffs"]
        assert [h["sender_id"] for h in handoffs] == ["worker-handoff", "worker-old-handoff"]
        assert get(base_url, "/api/feedback", headers=STAFF).json()["counts"] == {"useful": 1, "useless": 1}
        assert len(get(base_url, "/api/unanswered", headers=STAFF).json()["unanswered"]) == 5
