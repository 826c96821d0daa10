"""The API's client of the Rasa server: the one way citizens' messages reach the bot.

Rasa listens on loopback (or the private network); the API forwards each message to its REST
channel under the session's server-chosen conversation id, and reads a conversation back through
Rasa's token-protected HTTP API. Failures raise `BotUnavailable`; the route answers them with a
Chinese 503, and nothing the citizen entered is lost (it stays in Rasa's tracker store).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, NamedTuple

import httpx

log = logging.getLogger("api.bot")


class BotUnavailable(Exception):
    """Rasa could not be reached or failed."""


class BotTurn(NamedTuple):
    replies: list[dict[str, Any]]
    progress: list[dict[str, Any]]


class BotClient:
    def __init__(self, base_urls: str, token: str, timeout: float = 60.0) -> None:
        self._token = token
        self._urls = [u.strip().rstrip("/") for u in base_urls.split(",") if u.strip()]
        self._http = httpx.AsyncClient(timeout=timeout)

    def _order(self, conversation_id: str) -> list[str]:
        start = int(hashlib.sha256(conversation_id.encode()).hexdigest()[:8], 16) % len(self._urls)
        return self._urls[start:] + self._urls[:start]

    async def say(self, conversation_id: str, text: str, channel: str) -> BotTurn:
        """The bot's replies to one message ([{text, buttons?}], as Rasa's REST channel gives them) and
        what it reported of the conversation's progress (custom messages, never shown)."""
        body = {"sender": conversation_id, "message": text, "metadata": {"channel": channel}}
        for url in self._order(conversation_id):
            try:
                resp = await self._http.post(f"{url}/webhooks/rest/webhook", json=body)
            except httpx.ConnectError:  # this server is down: the message was not taken, try the next
                log.warning("Rasa at %s unreachable", url)
                continue
            except httpx.HTTPError as exc:  # it may have taken the message: never send it twice
                log.warning("Rasa failed: %s", type(exc).__name__)
                raise BotUnavailable from exc
            messages = [m for m in resp.json() if isinstance(m, dict)] if resp.status_code == 200 else []
            replies = [_reply(m) for m in messages if m.get("text") or m.get("buttons")]
            if not replies:  # Rasa's REST channel answers [] when the turn failed (e.g. its database)
                log.warning("Rasa answered %s with no reply", resp.status_code)
                raise BotUnavailable
            custom = [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
            return BotTurn(replies, [c for c in custom if "progress" in c])
        raise BotUnavailable

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's slots and events, read through Rasa's token-protected HTTP API."""
        for url in self._order(conversation_id):
            try:
                resp = await self._http.get(
                    f"{url}/conversations/{conversation_id}/tracker", params={"token": self._token}
                )
            except httpx.ConnectError:
                log.warning("Rasa at %s unreachable", url)
                continue
            except httpx.HTTPError as exc:
                log.warning("Rasa failed: %s", type(exc).__name__)
                raise BotUnavailable from exc
            if resp.status_code != 200:
                log.warning("Rasa answered %s to a tracker read", resp.status_code)
                raise BotUnavailable
            return resp.json()
        raise BotUnavailable

    async def close(self) -> None:
        await self._http.aclose()


def _reply(message: dict[str, Any]) -> dict[str, Any]:
    """Only what a page shows: the text and the buttons' titles and payloads."""
    reply: dict[str, Any] = {"text": str(message.get("text") or "")}
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in message.get("buttons") or []
        if isinstance(b, dict)
    ]
    if buttons:
        reply["buttons"] = buttons
    return reply
