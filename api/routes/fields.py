"""Field catalog and single-value validation (the bot's one validator implementation)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.catalog.models import FieldDef
from api.deps import CatalogDep
from api.errors import ApiError, error_responses
from api.routes.schemas import InvalidOut, ValidOut, validation_out
from api.validation.validate import validate_field

# Routes that do no I/O are `async`: they run on the event loop, with no hop to the thread pool.
router = APIRouter(prefix="/fields", tags=["fields"])


class ValidateRequest(BaseModel):
    value: str | int | float | bool | None = Field(default=None)


@router.get("")
async def list_fields(catalog: CatalogDep) -> list[FieldDef]:
    """All canonical fields with labels, help text and examples."""
    return list(catalog.fields.values())


@router.post("/{field_id}/validate", responses=error_responses(404, 413, 422))
async def validate_value(field_id: str, body: ValidateRequest, catalog: CatalogDep) -> ValidOut | InvalidOut:
    """Normalise one value, or say in Chinese exactly what is wrong."""
    if field_id not in catalog.fields:
        raise ApiError(404, "field_not_found", f"没有名为“{field_id}”的字段。")
    return validation_out(validate_field(field_id, body.value, catalog))
