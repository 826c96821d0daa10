"""Benchmark: plan computation in-process for every scenario and several answer sets: the typed
plan and the JSON Schema of its merged form (what the plan route computes before serialising).

Run: `.venv-api/bin/python bench/bench_plan.py` (or `make bench`). Target: p95 ≤ 5 ms.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.catalog.loader import load_catalog
from api.engine.form import form_schema
from api.engine.plan import clear_plan_cache, compute_plan

ROUNDS = 200


def answer_sets(scenario) -> list[dict]:
    """Defaults, all-yes, all-no, and each choice's options."""
    bools = [q.id for q in scenario.questions if q.validator.kind == "bool"]
    sets = [{}, dict.fromkeys(bools, "是"), dict.fromkeys(bools, "不")]
    for q in scenario.questions:
        if q.validator.kind == "choice":
            sets += [{q.id: c.label} for c in q.validator.choices]
        if q.validator.kind == "number":
            sets += [{q.id: "一百二十平"}, {q.id: "500"}]
    return sets


def main() -> int:
    catalog = load_catalog()
    cases = [(sc, a) for sc in catalog.scenarios.values() for a in answer_sets(sc)]
    for sc, answers in cases:  # warm-up
        compute_plan(sc, answers, catalog)
    samples: list[float] = []
    for _, (sc, answers) in zip(range(ROUNDS * len(cases)), itertools.cycle(cases), strict=False):
        clear_plan_cache()  # measure the computation, not the cache
        t0 = time.perf_counter()
        form_schema(compute_plan(sc, answers, catalog).form)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    p50 = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95)]
    sys.stdout.write(
        f"plan: {len(cases)} scenario/answer cases x {ROUNDS} = {len(samples)} plans; "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {samples[-1]:.2f} ms (target p95 <= 5 ms)\n"
    )
    return 0 if p95 <= 5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
