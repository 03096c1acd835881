"""Measuring the assistant: the real-question corpus, its evaluation over REST, the metrics."""
