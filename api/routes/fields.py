"""Field catalog and single-value validation (the bot's one validator implementation)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CatalogDep
from api.errors import ApiError
from api.validation.result import result_view
from api.validation.validate import validate_field

# Routes that do no I/O are `async`: they run on the event loop, with no hop to the thread pool.
router = APIRouter(prefix="/fields", tags=["fields"])


class ValidateRequest(BaseModel):
    value: str | int | float | bool | None = Field(default=None)


@router.get("")
async def list_fields(catalog: CatalogDep) -> list[dict[str, Any]]:
    """All canonical fields with labels, help text and examples."""
    return [f.model_dump() for f in catalog.fields.values()]


@router.post("/{field_id}/validate")
async def validate_value(field_id: str, body: ValidateRequest, catalog: CatalogDep) -> dict[str, Any]:
    """Normalise one value, or say in Chinese exactly what is wrong."""
    if field_id not in catalog.fields:
        raise ApiError(404, "field_not_found", f"没有名为“{field_id}”的字段。")
    return result_view(validate_field(field_id, body.value, catalog))
