"""The citizen pages: chat for web and phone (/), the self-service kiosk (/kiosk) and the status
lookup (/status). Server-rendered shells; plain ES modules under /static do the rest through the
same JSON endpoints as every other client. Nothing is loaded from outside the server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import CatalogDep

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

router = APIRouter(include_in_schema=False)

# Scripts and styles only from this server; the receipt's QR code is an inline SVG data: image and
# server speech plays from a blob: URL. No framing (a kiosk page inside someone else's page).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "microphone=(self), camera=(), geolocation=()",
}


def _page(request: Request, template: str, **context: object) -> HTMLResponse:
    response = TEMPLATES.TemplateResponse(request, template, context)
    response.headers.update(SECURITY_HEADERS)
    return response


def _suggestions(catalog: CatalogDep) -> list[dict[str, str]]:
    return [
        {"title": sc.name, "payload": f'/start_scenario{{"scenario": "{sc.id}"}}'} for sc in catalog.scenarios.values()
    ]


@router.get("/", response_class=HTMLResponse)
def chat_page(request: Request, catalog: CatalogDep) -> HTMLResponse:
    return _page(request, "chat.html", mode="web", suggestions=_suggestions(catalog))


@router.get("/kiosk", response_class=HTMLResponse)
def kiosk_page(request: Request, catalog: CatalogDep) -> HTMLResponse:
    cfg = request.app.state.settings
    return _page(
        request,
        "chat.html",
        mode="kiosk",
        suggestions=_suggestions(catalog),
        idle_seconds=cfg.KIOSK_IDLE_SECONDS,
        countdown_seconds=max(cfg.KIOSK_COUNTDOWN_SECONDS, 1),
    )


@router.get("/status", response_class=HTMLResponse, name="status_page")
def status_page(request: Request, number: Annotated[str, Query(max_length=32)] = "") -> HTMLResponse:
    return _page(request, "status.html", number=number.strip().upper())
