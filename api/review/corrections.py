"""The citizen's side of 补正: which fields the officers asked to correct, and the corrected version
of the same application (the old version kept, the items sent back to the queue, audited)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.db import audit
from api.db.applications import keep_version
from api.db.models import Application, utcnow
from api.review.transitions import check, settle_status


def fields_to_correct(app: Application) -> list[str]:
    """The fields named by the items waiting for a correction, in the items' order, once each."""
    fields: dict[str, None] = {}
    for it in app.items:
        if it.status == "need_more":
            fields.update(dict.fromkeys(it.correction_fields or []))
    return list(fields)


def apply_correction(session: Session, *, app: Application, data: dict[str, Any], changed: list[str]) -> Application:
    """Store `data` (the whole normalised form) as the application's next version; the items that
    waited for it go back to 待办理. The caller commits."""
    keep_version(session, app=app, replaced_by="correction")
    app.form_data = data
    app.phone = str(data.get("phone", app.phone))
    app.applicant_name = str(data.get("applicant_name", app.applicant_name))
    app.version += 1
    app.updated_at = utcnow()
    for it in app.items:
        if it.status == "need_more":
            it.status = check("resubmitted", it.status).target
            it.correction_fields = None
    settle_status(app)
    audit.record(
        session,
        actor=None,
        actor_name="申请人",
        action="application.corrected",
        application_number=app.number,
        after={"version": app.version, "fields": changed},
    )
    session.flush()
    return app
