"""The app factory: settings, catalog, database and routers wired together."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from api.bot_client import BotClient
from api.catalog.loader import load_catalog
from api.db.session import make_engine, session_factory
from api.db.sqlite import WalCheckpointer
from api.errors import install_error_handlers
from api.limits import BodySizeLimit
from api.ratelimit import RateLimits
from api.routes import (
    applications,
    chat,
    conversation,
    fields,
    inbox,
    inbox_pages,
    nlu,
    pages,
    scenarios,
    speech,
    staff,
    staff_pages,
)
from api.settings import Settings, settings
from api.speech.asr import load_recogniser
from privacy import install_log_masking


def create_app(config: Settings | None = None) -> FastAPI:
    """Build the API; tests pass their own Settings (database URL, data dir)."""
    cfg = config or settings
    install_log_masking()  # before anything logs: no personal data in any log line or traceback
    catalog = load_catalog(cfg.DATA_DIR)  # fail at start-up, loudly, on a broken catalog
    engine = make_engine(cfg.DATABASE_URL)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        checkpointer = WalCheckpointer(engine)
        checkpointer.start()
        yield
        checkpointer.stop()
        await app.state.bot.close()
        engine.dispose()

    app = FastAPI(
        title="政务服务机器人 API",
        description="场景化审批（一件事）：场景目录、联合表单、申请受理与进度查询。",
        version="0.1.0",
        lifespan=lifespan,
        # FastAPI's built-in OpenTelemetry hooks cost ~1 ms a request; on only when an operator asks.
        telemetry={"tracing": cfg.TELEMETRY, "metrics": cfg.TELEMETRY, "logs": cfg.TELEMETRY},
    )
    app.state.settings = cfg
    app.state.catalog = catalog
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    app.state.rate_limits = RateLimits(cfg.RATE_LIMIT_STORAGE, cfg.rate_rules())
    app.state.bot = BotClient(cfg.RASA_URL, cfg.rasa_token())
    app.state.recogniser = load_recogniser(cfg.ASR_RECOGNISER, cfg)
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimit, max_bytes=cfg.MAX_BODY_BYTES, per_path={"/api/chat/speech/recognise": cfg.ASR_MAX_BYTES}
    )

    api = APIRouter(prefix="/api")
    for module in (scenarios, fields, applications, nlu, chat, conversation, speech, staff, inbox):
        api.include_router(module.router)

    @api.get("/health", tags=["health"])
    def health() -> dict[str, object]:
        """Liveness: the catalog is loaded."""
        return {"status": "ok", "scenarios": len(catalog.scenarios)}

    app.include_router(api)
    app.include_router(pages.router)
    app.include_router(staff_pages.router)
    app.include_router(inbox_pages.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    logging.getLogger("api").setLevel(cfg.LOG_LEVEL)
    return app
