from bot.running.lean import lean_process

lean_process()  # before anything loads spaCy: the command line runs no neural network

from bot.cli import main  # noqa: E402

main()
