"""``cdi serve``: the service with laptop defaults.

A SQLite file ``cdi.db`` in the working directory unless ``--database`` or ``CDI_DATABASE_URL`` names
another; tokens from ``CDI_TOKENS_FILE`` / ``CDI_TOKENS``. With no token configured (or with ``--dev``) a
random development token with the ``cdi_specialist`` role is made for this run and printed; without tokens
the server only listens on a loopback address, so nothing is reachable with a printed token from outside.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from dataclasses import replace
from pathlib import Path

from cdi.service.auth import ENV_TOKENS_FILE, Principal, Role
from cdi.service.settings import Settings

DEV_NAME = "local-dev"


def default_samples() -> Path:
    """The bundled ``fhir_samples/`` of a source checkout, else ``./fhir_samples``."""
    beside = Path(__file__).resolve().parents[2] / "fhir_samples"
    return beside if beside.is_dir() else Path.cwd() / "fhir_samples"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ServeError(ValueError):
    """A configuration ``cdi serve`` refuses to start with (the message says what to do)."""


def serve_settings(
    *,
    host: str,
    database: str | None,
    tokens_file: Path | None,
    load_samples: Path | None,
    dev: bool,
    environ: dict[str, str] | None = None,
) -> tuple[Settings, str | None]:
    """The settings for ``cdi serve`` and the development token it made (None if it made none)."""
    env = dict(os.environ if environ is None else environ)
    if tokens_file is not None:
        env[ENV_TOKENS_FILE] = str(tokens_file)
    settings = Settings.from_env(env)
    url = database or settings.database_url or f"sqlite:///{Path.cwd() / 'cdi.db'}"
    if load_samples is not None and not load_samples.is_dir():
        raise ServeError(f"no samples folder at {load_samples}")
    settings = replace(settings, database_url=url, load_samples=load_samples)
    token = None
    if dev or not len(settings.tokens):
        if not dev and not is_loopback(host):
            raise ServeError(
                "no access tokens are configured (CDI_TOKENS_FILE or CDI_TOKENS): refusing to listen on a "
                "non-loopback address; configure tokens, or pass --dev deliberately"
            )
        token = secrets.token_urlsafe(24)
        settings = replace(
            settings, tokens=settings.tokens.with_token(token, Principal(Role.CDI_SPECIALIST, DEV_NAME))
        )
    return settings, token


def run(settings: Settings, *, host: str, port: int) -> None:
    """Start uvicorn with the app (one process; run ``uvicorn service:app --workers N`` to scale)."""
    import uvicorn

    from cdi.service.app import create_app

    logging.getLogger("cdi").setLevel(logging.INFO)
    uvicorn.run(create_app(settings), host=host, port=port, access_log=False)
