"""`python -m api.trainer_inbox export [--out data/nlu/inbox.yml]`: write the labelled groups of the
trainer inbox as Rasa NLU data and mark them exported (audited). Reads DATABASE_URL like the API."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from api.db.session import make_engine, session_factory
from api.settings import settings
from api.trainer_inbox.export import build_from_settings, mark_exported

log = logging.getLogger("api.trainer_inbox")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.trainer_inbox", description="训练师收件箱 / trainer inbox")
    sub = parser.add_subparsers(dest="command", required=True)
    export = sub.add_parser("export", help="把已标注的消息写成 Rasa NLU 训练数据 / write labelled groups as NLU data")
    export.add_argument("--out", type=Path, default=settings.INBOX_EXPORT_FILE, help="默认 data/nlu/inbox.yml")
    export.add_argument("--dry-run", action="store_true", help="只打印，不写文件、不改状态 / print only")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    engine = make_engine(settings.DATABASE_URL)
    try:
        return _export(engine, args)
    except DBAPIError as exc:
        hint = "读不到收件箱：数据库无法连接或尚未建表（先运行 make run，或 alembic upgrade head）。"
        log.error("%s / %s", hint, type(exc).__name__)
        return 2
    finally:
        engine.dispose()


def _export(engine: Engine, args: argparse.Namespace) -> int:
    with session_factory(engine)() as session:
        result = build_from_settings(session, settings, out=args.out)
        for skipped in result.skipped:
            log.warning("跳过（训练数据里已有）/ skipped, already in training data: %s", skipped)
        if args.dry_run:
            sys.stdout.write(result.yaml_text)
            return 0
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(result.yaml_text, encoding="utf-8")
        mark_exported(session, result, actor=None, client="command")
        session.commit()
    log.info(
        "已写入 %s：%d 条例句，新导出 %d 组 / wrote %d examples, %d groups newly exported",
        args.out,
        result.written,
        len(result.exported_groups),
        result.written,
        len(result.exported_groups),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
