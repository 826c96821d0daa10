"""Print, per scenario, what one application saves (四减): field entries across separate forms vs
fields in the merged form, materials handed in vs materials the citizen brings, statutory working
days item after item vs through the parallel stages.

Run: `make saving` (or `python -m api.report`). Two answer sets per scenario: the defaults, and
every yes/no question answered "yes" (the widest plan).
"""

from __future__ import annotations

import sys

from api.catalog.loader import load_catalog
from api.engine.plan import compute_plan


def main() -> int:
    catalog = load_catalog()
    out = [
        "| 场景 | 回答 | 事项数 | 分别填报字段数 | 合并后字段数 | 少填 | 分别提交材料 | 合并后材料 | 需自带材料 "
        "| 法定工作日：逐项 / 并联 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for sc in catalog.scenarios.values():
        widest = {q.id: True for q in sc.questions if q.validator.kind == "bool"}
        for label, answers in (("默认", {}), ("是非题全答“是”", widest)):
            plan = compute_plan(sc, answers, catalog)
            s = plan.saving
            out.append(
                f"| {sc.name} (`{sc.id}`) | {label} | {s.forms_replaced} | {s.separate_entries} | "
                f"{s.merged_fields} | {s.saved_entries} | {s.separate_materials} | {s.merged_materials} | "
                f"{s.materials_to_bring} | {s.separate_days} / {s.merged_days} |"
            )
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
