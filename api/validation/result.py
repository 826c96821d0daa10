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


def Valid(value: Any, derived: dict[str, Any] | None = None) -> ValidationResult:  # noqa: N802
    return ValidationResult(True, value, derived or {})


def Invalid(message: str) -> ValidationResult:  # noqa: N802
    return ValidationResult(False, message=message)
