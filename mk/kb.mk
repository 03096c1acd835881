.PHONY: bench-kb

bench-kb: $(INSTALLED) ## measure warm p50/p95 search latency and hit@3 over the query table
	$(PY) -m bot.kb.bench
