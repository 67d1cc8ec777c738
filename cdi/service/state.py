"""What the app builds once at start-up, reachable from a request (FastAPI dependencies)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from cdi.service.runner import AnalysisRunner
from cdi.service.settings import Settings
from cdi.store import Store


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_runner(request: Request) -> AnalysisRunner:
    runner: AnalysisRunner = request.app.state.runner
    return runner


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
RunnerDep = Annotated[AnalysisRunner, Depends(get_runner)]
