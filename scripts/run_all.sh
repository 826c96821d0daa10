#!/usr/bin/env bash
# `make run`: migrate, train if needed, start API, action server and Rasa; Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
API_HOST=${API_HOST:-127.0.0.1}
API_PORT=${API_PORT:-8000}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
mkdir -p var
.venv-api/bin/python -m api.catalog.loader
.venv-api/bin/alembic -c api/alembic.ini upgrade head
model=$(scripts/train.sh)

# Rasa's HTTP API always takes a token: the configured one, or a fresh one for this run. It goes
# to Rasa and the API through the environment, never on a command line (where `ps` shows it).
if [ -z "${RASA_AUTH_TOKEN:-}" ] && [ -z "${RASA_AUTH_TOKEN_FILE:-}" ]; then
  RASA_AUTH_TOKEN=$(.venv-api/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')
fi
export RASA_AUTH_TOKEN RASA_AUTH_TOKEN_FILE
export RASA_URL="http://127.0.0.1:$RASA_PORT"

pids=()
cleanup() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup INT TERM EXIT

.venv-api/bin/uvicorn api.asgi:app --host "$API_HOST" --port "$API_PORT" &
pids+=($!)
# The action server and Rasa listen on loopback only: browsers reach the bot through the API.
SANIC_HOST=127.0.0.1 API_URL="http://127.0.0.1:$API_PORT" \
  .venv-bot/bin/python -m rasa_sdk --actions actions --port "$ACTIONS_PORT" &
pids+=($!)
ACTION_ENDPOINT_URL="http://127.0.0.1:$ACTIONS_PORT/webhook" API_URL="http://127.0.0.1:$API_PORT" \
TRACKER_DB_URL=${TRACKER_DB_URL:-sqlite:///var/tracker.sqlite3} \
RASA_TELEMETRY_ENABLED=false \
  .venv-bot/bin/python -m bot.serve run --model "$model" --enable-api --interface 127.0.0.1 --port "$RASA_PORT" \
  --credentials bot/credentials.yml --endpoints bot/endpoints.yml &
pids+=($!)

cat <<MSG

  政务服务机器人已启动 / running:
    API 与文档 / API and docs:   http://$API_HOST:$API_PORT/docs
    市民办事 / citizen chat:     http://$API_HOST:$API_PORT/
    自助终端 / kiosk:            http://$API_HOST:$API_PORT/kiosk
    进度查询 / status:           http://$API_HOST:$API_PORT/status
    对话接口 / chat endpoint:     http://$API_HOST:$API_PORT/api/chat   (POST {"message": "…"})
    终端对话 / terminal chat:    make chat   (Rasa needs about 30 s to load the model)
  Ctrl-C 停止全部 / stops all.

MSG
wait -n "${pids[@]}"
