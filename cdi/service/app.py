"""The application factory: settings, the store and the analyzer built once in the lifespan, routers,
OperationOutcome error handling and the identifier-free access log."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from cdi.analysis import Analyzer, get_analyzer
from cdi.service.access_log import AccessLogMiddleware
from cdi.service.errors import install_error_handlers
from cdi.service.routes import analyze, answers, cds_hooks, records, review, tasks
from cdi.service.runner import AnalysisRunner, load_samples
from cdi.service.settings import Settings
from cdi.store import Store

log = logging.getLogger("cdi.service")

DESCRIPTION = """FHIR R4 and CDS Hooks API of the CDI query assistant: analyse encounters, keep the physician
queries and their lifecycle, record answers, rank the CDI worklist and report program metrics.

Every endpoint except this documentation and the CDS Hooks discovery needs `Authorization: Bearer <token>`;
errors are FHIR OperationOutcome resources."""


def create_app(
    settings: Settings | None = None, *, analyzer: Analyzer | None = None, store: Store | None = None
) -> FastAPI:
    """The FastAPI application. ``settings`` default to the environment (:meth:`Settings.from_env`);
    ``analyzer`` and ``store`` may be given (tests share one analyzer); otherwise they are built at start-up
    (the medspaCy pipeline, knowledge and templates once per process; the store migrates its schema)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # uvicorn's access log prints the full URL, query string included (identifiers): ours replaces it.
        logging.getLogger("uvicorn.access").disabled = True
        the_store: Store = (
            store if store is not None else await run_in_threadpool(Store, settings.database_url)
        )
        the_analyzer: Analyzer = analyzer if analyzer is not None else await run_in_threadpool(get_analyzer)
        app.state.store = the_store
        app.state.runner = AnalysisRunner(the_analyzer)
        if settings.load_samples is not None:
            await run_in_threadpool(load_samples, the_analyzer, the_store, settings.load_samples)
        if not len(settings.tokens):
            log.warning("no access tokens configured: every protected endpoint answers 401")
        try:
            yield
        finally:
            if store is None:
                the_store.close()

    app = FastAPI(
        title="CDI query assistant",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(AccessLogMiddleware)
    for module in (analyze, tasks, answers, records, review, cds_hooks):
        app.include_router(module.router)
    return app
