"""Evaluate the trained NLU on the held-out set and enforce the floors (kept for its callers).

Run in the bot environment: `.venv-bot/bin/python scripts/eval_nlu.py MODEL [--out reports/nlu]`.
The evaluation lives in trainer/evaluate.py; `scripts/trainer nlu eval` trains, evaluates, writes
the HTML report and compares with the last saved one.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trainer.evaluate import main

if __name__ == "__main__":
    raise SystemExit(main())
