"""The action server, warmed up before it listens.

`python -m bot.running.action_server` takes rasa_sdk's own arguments. The knowledge base (database,
gazetteer, spaCy, jieba) loads once here, before the first worker question, instead of
making that first question wait several seconds.
"""
from __future__ import annotations

import logging

logger = logging.getLogger(__name__)
WARM_UP_QUERY = "工资专户 东莞"


def warm_up() -> None:
    """Load the knowledge base and run one search; a failure is logged, the actions report it per turn."""
    from bot.kb.service import KnowledgeBaseUnavailable, get_knowledge_base

    try:
        get_knowledge_base().search(WARM_UP_QUERY)
    except KnowledgeBaseUnavailable as exc:
        logger.error("knowledge base unavailable: %s", exc)


def action_server_command(port: int) -> list[str]:
    """The command line of the warmed action server, as make run, the launcher and deploy/ start it."""
    import sys

    return [sys.executable, "-m", "bot.running.action_server", "--actions", "actions", "--port", str(port)]


def main() -> None:
    import os

    from bot.running.lean import lean_process
    from bot.running.rasa_server import RASA_ENVIRONMENT

    lean_process()  # the actions run no neural network: no TensorFlow in this process
    os.environ.update(RASA_ENVIRONMENT)  # read by Sanic when rasa_sdk creates its app
    # Imported here, not at the top: make run's supervisor reads action_server_command without loading the SDK.
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    args = create_argument_parser().parse_args()
    if not args.actions:
        args.actions = "actions"
    warm_up()
    main_from_args(args)


if __name__ == "__main__":
    main()
