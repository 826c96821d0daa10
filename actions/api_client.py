"""The one small client the actions use to reach the API (httpx, timeouts, one method per endpoint).

Transport failures and 5xx answers raise `ApiUnavailable`; the actions answer those with a plain
Chinese apology and keep everything the citizen entered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from actions.settings import settings
from serversecret import internal_token

log = logging.getLogger(__name__)
CACHE_SECONDS = 60


class ApiUnavailable(Exception):
    """The API could not be reached or failed; nothing was changed on our side."""


class ApiClient:
    def __init__(self, base_url: str, timeout: float) -> None:
        self._base_url, self._timeout = base_url.rstrip("/"), timeout
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._cache: dict[str, tuple[float, Any]] = {}  # the catalog's answers, for CACHE_SECONDS

    def _http(self) -> httpx.AsyncClient:
        """One pooled client per event loop (the action server has one; tests start several)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = httpx.AsyncClient(base_url=self._base_url, timeout=self._timeout)
            self._loop = loop
        return self._client

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            resp = await self._http().request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            log.warning("API %s %s failed: %s", method, path, type(exc).__name__)
            raise ApiUnavailable(str(exc)) from exc
        if resp.status_code >= 500:
            log.warning("API %s %s answered %s", method, path, resp.status_code)
            raise ApiUnavailable(f"HTTP {resp.status_code}")
        return resp

    async def _catalog(self, path: str, shape: Callable[[Any], Any] = lambda data: data) -> Any:
        """GET a catalog path (fields, scenarios), shaped and cached: the catalog changes only with a
        deploy. Unknown ids (404) are remembered as None."""
        cached = self._cache.get(path)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        resp = await self._request("GET", path)
        data = shape(resp.json()) if resp.status_code == 200 else None
        self._cache[path] = (time.monotonic(), data)
        return data

    async def fields(self) -> dict[str, dict[str, Any]]:
        """Field definitions, id → definition."""
        return await self._catalog("/api/fields", lambda rows: {f["id"]: f for f in rows})

    async def scenarios(self) -> list[dict[str, Any]]:
        """Every scenario with its guiding questions."""
        return await self._catalog("/api/scenarios")

    async def scenario(self, scenario_id: str | None) -> dict[str, Any] | None:
        if not scenario_id or not scenario_id.isidentifier():
            return None  # no scenario, or an entity value that is not a catalog id
        return await self._catalog(f"/api/scenarios/{scenario_id}")

    async def plan(self, scenario_id: str, answers: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
        """The plan, or (None, {question_id: message}) when some answers were not understood."""
        resp = await self._request("POST", f"/api/scenarios/{scenario_id}/plan", json={"answers": answers})
        if resp.status_code == 422:
            return None, resp.json().get("details", {}).get("questions", {})
        resp.raise_for_status()
        return resp.json(), {}

    async def validate_answer(self, scenario_id: str, question_id: str, value: Any) -> dict[str, Any]:
        """One guiding answer, read as the plan reads it (without computing the plan)."""
        path = f"/api/scenarios/{scenario_id}/questions/{question_id}/validate"
        resp = await self._request("POST", path, json={"value": value})
        resp.raise_for_status()
        return resp.json()

    async def validate(self, field_id: str, value: Any) -> dict[str, Any]:
        """One form answer; the token lets the API count a refused answer for the analytics."""
        headers = {"X-Internal-Token": internal_token()}
        resp = await self._request("POST", f"/api/fields/{field_id}/validate", json={"value": value}, headers=headers)
        resp.raise_for_status()
        return resp.json()

    async def submit(self, body: dict[str, Any], idempotency_key: str, conversation: str) -> tuple[int, dict[str, Any]]:
        headers = {"Idempotency-Key": idempotency_key, **_acting_for(conversation)}
        resp = await self._request("POST", "/api/applications", json=body, headers=headers)
        return resp.status_code, resp.json()

    async def status(self, number: str, phone: str, conversation: str) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body): 200 with the application, 404 not found, 429 limited or locked."""
        resp = await self._request(
            "GET", f"/api/applications/{number}", params={"phone": phone}, headers=_acting_for(conversation)
        )
        return resp.status_code, resp.json()

    async def correct(
        self, number: str, phone: str, form_data: dict[str, Any], conversation: str
    ) -> tuple[int, dict[str, Any]]:
        """补正: the corrected fields of an application the officers sent back; the same answer on a retry."""
        resp = await self._request(
            "POST",
            f"/api/applications/{number}/correction",
            json={"phone": phone, "form_data": form_data},
            headers=_acting_for(conversation),
        )
        return resp.status_code, resp.json()

    async def record_miss(
        self,
        text: str,
        sender_hash: str,
        intent: str | None,
        confidence: float | None,
        conversation: str,
        context: dict[str, Any] | None = None,
    ) -> None:
        """A not-understood message for the trainer inbox; `context`: kind, ranking, state, message id."""
        body = {
            "text": text[:1000],
            "sender_hash": sender_hash,
            "intent": intent,
            "confidence": confidence,
            **(context or {}),
        }
        await self._request("POST", "/api/nlu/misses", json=body, headers=_acting_for(conversation))


def _acting_for(conversation: str) -> dict[str, str]:
    """Headers that let the API count rate limits per citizen conversation, not per action server."""
    return {"X-Internal-Token": internal_token(), "X-Conversation": conversation[:128]}


api = ApiClient(settings.api_url, settings.api_timeout)
