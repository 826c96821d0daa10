"""The evaluation report as a page a trainer opens in a browser (bot environment: matplotlib).

report-STAMP.html: overall figures, per-intent and per-entity precision/recall/F1, the confusion
matrix (confusion-STAMP.png, beside it) and every misclassified held-out message.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).with_name("report_template.html")


def confusion_png(report: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # no display: write the file only
    import matplotlib.pyplot as plt

    labels = report["confusion"]["labels"]
    matrix = report["confusion"]["matrix"]
    size = max(6.0, 0.38 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("expected (held-out label)")
    for gi, row in enumerate(matrix):
        for pi, count in enumerate(row):
            if count:
                ax.text(pi, gi, str(count), ha="center", va="center", fontsize=6, color="red" if gi != pi else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _rows(table: dict[str, dict], extra: str) -> str:
    out = []
    for name, v in sorted(table.items(), key=lambda kv: kv[1]["f1"]):
        low = ' class="low"' if v["f1"] < 0.9 else ""
        out.append(
            f"<tr{low}><td>{escape(name)}</td><td>{v['precision']:.3f}</td><td>{v['recall']:.3f}</td>"
            f"<td>{v['f1']:.3f}</td><td>{v.get(extra, '')}</td></tr>"
        )
    return "\n".join(out)


def _pairs(pairs: list) -> str:
    return escape("，".join(f"{e}={v}" for e, v in pairs)) or "—"


def _errors(errors: list[dict]) -> str:
    out = []
    for e in errors:
        wrong = e["intent"] != e["predicted"]
        out.append(
            f"<tr><td>{escape(e['text'])}</td><td>{escape(e['intent'])}</td>"
            f"<td{' class=low' if wrong else ''}>{escape(str(e['predicted']))}</td>"
            f"<td>{_pairs(e['entities'])}</td><td>{_pairs(e['got'])}</td></tr>"
        )
    return "\n".join(out)


def write_html(report: dict, out: Path, stamp: str) -> list[Path]:
    """Write report-STAMP.html and confusion-STAMP.png into `out`; return both paths."""
    png = confusion_png(report, out / f"confusion-{stamp}.png")
    per_entity = {k: {**v, "support": v.get("tp", 0) + v.get("fn", 0)} for k, v in report["per_entity"].items()}
    page = Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        stamp=escape(stamp),
        model=escape(str(report.get("model", ""))),
        test_file=escape(str(report.get("test_file", ""))),
        examples=report["examples"],
        intent_macro_f1=f"{report['intent_macro_f1']:.3f}",
        intent_accuracy=f"{report['intent_accuracy']:.3f}",
        entity_micro_f1=f"{report['entity_micro_f1']:.3f}",
        intent_rows=_rows(report["per_intent"], "support"),
        entity_rows=_rows(per_entity, "support"),
        confusion=escape(png.name),
        error_count=len(report["errors"]),
        error_rows=_errors(report["errors"]),
    )
    html = out / f"report-{stamp}.html"
    html.write_text(page, encoding="utf-8")
    return [html, png]
