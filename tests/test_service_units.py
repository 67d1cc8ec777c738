"""The service's small parts on their own: settings, content negotiation, card summaries, the worklist
priority, operation reasons, content hashes, strict validation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cdi.service.errors import ServiceError
from cdi.service.params import reason_of, reference, statuses
from cdi.service.priority import DISCHARGED_POINTS, MAX_AGE_POINTS, priority, rank
from cdi.service.routes.analyze import negotiate
from cdi.service.routes.cds_hooks import SUMMARY_MAX, short_summary
from cdi.service.runner import content_hash, encounter_statuses
from cdi.service.serve import ServeError, is_loopback, serve_settings
from cdi.service.settings import DEFAULT_MAX_BODY_BYTES, Settings
from cdi.service.validation import validate_resource
from cdi.store import WorklistItem

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        ("application/fhir+json", "application/fhir+json"),
        ("application/fhir+json; charset=utf-8", "application/fhir+json"),
        ("application/json;q=0.4, application/fhir+json;q=0.9", "application/fhir+json"),
        ("text/html, */*;q=0.1", "application/json"),
        ("*/*, application/fhir+json", "application/fhir+json"),
    ],
)
def test_negotiate(accept: str | None, chosen: str) -> None:
    assert negotiate(accept) == chosen


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "application/json;q=0"])
def test_negotiate_refuses(accept: str) -> None:
    with pytest.raises(ServiceError) as caught:
        negotiate(accept)
    assert caught.value.status == 406


def test_short_summary_keeps_under_140_characters_and_cuts_at_a_word() -> None:
    assert short_summary("Heart failure  is documented\nwithout its type.") == (
        "Heart failure is documented without its type."
    )
    long = "Sepsis is documented by the attending and refuted by the infectious diseases consultant " * 3
    cut = short_summary(long)
    assert len(cut) < SUMMARY_MAX and cut.endswith("…")
    assert long.startswith(cut[:-1]) and not cut[:-1].endswith(" ")


def _item(**fields: Any) -> WorklistItem:
    base: dict[str, Any] = {
        "key": "Encounter/a",
        "encounter": "Encounter/a",
        "patient": "Patient/p",
        "open_findings": 1,
        "by_kind": {"unspecified": 1},
        "open_queries": 1,
        "oldest_open_query_at": NOW,
        "oldest_open_query_age_hours": 0.0,
        "encounter_status": None,
        "discharged": None,
        "discharged_at": None,
        "analysed_at": NOW,
    }
    base.update(fields)
    return WorklistItem(**base)


def test_priority_explains_its_score() -> None:
    found = priority(
        _item(by_kind={"conflict": 1, "unspecified": 2}, oldest_open_query_age_hours=50.0, discharged=True)
    )
    assert [(r.factor, r.points) for r in found.reasons] == [
        ("open findings", 3),
        ("open findings", 2),
        ("oldest open query", 2),
        ("discharge status", DISCHARGED_POINTS),
    ]
    assert found.score == 7 + DISCHARGED_POINTS
    old = priority(_item(oldest_open_query_age_hours=24.0 * 30))
    assert old.score == 1 + MAX_AGE_POINTS  # the age stops counting after a week
    assert priority(_item(oldest_open_query_age_hours=None)).score == 1


def test_rank_by_score_then_age_then_key() -> None:
    a = _item(key="a", by_kind={"unspecified": 1}, oldest_open_query_age_hours=1.0)
    b = _item(key="b", by_kind={"uncertain": 1}, oldest_open_query_age_hours=1.0)
    c = _item(key="c", by_kind={"unspecified": 1}, oldest_open_query_age_hours=20.0)
    d = _item(key="d", by_kind={"unspecified": 1}, oldest_open_query_age_hours=1.0)
    assert [item.key for item, _ in rank([a, b, c, d])] == ["b", "c", "a", "d"]


def test_reason_of_reads_parameters_or_plain_json() -> None:
    parameters = {"resourceType": "Parameters", "parameter": [{"name": "reason", "valueString": " dup "}]}
    assert reason_of(parameters, required=True) == "dup"
    concept = {
        "resourceType": "Parameters",
        "parameter": [{"name": "reason", "valueCodeableConcept": {"text": "x"}}],
    }
    assert reason_of(concept, required=True) == "x"
    assert reason_of({"reason": "y"}, required=True) == "y"
    assert reason_of(None, required=False) is None
    with pytest.raises(ServiceError, match="required"):
        reason_of(None, required=True)


def test_references_and_statuses() -> None:
    assert reference("3", "Practitioner", "owner") == "Practitioner/3"
    assert reference("Practitioner/3", "Practitioner", "owner") == "Practitioner/3"
    assert reference(None, "Patient", "patient") is None
    for bad in ("Patient/3", "a b", "x" * 65):
        with pytest.raises(ServiceError):
            reference(bad, "Practitioner", "owner")
    assert statuses("draft, on-hold", {"draft": "draft", "on-hold": "escalated"}) == ["draft", "escalated"]
    assert statuses(" ", {"draft": "draft"}) is None


def test_content_hash_ignores_key_order_and_whitespace() -> None:
    assert content_hash({"a": 1, "b": [1, 2]}) == content_hash({"b": [1, 2], "a": 1})
    assert content_hash({"a": 1}) != content_hash({"a": 2})
    assert content_hash({}).startswith("sha256:")


def test_encounter_statuses_reads_nested_bundles() -> None:
    bundle = {
        "resourceType": "Bundle",
        "entry": [
            {"resource": {"resourceType": "Encounter", "id": "e1", "status": "finished"}},
            {
                "resource": {
                    "resourceType": "Bundle",
                    "entry": [
                        {"resource": {"resourceType": "Encounter", "id": "e2", "status": "in-progress"}}
                    ],
                }
            },
            {"resource": {"resourceType": "Encounter", "id": "e3"}},
        ],
    }
    assert encounter_statuses(bundle) == {"Encounter/e1": "finished", "Encounter/e2": "in-progress"}


def test_validate_resource_names_nested_paths() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Bundle",
                    "type": "searchset",
                    "entry": [{"resource": {"resourceType": "Observation", "status": 1}}],
                }
            }
        ],
    }
    with pytest.raises(ServiceError) as caught:
        validate_resource(bundle, root="prefetch.x")
    assert "prefetch.x.entry[0].resource.entry[0].resource.status" in caught.value.expression
    bundle["entry"][0]["resource"]["entry"][0]["resource"]["contained"] = [{"resourceType": "Nope"}]
    with pytest.raises(ServiceError) as caught:
        validate_resource(bundle)
    assert caught.value.expression == (
        "Bundle.entry[0].resource.entry[0].resource.contained[0].resourceType",
    )


def test_settings_from_the_environment(tmp_path: Path) -> None:
    found = Settings.from_env({"CDI_DATABASE_URL": "sqlite:///x.db", "CDI_MAX_BODY_BYTES": "1000"})
    assert (found.database_url, found.max_body_bytes, len(found.tokens)) == ("sqlite:///x.db", 1000, 0)
    assert Settings.from_env({}).max_body_bytes == DEFAULT_MAX_BODY_BYTES
    assert Settings.from_env({"CDI_LOAD_SAMPLES": str(tmp_path)}).load_samples == tmp_path
    for bad in ("lots", "0", "-5"):
        with pytest.raises(ValueError, match="CDI_MAX_BODY_BYTES"):
            Settings.from_env({"CDI_MAX_BODY_BYTES": bad})


def test_serve_settings(tmp_path: Path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")
    found, token = serve_settings(
        host="127.0.0.1", database=None, tokens_file=None, load_samples=None, dev=False, environ={}
    )
    assert token is not None and found.tokens.lookup(token) is not None
    assert found.database_url is not None and found.database_url.endswith("cdi.db")
    with pytest.raises(ServeError, match="non-loopback"):
        serve_settings(
            host="0.0.0.0", database=None, tokens_file=None, load_samples=None, dev=False, environ={}
        )
    found, token = serve_settings(
        host="0.0.0.0", database="sqlite:///y.db", tokens_file=None, load_samples=None, dev=True, environ={}
    )
    assert token is not None and found.database_url == "sqlite:///y.db"
    env = {"CDI_TOKENS": "{t1: admin}", "CDI_DATABASE_URL": "postgresql://h/db"}
    found, token = serve_settings(
        host="0.0.0.0", database=None, tokens_file=None, load_samples=None, dev=False, environ=env
    )
    assert token is None and found.database_url == "postgresql://h/db"
    with pytest.raises(ServeError, match="no samples"):
        serve_settings(
            host="127.0.0.1",
            database=None,
            tokens_file=None,
            load_samples=tmp_path / "none",
            dev=False,
            environ=env,
        )
