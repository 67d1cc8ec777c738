"""Shared pieces of the service tests: tokens and roles, an app with the session's analyzer, samples.

The analyzer is the session fixture of ``conftest.py`` (built once); each test gets its own store, a
SQLite file under ``tmp_path`` or a fresh PostgreSQL schema (the ``url`` fixture of ``test_store.py``).
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url, text

from cdi.analysis import Analyzer
from cdi.service import Settings, create_app
from cdi.service.auth import TokenTable

BACKENDS = ("sqlite", "postgresql")
SAMPLES = Path(__file__).resolve().parents[1] / "fhir_samples"
HF = "unspecified-heart-failure"
HF_ENCOUNTER = f"Encounter/{HF}-enc"
HF_PATIENT = f"Patient/{HF}-pt"
HF_ATTENDING = f"Practitioner/{HF}-attending"
OTHER_DOCTOR = "Practitioner/someone-else"

SPECIALIST, ADMIN, INTEGRATOR, PHYSICIAN, OTHER_PHYSICIAN = (
    "tok-specialist",
    "tok-admin",
    "tok-integrator",
    "tok-physician",
    "tok-other-physician",
)
TOKENS: dict[str, Any] = {
    SPECIALIST: {"role": "cdi_specialist", "name": "alice"},
    ADMIN: "admin",
    INTEGRATOR: {"role": "integrator", "name": "ehr"},
    PHYSICIAN: {"role": "physician", "practitioner": HF_ATTENDING},
    OTHER_PHYSICIAN: {"role": "physician", "practitioner": OTHER_DOCTOR},
}
FHIR = "application/fhir+json"


def auth(token: str, **more: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **more}


def settings(url: str, **overrides: Any) -> Settings:
    return Settings(database_url=url, tokens=TokenTable.parse(TOKENS, "tests"), **overrides)


@contextmanager
def service(analyzer: Analyzer, url: str, **overrides: Any) -> Iterator[TestClient]:
    """A TestClient on a fresh app (lifespan run: the store migrates its schema)."""
    with TestClient(create_app(settings(url, **overrides), analyzer=analyzer)) as client:
        yield client


def sample(name: str = HF) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def note_text(resource: dict[str, Any]) -> str:
    return base64.b64decode(resource["content"][0]["attachment"]["data"]).decode("utf-8")


def with_note_text(bundle: dict[str, Any], note_id: str, old: str, new: str) -> dict[str, Any]:
    """A copy of ``bundle`` where one note's text has ``old`` replaced by ``new`` (a later documentation)."""
    changed = copy.deepcopy(bundle)
    for entry in changed["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "DocumentReference" and resource["id"] == note_id:
            text = note_text(resource)
            assert old in text
            resource["content"][0]["attachment"]["data"] = base64.b64encode(
                text.replace(old, new).encode("utf-8")
            ).decode("ascii")
            return changed
    raise AssertionError(f"no note {note_id}")


def hf_type_documented() -> dict[str, Any]:
    """The heart-failure sample once the discharge summary states the type: the finding is resolved."""
    return with_note_text(
        sample(HF),
        f"{HF}-ds",
        "1. CHF exacerbation",
        "1. Acute on chronic systolic heart failure (HFrEF), LVEF 30%",
    )


def persist(client: TestClient, bundle: dict[str, Any], token: str = SPECIALIST) -> dict[str, Any]:
    """POST /$analyze?persist=true; the JSON report with its ``stored`` part."""
    response = client.post("/$analyze?persist=true", json=bundle, headers=auth(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def only_task(report: dict[str, Any]) -> str:
    """The one stored query id of a single-finding analysis."""
    (stored,) = report["stored"]
    (task_id,) = stored["tasks"].values()
    return str(task_id)


def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The body of a ``db_url`` fixture parametrised over :data:`BACKENDS`: a SQLite file, or a fresh schema
    on the PostgreSQL server of ``test_store.py`` (its ``postgres_server`` session fixture must be imported
    by the test module: it fails in CI and skips elsewhere when the server is unreachable)."""
    from tests.test_store import PG_URL

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/cdi.db"
        return
    server = request.getfixturevalue("postgres_server")
    schema = f"{server.prefix}_svc_{uuid.uuid4().hex[:8]}"
    with server.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(PG_URL)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with server.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
