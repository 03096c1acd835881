.PHONY: bench-places

bench-places: $(INSTALLED) ## measure warm p50/p95 of the place recognizer over 1,000 short messages
	$(PY) -m bot.kb.places
