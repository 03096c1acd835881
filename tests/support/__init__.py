"""Helpers the tests share: the real servers, trackers, clients, seeded stores."""
