"""`python -m bot chat` (`make chat`): talk to the running assistant in a terminal.

It talks to the assistant `make run` started, over Rasa's REST channel, so it needs no port
of its own (`rasa shell` starts a second Rasa on 5005 and fails beside `make run`). Answers
read as on WeChat, through the same rendering (`bot.channels.reply`): buttons as numbered
choices that a typed digit picks, each practice as one short numbered item (the text channels' answer), no JSON.
"""
from __future__ import annotations

import sys
import urllib.error
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TextIO

import yaml

from bot.channels.reply import ChannelTexts, choice_payload, compose_reply, texts_from_responses
from bot.rest_client import answers, rest_turn

TURN_TIMEOUT_SECONDS = 60.0
PROMPT = "> "


def channel_texts(domain_file: Path) -> ChannelTexts:
    """The channel's sentences (the line under numbered choices) from domain.yml, read as plain YAML:
    loading Rasa's Domain would import Rasa, seconds of start-up for one sentence."""
    try:
        responses = yaml.safe_load(domain_file.read_text(encoding="utf-8")).get("responses") or {}
    except (OSError, AttributeError, yaml.YAMLError):
        return ChannelTexts()  # the chat still works, without the hint
    return texts_from_responses(responses)


def not_running(rasa_url: str) -> str:
    return (f"the assistant is not running at {rasa_url}: start it with `make run` "
            f"(or point RASA_URL / --url at a running one)")


@dataclass
class TerminalChat:
    """One conversation: sends what is typed (a digit picks a numbered choice) and renders the answer."""

    rasa_url: str
    texts: ChannelTexts
    sender: str
    timeout: float = TURN_TIMEOUT_SECONDS
    choices: tuple[str, ...] = ()

    def answer(self, typed: str) -> str:
        """The rendered answer to one typed line (empty when the assistant said nothing).

        Raises:
            OSError: the assistant cannot be reached or failed.
        """
        message = choice_payload(typed, self.choices) or typed
        composed = compose_reply(rest_turn(self.rasa_url, self.sender, message, self.timeout), self.texts, limit=None)
        self.choices = composed.choices
        return composed.pages[0] if composed.pages else ""


def problem(error: OSError, rasa_url: str) -> str:
    """What to tell the user when a turn failed, in one line."""
    if isinstance(error, urllib.error.HTTPError):
        return f"the assistant at {rasa_url} failed this turn (HTTP {error.code}): see the output of `make run`"
    if isinstance(error, TimeoutError) or "timed out" in str(error):
        return f"the assistant at {rasa_url} did not answer within {TURN_TIMEOUT_SECONDS:.0f} s: try again"
    return not_running(rasa_url)


def run_chat(chat: TerminalChat, read: Callable[[str], str] = input, out: TextIO = sys.stdout,
             err: TextIO = sys.stderr) -> int:
    """The read–answer loop; ends on an empty line, Ctrl-D or Ctrl-C. Returns the exit status."""
    if not answers(f"{chat.rasa_url}/", timeout=3):
        print(not_running(chat.rasa_url), file=err)
        return 1
    print(f"talking to the assistant at {chat.rasa_url}: type a question; a number picks one of the numbered "
          f"choices; an empty line, Ctrl-D or Ctrl-C ends", file=out, flush=True)
    while True:
        try:
            typed = read(PROMPT).strip()
            if not typed:
                return 0
            reply = chat.answer(typed)
        except (EOFError, KeyboardInterrupt):
            print(file=out)
            return 0
        except OSError as error:
            print(problem(error, chat.rasa_url), file=err, flush=True)
            continue
        print(f"{reply}\n" if reply else "(no answer)\n", file=out, flush=True)


def main(rasa_url: str, domain_file: Path) -> int:
    try:
        import readline  # noqa: F401  (line editing and history for input(); absent on some systems)
    except ImportError:  # pragma: no cover
        pass
    chat = TerminalChat(rasa_url.rstrip("/"), channel_texts(domain_file), sender=f"terminal-{uuid.uuid4().hex[:12]}")
    return run_chat(chat)

