"""One command for trainers: `scripts/trainer <group> <command>` (or `.venv-api/bin/python -m trainer …`).

nlu check                 check the NLU data (file:line for each problem)
nlu eval                  train, evaluate on the held-out sets, write and compare the report
nlu eval --compare A B    compare two saved reports
scenario new ID           write a commented template data/scenarios/ID.yml
scenario check            validate the catalogs and run every combination of guiding answers
scenario add              generate the bot files, check, and train, in one step
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trainer.paths import API_PY, BOT_PY, ROOT


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def nlu_check(args: argparse.Namespace) -> int:
    from trainer.nlu_check import Project, intent_counts, run_checks
    from trainer.nlu_data import read_nlu_dir

    project = Project(Path(args.root).resolve())
    if args.counts:
        for intent, n in intent_counts(read_nlu_dir(project.nlu_dir, project.root)[0]).items():
            say(f"{n:5d}  {intent}")
        return 0
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    say(f"检查 NLU 数据 / checking NLU data in {project.root}")
    problems = run_checks(project, API_PY, BOT_PY, skip, lambda line: say("  " + line))
    for p in sorted(problems):
        say(str(p))
    if problems:
        say(f"NLU 检查未通过：{len(problems)} 个问题 / nlu check failed: {len(problems)} problems")
        return 1
    say("NLU 检查通过 / nlu check passed")
    return 0


def nlu_eval(args: argparse.Namespace) -> int:
    from trainer.nlu_eval import compare_files, run

    if args.compare:
        return compare_files(Path(args.compare[0]), Path(args.compare[1]), say)
    return run(ROOT, BOT_PY, say)


def scenario_check(args: argparse.Namespace) -> int:
    from trainer.scenario_check import run

    return run(Path(args.data).resolve(), say, args.scenario, verbose=not args.quiet)


def scenario_new(args: argparse.Namespace) -> int:
    from trainer.scenario_new import TemplateError, write_template

    try:
        path = write_template(Path(args.data).resolve(), args.id)
    except TemplateError as exc:
        say(str(exc))
        return 1
    say(f"已写入模板 / template written: {path}")
    say("把其中所有「示例：…」换成真实内容，然后运行 scripts/trainer scenario check")
    return 0


def scenario_add(args: argparse.Namespace) -> int:
    from trainer.scenario_add import run

    return run(ROOT, API_PY, BOT_PY, say)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trainer", description="训练师命令 / trainer commands")
    groups = parser.add_subparsers(dest="group", required=True)
    nlu = groups.add_parser("nlu", help="NLU 数据检查与评估").add_subparsers(dest="command", required=True)
    check = nlu.add_parser("check", help="检查 NLU 训练数据")
    check.add_argument("--root", default=str(ROOT), help="项目目录（默认本项目）")
    check.add_argument(
        "--skip", default="", help="跳过的检查，逗号分隔：rasa,alignment,duplicates,counts,catalog,fresh,held_out"
    )
    check.add_argument("--counts", action="store_true", help="只列出每个意图的样例数")
    check.set_defaults(run=nlu_check)
    evaluate = nlu.add_parser("eval", help="训练并在留出测试集上评估，写报告并与上一次对比")
    evaluate.add_argument("--compare", nargs=2, metavar=("OLD.json", "NEW.json"), help="只对比两份已保存的报告")
    evaluate.set_defaults(run=nlu_eval)
    scenario = groups.add_parser("scenario", help="一件事场景").add_subparsers(dest="command", required=True)
    sc_new = scenario.add_parser("new", help="写一个新场景的模板文件 data/scenarios/ID.yml")
    sc_new.add_argument("id", help="场景编号，例如 disability_certificate")
    sc_new.add_argument("--data", default=str(ROOT / "data"), help="数据目录（默认本项目的 data/）")
    sc_new.set_defaults(run=scenario_new)
    sc_check = scenario.add_parser("check", help="校验目录并运行每种引导回答组合")
    sc_check.add_argument("--data", default=str(ROOT / "data"), help="数据目录（默认本项目的 data/）")
    sc_check.add_argument("--scenario", default=None, help="只检查这个场景")
    sc_check.add_argument("--quiet", action="store_true", help="不逐一列出组合")
    sc_check.set_defaults(run=scenario_check)
    sc_add = scenario.add_parser("add", help="生成机器人文件、检查并训练（一步完成）")
    sc_add.set_defaults(run=scenario_add)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
