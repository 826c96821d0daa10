"""The outcome of validating one value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ValidationResult:
    valid: bool
    value: Any = None
    derived: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    # For an unsure reading ("我家9口人" as an area): the value to offer back ("您是说 9 平方米吗？").
    suggestion: Any = None


def Valid(value: Any, derived: dict[str, Any] | None = None) -> ValidationResult:  # noqa: N802
    return ValidationResult(True, value, derived or {})


def Invalid(message: str, suggestion: Any = None) -> ValidationResult:  # noqa: N802
    return ValidationResult(False, message=message, suggestion=suggestion)
