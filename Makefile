# 政务服务机器人 — the two commands: `make run` and `make test`. Both set up what is missing.
SHELL := /bin/bash
API_VENV := .venv-api
BOT_VENV := .venv-bot
API_PY := $(API_VENV)/bin/python
BOT_PY := $(BOT_VENV)/bin/python
API_HOST ?= 127.0.0.1
API_PORT ?= 8000
PIP_FLAGS := --quiet --disable-pip-version-check

.PHONY: run test setup lint check-catalog generate train chat saving bench bench-bot bench-load bench-queue clean-venvs

setup: $(API_VENV)/.installed $(BOT_VENV)/.installed var

var:
	mkdir -p var

$(API_VENV)/.installed: requirements/api.lock
	@py=$$(scripts/find_python.sh 3.11) && echo "API 环境 / API env: $$py -> $(API_VENV)" && \
	  $$py -m venv $(API_VENV) && $(API_PY) -m pip install $(PIP_FLAGS) -r requirements/api.lock
	touch $@

$(BOT_VENV)/.installed: requirements/bot.lock
	@py=$$(scripts/find_python.sh 3.10) && echo "机器人环境 / bot env: $$py -> $(BOT_VENV) (about 2 minutes)" && \
	  $$py -m venv $(BOT_VENV) && $(BOT_PY) -m pip install $(PIP_FLAGS) -r requirements/bot.lock
	touch $@

check-catalog: $(API_VENV)/.installed
	$(API_PY) -m api.catalog.loader

run: setup
	$(API_PY) -m api.botgen --check
	API_HOST=$(API_HOST) API_PORT=$(API_PORT) scripts/run_all.sh

generate: $(API_VENV)/.installed
	$(API_PY) -m api.botgen

train: setup
	scripts/train.sh

chat: $(BOT_VENV)/.installed
	$(BOT_PY) scripts/chat.py

test: setup
	scripts/ensure_browser.sh
	$(API_VENV)/bin/ruff check api bot tests bench actions scripts textnorm serversecret privacy trainer
	$(API_VENV)/bin/pytest -q tests --ignore=tests/actions --ignore=tests/bot_components
	$(BOT_PY) -m pytest -q -p no:cacheprovider tests/actions tests/bot_components

lint: $(API_VENV)/.installed
	$(API_VENV)/bin/ruff check api bot tests bench actions scripts textnorm serversecret privacy trainer
	$(API_VENV)/bin/ruff format --check api tests bench textnorm serversecret privacy trainer

saving: $(API_VENV)/.installed
	$(API_PY) -m api.report

bench: setup
	$(API_PY) bench/bench_plan.py
	$(API_PY) bench/bench_submit.py

bench-queue: setup
	$(API_PY) bench/bench_queue.py

bench-bot: setup
	$(BOT_PY) bench/bench_bot.py

bench-load: setup
	$(BOT_PY) bench/bench_load.py

clean-venvs:
	rm -rf $(API_VENV) $(BOT_VENV)
