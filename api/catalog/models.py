"""Pydantic models of the field catalog (data/fields.yml) and scenario catalog (data/scenarios/*.yml).

The models check each file on its own; cross-references (fields named by items, questions named
by conditions, prerequisites naming items) are checked by the loader, which sees everything.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,47}$")]
ChineseText = Annotated[str, Field(min_length=1, max_length=400)]


class Strict(BaseModel):
    """Base for catalog models: unknown keys are errors, so typos in YAML fail loudly."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(Strict):
    value: Identifier
    label: ChineseText
    synonyms: list[str] = []


class TextRule(Strict):
    kind: Literal["text", "name", "address"]
    min_length: int = Field(1, ge=0)
    max_length: int = Field(100, ge=1, le=2000)


class IdNumberRule(Strict):
    kind: Literal["id_number"]


class UsccRule(Strict):
    kind: Literal["uscc"]


class PhoneRule(Strict):
    kind: Literal["phone"]


class BankAccountRule(Strict):
    kind: Literal["bank_account"]


class DateRule(Strict):
    kind: Literal["date"]
    past_only: bool = False
    future_only: bool = False


class NumberRule(Strict):
    kind: Literal["number"]
    unit: str = ""
    min: float | None = None
    max: float | None = None
    integer: bool = False


class BoolRule(Strict):
    kind: Literal["bool"]
    # Statements that answer this question without 是/否 ("本地户口" = no to "户籍是否在天津市以外").
    # Matched inside the answer; a phrase right after a negation (不是本地户口) means the opposite.
    means_yes: list[str] = Field(default_factory=list)
    means_no: list[str] = Field(default_factory=list)


class ChoiceRule(Strict):
    kind: Literal["choice"]
    choices: list[Choice] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique_values(self) -> ChoiceRule:
        values = [c.value for c in self.choices]
        if len(values) != len(set(values)):
            raise ValueError("choices 中存在重复的 value")
        return self


Rule = Annotated[
    TextRule | IdNumberRule | UsccRule | PhoneRule | BankAccountRule | DateRule | NumberRule | BoolRule | ChoiceRule,
    Field(discriminator="kind"),
]


class Derivation(Strict):
    """A fact computed from another field's validated value (e.g. birth date from 身份证号)."""

    field: Identifier
    key: Literal["birth_date", "gender", "region_code"]


class FieldGroup(Strict):
    id: Identifier
    label: ChineseText
    order: int


class FieldDef(Strict):
    id: Identifier
    label: ChineseText
    group: Identifier
    validator: Rule
    help: ChineseText
    example: ChineseText
    aliases: list[str] = []
    required: bool = True
    sensitive: bool = False
    derived_from: Derivation | None = None


class BoolWords(Strict):
    affirmative: list[str] = Field(min_length=1)
    negative: list[str] = Field(min_length=1)
    # "不清楚/跳过/按默认": the only answers that let a guiding question take its default.
    unsure: list[str] = Field(min_length=1)


class FieldCatalog(Strict):
    groups: list[FieldGroup]
    bool_words: BoolWords
    fields: list[FieldDef]


class Question(Strict):
    """A guiding question (引导问题): its answer decides which items apply."""

    id: Identifier
    label: ChineseText
    validator: Annotated[NumberRule | BoolRule | ChoiceRule | TextRule, Field(discriminator="kind")]
    default: Any
    help: ChineseText

    @property
    def type(self) -> str:
        kind = self.validator.kind
        return kind if kind in ("bool", "number", "choice") else "text"


MaterialKind = Literal["form", "shared", "bring"]


class Material(Strict):
    id: Identifier
    name: ChineseText
    note: str = ""
    # form: the department's own application form, replaced by the one merged form;
    # shared: the departments read it themselves (电子证照, or issued by an earlier item of the
    #   scenario, e.g. 营业执照), so it is not asked of the citizen;
    # bring: the citizen brings it.
    kind: MaterialKind = "bring"


class TimeLimit(Strict):
    statutory: ChineseText
    # The working days the statutory text gives until the decision (行政许可法第八十二条 counts
    # 行政许可 periods in working days); 0 for 当场/即办; null when the text gives no number. Required,
    # so that every item says which.
    statutory_days: Annotated[int, Field(ge=0, le=365)] | None
    promised: str = ""


class ConditionalFields(Strict):
    """Fields an item asks only when a condition over the answers holds (e.g. uscc once licensed)."""

    when: str
    fields: list[Identifier] = Field(min_length=1)


class Item(Strict):
    """One 事项 (administrative service item) inside a scenario."""

    id: Identifier
    name: ChineseText
    department: ChineseText
    legal_basis: ChineseText
    condition: str | None = None
    reason: ChineseText
    prerequisites: list[Identifier] = []
    joint_resolution: str = ""
    fields: list[Identifier] = Field(min_length=1)
    conditional_fields: list[ConditionalFields] = []
    materials: list[Material] = Field(min_length=1)
    time_limit: TimeLimit
    fee: ChineseText
    where: ChineseText


class Scenario(Strict):
    id: Identifier
    name: ChineseText
    subject: Literal["person", "enterprise"]
    process: ChineseText
    summary: ChineseText
    aliases: list[str] = Field(min_length=8)
    keywords: list[str] = Field(default_factory=list)
    questions: list[Question] = Field(min_length=3, max_length=6)
    items: list[Item] = Field(min_length=4, max_length=8)
    sources: list[str] = Field(min_length=1)
