"""What got better and what got worse between two saved evaluation reports (pure; either environment)."""

from __future__ import annotations

import json
from pathlib import Path

# Changes smaller than this are noise (one held-out message of a 20-message intent moves F1 by ~0.03).
EPSILON = 0.005
OVERALL = (
    ("intent_macro_f1", "意图宏平均 F1"),
    ("intent_accuracy", "意图准确率"),
    ("entity_micro_f1", "实体微平均 F1"),
)


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _f1s(report: dict, key: str) -> dict[str, float]:
    table = report.get(key) or {}
    return {name: (v["f1"] if isinstance(v, dict) else float(v)) for name, v in table.items()}


def compare(old: dict, new: dict) -> dict[str, list[tuple[str, float | None, float | None]]]:
    """{"overall"|"better"|"worse"|"same": [(label, old, new)]}; intents and entities by F1."""
    out: dict[str, list[tuple[str, float | None, float | None]]] = {
        "overall": [],
        "better": [],
        "worse": [],
        "same": [],
    }
    for key, label in OVERALL:
        out["overall"].append((label, old.get(key), new.get(key)))
    for kind, key in (("意图", "per_intent"), ("实体", "per_entity")):
        before = _f1s(old, key if key in old else "per_intent_f1")
        after = _f1s(new, key if key in new else "per_intent_f1")
        for name in sorted(set(before) | set(after)):
            a, b = before.get(name), after.get(name)
            row = (f"{kind} {name}", a, b)
            if a is None or b is None:
                out["better" if a is None else "worse"].append(row)
            elif b - a > EPSILON:
                out["better"].append(row)
            elif a - b > EPSILON:
                out["worse"].append(row)
            else:
                out["same"].append(row)
    return out


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.3f}"


def _delta(a: float | None, b: float | None) -> str:
    if a is None:
        return "（新增）"
    if b is None:
        return "（已不在测试集中）"
    d = b - a
    return f"（{'+' if d >= 0 else ''}{d:.3f}）"


def render(old: dict, new: dict, old_name: str, new_name: str) -> str:
    """The comparison as the trainer reads it in the terminal."""
    result = compare(old, new)
    lines = [f"对比 / comparing: {old_name} → {new_name}", "总体 / overall:"]
    for label, a, b in result["overall"]:
        mark = (
            "↑"
            if a is not None and b is not None and b - a > EPSILON
            else "↓"
            if a is not None and b is not None and a - b > EPSILON
            else "="
        )
        lines.append(f"  {mark} {label}: {_fmt(a)} → {_fmt(b)} {_delta(a, b)}")
    for key, title in (("better", "变好 / better"), ("worse", "变差 / worse")):
        rows = sorted(result[key], key=lambda r: -abs((r[2] or 0) - (r[1] or 0)))
        lines.append(f"{title}（{len(rows)}）:")
        lines += [f"  {label}: {_fmt(a)} → {_fmt(b)} {_delta(a, b)}" for label, a, b in rows] or ["  无"]
    lines.append(f"不变 / unchanged: {len(result['same'])} 项（变化不超过 {EPSILON}）")
    return "\n".join(lines)


def latest_saved(directory: Path, exclude: Path | None = None) -> Path | None:
    """The newest report-*.json in `directory` (names sort by their timestamp), except `exclude`."""
    saved = sorted(p for p in directory.glob("report-*.json") if p != exclude)
    return saved[-1] if saved else None
