"""Scenario catalog and plan computation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CatalogDep, ScenarioDep
from api.engine.answers import resolve_answer
from api.engine.plan import compute_plan
from api.errors import ApiError, error_responses
from api.routes.schemas import InvalidOut, PlanOut, ScenarioDetailOut, ScenarioOut, ValidOut, validation_out

# Routes that do no I/O are `async`: they run on the event loop, with no hop to the thread pool.
router = APIRouter(prefix="/scenarios", tags=["scenarios"])


class PlanRequest(BaseModel):
    answers: dict[str, Any] = Field(default_factory=dict, max_length=50)


@router.get("")
async def list_scenarios(catalog: CatalogDep) -> list[ScenarioOut]:
    """List all scenarios (一件事) with their guiding questions (one call gives a client all it asks)."""
    return [ScenarioOut.model_validate(sc) for sc in catalog.scenarios.values()]


@router.get("/{scenario_id}", responses=error_responses(404, 422))
async def read_scenario(scenario: ScenarioDep) -> ScenarioDetailOut:
    """One scenario with its guiding questions and items."""
    return ScenarioDetailOut.model_validate(scenario)


class AnswerRequest(BaseModel):
    value: str | int | float | bool | None = Field(default=None)


@router.post("/{scenario_id}/questions/{question_id}/validate", responses=error_responses(404, 413, 422))
async def validate_answer(
    scenario: ScenarioDep, question_id: str, body: AnswerRequest, catalog: CatalogDep
) -> ValidOut | InvalidOut:
    """One guiding answer read as the plan would read it, without computing the plan."""
    question = next((q for q in scenario.questions if q.id == question_id), None)
    if question is None:
        raise ApiError(404, "question_not_found", f"场景“{scenario.name}”没有这个问题。")
    return validation_out(resolve_answer(question, body.value, catalog))


@router.post("/{scenario_id}/plan", responses=error_responses(404, 413, 422))
async def plan_scenario(scenario: ScenarioDep, body: PlanRequest, catalog: CatalogDep) -> PlanOut:
    """Compute the plan: applicable items, stages, merged form, materials and saving."""
    return PlanOut.of(compute_plan(scenario, body.answers, catalog))  # AnswersInvalid → 422 (api/errors.py)
