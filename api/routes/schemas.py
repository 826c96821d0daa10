"""What the JSON routes return, as pydantic models: the OpenAPI document describes every response,
and this is the one place where the engine's typed plan (and the catalog) become JSON.

The engine's dataclasses whose fields are the JSON's (PlanItem, MaterialEntry, Saving, JointGroup)
are used as they are; models read the others by attribute (`from_attributes`), and a "before"
validator converts where the JSON differs from them (the form, the questions)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Any, Literal, Self

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from api.catalog.models import Choice, Item, Question
from api.db.models import Application
from api.engine.form import MergedForm, form_schema
from api.engine.materials import MaterialEntry
from api.engine.plan import Plan, PlanItem, Saving
from api.engine.stages import JointGroup
from api.statuses import APPLICATION_STATUSES, ITEM_STATUSES
from api.validation.result import ValidationResult


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


# --- scenarios and their guiding questions


class QuestionBase(Out):
    id: str
    label: str
    type: str
    default: Any
    help: str


class PlainQuestionOut(QuestionBase):
    type: Literal["bool", "text"]


class ChoiceQuestionOut(QuestionBase):
    type: Literal["choice"]
    choices: list[Choice]


class NumberQuestionOut(QuestionBase):
    type: Literal["number"]
    unit: str
    min: float | None
    max: float | None


QuestionOut = Annotated[PlainQuestionOut | ChoiceQuestionOut | NumberQuestionOut, Field(discriminator="type")]


def question_out(q: Question) -> PlainQuestionOut | ChoiceQuestionOut | NumberQuestionOut:
    """A guiding question as clients see it: its type, and its choices or unit and bounds."""
    base = {"id": q.id, "label": q.label, "type": q.type, "default": q.default, "help": q.help}
    rule = q.validator
    if rule.kind == "choice":
        return ChoiceQuestionOut(**base, choices=rule.choices)
    if rule.kind == "number":
        return NumberQuestionOut(**base, unit=rule.unit, min=rule.min, max=rule.max)
    return PlainQuestionOut(**base)


class ScenarioOut(Out):
    """A scenario (一件事) with its guiding questions."""

    id: str
    name: str
    subject: Literal["person", "enterprise"]
    process: str
    summary: str
    aliases: list[str]
    keywords: list[str]
    questions: list[QuestionOut]

    @field_validator("questions", mode="before")
    @classmethod
    def _questions(cls, value: Any) -> Any:
        return [question_out(q) if isinstance(q, Question) else q for q in value]


class ScenarioDetailOut(ScenarioOut):
    """A scenario with its items (事项) as the catalog defines them, and its sources."""

    items: list[Item]
    sources: list[str]


# --- validating one value


class ValidOut(Out):
    valid: Literal[True] = True
    value: Any
    derived: dict[str, Any]


class InvalidOut(Out):
    valid: Literal[False] = False
    message: str
    # For an unsure reading ("我家9口人" as an area): the value to offer back; absent otherwise.
    suggestion: Any = Field(default=None, exclude_if=lambda v: v is None)


def validation_out(result: ValidationResult) -> ValidOut | InvalidOut:
    """{valid, value, derived}, or {valid: false, message, suggestion?}."""
    if result.valid:
        return ValidOut(value=result.value, derived=result.derived)
    return InvalidOut(message=result.message, suggestion=result.suggestion)


# --- the plan


class NotApplicableOut(Out):
    id: str
    name: str
    department: str
    reason: str


class StageOut(Out):
    stage: int = Field(validation_alias=AliasChoices("stage", "number"))
    items: list[str]
    parallel: bool
    joint_groups: list[JointGroup]


class PlanSnapshot(Out):
    """The part of a plan stored with an application (its items become the application's items)."""

    scenario_name: str
    items: list[PlanItem]
    stages: list[StageOut]
    materials: list[MaterialEntry]
    saving: Saving


class PlanOut(Out):
    """Applicable items, ordered stages, the merged form (JSON Schema), materials and saving."""

    scenario_id: str
    scenario_name: str
    answers: dict[str, Any]
    assumed_answers: list[str]
    items: list[PlanItem]
    not_applicable: list[NotApplicableOut]
    stages: list[StageOut]
    form: dict[str, Any] = Field(description="JSON Schema (draft 2020-12) of the one merged form")
    materials: list[MaterialEntry]
    saving: Saving

    @field_validator("form", mode="before")
    @classmethod
    def _form(cls, value: Any) -> Any:
        return form_schema(value) if isinstance(value, MergedForm) else value

    @classmethod
    def of(cls, plan: Plan) -> PlanOut:
        return _plan_out(plan)


# Plans are immutable and cached by the engine, so their renderings are cached with them (by identity).
@lru_cache(maxsize=1024)
def _plan_out(plan: Plan) -> PlanOut:
    return PlanOut.model_validate(plan, from_attributes=True)


@lru_cache(maxsize=1024)
def _plan_snapshot(plan: Plan) -> PlanSnapshot:
    return PlanSnapshot.model_validate(plan, from_attributes=True)


def case_plan(plan: Plan) -> dict[str, Any]:
    """The plan as the citizen's page shows it beside the conversation."""
    return PlanOut.of(plan).model_dump(include={"items", "not_applicable", "stages", "materials", "saving"})


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    """The plan as stored with an application (JSON; a new dict each time)."""
    return _plan_snapshot(plan).model_dump(mode="json")


# --- applications


class CorrectionFieldOut(Out):
    id: str
    label: str


class ApplicationItemOut(Out):
    id: str
    name: str
    department: str
    stage: int
    status: str
    status_label: str
    reason: str | None = Field(default=None, description="不予受理/不予许可的理由，或补正说明")
    correction: list[CorrectionFieldOut] = Field(default_factory=list, description="需要补正的表单项")


class ApplicationOut(Out):
    """An application's status, with per-item progress."""

    number: str
    status: str
    status_label: str
    scenario_id: str
    scenario_name: str
    created_at: str | None
    updated_at: str | None
    version: int
    items: list[ApplicationItemOut]

    @classmethod
    def of(cls, app: Application, labels: Mapping[str, str] | None = None, **extra: Any) -> Self:
        """`labels` (field id → label) names the fields a correction asks for."""
        labels = labels or {}
        return cls(
            number=app.number,
            status=app.status,
            status_label=APPLICATION_STATUSES.get(app.status, app.status),
            scenario_id=app.scenario_id,
            scenario_name=app.plan_snapshot.get("scenario_name", app.scenario_id),
            created_at=app.created_at.isoformat() if app.created_at else None,
            updated_at=app.updated_at.isoformat() if app.updated_at else None,
            version=app.version,
            items=[
                ApplicationItemOut(
                    id=it.item_id,
                    name=it.item_name,
                    department=it.department,
                    stage=it.stage,
                    status=it.status,
                    status_label=ITEM_STATUSES.get(it.status, it.status),
                    reason=it.reason if it.status in ("need_more", "rejected") else None,
                    correction=[CorrectionFieldOut(id=f, label=labels.get(f, f)) for f in it.correction_fields or []]
                    if it.status == "need_more"
                    else [],
                )
                for it in app.items
            ],
            **extra,
        )


class SubmissionOut(ApplicationOut):
    """The application a submission made or resolved to: new, a replay of the same request, or a
    corrected version."""

    replayed: bool
    revised: bool


class MissOut(Out):
    id: int
