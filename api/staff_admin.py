"""Command line: `python -m api.staff_admin create-admin USERNAME` creates the first administrator
(the password is read from the terminal, or from STAFF_ADMIN_PASSWORD for automation). Admins
create every other account in the workspace (/staff/users)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from api.catalog.loader import load_catalog
from api.db.session import make_engine, session_factory
from api.review import service
from api.settings import settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.staff_admin")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-admin", help="创建系统管理员账号 / create an administrator")
    create.add_argument("username")
    create.add_argument("--display-name", default="")
    args = parser.parse_args(argv)

    password = os.environ.get("STAFF_ADMIN_PASSWORD") or getpass.getpass("密码 / password: ")
    catalog = load_catalog(settings.DATA_DIR)
    engine = make_engine(settings.DATABASE_URL)
    with session_factory(engine)() as session:
        try:
            service.create_user(
                session,
                catalog,
                None,
                username=args.username,
                display_name=args.display_name,
                role="admin",
                departments_=[],
                password=password,
            )
        except service.Refused as exc:
            sys.stderr.write(exc.message + "\n")
            return 1
    sys.stdout.write(f"已创建系统管理员 / administrator created: {args.username}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
