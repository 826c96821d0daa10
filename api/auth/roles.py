"""Staff roles and what each may see."""

from __future__ import annotations

ROLES = {
    "reviewer": "审核人员",
    "supervisor": "科室负责人",
    "trainer": "训练师",
    "admin": "系统管理员",
}


def sees_all_departments(role: str) -> bool:
    return role in ("supervisor", "admin")


def may_review(role: str) -> bool:
    """Supervisors see everything read-only; only reviewers decide, and only in their departments."""
    return role == "reviewer"
