#!/usr/bin/env bash
# Train the Rasa model only when its inputs changed: the model is named by a hash of
# bot/config.yml, bot/domain/, data/nlu/, data/core/, bot/jieba/, the custom components and textnorm/. Prints the model path.
set -euo pipefail
cd "$(dirname "$0")/.."
BOT_PY=.venv-bot/bin/python
hash=$(cat bot/config.yml bot/domain/*.yml data/nlu/*.yml data/core/*.yml bot/jieba/* bot/scenario_keywords.json bot/nlu_components.py bot/fast_diet.py textnorm/*.py requirements/bot.lock | sha256sum | cut -c1-16)
model="models/nlu-core-$hash.tar.gz"
if [ -f "$model" ]; then
  echo "模型已是最新 / model up to date: $model" >&2
else
  echo "训练模型 / training the model (about 1–2 minutes): $model" >&2
  mkdir -p models
  RASA_TELEMETRY_ENABLED=false $BOT_PY -m rasa train --config bot/config.yml --domain bot/domain \
    --data data/nlu data/core --out models --fixed-model-name "nlu-core-$hash" >&2
fi
echo "$model"
