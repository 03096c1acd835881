"""docs/api.md shows what the bot really sends: its examples are produced again from the test
run's real Rasa, action server and web app, and compared with the file.

When this fails, the bot's answers changed (or the doc was edited by hand): run `make api-docs`
to write what the running assistant sends, and read the diff before committing it.
"""
from __future__ import annotations

from bot.api_examples import API_DOC, blocks, drifted, produce


def test_every_example_in_the_api_doc_is_what_the_running_assistant_sends(servers):
    """An app developer copying the REST reply, the socket.io events, the custom payload or a JSON
    API answer from docs/api.md gets exactly that from the assistant."""
    examples = produce(servers.rasa_url, servers.web_url)
    document = API_DOC.read_text(encoding="utf-8")
    assert set(blocks(document)) == set(examples), "every example has its block in docs/api.md, and no other"
    assert drifted(document, examples) == [], "docs/api.md drifted from what the bot sends: run make api-docs"


def test_the_doc_examples_cite_the_practice_they_name(servers):
    """The examples are about real practices of the list: the practice looked up by citation is the
    one the doc's REST answer cites, with its place and headline as the list has them."""
    from bot.api_examples import CITED_AS, PRACTICE_ID
    from bot.kb.service import get_knowledge_base

    practice = get_knowledge_base().practice(PRACTICE_ID)
    assert practice is not None and practice.citation == CITED_AS
    examples = produce(servers.rasa_url, servers.web_url)
    assert f'"id": "{PRACTICE_ID}"' in examples["api-practice"] and practice.title in examples["api-practice"]
