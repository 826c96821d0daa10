"""Send what the outbox holds: `python -m api.notify` (once) or `--every SECONDS` (a loop).

The sender is NOTIFY_SENDER ("module:Class", taking the settings, with `send(recipient, text)`);
the default `LogSender` writes each message to the log with the recipient and any personal data
masked. An SMS gateway plugs in as another class. A message is claimed before it is sent and is
never sent twice; a failed send stays claimed and unsent for an operator to look at."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import time
from typing import Any, Protocol

from api.db import outbox
from api.db.session import make_engine, session_factory
from api.settings import Settings, settings
from privacy import install_log_masking, mask_phone, mask_text

log = logging.getLogger("api.notify")


class Sender(Protocol):
    def send(self, recipient: str, text: str) -> None: ...


class LogSender:
    def __init__(self, settings: Any) -> None:
        self.settings = settings

    def send(self, recipient: str, text: str) -> None:
        log.info("短信 → %s：%s", mask_phone(recipient), mask_text(text))


def load_sender(cfg: Settings) -> Sender:
    module, _, name = cfg.NOTIFY_SENDER.partition(":")
    return getattr(importlib.import_module(module), name)(cfg)


def drain(cfg: Settings, sender: Sender | None = None) -> int:
    """Send every waiting notification; return how many were sent."""
    sender = sender or load_sender(cfg)
    engine = make_engine(cfg.DATABASE_URL)
    sent = 0
    try:
        with session_factory(engine)() as session:
            while batch := outbox.claim(session):
                for note in batch:
                    try:
                        sender.send(note.recipient, note.text)
                    except Exception:
                        log.exception("notification %s not sent", note.id)
                        continue
                    outbox.mark_sent(session, notification=note)
                    sent += 1
    finally:
        engine.dispose()
    return sent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.notify")
    parser.add_argument("--every", type=float, default=0, help="keep sending, every SECONDS")
    args = parser.parse_args(argv)
    install_log_masking()
    logging.basicConfig(level=settings.LOG_LEVEL, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    while True:
        count = drain(settings)
        sys.stdout.write(f"sent={count}\n")
        sys.stdout.flush()
        if not args.every:
            return 0
        time.sleep(args.every)


if __name__ == "__main__":
    sys.exit(main())
