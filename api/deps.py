"""Request dependencies as Annotated aliases: the catalog and one DB session per request."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, ParamSpec, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.catalog.loader import Catalog
from api.catalog.models import Scenario
from api.errors import ApiError


# The dependencies are async on purpose: they do no I/O themselves (a Session connects lazily,
# when the route first uses it), so FastAPI need not hop to the thread pool for them.
async def get_catalog(request: Request) -> Catalog:
    return request.app.state.catalog


async def get_session(request: Request) -> AsyncIterator[Session]:
    with request.app.state.session_factory() as session:
        yield session


CatalogDep = Annotated[Catalog, Depends(get_catalog)]
DbSession = Annotated[Session, Depends(get_session)]

P = ParamSpec("P")
T = TypeVar("T")


async def run_db(session: Session, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run blocking database work from an async route.

    SQLite is a local file: a write is a millisecond of CPU-like work, so it runs on the event
    loop. Handing it to a thread costs more than it saves: the thread waits for the GIL behind the
    loop's request parsing, and submissions drop from ~390/s to ~200/s (bench/bench_submit.py).
    A server database is network I/O and goes to the thread pool, so the loop keeps serving."""
    if session.get_bind().dialect.name == "sqlite":
        return fn(*args, **kwargs)
    return await run_in_threadpool(fn, *args, **kwargs)


async def get_scenario(scenario_id: str, catalog: CatalogDep) -> Scenario:
    scenario = catalog.scenarios.get(scenario_id)
    if scenario is None:
        raise ApiError(404, "scenario_not_found", f"没有找到场景“{scenario_id}”，请从场景列表中选择。")
    return scenario


ScenarioDep = Annotated[Scenario, Depends(get_scenario)]
