"""Parts of `python -m bot.bench`: the servers under test, the load generator, the report."""
