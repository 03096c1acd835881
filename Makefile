# 建筑产业工人经验做法助手 — `make help` lists what a newcomer needs, grouped by what you want to do.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
# Rasa 3.6 runs on Python 3.10 only: take it from PATH, else from pyenv's versions.
PYTHON310 ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo $$p; break; }; done)
INSTALLED := $(VENV)/.installed
SYSTEM_DEPS := $(VENV)/.system-deps
DB := data/practices.db
MODEL := models/assistant.tar.gz
NLU_MODEL := models/nlu.tar.gz
CORPUS := data/questions/train.yml data/questions/dev.yml data/questions/test.yml data/nlu/real_questions.yml
TRAINING_INPUTS := config.yml domain.yml data/questions/train.yml $(shell find data/nlu data/rules data/stories data/jieba bot/nlu -type f -not -name "*.pyc" 2>/dev/null)
NLU_INPUTS := config.yml data/questions/train.yml $(shell find data/nlu data/jieba -type f 2>/dev/null) $(wildcard bot/nlu/*.py)
CHAT_VENDOR := bot/web/static/chat/vendor
# Debian packages the tests need: PostgreSQL and Redis servers, Chromium and Chinese fonts, and tmux
# (the terminal chat is tested in a real terminal).
DEBIAN_PACKAGES := postgresql redis-server chromium fonts-noto-cjk tmux
BENCH_ARGS ?=
EVAL_ARGS ?=
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help run chat web actions test test-fast test-kb test-conversation test-nlu test-channels test-chat test-web \
	lint validate validate-nlu rasa-test-core rasa-test-nlu eval eval-dev labels-round tune bench bench-profile bench-kb \
	bench-places bench-actions install system-deps db train train-nlu corpus lock chat-vendor clean deploy-config

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^##@/ {printf "\n%s\n", substr($$0, 5); next} \
		/^[a-zA-Z0-9_-]+:.*## / {printf "  make %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

##@ Run the assistant
run: $(INSTALLED) $(DB) $(MODEL) ## install, build and start the assistant (Rasa workers, actions, web app)
	@workers=$${RASA_WORKERS:-$$(nproc --all)}; \
	if [ "$$workers" -gt 1 ] 2>/dev/null && [ -z "$${REDIS_URL:-}" ]; then \
		$(call install_debian_packages,redis-server) || true; \
	fi
	@$(PY) -m bot.running.serve

chat: $(INSTALLED) ## chat in this terminal with the assistant `make run` runs (RASA_URL points elsewhere)
	@$(PY) -m bot chat

web: $(INSTALLED) $(DB) ## run the web app alone: console, JSON API and chat page (WEB_PORT, default 8000)
	$(PY) -m bot.web.app

actions: $(INSTALLED) $(DB) ## run the warmed action server alone (ACTION_PORT, default 5055)
	$(PY) -m bot.running.action_server --actions actions --port $${ACTION_PORT:-5055}

##@ Test
test: $(INSTALLED) $(SYSTEM_DEPS) $(DB) $(MODEL) ## install what is missing and run every test
	$(PY) -m pytest -q

test-fast: $(INSTALLED) ## the tests that need no trained model, no server and no browser (a few minutes)
	$(PY) -m pytest -q -m "not slow"

test-kb: $(INSTALLED) ## the knowledge base: ingestion, database, places, search, citations, answerability
	$(PY) -m pytest tests/kb -q

test-conversation: $(INSTALLED) ## the actions and the domain ↔ code consistency
	$(PY) -m pytest tests/actions tests/test_consistency.py -q

test-nlu: $(INSTALLED) ## the NLU data, held-out sets and custom components
	$(PY) -m pytest tests/nlu -q

test-channels: $(INSTALLED) ## the WeChat/WeCom channels (real servers on loopback, wechatpy clients)
	$(PY) -m pytest tests/channels -q

test-chat: $(INSTALLED) $(SYSTEM_DEPS) ## the web chat (socket.io client, headless Chromium)
	$(PY) -m pytest -q tests/web/test_socketio.py tests/web/test_chat_browser.py

test-web: $(INSTALLED) $(SYSTEM_DEPS) ## the console and its JSON API (API tests and headless Chromium)
	$(PY) -m pytest tests/web/test_api.py tests/web/test_console_browser.py -q

lint: $(INSTALLED) ## static checks (ruff)
	$(VENV)/bin/ruff check bot actions tests

validate: $(INSTALLED) ## check the Rasa training data and domain
	$(RASA) data validate  # warns about responses only actions send: tests/test_consistency.py checks those

validate-nlu: $(INSTALLED) ## check the NLU training data against config.yml and domain.yml
	$(RASA) data validate --data data/nlu --config config.yml

rasa-test-core: $(MODEL) ## rasa test core on the held-out test stories (reports in results/core)
	$(RASA) test core --stories tests/stories --model $(MODEL) --out results/core

rasa-test-nlu: $(NLU_MODEL) ## rasa test nlu on the held-out set (reports in results/)
	$(RASA) test nlu --nlu tests/nlu/test_nlu.yml --model $(NLU_MODEL) --out results/nlu

##@ Measure
eval: $(INSTALLED) $(DB) $(MODEL) ## the real servers on the test part of the real questions, with baselines → docs/evaluation.md
	$(PY) -m bot.measure.evaluate $(EVAL_ARGS)

eval-dev: $(INSTALLED) $(DB) $(MODEL) ## the same on the development part (the one thresholds are tuned on) → var/eval/
	$(PY) -m bot.measure.evaluate --part dev $(EVAL_ARGS)

labels-round: $(INSTALLED) $(DB) $(MODEL) ## the editors' loop on data/questions/rounds/: ask, label the misses in the console, export, corpus, train, ask again → docs/labels-round.md
	$(PY) -m bot.measure.labels_round

tune: $(INSTALLED) $(DB) $(MODEL) ## compare answer-or-refuse thresholds on the development part
	$(PY) -m bot.measure.tune

bench: $(INSTALLED) $(DB) $(MODEL) ## latency, load (1 Rasa, then 2 Rasa + Redis), memory, NLU, search, training → docs/benchmarks.md
	$(PY) -m bot.measure.bench $(BENCH_ARGS)

bench-profile: $(INSTALLED) $(DB) $(MODEL) ## make bench, plus a py-spy profile of both servers under load
	$(PY) -m bot.measure.bench --profile $(BENCH_ARGS)

bench-kb: $(INSTALLED) ## warm p50/p95 search latency and hit@3 over the search query table
	$(PY) -m bot.measure.search_bench

bench-places: $(INSTALLED) ## warm p50/p95 of the place recognizer over 1,000 short messages
	$(PY) -m bot.measure.places_bench

##@ Data and build
install: $(INSTALLED) ## the Python environment (.venv) from the pinned requirements

# Our own progress lines; pip's output only when it has something to say (--quiet keeps its warnings).
$(INSTALLED): requirements.txt constraints.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found (Rasa 3.6 needs it): install it or set PYTHON310=/path/to/python3.10"; exit 1; }
	@echo "[make] installing the pinned Python packages into $(VENV) (the first time takes several minutes) …"
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade 'pip==24.0'
	@$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	@$(PY) -m pip check >/dev/null || $(PY) -m pip check
	@touch $@

system-deps: $(SYSTEM_DEPS) ## the Debian packages the tests use (PostgreSQL, Redis, Chromium, fonts, tmux)

$(SYSTEM_DEPS): Makefile
	@$(call install_debian_packages,$(DEBIAN_PACKAGES))
	@mkdir -p $(VENV) && touch $@

# Installs those of the Debian packages $(1) that are missing (as root, else with sudo). `make run` uses it
# for redis-server, which several Rasa workers share (when it fails, the assistant runs one worker).
define install_debian_packages
missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
if [ -n "$$missing" ]; then \
	echo "[make] installing Debian packages: $$missing"; \
	SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
fi
endef

db: $(DB) ## build data/practices.db from data/sources/

$(DB): $(INSTALLED) $(wildcard data/sources/*.txt) $(wildcard bot/kb/*.py)
	@echo "[make] building $(DB) from data/sources/ …"
	@$(PY) -m bot build-db

train: $(MODEL) ## train the Rasa model (only when data or config changed)

# `rasa train` through bot.running.train: a few progress lines here, its full output in var/log/train.log.
$(MODEL): $(INSTALLED) $(TRAINING_INPUTS)
	@$(PY) -m bot.running.train --fixed-model-name assistant --out models --num-threads 2
	@touch $@

train-nlu: $(NLU_MODEL) ## train the NLU model alone (only when NLU data or config changed)

$(NLU_MODEL): $(INSTALLED) $(NLU_INPUTS)
	@$(PY) -m bot.running.train nlu --config config.yml --nlu data/nlu --out models --fixed-model-name nlu --num-threads 2
	@touch $@

corpus: $(INSTALLED) ## split data/questions/raw/ by site into train/dev/test and regenerate data/nlu/real_questions.yml
	$(PY) -m bot.measure.corpus

api-docs: $(INSTALLED) $(DB) $(MODEL) ## write docs/api.md's examples from what the running assistant sends (a test checks them)
	$(PY) -m bot.api_examples

lock: $(INSTALLED) ## re-pin every installed package into constraints.txt
	(echo "# Every package of the environment, pinned (regenerate with: make lock)"; \
		$(PY) -m pip freeze --exclude-editable) > constraints.txt

# The socket.io client is vendored into bot/web/static/chat/vendor/ (committed), so running and
# testing need no npm and no outside host; package.json + package-lock.json pin where it came from.
chat-vendor: ## refresh the vendored socket.io client of the web chat from the npm lock (needs npm)
	npm ci --no-fund --no-audit
	mkdir -p $(CHAT_VENDOR)
	cp node_modules/socket.io-client/dist/socket.io.min.js $(CHAT_VENDOR)/socket.io.min.js
	cp node_modules/socket.io-client/LICENSE $(CHAT_VENDOR)/socket.io-client.LICENSE

clean: ## remove build outputs (database, models, runtime state)
	rm -rf $(DB) models/*.tar.gz models/eval var/* test-output

##@ Deploy
deploy-config: $(INSTALLED) ## check the deployment files (compose, Helm values) name the warmed action server
	$(PY) -m pytest -q tests/test_deploy.py
