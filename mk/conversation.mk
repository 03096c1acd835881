# Conversation (issue 3): domain, actions, rules and stories.
.PHONY: test-conversation rasa-test-core actions bench-actions

test-conversation: $(INSTALLED) ## pytest the actions and the domain ↔ code consistency
	$(PY) -m pytest tests/actions tests/test_consistency.py -q

rasa-test-core: $(MODEL) ## rasa test core on the held-out test stories (reports in results/core)
	$(RASA) test core --stories tests/stories --model $(MODEL) --out results/core

actions: $(INSTALLED) $(DB) ## start the action server alone (port ACTION_PORT, default 5055)
	$(RASA) run actions --actions actions --port $${ACTION_PORT:-5055}

bench-actions: $(INSTALLED) $(DB) ## time action_search_practices on the held-out questions (warm p50/p95)
	$(PY) -m tests.actions.bench
