"""Staff operations shared by the JSON routes and the server-rendered pages: each loads what it
needs, checks who may do it, changes it, audits it and commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.auth.passwords import hash_password, weakness
from api.auth.roles import ROLES, may_review, sees_all_departments
from api.catalog.loader import Catalog
from api.db import applications as crud
from api.db import audit, staff
from api.db.models import Application, StaffUser, utcnow
from api.db.review_queue import QueueFilter, counts_by_status, page
from api.review import views
from api.review.decisions import decide
from api.review.transitions import TransitionRefused
from privacy import PERSONAL_KINDS, mask_phone


class Refused(Exception):
    """An operation refused, with the HTTP status, a machine code and the officer's message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


NOT_FOUND = Refused(404, "application_not_found", "没有这份申请，或它不属于您负责的部门。")


def departments(catalog: Catalog) -> list[str]:
    return sorted({it.department for sc in catalog.scenarios.values() for it in sc.items})


def visible_departments(user: StaffUser) -> tuple[str, ...] | None:
    return None if sees_all_departments(user.role) else tuple(user.departments)


def _visible(app: Application | None, user: StaffUser) -> Application:
    if app is None or user.role == "trainer":
        raise NOT_FOUND
    if not sees_all_departments(user.role) and not any(
        it.department in user.departments or it.assignee == user.username for it in app.items
    ):
        raise NOT_FOUND
    return app


def _scope(f: QueueFilter, user: StaffUser) -> QueueFilter:
    """The filter limited to what this user may see."""
    return QueueFilter(**{**f.__dict__, "departments": visible_departments(user), "assignee": user.username})


def queue(
    session: Session, user: StaffUser, catalog: Catalog, f: QueueFilter, *, number: int, size: int
) -> dict[str, Any]:
    if user.role == "trainer":
        raise Refused(403, "forbidden", "您的账号没有这项权限。")
    f = _scope(f, user)
    counts = counts_by_status(session, f)
    total = counts.get(f.status, 0) if f.status else sum(counts.values())
    rows = page(session, f, number=number, size=size)
    now = utcnow()
    return {
        "rows": [views.queue_row(app, catalog, now) for app in rows],
        "total": total,
        "page": number,
        "pages": max(1, -(-total // size)),
        "counts": counts,
    }


def application_detail(
    session: Session, user: StaffUser, catalog: Catalog, number: str, revealed: dict[str, str] | None = None
) -> dict[str, Any]:
    app = _visible(crud.get_by_number(session, number=number), user)
    previous = crud.previous_version(session, app=app)
    transcript = crud.transcript_of(session, app=app)
    return views.detail(app, user, catalog, utcnow(), revealed, previous.form_data if previous else None, transcript)


def reveal(session: Session, user: StaffUser, catalog: Catalog, number: str, field_id: str, client: str) -> str:
    """One personal field in full; the reveal is audited before the value is returned."""
    app = _visible(crud.get_by_number(session, number=number), user)
    field = catalog.fields.get(field_id)
    if field_id not in app.form_data or field is None or field.validator.kind not in PERSONAL_KINDS:
        raise Refused(404, "field_not_found", "这份申请没有这一项个人信息。")
    audit.record(session, actor=user, action="reveal", application_number=number, target=field_id, client=client)
    session.commit()
    return str(app.form_data[field_id])


def decision(
    session: Session,
    user: StaffUser,
    catalog: Catalog,
    number: str,
    item_id: str,
    *,
    action: str,
    reason: str,
    fields: list[str],
    client: str,
) -> None:
    app = _visible(crud.get_by_number(session, number=number), user)
    if not may_review(user.role):
        raise Refused(403, "forbidden", "只有审核人员可以办理事项。")
    try:
        decide(
            session,
            app=app,
            item_id=item_id,
            action=action,
            actor=user,
            reason=reason,
            fields=fields,
            form_fields={fid: p["title"] for fid, p in views.merged_form(app, catalog).get("properties", {}).items()},
            client=client,
        )
    except TransitionRefused as exc:
        session.rollback()
        raise Refused(409, "transition_refused", str(exc)) from None
    except PermissionError:
        session.rollback()
        raise Refused(403, "not_your_department", "这个事项不属于您负责的部门。") from None
    session.commit()


def assign(session: Session, user: StaffUser, number: str, item_id: str, username: str, client: str) -> None:
    """改派: a supervisor gives an item to a reviewer (of any department), or back to its department."""
    if user.role != "supervisor":
        raise Refused(403, "forbidden", "只有科室负责人可以改派事项。")
    app = _visible(crud.get_by_number(session, number=number), user)
    item = next((it for it in app.items if it.item_id == item_id), None)
    if item is None:
        raise Refused(404, "item_not_found", "这份申请里没有这个事项。")
    target = staff.get_user(session, username=username) if username else None
    if username and (target is None or target.role != "reviewer" or not target.active):
        raise Refused(422, "not_a_reviewer", "只能改派给在岗的审核人员。")
    before = {"assignee": item.assignee}
    item.assignee = target.username if target else None
    audit.record(
        session,
        actor=user,
        action="item.assigned",
        application_number=number,
        target=item_id,
        before=before,
        after={"assignee": item.assignee},
        client=client,
    )
    session.commit()


def reviewers(session: Session) -> list[StaffUser]:
    return [u for u in staff.list_users(session) if u.role == "reviewer" and u.active]


def tick_material(
    session: Session, user: StaffUser, number: str, material_id: str, received: bool, client: str
) -> None:
    app = _visible(crud.get_by_number(session, number=number), user)
    if not may_review(user.role):
        raise Refused(403, "forbidden", "只有审核人员可以核对材料。")
    known = {m["id"] for m in app.plan_snapshot.get("materials", [])}
    if material_id not in known:
        raise Refused(404, "material_not_found", "这份申请没有这项材料。")
    before = sorted(app.materials_received or [])
    after = sorted(set(before) | {material_id}) if received else [m for m in before if m != material_id]
    if after != before:
        app.materials_received = after
        audit.record(
            session,
            actor=user,
            action="material.received" if received else "material.missing",
            application_number=number,
            target=material_id,
            before={"received": material_id in before},
            after={"received": received},
            client=client,
        )
    session.commit()


def create_user(
    session: Session,
    catalog: Catalog,
    actor: StaffUser | None,
    *,
    username: str,
    display_name: str,
    role: str,
    departments_: list[str],
    password: str,
    client: str = "",
) -> StaffUser:
    """A new account. Reviewers need at least one department of the catalog."""
    username = username.strip()
    if (
        not username
        or len(username) > 64
        or not username.isascii()
        or not username.replace(".", "").replace("_", "").isalnum()
    ):
        raise Refused(422, "bad_username", "用户名只能用字母、数字、点和下划线，最多64位。")
    if role not in ROLES:
        raise Refused(422, "bad_role", "没有这种角色。")
    unknown = [d for d in departments_ if d not in departments(catalog)]
    if unknown:
        raise Refused(422, "bad_department", f"没有这个部门：{'、'.join(unknown)}。")
    if role == "reviewer" and not departments_:
        raise Refused(422, "department_required", "审核人员至少要负责一个部门。")
    if problem := weakness(password):
        raise Refused(422, "weak_password", problem)
    if staff.get_user(session, username=username) is not None:
        raise Refused(409, "username_taken", "这个用户名已被使用。")
    user = staff.create_user(
        session,
        username=username,
        display_name=display_name.strip()[:64] or username,
        role=role,
        departments=departments_ if role == "reviewer" else [],
        password_hash=hash_password(password),
    )
    audit.record(
        session,
        actor=actor,
        actor_name="command-line",
        action="user.created",
        target=username,
        after={"role": role, "departments": user.departments},
        client=client,
    )
    session.commit()
    return user


def audit_view(events: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "at": views.aware(e.at).isoformat(timespec="seconds"),
            "actor": e.actor,
            "action": e.action,
            "application_number": e.application_number,
            "target": e.target,
            "before": e.before,
            "after": e.after,
        }
        for e in events
    ]


EXPORT_COLUMNS = ["受理编号", "事项", "申请人", "手机号", "渠道", "状态", "提交时间", "已等待工作日", "各事项进度"]
EXPORT_LIMIT = 50_000


def export_rows(
    session: Session, user: StaffUser, catalog: Catalog, f: QueueFilter, *, unmasked: bool, client: str
) -> list[list[str]]:
    """The filtered queue as CSV rows (header first), masked unless an admin asks otherwise; every
    export is audited with its filter and whether it was masked."""
    if user.role == "trainer":
        raise Refused(403, "forbidden", "您的账号没有这项权限。")
    if unmasked and user.role != "admin":
        raise Refused(403, "forbidden", "只有系统管理员可以导出未遮蔽的个人信息。")
    f = _scope(f, user)
    apps = page(session, f, number=1, size=EXPORT_LIMIT)
    now = utcnow()
    rows = [EXPORT_COLUMNS]
    for app in apps:
        row = views.queue_row(app, catalog, now)
        rows.append(
            [
                row["number"],
                row["scenario_name"],
                app.applicant_name if unmasked else row["applicant"],
                app.phone if unmasked else mask_phone(app.phone),
                row["channel"],
                row["status_label"],
                row["created_at"][:16].replace("T", " "),
                str(row["waited_working_days"]),
                "；".join(f"{it['name']}：{it['status_label']}" for it in row["items"]),
            ]
        )
    filters = {k: str(v) for k, v in f.__dict__.items() if v and k not in ("departments", "assignee")}
    audit.record(
        session,
        actor=user,
        action="export",
        after={"rows": len(apps), "masked": not unmasked, **filters},
        client=client,
    )
    session.commit()
    return rows
