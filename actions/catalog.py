"""The catalog as the actions see it, from the API (its client caches it)."""

from __future__ import annotations

from typing import Any

from actions.api_client import api


async def field_catalog() -> dict[str, dict[str, Any]]:
    """Field definitions from the API (id → definition); the API client caches them."""
    return await api.fields()


async def all_question_ids() -> set[str]:
    """Every guiding question id of every scenario (their slots are cleared on a new start or cancel)."""
    return {q["id"] for sc in await api.scenarios() for q in sc["questions"]}
