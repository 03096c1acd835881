"""`make run` with the console open also opens Rasa's HTTP API for the takeover, behind a token."""
from __future__ import annotations

import pytest

from bot.running.serve import open_rasa_api_for_the_console


@pytest.mark.parametrize(
    "environ, gets_a_new_token",
    [({"CONSOLE_TOKEN": "staff"}, True), ({"CONSOLE_TOKEN": "staff", "RASA_TOKEN": "mine"}, False), ({}, False)],
    ids=["console-only", "both-set", "console-closed"],
)
def test_an_open_console_gets_a_rasa_token_for_the_run_unless_one_is_set(environ, gets_a_new_token):
    """An agent can take a conversation over with only CONSOLE_TOKEN set: the run gets a long random
    RASA_TOKEN; one set by the operator is kept; with the console closed Rasa's API stays closed."""
    before = dict(environ)
    open_rasa_api_for_the_console(environ)
    if gets_a_new_token:
        assert len(environ["RASA_TOKEN"]) >= 32 and environ["RASA_TOKEN"] not in before.values()
    else:
        assert environ == before
