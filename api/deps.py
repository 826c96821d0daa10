"""Request dependencies as Annotated aliases: the catalog and one DB session per request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

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


async def get_scenario(scenario_id: str, catalog: CatalogDep) -> Scenario:
    scenario = catalog.scenarios.get(scenario_id)
    if scenario is None:
        raise ApiError(404, "scenario_not_found", f"没有找到场景“{scenario_id}”，请从场景列表中选择。")
    return scenario


ScenarioDep = Annotated[Scenario, Depends(get_scenario)]
