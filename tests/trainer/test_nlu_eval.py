"""`nlu eval`: the scoring, the comparison of two saved reports (the command's output), and the
HTML page with its confusion-matrix image (drawn in the bot environment, where matplotlib is)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import ROOT
from trainer.compare import latest_saved
from trainer.evaluate import score

FIXTURES = Path(__file__).with_name("fixtures")
OLD, NEW = FIXTURES / "report-20261201-100000.json", FIXTURES / "report-20261203-100000.json"


def test_compare_prints_what_got_better_and_what_got_worse() -> None:
    out = subprocess.run(
        [str(ROOT / "scripts" / "trainer"), "nlu", "eval", "--compare", str(OLD), str(NEW)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "对比 / comparing: report-20261201-100000.json → report-20261203-100000.json" in text
    assert "↑ 意图宏平均 F1: 0.941 → 0.961 （+0.020）" in text
    assert "↓ 实体微平均 F1: 0.930 → 0.912 （-0.018）" in text
    better = text.split("变好 / better")[1].split("变差 / worse")[0]
    worse = text.split("变差 / worse")[1].split("不变 / unchanged")[0]
    assert "（2）" in better and "意图 ask_fee: 0.847 → 0.947 （+0.100）" in better
    assert "意图 ask_howto: — → 1.000 （新增）" in better
    assert "（2）" in worse and "意图 check_status: 0.947 → 0.900 （-0.047）" in worse
    assert "实体 person_name: 0.930 → 0.884 （-0.046）" in worse
    # thank moved by 0.002 and greet, phone not at all: unchanged
    assert "不变 / unchanged: 3 项" in text and "thank" not in better + worse


def test_the_last_saved_report_is_the_newest_by_its_stamp(tmp_path: Path) -> None:
    for path in (NEW, OLD):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "report.json").write_text("{}", encoding="utf-8")  # the unstamped latest is not a saved one
    assert latest_saved(tmp_path) == tmp_path / NEW.name
    assert latest_saved(tmp_path, exclude=tmp_path / NEW.name) == tmp_path / OLD.name


def test_score_gives_per_intent_precision_recall_and_the_confusion_matrix() -> None:
    results = [
        {"text": "a", "intent": "greet", "predicted": "greet", "entities": [], "got": []},
        {"text": "b", "intent": "greet", "predicted": "thank", "entities": [], "got": []},
        {"text": "c", "intent": "thank", "predicted": "thank", "entities": [["phone", "1"]], "got": [["phone", "1"]]},
        {"text": "d", "intent": "thank", "predicted": "thank", "entities": [["phone", "2"]], "got": [["phone", "3"]]},
    ]
    report = score(results)
    assert report["per_intent"]["greet"] == {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2}
    assert report["per_intent"]["thank"]["precision"] == 2 / 3 and report["per_intent"]["thank"]["recall"] == 1.0
    assert report["confusion"] == {"labels": ["greet", "thank"], "matrix": [[1, 1], [0, 2]]}
    assert report["per_entity"]["phone"]["tp"] == 1 and report["per_entity"]["phone"]["precision"] == 0.5
    assert [e["text"] for e in report["errors"]] == ["b", "d"]


def test_the_html_report_and_its_confusion_matrix_image(tmp_path: Path) -> None:
    code = (
        "import json, sys; from pathlib import Path; from trainer.report_html import write_html;"
        "r = json.loads(Path(sys.argv[1]).read_text()); print(write_html(r, Path(sys.argv[2]), r['created']))"
    )
    out = subprocess.run(
        [str(ROOT / ".venv-bot" / "bin" / "python"), "-c", code, str(NEW), str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    page = (tmp_path / "report-20261203-100000.html").read_text(encoding="utf-8")
    assert "<td>check_status</td><td>0.900</td><td>0.900</td><td>0.900</td><td>10</td>" in page
    assert "<td>person_name</td><td>0.864</td><td>0.905</td><td>0.884</td><td>21</td>" in page
    assert '<img src="confusion-20261203-100000.png"' in page
    assert "<td>办个证多少钱</td><td>ask_fee</td><td class=low>check_status</td>" in page
    png = (tmp_path / "confusion-20261203-100000.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    assert json.loads(NEW.read_text(encoding="utf-8"))["examples"] == 310
