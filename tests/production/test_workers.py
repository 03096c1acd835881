"""`make run` uses every core: several Rasa workers on one port, a local Redis they share, and each
WeChat message answered exactly once whichever worker its deliveries land on. RASA_WORKERS=1 is
one process, as before, without Redis."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.config import Settings
from bot.running.launcher import process_tree
from tests.channels.conftest import AES_KEY, APP_ID, APP_SECRET, TOKEN, WeChatSimulator
from tests.support.clients import wait_until
from tests.support.served import ServedAssistant
from tests.support.wechat import api_stand_in

QUESTIONS = ["包工头欠钱不给咋办", "工地要刷脸吗", "考个焊工证有补贴没", "东莞有啥做法", "培训有补贴吗", "你好"]
USERS = 24
DELIVERIES = 3
"""Each message is delivered this many times at once, as WeChat's retries (here racing each other)."""
REPLY_TIMEOUT = "0.5"
"""Seconds before an answer goes late: short, so that some answers are passive and some late under load."""


@pytest.fixture(scope="module")
def wechat_api():
    with api_stand_in() as api:
        yield api


@pytest.fixture(scope="module")
def served(tmp_path_factory, wechat_api):
    """`make run`'s supervisor with RASA_WORKERS=2 and no REDIS_URL, the WeChat channel on."""
    wechat = {"WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APP_ID, "WECHAT_ENCODING_AES_KEY": AES_KEY,
              "WECHAT_APPSECRET": APP_SECRET, "WECHAT_API_BASE": wechat_api.base_url,
              "WECHAT_REPLY_TIMEOUT": REPLY_TIMEOUT}
    assistant = ServedAssistant(tmp_path_factory.mktemp("workers") / "var",
                                {"RASA_WORKERS": "2", "REDIS_URL": "", "TRACKER_DB_URL": "", **wechat})
    assistant.start(wait=False)
    try:
        assistant.ready_line = assistant.wait_for_ready_line()
        yield assistant
    finally:
        assistant.stop()


def user_messages(var_dir: Path) -> list[dict]:
    """Every user message in the tracker store the workers share."""
    engine = create_engine(Settings(var_dir=var_dir).tracker_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT sender_id, data FROM events WHERE type_name = 'user'")).all()
    engine.dispose()
    return [{"sender": sender, **json.loads(data)} for sender, data in rows]


def test_two_workers_share_one_port_and_a_redis_that_make_run_started(served) -> None:
    assert served.ready_line.endswith("(2 Rasa workers)")
    rasa = served.child("bot.running.rasa_server")
    assert len(process_tree(rasa)) == 3, "Rasa's main process and its two workers"
    redis = served.child("redis-server")
    assert Path(f"/proc/{redis}/cwd").resolve() == (served.var_dir / "redis").resolve()


def test_a_kept_connection_is_closed_after_a_few_answers_so_that_the_workers_take_turns(served) -> None:
    """A client that keeps its connection (a load balancer, WeChat's servers) is still spread over
    both workers: with several, a connection says "Connection: close" and closes after
    ANSWERS_PER_CONNECTION answers, and the client's next one goes to whichever worker is free."""
    import http.client
    from urllib.parse import urlsplit

    from bot.running.rasa_server import ANSWERS_PER_CONNECTION

    url = urlsplit(served.rasa_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    said = []
    try:
        for _ in range(ANSWERS_PER_CONNECTION):
            connection.request("POST", "/webhooks/rest/webhook", body=json.dumps({"sender": "kept", "message": "你好"}),
                               headers={"Content-Type": "application/json", "Connection": "keep-alive"})
            response = connection.getresponse()
            assert response.status == 200 and json.loads(response.read())
            said.append(response.getheader("Connection"))
    finally:
        connection.close()
    assert said == ["keep-alive"] * (ANSWERS_PER_CONNECTION - 1) + ["close"]


def test_each_wechat_message_is_processed_once_and_answered_once(served, wechat_api) -> None:
    """24 users each send a message that arrives 3 times at once: each is one user message in the
    tracker store and gets one answer, passively (every delivery the same text, nothing sent through
    the customer-service API) or late (only acknowledgements, one customer-service message)."""
    wechat = WeChatSimulator(f"{served.rasa_url}/webhooks/wechat/webhook")
    messages = {f"worker-{n}": wechat.message("text", Content=QUESTIONS[n % len(QUESTIONS)],
                                              FromUserName=f"worker-{n}") for n in range(USERS)}
    deliveries = [fields for fields in messages.values() for _ in range(DELIVERIES)]
    with ThreadPoolExecutor(max_workers=len(deliveries)) as pool:
        responses = list(pool.map(lambda fields: wechat.post(fields, timeout=30), deliveries))
    passive: dict[str, set[str]] = defaultdict(set)
    for fields, response in zip(deliveries, responses):
        assert response.status_code == 200, response.text
        if response.text != "success":
            passive[fields["FromUserName"]].add(wechat.reply(response).content)
    late_users = set(messages) - set(passive)
    wait_until(lambda: len(wechat_api.sent) >= len(late_users), timeout=60)
    wait_until(lambda: False, timeout=2)  # a second (wrong) late send would arrive by now
    late = Counter(sent["body"]["touser"] for sent in wechat_api.sent)

    stored = Counter(message["message_id"] for message in user_messages(served.var_dir)
                     if message["sender"] in messages)
    assert stored == Counter({fields["MsgId"]: 1 for fields in messages.values()}), "each processed once"
    for user, replies in passive.items():
        assert len(replies) == 1 and next(iter(replies)), f"{user}: one answer, the same on every delivery"
        assert late[user] == 0, f"{user} was answered passively: nothing may come late"
    for user in late_users:
        assert late[user] == 1, f"{user}: the answer came late, exactly once"
    print(f"{len(passive)} answered passively, {len(late_users)} late")


def test_a_number_picks_the_button_whichever_worker_showed_it(served, wechat_api) -> None:
    """The numbered choices shown by one worker are the ones the next message's worker maps the digit to."""
    wechat = WeChatSimulator(f"{served.rasa_url}/webhooks/wechat/webhook")
    user = "worker-choosing"
    first = wechat.post(wechat.message("text", Content="包工头欠钱不给咋办", FromUserName=user), timeout=30)
    if first.text == "success":  # answered late: the choices are remembered once it is sent
        assert wait_until(lambda: any(s["body"]["touser"] == user for s in wechat_api.sent), 30) is not None
    wechat.post(wechat.message("text", Content="1", FromUserName=user), timeout=30)
    def said_by_user() -> list[str]:
        return [m["text"] for m in user_messages(served.var_dir) if m["sender"] == user]

    assert wait_until(lambda: len(said_by_user()) == 2, 30) is not None
    said = said_by_user()
    assert said[0] == "包工头欠钱不给咋办"
    assert said[1].startswith("/"), f"the digit became the first button's payload: {said}"


@pytest.mark.parametrize("workers, broken_redis", [("1", False), ("2", True)],
                         ids=["RASA_WORKERS=1", "Redis cannot start"])
def test_one_worker_is_one_rasa_process_without_redis(tmp_path, workers, broken_redis) -> None:
    """RASA_WORKERS=1, or a Redis that cannot start (one line says so): Rasa is one process, no Redis
    runs, and the ready line says one worker."""
    var_dir = tmp_path / "var"
    if broken_redis:
        var_dir.mkdir()
        (var_dir / "redis").write_text("a file where Redis's data folder should be")
    assistant = ServedAssistant(var_dir, {"RASA_WORKERS": workers, "REDIS_URL": "", "TRACKER_DB_URL": ""})
    assistant.start(wait=False)
    try:
        assert assistant.wait_for_ready_line().endswith("(1 Rasa worker)")
        rasa = assistant.child("bot.running.rasa_server")
        assert process_tree(rasa) == [rasa]
        with pytest.raises(LookupError):
            assistant.child("redis-server")
    finally:
        assistant.stop()
    printed = (var_dir / "serve.log").read_text().splitlines()
    said_about_redis = [line for line in printed if "redis" in line.lower()]
    if broken_redis:
        assert said_about_redis == [f"[serve] redis-server cannot keep its data in {var_dir / 'redis'} "
                                    "(File exists): running 1 Rasa worker, not 2"], printed
    else:
        assert said_about_redis == [], printed
