"""Field catalog and single-value validation (the bot's one validator implementation)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.catalog.models import FieldDef
from api.db.models import ValidationFailure
from api.deps import CatalogDep, DbSession
from api.errors import ApiError, error_responses
from api.ratelimit import is_internal
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
async def validate_value(
    field_id: str, body: ValidateRequest, request: Request, catalog: CatalogDep, session: DbSession
) -> ValidOut | InvalidOut:
    """Normalise one value, or say in Chinese exactly what is wrong. A refusal of a citizen's answer
    (sent by the action server) is counted per field for the staff analytics; no value is kept."""
    if field_id not in catalog.fields:
        raise ApiError(404, "field_not_found", f"没有名为“{field_id}”的字段。")
    result = validate_field(field_id, body.value, catalog)
    if not result.valid and is_internal(request):
        session.add(ValidationFailure(field_id=field_id))
        session.commit()
    return validation_out(result)
