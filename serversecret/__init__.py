"""The server's one secret, shared by the API and the action server (both environments import it).

It keys every hash that must not be guessable or linkable from outside: idempotency keys of
submissions, the hashed sender of a not-understood message, the hashed client of a rate limit.
It comes from `APP_SECRET`, or from the file named by `APP_SECRET_FILE` (a Docker/Kubernetes
secret); otherwise it is created once, at random, in var/app_secret (mode 0600) and read back by
every later process, so a restart does not change it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "var" / "app_secret"


def _read_or_create(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()


@lru_cache(maxsize=1)
def app_secret() -> bytes:
    value = os.environ.get("APP_SECRET", "").strip()
    if not value and os.environ.get("APP_SECRET_FILE"):
        value = Path(os.environ["APP_SECRET_FILE"]).read_text(encoding="utf-8").strip()
    if not value:
        value = _read_or_create(DEFAULT_FILE)
    if len(value) < 16:
        raise RuntimeError("APP_SECRET is too short: use at least 16 random characters")
    return value.encode()


def keyed_hash(*parts: str) -> str:
    """HMAC-SHA256 of the parts under the server secret (hex): stable, unguessable from outside."""
    message = "\x1f".join(parts).encode()
    return hmac.new(app_secret(), message, hashlib.sha256).hexdigest()


def internal_token() -> str:
    """What the action server sends the API in `X-Internal-Token` to act for a citizen's conversation."""
    return keyed_hash("internal-api")[:40]
