# Production measures (issue 6): `make bench` writes docs/benchmarks.md and its plot.
.PHONY: bench bench-profile

BENCH_ARGS ?=

bench: $(INSTALLED) $(DB) $(MODEL) ## measure latency, load (1 Rasa, then 2 Rasa + Redis), memory, NLU, search, training; write docs/benchmarks.md
	$(PY) -m bot.bench $(BENCH_ARGS)

bench-profile: $(INSTALLED) $(DB) $(MODEL) ## make bench, plus a py-spy profile of both servers under load
	$(PY) -m bot.bench --profile $(BENCH_ARGS)
