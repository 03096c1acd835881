# 建筑产业工人经验做法助手 — run `make help` for the targets a newcomer needs.
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
TRAINING_INPUTS := config.yml domain.yml $(shell find data/nlu data/rules data/stories data/jieba bot/nlu -type f -not -name "*.pyc" 2>/dev/null)
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help install system-deps db train run test lint validate clean

help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort -u | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(INSTALLED): requirements.txt constraints.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found (Rasa 3.6 needs it): install it or set PYTHON310=/path/to/python3.10"; exit 1; }
	test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade 'pip==24.0'
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	$(PY) -m pip check
	touch $@

install: $(INSTALLED) ## install the Python environment (.venv) from the pinned requirements

# Debian packages the tests need: PostgreSQL and Redis servers, Chromium and Chinese fonts.
DEBIAN_PACKAGES := postgresql redis-server chromium fonts-noto-cjk
$(SYSTEM_DEPS): Makefile
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@mkdir -p $(VENV) && touch $@

system-deps: $(SYSTEM_DEPS) ## install the Debian packages the tests use (PostgreSQL, Redis, Chromium, fonts)

$(DB): $(INSTALLED) $(wildcard data/sources/*.txt) $(wildcard bot/kb/*.py)
	$(PY) -m bot build-db

db: $(DB) ## build data/practices.db from data/sources/

$(MODEL): $(INSTALLED) $(TRAINING_INPUTS)
	$(RASA) train --fixed-model-name assistant --out models --num-threads 2
	touch $@

train: $(MODEL) ## train the Rasa model (only when data or config changed)

validate: $(INSTALLED) ## check the Rasa training data and domain
	$(RASA) data validate  # warns about responses only actions send: tests/test_consistency.py checks those

lint: $(INSTALLED) ## static checks (ruff)
	$(VENV)/bin/ruff check bot actions tests

run: $(INSTALLED) $(DB) $(MODEL) ## install, build and start the assistant (Rasa, actions, web app)
	$(PY) -m bot.serve

test: $(INSTALLED) $(SYSTEM_DEPS) $(DB) $(MODEL) ## install what is missing and run every test
	$(PY) -m pytest -q

clean: ## remove build outputs (database, models, runtime state)
	rm -rf $(DB) models/*.tar.gz var/* test-output

-include mk/*.mk

lock: $(INSTALLED) ## re-pin every installed package into constraints.txt
	(echo "# Every package of the environment, pinned (regenerate with: make lock)"; \
		$(PY) -m pip freeze --exclude-editable) > constraints.txt
