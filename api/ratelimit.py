"""Rate limits on what a stranger can send, with the `limits` library (moving windows).

Storage is per process by default (`memory://`); production points `RATE_LIMIT_STORAGE` at Redis
so every API worker and replica shares the counts. A client is its IP address, or, for calls the
action server makes on a citizen's behalf (authenticated with the internal token), the citizen's
conversation.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass

from fastapi import Request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from api.errors import ApiError
from serversecret import internal_token, keyed_hash

TOO_MANY = "您操作得太频繁了，请稍等一会儿再试。"


def is_internal(request: Request) -> bool:
    sent = request.headers.get("x-internal-token", "")
    return bool(sent) and hmac.compare_digest(sent, internal_token())


def client_key(request: Request) -> str:
    """The client a limit counts: the citizen's conversation for the action server, else the IP."""
    if is_internal(request) and request.headers.get("x-conversation"):
        return "conv:" + keyed_hash("client", request.headers["x-conversation"][:128])[:32]
    return "ip:" + (request.client.host if request.client else "unknown")


@dataclass(frozen=True)
class Rule:
    name: str
    item: RateLimitItem


class RateLimits:
    def __init__(self, storage_uri: str, rules: dict[str, str]) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._rules = {name: Rule(name, parse(spec)) for name, spec in rules.items()}

    def hit(self, rule: str, key: str, message: str = TOO_MANY) -> None:
        """Count one use; over the limit raises a 429 with a Chinese message and Retry-After."""
        item = self._rules[rule].item
        if not self._limiter.hit(item, rule, key):
            retry = max(1, int(self._limiter.get_window_stats(item, rule, key).reset_time - time.time()))
            raise ApiError(429, "too_many_requests", message, headers={"Retry-After": str(retry)})

    def exceeded(self, rule: str, key: str) -> bool:
        """Whether the limit is used up, without counting a use."""
        return not self._limiter.test(self._rules[rule].item, rule, key)

    def clear(self, rule: str, key: str) -> None:
        self._limiter.clear(self._rules[rule].item, rule, key)
