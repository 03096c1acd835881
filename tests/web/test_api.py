"""The console's public JSON API and pages, served for real on loopback: what an app or an agent gets back,
and what is refused. The staff endpoints are in test_staff_api.py."""
from __future__ import annotations

import pytest
import requests
import yaml

from bot.config import ROOT
from bot.web.app import create_app
from bot.web.catalog import highlight_terms
from bot.web.templating import highlight
from tests.support.console import HTML_ATTACK, STAFF, TOKEN, get

# ---------------------------------------------------------------- search


def test_a_worker_question_with_a_place_lists_that_place_first(base):
    """包工头欠工资 asked from 广州: hits come back, Guangdong's before the rest, with words to mark."""
    body = get(base, "/api/search", params={"q": "包工头欠工资怎么办", "region": "广州"}).json()
    assert body["place"] == "广东省广州市"
    assert body["hits"] and body["total"] >= len(body["hits"])
    order = {"exact": 0, "province": 1, "none": 2}
    tiers = [order[h["region_match"]] for h in body["hits"]]
    assert tiers == sorted(tiers)
    assert body["hits"][0]["province"] == "广东省"
    assert any("工资" in term for term in body["terms"])
    assert set(body["hits"][0]) >= {"id", "citation", "task", "measure", "region", "province", "title", "text",
                                    "document", "score", "region_match"}


@pytest.mark.parametrize("q", ["五（一）2", "五(一)2", "5.1.2", "清单五（一）2讲的是什么", "第五项第一条第二个"])
def test_a_search_by_the_list_numbering_puts_that_practice_first(base, q):
    """An agent types the citation: 重庆's 工资专户 practice is the first hit, in every form."""
    hits = get(base, "/api/search", params={"q": q}).json()["hits"]
    assert hits[0]["id"] == "5.1.2" and hits[0]["citation"] == "五（一）2"


@pytest.mark.parametrize("reference", ["5.1.2", "五（一）2", "第五项第一条第二个"])
def test_a_practice_is_fetched_by_id_or_citation(base, reference):
    body = get(base, f"/api/practices/{reference}").json()
    assert body["id"] == "5.1.2" and body["region"] == "重庆市"


def test_a_practice_in_the_city_asked_about_is_marked_exact(base):
    """实名制 for a caller in 广州: 广州's own practice comes first, marked 本地 (exact)."""
    hits = get(base, "/api/search", params={"q": "实名制", "region": "广州"}).json()["hits"]
    assert hits[0]["region_match"] == "exact"
    assert "广州" in hits[0]["region"]


@pytest.mark.parametrize(
    "params, check",
    [
        ({"q": "工资", "province": "广东省"}, lambda h: h["province"] == "广东省"),
        ({"q": "工资", "task": "5"}, lambda h: h["id"].startswith("5.")),
        ({"q": "工资", "measure": "5.1"}, lambda h: h["id"].startswith("5.1.")),
        ({"q": "培训", "task": "3"}, lambda h: h["id"].startswith("3.")),
    ],
)
def test_filters_keep_only_matching_practices(base, params, check):
    """Filtering by work task, measure or province shows only those practices."""
    body = get(base, "/api/search", params=params).json()
    assert body["hits"], params
    assert all(check(h) for h in body["hits"])


def test_limit_and_offset_page_through_hits_without_repeats(base):
    first = get(base, "/api/search", params={"q": "工资", "limit": 2}).json()
    second = get(base, "/api/search", params={"q": "工资", "limit": 2, "offset": 2}).json()
    assert len(first["hits"]) == 2
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


@pytest.mark.parametrize(
    "params, code",
    [
        ({"q": ""}, "empty_query"),
        ({"q": "   "}, "empty_query"),
        ({}, "empty_query"),
        ({"q": "欠薪" * 5000}, "query_too_long"),
        ({"q": "欠薪", "limit": "abc"}, "bad_limit"),
        ({"q": "欠薪", "limit": "-1"}, "bad_limit"),
        ({"q": "欠薪", "limit": "0"}, "bad_limit"),
        ({"q": "欠薪", "limit": "100000"}, "bad_limit"),
        ({"q": "欠薪", "limit": "１０"}, "bad_limit"),
        ({"q": "欠薪", "offset": "-5"}, "bad_offset"),
        ({"q": "欠薪", "region": "广" * 10000}, "region_too_long"),
        ({"q": "欠薪", "task": "5 OR 1=1"}, "bad_filter"),
        ({"q": "欠薪", "measure": "'; DROP TABLE practices; --"}, "bad_filter"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_bad_search_input_is_refused_with_a_clear_message(base, params, code):
    """Empty, huge or malformed input: 400 with a Chinese and an English message, never a traceback."""
    response = get(base, "/api/search", params=params)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and error["message_en"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "q",
    ["' OR 1=1; DROP TABLE practices; --", "🏗️👷‍♂️💰", "\x00\x01\x1f欠薪\x7f", HTML_ATTACK, "%_%", "今天天气怎么样"],
)
def test_odd_queries_give_an_answer_and_harm_nothing(base, q):
    """SQL, emoji, control characters, HTML: a JSON answer (hits or none), and the practices are all still there."""
    response = get(base, "/api/search", params={"q": q})
    assert response.status_code == 200
    assert isinstance(response.json()["hits"], list)
    assert get(base, "/api/practices").json()["total"] == 47


def test_an_off_topic_question_finds_nothing(base):
    assert get(base, "/api/search", params={"q": "今天天气怎么样"}).json()["hits"] == []


# ---------------------------------------------------------------- practices


def test_every_practice_is_listed_once_in_document_order(base, practices):
    body = get(base, "/api/practices").json()
    assert body["total"] == len(practices) == 47
    assert [p["id"] for p in body["practices"]] == [p.id for p in practices]


@pytest.mark.parametrize("params, prefix", [({"task": "5"}, "5."), ({"measure": "2.1"}, "2.1."), ({"task": "1"}, "1.")])
def test_practices_can_be_filtered(base, params, prefix):
    body = get(base, "/api/practices", params=params).json()
    assert body["total"] > 0
    assert all(p["id"].startswith(prefix) for p in body["practices"])


def test_a_practice_comes_with_a_ready_to_read_answer_citing_its_source(base):
    """/api/practices/5.1.2: the practice, and a script naming its place, citation and document."""
    response = get(base, "/api/practices/5.1.2")
    body = response.json()
    assert response.status_code == 200
    assert (body["id"], body["citation"], body["region"]) == ("5.1.2", "五（一）2", "重庆市")
    for part in (body["region"], body["title"], body["citation"], body["document"], "5.1.2"):
        assert part in body["script"]
    assert len(body["script"]) < 400


@pytest.mark.parametrize("practice_id", ["9.9.9", "abc", "5.1.2'--", "5.1", "<b>", "1" * 300])
def test_an_unknown_practice_is_a_404_in_json(base, practice_id):
    response = get(base, f"/api/practices/{requests.utils.quote(practice_id, safe='')}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "practice_not_found"


def test_browse_counts_add_up_to_every_practice(base):
    body = get(base, "/api/browse").json()
    assert body["total"] == 47
    for facet in ("tasks", "measures", "provinces"):
        assert sum(f["count"] for f in body[facet]) == 47
    assert [t["key"] for t in body["tasks"]] == ["1", "2", "3", "4", "5"]


def test_public_api_answers_allowed_origins_only(base):
    allowed = get(base, "/api/search", params={"q": "欠薪"}, headers={"Origin": "https://app.example.gov.cn"})
    other = get(base, "/api/search", params={"q": "欠薪"}, headers={"Origin": "https://evil.example"})
    staff = get(base, "/api/handoffs", headers={**STAFF, "Origin": "https://app.example.gov.cn"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example.gov.cn"
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Access-Control-Allow-Origin" not in staff.headers


# ---------------------------------------------------------------- description, errors, pages


def test_openapi_describes_every_api_route(base, knowledge_base):
    """Every /api route of the app is in the OpenAPI description, and nothing else is."""
    described = yaml.safe_load(get(base, "/api/openapi.yaml").text)
    assert get(base, "/api/openapi.json").json() == described
    routes = {r.resource.canonical for r in create_app(knowledge_base).router.routes() if r.resource}
    assert {r for r in routes if r.startswith("/api/")} == set(described["paths"])
    assert (ROOT / "bot" / "web" / "openapi.yaml").is_file()


@pytest.mark.parametrize("path, status", [("/api/nothing-here", 404), ("/api/practices/5.1.2/x", 404)])
def test_unknown_api_paths_answer_in_json(base, path, status):
    response = get(base, path)
    assert response.status_code == status
    assert response.json()["error"]["code"] == "not_found"


def test_posting_to_the_api_is_refused_in_json(base):
    response = requests.post(base + "/api/search", data={"q": "欠薪"}, timeout=30)
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_sign_in_sets_a_strict_http_only_cookie_and_only_redirects_inside(base):
    """The staff sign-in: wrong token refused; right token gives a HttpOnly, SameSite=Strict session."""
    wrong = requests.post(base + "/console/login", data={"token": "nope", "next": "/console/editor"},
                          timeout=30, allow_redirects=False)
    assert wrong.status_code == 401 and "console_session" not in wrong.headers.get("Set-Cookie", "")
    right = requests.post(base + "/console/login", data={"token": TOKEN, "next": "//evil.example/x"},
                          timeout=30, allow_redirects=False)
    assert right.status_code == 303
    assert right.headers["Location"] == "/console/handoffs"
    cookie = right.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = get(base, "/console/handoffs", cookies=right.cookies)
    assert page.status_code == 200 and "我要找人工客服" in page.text


def test_staff_pages_escape_what_users_wrote(base):
    session = requests.post(base + "/console/login", data={"token": TOKEN}, timeout=30, allow_redirects=False).cookies
    for path in ("/console/handoffs", "/console/editor", "/console/conversations/worker-handoff"):
        page = get(base, path, cookies=session)
        assert page.status_code == 200
        assert "&lt;script&gt;alert(" in page.text
        assert "<script>alert(" not in page.text and "<img src=x" not in page.text


def test_staff_pages_ask_to_sign_in(base):
    response = get(base, "/console/handoffs")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/console/login?next=")


@pytest.mark.parametrize(
    "path, status, text",
    [
        ("/console", 200, "查找经验做法"),
        ("/console?q=拖欠工资", 200, "<mark>"),
        ("/console?q=" + "欠" * 10000, 400, "查询内容太长了"),
        ("/console?q=欠薪&limit=abc", 400, "limit"),
        ("/practices/5.1.2", 200, "五（一）2"),
        ("/practices/9.9.9", 404, "没有这个编号"),
        ("/browse", 200, "按省份"),
        ("/browse?province=广东省", 200, "广东省"),
        ("/browse?task=x", 400, "筛选条件不正确"),
        ("/console/nothing", 404, "页面不存在"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_public_pages(base, path, status, text):
    """Pages answer in Chinese, with a message (never a traceback) for bad input, and a strict CSP."""
    response = get(base, path)
    assert response.status_code == status
    assert text in response.text
    assert "Traceback" not in response.text
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "text, terms, html",
    [
        ("<b>拖欠工资</b>", ["欠工", "工资"], "&lt;b&gt;拖<mark>欠工资</mark>&lt;/b&gt;"),
        ("a&b 实名制", ["实名"], "a&amp;b <mark>实名</mark>制"),
        ("无关", [], "无关"),
        ("<mark>", ["mark"], "&lt;<mark>mark</mark>&gt;"),
    ],
)
def test_highlight_escapes_first_then_marks(text, terms, html):
    assert str(highlight(text, terms)) == html


def test_highlight_terms_are_the_query_words_found_in_the_hits():
    texts = ["广东省广州市建立农民工工资支付监控预警平台，防范拖欠。"]
    terms = highlight_terms("广州包工头拖欠工资", texts)
    assert all(any(word in term for term in terms) for word in ("广州", "拖欠", "工资"))
    assert "包工头" not in terms


def test_search_page_labels_local_and_elsewhere_only_when_a_caller_place_is_given(base):
    """Without a place every hit would read "外地做法", which says nothing: the label appears only with a place."""
    legend_labels = 3  # the legend explains the three labels
    plain = get(base, "/console", params={"q": "工资专户"}).text
    with_place = get(base, "/console", params={"q": "工资专户", "region": "重庆"}).text
    assert plain.count('class="tier tier-') == legend_labels
    assert with_place.count('class="tier tier-exact"') > 1


def test_editor_charts_name_topics_in_chinese_and_every_intent_has_a_name(base):
    import yaml

    from bot.config import ROOT
    from bot.web.templating import INTENT_LABELS

    labels = yaml.safe_load(INTENT_LABELS.read_text(encoding="utf-8"))
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    assert intents <= set(labels), sorted(intents - set(labels))
    session = requests.post(base + "/console/login", data={"token": TOKEN}, timeout=30, allow_redirects=False).cookies
    page = get(base, "/console/editor", cookies=session).text
    assert labels["ask_wage_arrears"] in page
    assert ">ask_wage_arrears<" not in page
