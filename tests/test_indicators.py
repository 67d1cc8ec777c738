from cdi.catalog import Topic
from cdi.indicators import evaluate
from cdi.models import ObservationRecord
from tests.factories import day


def _topic(rule: dict) -> Topic:  # type: ignore[type-arg]
    return Topic.model_validate(
        {
            "id": "acute_kidney_injury",
            "label": "AKI",
            "icd10cm": {"category": "N17", "unspecified": "N17.9"},
            "terms": ["AKI"],
            "indicators": [rule],
        }
    )


def cr(i: int, value: float, d: int, hour: int = 6) -> ObservationRecord:
    return ObservationRecord(
        f"Observation/{i}", ("2160-0",), "Creatinine", value, None, "mg/dL", day(d, hour)
    )


RISE = {
    "id": "kdigo",
    "name": "Creatinine",
    "source": "observation",
    "loinc": ["2160-0"],
    "rise": {"absolute": 0.3, "within_hours": 48},
}


def test_kdigo_rise_within_48_hours() -> None:
    result = evaluate(_topic(RISE), [cr(1, 1.0, 1), cr(2, 1.4, 2)], [])
    (ind,) = result.present["kdigo"]
    assert ind.source == "Observation/2" and ind.value == "1 -> 1.4 mg/dL" and "rise" in ind.name


def test_rise_outside_window_or_a_fall_is_not_an_indicator() -> None:
    assert not evaluate(_topic(RISE), [cr(1, 1.0, 1), cr(2, 1.4, 5)], []).present
    assert not evaluate(_topic(RISE), [cr(1, 2.4, 1), cr(2, 1.5, 2)], []).present


def test_ratio_rise_without_window() -> None:
    rule = {**RISE, "rise": {"ratio": 1.5}}
    assert evaluate(_topic(rule), [cr(1, 1.2, 1), cr(2, 1.9, 9)], []).has("kdigo")
    assert not evaluate(_topic(rule), [cr(1, 1.2, 1), cr(2, 1.7, 9)], []).has("kdigo")


def test_drop_and_threshold_and_points() -> None:
    hgb = [
        ObservationRecord(f"Observation/{i}", ("718-7",), "Hemoglobin", v, None, "g/dL", day(i))
        for i, v in [(1, 13.1), (2, 8.0), (3, 7.4)]
    ]
    t = Topic.model_validate(
        {
            "id": "anemia",
            "label": "Anemia",
            "icd10cm": {"category": "D64", "unspecified": "D64.9"},
            "terms": ["anemia"],
            "indicators": [
                {
                    "id": "drop",
                    "name": "Hemoglobin",
                    "source": "observation",
                    "loinc": ["718-7"],
                    "drop": {"absolute": 2},
                    "points": 2,
                },
                {
                    "id": "low",
                    "name": "Hemoglobin",
                    "source": "observation",
                    "loinc": ["718-7"],
                    "below": 8,
                    "points": 1,
                },
            ],
        }
    )
    result = evaluate(t, hgb, [])
    assert result.points == 3
    assert [i.source for i in result.present["low"]] == ["Observation/3"]
    assert result.present["drop"][0].value == "13.1 -> 8 g/dL"


def test_other_loinc_codes_are_ignored() -> None:
    other = ObservationRecord("Observation/9", ("2951-2",), "Sodium", 5.0, None, "mmol/L", day(1))
    assert not evaluate(_topic(RISE), [other, cr(1, 1.0, 1)], []).present
