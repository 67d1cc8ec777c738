"""Shared pytest fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    """The NLP pipeline with the shipped catalogue, built once for the whole test run."""
    from cdi.nlp import get_pipeline

    return get_pipeline()


@pytest.fixture(scope="session")
def analyzer():  # type: ignore[no-untyped-def]
    """The whole-job analyzer (pipeline, catalogue, templates), built once for the whole test run."""
    from cdi.analysis import get_analyzer

    return get_analyzer()
