"""The real thing: uvicorn on a free port in a thread, talked to over HTTP with httpx; and ``cdi serve``."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cdi.analysis import Analyzer
from cdi.cli import app as cli
from cdi.service import Settings, create_app
from tests.service_support import HF, SAMPLES, SPECIALIST, auth, sample, settings


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def running(analyzer: Any, tmp_path: Path) -> Iterator[str]:
    """uvicorn serving a fresh app in a thread; yields its base URL."""
    port = free_port()
    app = create_app(settings(f"sqlite:///{tmp_path}/cdi.db"), analyzer=analyzer)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def base_url(analyzer: Analyzer, tmp_path: Path) -> Iterator[str]:
    with running(analyzer, tmp_path) as url:
        yield url


def test_the_service_over_http(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=60) as http:
        assert http.get("/cds-services").json()["services"]
        assert http.get("/Task").status_code == 401
        analysed = http.post("/$analyze?persist=true", json=sample(HF), headers=auth(SPECIALIST))
        assert analysed.status_code == 200
        (task_id,) = analysed.json()["stored"][0]["tasks"].values()
        tasks = http.get("/Task", headers=auth(SPECIALIST)).json()
        assert [e["resource"]["id"] for e in tasks["entry"]] == [task_id]
        assert tasks["link"][0]["url"].startswith(base_url)
        sent = http.post(f"/Task/{task_id}/$send", headers=auth(SPECIALIST))
        assert sent.status_code == 200 and sent.json()["status"] == "requested"
        refused = http.post(f"/Task/{task_id}/$send", headers=auth(SPECIALIST))
        assert refused.status_code == 409 and refused.headers["content-type"].startswith(
            "application/fhir+json"
        )
        bad = http.post(
            "/$analyze", content=b"{", headers=auth(SPECIALIST, **{"content-type": "application/json"})
        )
        assert bad.status_code == 400
        assert "swagger" in http.get("/docs").text.lower()


class HeldAnalyzer:
    """The real analyzer, held at the start of each analysis until the test lets it go."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.started = threading.Event()
        self.release = threading.Event()

    def analyze_many(self, records: Any) -> Any:
        self.started.set()
        assert self.release.wait(timeout=120)
        return self.analyzer.analyze_many(records)


def test_reads_are_served_while_a_bundle_is_analysed(analyzer: Analyzer, tmp_path: Path) -> None:
    """Analysis runs off the event loop: while one is in progress, other requests are answered."""
    held = HeldAnalyzer(analyzer)
    with running(held, tmp_path) as url, httpx.Client(base_url=url, timeout=60) as http:
        result: list[int] = []
        worker = threading.Thread(
            target=lambda: result.append(
                http.post("/$analyze", json=sample(HF), headers=auth(SPECIALIST)).status_code
            )
        )
        worker.start()
        try:
            assert held.started.wait(timeout=60)
            assert http.get("/metrics", headers=auth(SPECIALIST)).status_code == 200
            assert http.get("/Task", headers=auth(SPECIALIST)).status_code == 200
            assert result == []  # the analysis is still held
        finally:
            held.release.set()
            worker.join(timeout=120)
        assert result == [200]


# --- cdi serve ---------------------------------------------------------------------------------------------


def test_cdi_serve_prints_a_dev_token_and_loads_the_samples(
    analyzer: Analyzer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: dict[str, Any] = {}

    def fake_run(settings: Settings, *, host: str, port: int) -> None:
        started.update(settings=settings, host=host, port=port)

    monkeypatch.setattr("cdi.service.serve.run", fake_run)
    monkeypatch.delenv("CDI_TOKENS", raising=False)
    monkeypatch.delenv("CDI_TOKENS_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["serve", "--load-samples", "--port", "8123"])
    assert result.exit_code == 0, result.output
    token = re.search(r"development token \(cdi_specialist, this run only\): (\S+)", result.output)
    assert token is not None
    configured: Settings = started["settings"]
    assert (started["host"], started["port"]) == ("127.0.0.1", 8123)
    assert configured.database_url == f"sqlite:///{tmp_path / 'cdi.db'}"
    assert configured.load_samples == SAMPLES

    with TestClient(create_app(configured, analyzer=analyzer)) as client:
        tasks = client.get("/Task?_count=100", headers=auth(token.group(1))).json()["entry"]
        bundles = [p for p in SAMPLES.glob("*.json") if p.name != "expected.json"]
        assert len(tasks) >= len(bundles) - 2  # the two control samples have no finding
        worklist = client.get("/worklist", headers=auth(token.group(1))).json()
        assert worklist["total"] == len(tasks)
    assert (tmp_path / "cdi.db").exists()


def test_cdi_serve_refuses_to_expose_a_tokenless_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cdi.service.serve.run", lambda *a, **k: pytest.fail("must not start"))
    monkeypatch.delenv("CDI_TOKENS", raising=False)
    monkeypatch.delenv("CDI_TOKENS_FILE", raising=False)
    result = CliRunner().invoke(
        cli, ["serve", "--host", "0.0.0.0", "--database", f"sqlite:///{tmp_path}/x.db"]
    )
    assert result.exit_code == 2 and "non-loopback" in result.output
    bad = tmp_path / "tokens.yaml"
    bad.write_text("secret-token: superuser\n")
    result = CliRunner().invoke(cli, ["serve", "--tokens-file", str(bad)])
    assert result.exit_code == 2 and "invalid role" in result.output and "secret-token" not in result.output
    good = tmp_path / "good.yaml"
    good.write_text("a-real-token: {role: admin}\n")
    started: list[Settings] = []
    monkeypatch.setattr("cdi.service.serve.run", lambda s, **k: started.append(s))
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--tokens-file", str(good)])
    assert result.exit_code == 0 and "development token" not in result.output
    assert started[0].tokens.lookup("a-real-token") is not None
