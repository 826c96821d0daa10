"""Check that bot.fast_diet loads a DIET model exactly as Rasa's own loader does.

Run in the bot environment: `.venv-bot/bin/python scripts/check_fast_diet.py MODEL`.
Loads MODEL twice, with the fast loader and with Rasa's (one training step, then the weights),
parses every held-out message (tests/nlu/test_nlu.yml) with both, and compares intent, intent
confidence, the intent ranking and the entities. Prints both load times; exit 1 on any difference.
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the model names bot.fast_diet and bot.nlu_components
TOLERANCE = 1e-5


def summary(parsed: dict) -> tuple:
    entities = sorted((e["entity"], str(e["value"]), e.get("start"), e.get("end")) for e in parsed.get("entities", []))
    ranking = [(r["name"], r["confidence"]) for r in parsed.get("intent_ranking", [])]
    return parsed["intent"]["name"], parsed["intent"]["confidence"], ranking, entities


def same(a: tuple, b: tuple) -> bool:
    if a[0] != b[0] or a[3] != b[3] or not math.isclose(a[1], b[1], abs_tol=TOLERANCE):
        return False
    return len(a[2]) == len(b[2]) and all(
        x[0] == y[0] and math.isclose(x[1], y[1], abs_tol=TOLERANCE) for x, y in zip(a[2], b[2], strict=True)
    )


async def parse_all(model: str, texts: list[str]) -> tuple[float, list[tuple]]:
    from rasa.core.agent import Agent

    start = time.monotonic()
    agent = Agent.load(model)
    loaded = time.monotonic() - start
    return loaded, [summary(await agent.parse_message(t)) for t in texts]


async def main(model: str) -> int:
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.utils.tensorflow.models import RasaModel

    from bot.fast_diet import FastLoadingDIET

    texts = [ex.get("text") for ex in load_data(str(ROOT / "tests/nlu/test_nlu.yml")).training_examples]
    fast_s, fast = await parse_all(model, texts)
    FastLoadingDIET.load = classmethod(RasaModel.load.__func__)  # type: ignore[method-assign]
    rasa_s, reference = await parse_all(model, texts)
    differences = [(t, a, b) for t, a, b in zip(texts, fast, reference, strict=True) if not same(a, b)]
    for text, a, b in differences[:10]:
        sys.stdout.write(f"DIFFERENT {text!r}: fast {a[:2]} {a[3]} / Rasa {b[:2]} {b[3]}\n")
    sys.stdout.write(
        f"{len(texts)} held-out messages, {len(differences)} different; "
        f"model loaded in {fast_s:.1f} s (fast) vs {rasa_s:.1f} s (Rasa's loader)\n"
    )
    return 1 if differences or not texts else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(sys.argv[1])))
