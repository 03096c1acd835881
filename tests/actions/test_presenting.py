"""How one practice looks on a phone: the key fact, and the messages as Rasa renders them."""
from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from actions.practices import ActionSearchPractices
from actions.presenting import has_figure, key_fact, reports_results, sentences, shorten
from tests.support.chat import make_tracker, run


@pytest.mark.parametrize(
    "practice_id, fact_contains, not_contains",
    [
        ("5.1.2", "全面推行农民工工资专户管理制度", "165.01亿元"),  # what is done, not the total paid
        ("4.2.4", "补贴 200 元", "〔2023〕"),  # the amount per worker, not the document number
        ("5.2.1", "调解", "截至"),
        ("5.1.3", "预警", "1025次"),
    ],
)
def test_key_fact_says_what_is_done_not_a_statistic(knowledge_base, practice_id, fact_contains, not_contains):
    """Each item carries one key fact a worker can use: what the place does, quoted from its text."""
    fact = key_fact(knowledge_base.practice(practice_id))
    assert fact_contains in fact and not_contains not in fact


def test_key_fact_reports_totals_only_when_the_text_has_nothing_else(knowledge_base):
    """Of all practices, none shows a report of totals ("截至…累计…万人次") when it says what it does;
    a practice that only reports totals still gets its total."""
    for practice in knowledge_base.practices():
        body = [s for s in sentences(practice.text)[1:] if not reports_results(s)]
        if body:
            assert not reports_results(key_fact(practice)), practice.id
    only_totals = replace(knowledge_base.practice("5.1.2"), text="重庆市全面推行农民工工资专户管理及银行代发制度。截至2023年底，共代发工资165.01亿元。")
    assert "165.01亿元" in key_fact(only_totals)


def test_every_key_fact_is_short_and_from_the_text(knowledge_base):
    """For all practices: a fact of 16 to 56 characters (plus …), taken from the practice's own text."""
    for practice in knowledge_base.practices():
        fact = key_fact(practice)
        assert 16 <= len(fact.rstrip("…")) <= 56, (practice.id, fact)
        assert fact.rstrip("…") in practice.text or fact.rstrip("…") in practice.title, practice.id
        assert practice.title not in fact, practice.id


@pytest.mark.parametrize(
    "sentence, figure",
    [("已培育3515名智能建造产业工人。", True), ("提高到2.5%。", True), ("截至2023年底，成效明显。", False),
     ("（豫建人教〔2022〕19号）", False), ("一是壮队伍。", False)],
)
def test_a_figure_is_a_counted_number_not_a_year(sentence, figure):
    assert has_figure(sentence) is figure


def test_long_sentence_is_cut_at_a_clause_without_breaking_a_number():
    """A long sentence keeps whole clauses from its first figure on, ending with …"""
    sentence = "由企业注册地财政按每培训 1 名建筑高级工补贴 200 元、建筑施工特种作业人员补贴 300 元、现场管理人员补贴 400 元，经费从地方财政列支。"
    short = shorten(sentence, 40)
    assert short.endswith("…") and len(short) <= 41
    assert short.rstrip("…").endswith("元")


def render(domain_path, reply):
    """The messages as the Rasa server fills the responses of domain.yml for the channel."""
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(domain_path))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker("worker", domain.slots)
    out = []
    for message in reply.messages:
        kwargs = {k: v for k, v in message.items() if k not in ("response", "template") and v}
        draft = asyncio.run(nlg.generate(message["response"], tracker, "rest", **kwargs)) if message.get("response") else {}
        draft.setdefault("buttons", []).extend(message.get("buttons") or [])  # as Rasa merges an action's buttons
        if message.get("custom"):
            draft["custom"] = message["custom"]
        out.append(draft)
    return out


def test_rendered_answer_is_one_short_text_with_numbered_buttons(knowledge_base):
    """Rendered by Rasa for a text channel: one text with each practice once (place, headline, fact)
    and one source line, a 看第N条全文 button per practice; short guidance; then 更多 / 有用 / 没用."""
    from bot.config import ROOT

    reply = run(ActionSearchPractices(knowledge_base), make_tracker("包工头欠钱不给咋办", "ask_wage_arrears"))
    rendered = render(ROOT / "domain.yml", reply)
    answer, *rest = rendered
    practices = [knowledge_base.practice(i) for i in reply.cited_ids]
    lines = answer["text"].split("\n")
    assert [line.split(" ", 1)[0] for line in lines[0::2][:3]] == ["1.", "2.", "3."]
    assert all(p.region in answer["text"] and answer["text"].count(p.title) == 1 for p in practices)
    assert lines[-1] == "出处：《培育新时代建筑产业工人可复制经验做法清单（第一批）》" + "、".join(p.citation for p in practices)
    assert [b["title"] for b in answer["buttons"]] == ["看第1条全文", "看第2条全文", "看第3条全文"]
    assert answer["buttons"][2]["payload"] == '/ask_detail{"ordinal":"3"}'
    assert [p["id"] for p in answer["custom"]["practices"]] == reply.cited_ids
    guidance = [m["text"] for m in rest if "通用提示" in m.get("text", "")]
    assert len(guidance) == 1 and "12333" in guidance[0] and len(guidance[0]) <= 80
    assert [b["payload"] for b in rest[-1]["buttons"]] == ["/ask_more", "/feedback_useful", "/feedback_useless"]
    texts = [m.get("text", "") for m in rendered]
    assert all("{" not in t for t in texts), "every variable filled"
    assert sum(len(t) for t in texts) < 520, "short enough for one WeChat reply"


def test_every_key_fact_quotes_the_text_and_never_cuts_a_figure(practices):
    """A worker reads a figure as printed: a fact is a piece of the text and no number in it is cut short."""
    from actions.presenting import key_fact

    for practice in practices:
        fact = key_fact(practice).rstrip("…")
        assert fact in practice.text, practice.id
        after = practice.text[practice.text.index(fact) + len(fact):][:2]
        assert not (fact[-1:].isdigit() and after[:1].isdigit()), (practice.id, fact)
        assert not (fact[-1:].isdigit() and after[:1] == " " and after[1:2].isdigit()), (practice.id, fact)


@pytest.mark.parametrize("text", ["", "。", "   "])
def test_a_practice_with_nothing_to_quote_gets_an_empty_fact_not_an_error(knowledge_base, text):
    practice = replace(knowledge_base.practice("5.1.2"), title=text, text=text)
    assert key_fact(practice) == ""


def test_a_practice_key_fact_is_worked_out_once(knowledge_base, monkeypatch):
    """A practice never changes, so the second answer showing it reuses its fact: the same text."""
    from actions import presenting

    practice = replace(knowledge_base.practice("5.1.2"), title="一个新标题")  # not shown by another test
    first = key_fact(practice)
    monkeypatch.setattr(presenting, "_best_quote", lambda *args: pytest.fail("the fact was worked out again"))
    assert key_fact(practice) == first
