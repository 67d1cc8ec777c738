"""The service's configuration, read once from the environment when the application is built.

Everything has a default that makes ``cdi serve`` work on a laptop (a SQLite file in the working directory);
access tokens never have one: without configured tokens every protected endpoint answers 401, so nothing is
ever written anonymously.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cdi.service.auth import TokenTable, load_tokens

ENV_MAX_BODY = "CDI_MAX_BODY_BYTES"
ENV_LOAD_SAMPLES = "CDI_LOAD_SAMPLES"
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
"""A Bundle of one long stay with base64 notes is a few MB; 16 MiB leaves room and stops a runaway upload."""


@dataclass(frozen=True)
class Settings:
    database_url: str | None = (
        None  # None: the store's own default ($CDI_DATABASE_URL, else sqlite:///cdi.db)
    )
    tokens: TokenTable = field(default_factory=TokenTable)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    load_samples: Path | None = None  # analyse and store these FHIR samples at start-up

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``CDI_DATABASE_URL``, ``CDI_TOKENS_FILE`` / ``CDI_TOKENS``, ``CDI_MAX_BODY_BYTES``
        and ``CDI_LOAD_SAMPLES``; a bad value raises ``ValueError`` at start-up, not at the first request."""
        env = os.environ if environ is None else environ
        raw_limit = env.get(ENV_MAX_BODY, "").strip()
        try:
            limit = int(raw_limit) if raw_limit else DEFAULT_MAX_BODY_BYTES
        except ValueError:
            raise ValueError(f"{ENV_MAX_BODY} must be a number of bytes") from None
        if limit <= 0:
            raise ValueError(f"{ENV_MAX_BODY} must be positive")
        samples = env.get(ENV_LOAD_SAMPLES, "").strip()
        return cls(
            database_url=env.get("CDI_DATABASE_URL") or None,
            tokens=load_tokens(env),
            max_body_bytes=limit,
            load_samples=Path(samples) if samples else None,
        )
